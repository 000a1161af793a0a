"""httpx's API, over any backend: the backend for a user's ``http_client``, and httpx
transports over the built-in pools.

- :class:`HttpxAsyncBackend` / :class:`HttpxSyncBackend` send through an
  ``httpx.AsyncClient`` / ``httpx.Client`` as given (mounts, proxies, event hooks, an
  in-process transport): a user's, or one :mod:`~sagetune.transport.httpx_clients` built
  with ``transport="httpx"`` or because the environment names a proxy.
- :func:`async_client_over` / :func:`sync_client_over`: an httpx client whose requests go
  through a built-in pool (:class:`BuiltinAsyncTransport`, :class:`BuiltinSyncTransport`).
- Clients built here ignore ``Set-Cookie``: httpx runs every response through
  ``http.cookiejar`` (~0.1 ms a call); AWS APIs set no cookies and botocore keeps none.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from sagetune.transport import http11
from sagetune.transport.backend import RawResponse
from sagetune.transport.settings import FAST_EXTRA_HINT, HttpSettings
from sagetune.transport.tls import ssl_verify

if TYPE_CHECKING:
    from sagetune.transport.builtin_async import AsyncPool
    from sagetune.transport.builtin_sync import SyncPool

__all__ = [
    "BuiltinAsyncTransport",
    "BuiltinSyncTransport",
    "CookielessAsyncClient",
    "CookielessClient",
    "HttpxAsyncBackend",
    "HttpxSyncBackend",
    "async_client_over",
    "client_options",
    "fast_client_class",
    "sync_client_over",
]


def _raw_response(response: httpx.Response) -> RawResponse:
    return RawResponse(response.status_code, dict(response.headers.items()), response.content)


class HttpxAsyncBackend:
    """Sends through an ``httpx.AsyncClient``; closes it only if ``owns_client``."""

    def __init__(self, client: httpx.AsyncClient, *, owns_client: bool) -> None:
        self.client = client
        self.owns_client = owns_client

    @property
    def read_timeout(self) -> float:
        return self.client.timeout.read or 0.0

    async def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        client = self.client
        request = client.build_request(method, url, headers=headers, content=body)
        return _raw_response(await client.send(request))

    def http_client(self) -> httpx.AsyncClient:
        return self.client

    async def aclose(self) -> None:
        if self.owns_client:
            await self.client.aclose()


class HttpxSyncBackend:
    """Sends through an ``httpx.Client``; closes it only if ``owns_client``."""

    def __init__(self, client: httpx.Client, *, owns_client: bool) -> None:
        self.client = client
        self.owns_client = owns_client

    @property
    def read_timeout(self) -> float:
        return self.client.timeout.read or 0.0

    def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        client = self.client
        request = client.build_request(method, url, headers=headers, content=body)
        return _raw_response(client.send(request))

    def http_client(self) -> httpx.Client:
        return self.client

    def close(self) -> None:
        if self.owns_client:
            self.client.close()


# -- httpx transports over the built-in pools ------------------------------------------

_NOT_FORWARDED = frozenset({b"host", b"content-length", b"transfer-encoding"})  # the pool's


def _pool_request(request: httpx.Request) -> tuple[str, list[tuple[str, str]]]:
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in request.headers.raw
        if name.lower() not in _NOT_FORWARDED
    ]
    return str(request.url), headers


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    timeout = request.extensions.get("timeout") or {}
    return {"connect_timeout": timeout.get("connect"), "read_timeout": timeout.get("read")}


def _httpx_error(exc: Exception, request: httpx.Request) -> Exception:
    """httpx's exception for a built-in backend's failure (its cause is the original)."""
    kind: type[httpx.TransportError]
    if isinstance(exc, http11.ReadTimeout):
        kind = httpx.ReadTimeout
    elif isinstance(exc, http11.WriteTimeout):
        kind = httpx.WriteTimeout
    elif isinstance(exc, http11.ConnectTimeout):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, http11.UnsupportedURL):
        kind = httpx.UnsupportedProtocol
    elif isinstance(exc, http11.WireError):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, ConnectionRefusedError | socket.gaierror | ssl.SSLError):
        kind = httpx.ConnectError
    elif isinstance(exc, OSError):
        kind = httpx.ReadError
    else:
        return exc
    return kind(str(exc) or type(exc).__name__, request=request)


def _httpx_response(parser: http11.ResponseParser) -> httpx.Response:
    return httpx.Response(parser.status, headers=parser.raw_headers, content=parser.body)


class BuiltinAsyncTransport(httpx.AsyncBaseTransport):
    """httpx's async transport interface over an :class:`AsyncPool`; closing it closes the
    pool only if ``owns_pool`` (a pool a sender also uses stays open)."""

    def __init__(self, pool: AsyncPool, *, owns_pool: bool) -> None:
        self.pool = pool
        self.owns_pool = owns_pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        url, headers = _pool_request(request)
        try:
            parser = await self.pool.send(request.method, url, headers, body, **_timeouts(request))
        except Exception as exc:
            mapped = _httpx_error(exc, request)
            if mapped is exc:
                raise
            raise mapped from exc
        return _httpx_response(parser)

    async def aclose(self) -> None:
        if self.owns_pool:
            await self.pool.aclose()


class BuiltinSyncTransport(httpx.BaseTransport):
    """httpx's transport interface over a :class:`SyncPool` (see :class:`BuiltinAsyncTransport`)."""

    def __init__(self, pool: SyncPool, *, owns_pool: bool) -> None:
        self.pool = pool
        self.owns_pool = owns_pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        url, headers = _pool_request(request)
        try:
            parser = self.pool.send(request.method, url, headers, body, **_timeouts(request))
        except Exception as exc:
            mapped = _httpx_error(exc, request)
            if mapped is exc:
                raise
            raise mapped from exc
        return _httpx_response(parser)

    def close(self) -> None:
        if self.owns_pool:
            self.pool.close()


