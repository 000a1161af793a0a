"""How a client talks HTTP: :class:`HttpSettings` (timeouts, pool size, gate, TLS, proxies,
and which backend sends). Plain values: nothing here imports an HTTP library."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    import httpx

__all__ = ["FAST_EXTRA_HINT", "HttpSettings", "TransportKind", "proxies_configured"]

TransportKind = Literal["builtin", "httpx", "aiohttp"]
"""Which backend sends a client's requests (see :mod:`sagetune.transport`)."""

TRANSPORTS: tuple[TransportKind, ...] = ("builtin", "httpx", "aiohttp")

FAST_EXTRA_HINT = "pip install 'sagetune[fast]'"


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"HttpSettings.{attribute.name} must be > 0, got {value!r}")


def _positive_or_none(
    _instance: object, attribute: attrs.Attribute[Any], value: int | None
) -> None:
    if value is not None and value < 1:
        raise ValueError(f"HttpSettings.{attribute.name} must be >= 1 or None, got {value!r}")


def _known_transport(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in TRANSPORTS:
        raise ValueError(
            f"HttpSettings.{attribute.name} must be one of {', '.join(map(repr, TRANSPORTS))}, "
            f"got {value!r}"
        )


@attrs.frozen(kw_only=True)
class HttpSettings:
    """How the client talks HTTP. Defaults follow botocore's where botocore has one.

    ``max_in_flight`` caps the requests one client has in flight at once; the others wait
    their turn, first come first served, with no timeout of their own (as in aiobotocore;
    bound a whole call with ``asyncio.timeout`` if needed). ``None``: as many as
    ``max_connections``. ``verify`` is ``True``, ``False`` or the path of a CA bundle file or
    directory (the caller resolves ``AWS_CA_BUNDLE``). ``trust_env`` reads
    ``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``.

    ``transport``: ``"builtin"`` (default: sagetune's HTTP/1.1 client on asyncio or
    sockets, standard library only), ``"httpx"`` (httpx's own stack, httpcore) or
    ``"aiohttp"`` (async client only; needs the ``fast`` extra). Whatever sends, the public
    API is httpx's: :func:`~sagetune.transport.make_async_client` builds an
    ``httpx.AsyncClient`` over the chosen backend, and a client of the user's is always
    used as given.
    """

    connect_timeout: float = attrs.field(default=60.0, validator=_positive)
    read_timeout: float = attrs.field(default=60.0, validator=_positive)
    max_connections: int = attrs.field(default=10, validator=_positive)
    max_in_flight: int | None = attrs.field(default=None, validator=_positive_or_none)
    verify: bool | str = True
    trust_env: bool = True
    transport: TransportKind = attrs.field(default="builtin", validator=_known_transport)

    @property
    def backend(self) -> TransportKind:
        """The backend that sends: ``transport``, except that the built-in one leaves the
        work to httpx's own stack when ``trust_env`` and the environment names a proxy
        (proxies, ``NO_PROXY`` and proxy TLS are httpx's to handle)."""
        if self.transport == "builtin" and self.trust_env and proxies_configured():
            return "httpx"
        return self.transport

    @property
    def in_flight_limit(self) -> int:
        """The gate's size: ``max_in_flight``, or ``max_connections`` when that is None."""
        return self.max_connections if self.max_in_flight is None else self.max_in_flight

    @property
    def timeout(self) -> httpx.Timeout:
        """httpx timeouts: writes share the read bound; waiting for a pooled connection
        shares the connect bound (a request that cannot get a connection in that time has
        failed to connect)."""
        import httpx

        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )

    @property
    def limits(self) -> httpx.Limits:
        """httpx pool limits: keep-alive as many as we open (httpcore closes idle
        connections whenever the *total* count exceeds max_keepalive_connections, which
        churns connections)."""
        import httpx

        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_connections,
        )


_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def proxies_configured() -> bool:
    """Whether the environment names a proxy (any case, as httpx and urllib read it; on macOS
    and Windows also the system settings urllib reads)."""
    if any(name.lower() in _PROXY_VARIABLES and value for name, value in os.environ.items()):
        return True
    if sys.platform in ("darwin", "win32"):  # pragma: no cover - not the CI platform
        import urllib.request

        return bool(urllib.request.getproxies())
    return False
