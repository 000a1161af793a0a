"""The default blocking backend: HTTP/1.1 over sockets, a small thread-safe keep-alive pool.

The blocking twin of :mod:`sagetune.transport.builtin_async`, with the same parser
(:mod:`sagetune.transport.http11`). Why not httpx's: importing httpx and httpcore costs a
cold start 30-40 ms (and about 90 ms more when click, rich and pygments are installed: httpx
then imports its command-line client), and this backend needs nothing beyond the
standard library.

Each request takes an idle connection (newest first) or opens one; an idle connection is
dropped after 5 s (httpx's keep-alive expiry) or when the server has closed it (a readiness
check, as urllib3 makes, before reuse). Timeouts are the socket's: connect, then the read
timeout for every send and every read, as botocore's urllib3 sets them. Concurrency is
bounded by the sender's gate; at most ``max_connections`` idle connections are kept.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sagetune.transport import http11
from sagetune.transport.backend import RawResponse

if TYPE_CHECKING:
    import ssl

    import httpx

    from sagetune.transport.settings import HttpSettings

__all__ = ["SyncPool"]

_READ_SIZE = 65536


class SyncPool:
    """The built-in blocking backend (see the module docstring). Thread-safe."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._routes: dict[str, http11.Route] = {}
        self._idle: dict[tuple[str, str, int], list[tuple[socket.socket, float]]] = {}
        self._ssl: ssl.SSLContext | None = None
        self._client: httpx.Client | None = None
        self._closed = False

    @property
    def read_timeout(self) -> float:
        return self.settings.read_timeout

    def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        parser = self.send(method, url, headers, body)
        return RawResponse(parser.status, parser.headers, parser.body)

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes,
        *,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
    ) -> http11.ResponseParser:
        """One exchange, with the parsed response; timeouts default to the settings'."""
        if self._closed:
            raise RuntimeError("this connection pool is closed")
        route = self._routes.get(url)
        if route is None:
            route = http11.route(url)
            with self._lock:
                if len(self._routes) >= 64:
                    self._routes.clear()
                self._routes[url] = route
        data = http11.request_bytes(method, route.target, route.host, headers, body)
        read_timeout = read_timeout or self.settings.read_timeout
        sock = self._idle_socket(route.origin)
        if sock is None:
            sock = self._connect(route, connect_timeout or self.settings.connect_timeout)
        try:
            sock.settimeout(read_timeout)
            parser = self._exchange(sock, data, read_timeout)
        except BaseException:
            sock.close()
            raise
        if parser.keep_alive:
            self._release(route.origin, sock)
        else:
            sock.close()
        return parser

    def http_client(self) -> httpx.Client:
        """An ``httpx.Client`` over this pool (same connections), built on first use."""
        with self._lock:
            if self._client is None:
                from sagetune.transport.httpx_backend import sync_client_over

                self._client = sync_client_over(self, self.settings, owns_pool=False)
            return self._client

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for sockets in idle.values():
            for sock, _ in sockets:
                sock.close()
        if self._client is not None:
            self._client.close()

    # -- sockets

    @staticmethod
    def _exchange(sock: socket.socket, data: bytes, read_timeout: float) -> http11.ResponseParser:
        try:
            sock.sendall(data)
        except TimeoutError as exc:
            raise http11.WriteTimeout(
                f"the request could not be sent within {read_timeout} s"
            ) from exc
        parser = http11.ResponseParser()
        try:
            while True:
                chunk = sock.recv(_READ_SIZE)
                if not chunk:
                    parser.feed_eof()
                    return parser
                if parser.feed(chunk):
                    return parser
        except TimeoutError as exc:
            raise http11.ReadTimeout(
                f"no response bytes for {read_timeout} s (read timeout)"
            ) from exc

    def _idle_socket(self, origin: tuple[str, str, int]) -> socket.socket | None:
        oldest_kept = time.monotonic() - http11.KEEPALIVE_EXPIRY
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                sock, since = idle.pop()
            if since >= oldest_kept and not readable(sock):
                return sock
            sock.close()  # expired, or closed (or written to) by the server while idle

    def _connect(self, route: http11.Route, timeout: float) -> socket.socket:
        try:
            sock = socket.create_connection((route.hostname, route.port), timeout=timeout)
        except TimeoutError as exc:
            raise http11.ConnectTimeout(
                f"no connection to {route.hostname}:{route.port} within {timeout} s "
                "(connect timeout)"
            ) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if route.tls:
                if self._ssl is None:
                    from sagetune.transport.tls import ssl_verify  # plain http never loads ssl

                    self._ssl = ssl_verify(self.settings.verify, self.settings.trust_env)
                sock = self._ssl.wrap_socket(sock, server_hostname=route.hostname)
        except TimeoutError as exc:
            sock.close()
            raise http11.ConnectTimeout(
                f"no TLS handshake with {route.hostname}:{route.port} within {timeout} s "
                "(connect timeout)"
            ) from exc
        except BaseException:
            sock.close()
            raise
        return sock

    def _release(self, origin: tuple[str, str, int], sock: socket.socket) -> None:
        with self._lock:
            if not self._closed:
                idle = self._idle.setdefault(origin, [])
                if len(idle) < self.settings.max_connections:
                    idle.append((sock, time.monotonic()))
                    return
        sock.close()


def readable(sock: socket.socket | int) -> bool:
    """Whether an idle socket (or file descriptor) has something to read: the server closed
    it (or sent bytes nobody asked for); either way it cannot carry a request."""
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)
