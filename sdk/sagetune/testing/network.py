"""A socket guard: while a cassette replays, nothing may reach the network.

Replay must need no network: a test that quietly talked to AWS (or tried to, and timed out)
would pass on a laptop and hang in CI. :func:`block_network` makes every attempt to resolve
or connect to an internet host fail at once with :class:`NetworkBlockedError`, which names
the host. Unix sockets (and socket pairs, which event loops use) stay allowed.

The error is deliberately not an ``OSError``: sagetune's client retries connection failures,
and a blocked connection must fail the test at once, not be retried.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["NetworkBlockedError", "block_network"]


class NetworkBlockedError(RuntimeError):
    """A test tried to reach the network while it was blocked."""

    def __init__(self, host: object, port: object = None) -> None:
        where = f"{host}:{port}" if port is not None else str(host)
        super().__init__(
            f"Network access to {where} is blocked: this test replays a cassette, so every "
            "request must be answered from the cassette (use the sagetune_client fixture, or "
            "a client whose http_client goes through httpx). To record instead, run with "
            "--sagetune-record-mode=once (or `sagetune cassettes record`)."
        )
        self.host = host
        self.port = port


_lock = threading.Lock()
_depth = 0
_originals: dict[str, Any] = {}


@contextmanager
def block_network(allowed_hosts: Collection[str] = ()) -> Iterator[None]:
    """Block DNS lookups of and connections to any host not in ``allowed_hosts``.

    Nested uses are allowed (the outermost one decides which hosts pass).
    """
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            _install(frozenset(allowed_hosts))
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _uninstall()


def _install(allowed: frozenset[str]) -> None:
    connect = socket.socket.connect
    connect_ex = socket.socket.connect_ex
    getaddrinfo = socket.getaddrinfo
    _originals.update(connect=connect, connect_ex=connect_ex, getaddrinfo=getaddrinfo)

    def guarded(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                host, port = address[0], address[1]
                if host not in allowed:
                    raise NetworkBlockedError(host, port)
            return original(self, address)

        return method

    def guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in allowed:
            raise NetworkBlockedError(name, port)
        return getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect = guarded(connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded(connect_ex)  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo


def _uninstall() -> None:
    socket.socket.connect = _originals.pop("connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = _originals.pop("connect_ex")  # type: ignore[method-assign]
    socket.getaddrinfo = _originals.pop("getaddrinfo")
