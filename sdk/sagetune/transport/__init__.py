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
``httpx_backend``      any httpx client as a backend; httpx clients over a built-in pool
``httpx_clients``      the httpx clients built from settings, over the chosen backend
``aiohttp_backend``    ``transport="aiohttp"``: aiohttp directly (``sagetune[fast]``)
``dispatch``           the async gate: at most N in flight, the rest in a FIFO queue
``failures``           library exceptions -> ConnectionFailure / ReadTimeoutFailure /
                       TransportError, with messages that say what to do
``tls``                the CA bundle httpx would pick, read at the first handshake
=====================  ===============================================================

Importing this package loads no HTTP library: httpx only when an httpx client is asked for
or given, aiohttp only for its backend, ``ssl`` only for an https URL.

Why the default is a backend of our own and not httpx's stack (issue 15: the default must
make >= 1.2x aiobotocore's describe calls/s at 8 and at 50 tasks, with less client CPU per
call). The candidate was httpx's own connection pool driven directly: sagetune's sender,
gate, signer, settings and TLS context in front of ``httpcore.AsyncConnectionPool``,
skipping httpx's client layer, with sniffio installed (now a dependency: without it every
request fails ``import sniffio`` several times). It is measured, not shipped: see
``HttpcoreDirect`` in ``bench/client_roundtrip.py``. Same-round ratios to aiobotocore,
medians of 3 runs of 5 interleaved rounds (2026-12-06, loopback, shared 2-core machine,
CPython 3.11.7, httpx 0.29.0, httpcore 1.0.9, aiohttp 3.14.5, aiobotocore 3.10.0), and
callgrind instructions per whole describe call:

===========================  ===========  ===========  ==============  ============
backend                      calls/s, 8   calls/s, 50  less CPU, 8/50  M instr, 8/50
===========================  ===========  ===========  ==============  ============
``builtin`` (the default)    2.63x        2.78x        3.88x / 4.04x   1.26 / 1.29
``aiohttp``                  2.47x        2.04x        3.07x / 2.67x   1.59 / 1.62
httpcore directly            1.06x        **0.92x**    1.11x / 1.02x   3.46 / 3.60
  ... one send, cheap check  1.30x        **1.07x**    1.39x / 1.17x   3.20 / 3.9-4.1
``httpx`` (the client too)   0.89x        0.73x        0.99x / 0.78x   4.33 / 4.46
aiobotocore                  1            1            1               5.16 / 5.13
===========================  ===========  ===========  ==============  ============

A second session of 5 runs of 7 rounds gave the same picture: httpcore directly 1.36x /
0.95x calls/s, 1.19x / 0.98x less CPU; with the adapter 1.19x / 1.11x and 1.45x / 1.14x.
The adapter ("one send, cheap check", under httpcore's public network-backend interface)
writes the request head and body in one send and answers the pool's idle-connection check
without anyio's attribute lookup; it still misses at 50 tasks. Where httpcore's time goes
beyond the instructions (strace, per call at 8 / 50 tasks): 86 / 103 system calls, against
the built-in backend's 7 and aiobotocore's 10. Of those, 61-68 are ``getpid`` (on CPython
3.11 every ``asyncio.current_task()`` checks the pid, and anyio's cancel scopes and sniffio
ask for the current task at every step), 15-26 are ``poll`` + ``getpeername`` (each time a
request starts or ends, the pool checks every idle connection's readability through
anyio's extra attributes) and 2 are sends. So the built-in backend stays the default, and
httpx's stack sends for ``transport="httpx"`` (which vcrpy records), proxies and clients
of the user's own.

Without sniffio, httpx's stack costs 5.81 M instructions per call instead of 4.33 M, and
httpcore directly 5.31 M instead of 3.46 M: that is why it is a dependency (proxies,
``transport="httpx"`` and users' own clients all run on httpx's stack).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sagetune.transport.backend import RawResponse
from sagetune.transport.sender import AsyncSender, Sender
from sagetune.transport.settings import HttpSettings, TransportKind

if TYPE_CHECKING:
    from sagetune.transport.httpx_clients import make_async_client, make_sync_client

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
        from sagetune.transport import httpx_clients

        return getattr(httpx_clients, name)
    raise AttributeError(f"module 'sagetune.transport' has no attribute {name!r}")