# -- clients built from settings --------------------------------------------------------


class _SetCookieIgnored(httpx.Cookies):
    """Cookies that responses cannot add to (cookies set by hand are still sent)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _IgnoresSetCookie:
    """Mixin for the clients built here: responses' ``Set-Cookie`` headers are ignored."""

    _sagetune_cookies: httpx.Cookies | None = None

    @property
    def cookies(self) -> httpx.Cookies:
        if self._sagetune_cookies is None:
            self._sagetune_cookies = _SetCookieIgnored()
        return self._sagetune_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._sagetune_cookies = _SetCookieIgnored(cookies)


class CookielessAsyncClient(_IgnoresSetCookie, httpx.AsyncClient):
    """``httpx.AsyncClient`` as built by :func:`make_async_client`."""


class CookielessClient(_IgnoresSetCookie, httpx.Client):
    """``httpx.Client`` as built by :func:`make_sync_client`."""


_fast_client_classes: dict[type[httpx.AsyncClient], type[httpx.AsyncClient]] = {}


def fast_client_class() -> type[httpx.AsyncClient]:
    """httpx-aiohttp's client with the same mixin, imported on first use only."""
    try:
        from httpx_aiohttp import HttpxAiohttpClient
    except ImportError as exc:
        raise ImportError(
            f"HttpSettings(transport='aiohttp') needs the optional packages httpx-aiohttp "
            f"and aiohttp, which are not installed ({exc}). Install them with "
            f"{FAST_EXTRA_HINT}, or use the default transport."
        ) from exc
    cls = _fast_client_classes.get(HttpxAiohttpClient)
    if cls is None:

        class _FastAsyncClient(_IgnoresSetCookie, HttpxAiohttpClient):
            """``httpx_aiohttp.HttpxAiohttpClient`` as built by :func:`make_async_client`."""

        cls = _fast_client_classes[HttpxAiohttpClient] = _FastAsyncClient
    return cls


def client_options(settings: HttpSettings) -> dict[str, Any]:
    """What every client built here shares: timeouts, TLS (also for proxy connections),
    and whether the environment is read (proxies, CA bundle)."""
    return {
        "timeout": settings.timeout,
        "verify": ssl_verify(settings.verify, settings.trust_env),
        "trust_env": settings.trust_env,
    }


def async_client_over(
    pool: AsyncPool, settings: HttpSettings, *, owns_pool: bool
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose requests go through ``pool``."""
    return CookielessAsyncClient(
        transport=BuiltinAsyncTransport(pool, owns_pool=owns_pool), **client_options(settings)
    )


def sync_client_over(pool: SyncPool, settings: HttpSettings, *, owns_pool: bool) -> httpx.Client:
    """An ``httpx.Client`` whose requests go through ``pool`` (see :func:`async_client_over`)."""
    return CookielessClient(
        transport=BuiltinSyncTransport(pool, owns_pool=owns_pool), **client_options(settings)
    )
