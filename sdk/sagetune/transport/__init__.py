"""The HTTP layer under the clients: send signed bytes, read the answer, map failures.

Why a layer of its own: everything above it (signing, retries, parsing) deals in bytes and
status codes, so it can be tested without sockets, and users keep httpx's API: they may
hand in their own ``httpx.AsyncClient`` / ``httpx.Client`` (mounts, proxies, event hooks),
and the client's ``http_client`` is an httpx client whatever sends underneath.

Where each concern lives:

=====================  ===============================================================
``settings``           :class:`HttpSettings`: timeouts, pool, gate, TLS, proxies, backend
``sender``             :class:`AsyncSender` / :class:`Sender`: one backend, the gate, the
                       choice of backend (:func:`~sagetune.transport.sender.async_backend`)
``backend``            the backend protocols and :class:`RawResponse`
``builtin_async``      default async backend: HTTP/1.1 on asyncio's transports
``builtin_sync``       default blocking backend: HTTP/1.1 on sockets
``http11``             the sans-IO HTTP/1.1 both built-in backends share
``httpx_backend``      any httpx client as a backend; httpx clients over every backend
``aiohttp_backend``    ``transport="aiohttp"``: aiohttp directly (``sagetune[fast]``)
``dispatch``           the async gate: at most N in flight, the rest in a FIFO queue
``failures``           library exceptions -> ConnectionFailure / ReadTimeoutFailure /
                       TransportError, with messages that say what to do
``tls``                the CA bundle httpx would pick, read at the first handshake
=====================  ===============================================================

Importing this package loads no HTTP library: httpx only when an httpx client is asked for
or given, aiohttp only for its backend, ``ssl`` only for an https URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sagetune.transport.backend import RawResponse
from sagetune.transport.sender import AsyncSender, Sender
from sagetune.transport.settings import HttpSettings, TransportKind

if TYPE_CHECKING:
    from sagetune.transport.httpx_backend import make_async_client, make_sync_client

__all__ = [
    "AsyncSender",
    "HttpSettings",
    "RawResponse",
    "Sender",
    "TransportKind",
    "make_async_client",
    "make_sync_client",
]


def __getattr__(name: str) -> Any:
    if name in ("make_async_client", "make_sync_client"):  # these import httpx
        from sagetune.transport import httpx_backend

        return getattr(httpx_backend, name)
    raise AttributeError(f"module 'sagetune.transport' has no attribute {name!r}")
