"""aiohttp used directly: the async backend for ``transport="aiohttp"`` (``sagetune[fast]``).

Why not httpx over aiohttp here: httpx's client layer (request and response models, header
merging, stream reading) costs as much CPU as aiohttp's whole request, so without it a call
costs about half (bench/transport_options.py: sagetune_fast against httpx_aiohttp). The
settings mean the same as for the other backends: timeouts, pool size, CA bundle, proxies
from the environment, no redirects, and no cookies kept. aiohttp is imported only when this
backend is built.

Proxies are looked up here, once per URL, not by aiohttp's ``trust_env``: that runs two
thread-pool calls on every request (the proxy, and a ~/.netrc login for the host, which
would also clash with the SigV4 Authorization header).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sagetune.transport.backend import RawResponse
from sagetune.transport.settings import FAST_EXTRA_HINT
from sagetune.transport.tls import ssl_verify

if TYPE_CHECKING:
    import httpx

    from sagetune.transport.settings import HttpSettings

__all__ = ["AiohttpBackend"]


class AiohttpBackend:
    """Sends through an ``aiohttp.ClientSession`` opened on first use, closed by :meth:`aclose`."""

    def __init__(self, settings: HttpSettings) -> None:
        try:
            import aiohttp
        except ImportError as exc:
            raise ImportError(
                f"HttpSettings(transport='aiohttp') needs the optional package aiohttp, "
                f"which is not installed ({exc}). Install it with {FAST_EXTRA_HINT}, or use "
                f"the default transport."
            ) from exc
        self._aiohttp = aiohttp
        self.settings = settings
        self._ssl = ssl_verify(settings.verify, settings.trust_env)
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=settings.connect_timeout,
            sock_read=settings.read_timeout,
            connect=settings.connect_timeout,  # aiohttp's "connect" covers the pool wait
        )
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[Any, Any]] = {}  # url -> (proxy, proxy auth)

    @property
    def read_timeout(self) -> float:
        return self.settings.read_timeout

    def _proxy_for(self, url: str) -> tuple[Any, Any]:
        """HTTP(S)_PROXY / NO_PROXY for ``url``, as aiohttp's ``trust_env`` reads them."""
        found = self._proxies.get(url)
        if found is None:
            from aiohttp.helpers import get_env_proxy_for_url
            from yarl import URL

            try:
                found = get_env_proxy_for_url(URL(url))
            except LookupError:
                found = (None, None)
            if len(self._proxies) >= 64:  # endpoints are few; never grow without bound
                self._proxies.clear()
            self._proxies[url] = found
        return found

    def _open(self) -> Any:
        aiohttp = self._aiohttp
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.settings.max_connections, ssl=self._ssl, keepalive_timeout=5.0
            ),
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        session = self._session or self._open()
        proxy, proxy_auth = self._proxy_for(url) if self.settings.trust_env else (None, None)
        async with session.request(
            method,
            url,
            headers=headers,
            data=body,
            proxy=proxy,
            proxy_auth=proxy_auth,
            allow_redirects=False,
        ) as response:
            content = await response.read()
            headers_in: dict[str, str] = {}
            for name, value in response.headers.items():
                key = name.lower()
                headers_in[key] = f"{headers_in[key]}, {value}" if key in headers_in else value
            return RawResponse(response.status, headers_in, content)

    def http_client(self) -> httpx.AsyncClient | None:
        """None: requests go to aiohttp directly (``make_async_client`` builds an httpx
        client over aiohttp, with httpx-aiohttp, for code that wants httpx's API)."""
        return None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
