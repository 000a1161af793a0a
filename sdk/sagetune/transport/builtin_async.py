"""The default async backend: HTTP/1.1 over asyncio's own transports, a small keep-alive pool.

Why not httpx's stack underneath (callgrind, instructions per whole describe call through
the client over loopback at 8 tasks, bench/client_roundtrip.py's server): with httpx's client
layer 4.33 M; httpx's connection pool (httpcore, h11, anyio) driven directly 3.46 M;
aiobotocore 5.16 M; this backend 1.26 M, of which it and the sender's gate are ~0.16 M
(:mod:`sagetune.transport` has the calls/s and CPU figures of each). The difference: one
``asyncio.Protocol`` per connection that feeds
:class:`~sagetune.transport.http11.ResponseParser`, no streams, no locks, no task per
request, no cancel scopes; the request is written in one ``transport.write`` and the
response usually arrives in one ``data_received``.

The pool: at most ``max_connections`` open, idle ones reused oldest first and dropped after
5 s idle (httpx's keep-alive expiry) or when the server has closed them (asyncio's report of
the close, or a readiness check before reuse when the close is too recent for asyncio to
have seen it: see :meth:`_Connection.stale`). A request that cannot get a
connection waits in order, for at most the connect timeout. The read timeout bounds the
time between two reads of the response, as httpx's and botocore's do. A request that is
cancelled, fails or reads a response that does not keep the connection alive closes it.

TLS is asyncio's, with the context from :mod:`sagetune.transport.tls`. Proxies are not
handled here: when the environment names one, the sender uses httpx's client layer over this
pool instead (:func:`sagetune.transport.sender.async_backend`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sagetune.transport import http11
from sagetune.transport.backend import RawResponse
from sagetune.transport.builtin_sync import readable

if TYPE_CHECKING:
    import ssl

    import httpx

    from sagetune.transport.settings import HttpSettings

__all__ = ["AsyncPool"]


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: asyncio calls the protocol methods, the pool calls
    :meth:`request`, one request at a time."""

    __slots__ = (
        "_fileno",
        "_last_read",
        "_loop",
        "_parser",
        "_read_timeout",
        "_timer",
        "_transport",
        "_waiter",
        "closed",
        "idle_since",
        "origin",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, origin: tuple[str, str, int]) -> None:
        self._loop = loop
        self.origin = origin
        self._transport: asyncio.Transport | None = None
        self._fileno = -1
        self._parser: http11.ResponseParser | None = None
        self._waiter: asyncio.Future[http11.ResponseParser] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0
        self._read_timeout = 0.0
        self.closed = False
        self.idle_since = 0.0

    # -- asyncio's protocol callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        self._fileno = sock.fileno() if sock is not None else -1

    def stale(self) -> bool:
        """Whether the server has closed (or written to) this idle connection by now.

        asyncio reports a close in a later turn of the loop; a server that closes right after
        its answer (without ``Connection: close``) would otherwise get the next request on a
        connection it has already left, which fails it: under faults that gave up calls boto3
        did not (bench/faults.py --close-after-fault: 48 failed against boto3's 38 before this
        check, 38 after). One ``select`` per reuse, as urllib3 makes.
        """
        return self._fileno < 0 or readable(self._fileno)

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:  # bytes while idle: the connection cannot be trusted any more
            self.close()
            return
        self._last_read = self._loop.time()
        try:
            done = parser.feed(data)
        except http11.WireError as exc:
            self._fail(exc)
            return
        if done:
            self._settle(parser)

    def eof_received(self) -> bool:
        return False  # let asyncio close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        parser = self._parser
        if parser is None:
            return
        if exc is not None:
            self._fail(exc)
            return
        try:
            parser.feed_eof()
        except http11.WireError as failure:
            self._fail(failure)
        else:
            self._settle(parser)

    def pause_writing(self) -> None:  # requests are small: asyncio buffers the rest
        pass

    def resume_writing(self) -> None:
        pass

    # -- the pool's side

    async def request(self, data: bytes, read_timeout: float) -> http11.ResponseParser:
        loop = self._loop
        transport = self._transport
        assert transport is not None
        self._parser = http11.ResponseParser()
        waiter: asyncio.Future[http11.ResponseParser] = loop.create_future()
        self._waiter = waiter
        self._read_timeout = read_timeout
        self._last_read = now = loop.time()
        self._timer = loop.call_at(now + read_timeout, self._on_timeout)
        transport.write(data)
        try:
            return await waiter
        finally:
            self._timer.cancel()
            self._parser = self._waiter = self._timer = None

    def close(self) -> None:
        self._end(abort=False)

    def abort(self) -> None:
        self._end(abort=True)

    def _end(self, *, abort: bool) -> None:
        self.closed = True
        transport = self._transport
        if transport is None:
            return
        # RuntimeError: its event loop is closed (a client used by one asyncio.run after
        # another); the transport then closes its socket when it is collected.
        with contextlib.suppress(RuntimeError):
            transport.abort() if abort else transport.close()

    def _on_timeout(self) -> None:
        due = self._last_read + self._read_timeout
        if self._loop.time() < due:  # bytes came in the meantime: wait from the last read
            self._timer = self._loop.call_at(due, self._on_timeout)
            return
        self._fail(
            http11.ReadTimeout(f"no response bytes for {self._read_timeout} s (read timeout)")
        )

    def _settle(self, parser: http11.ResponseParser) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(parser)

    def _fail(self, exc: BaseException) -> None:
        self.abort()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class AsyncPool:
    """The built-in async backend (see the module docstring). Needs a running asyncio loop."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._routes: dict[str, http11.Route] = {}
        # idle connections per origin, the longest idle first (see _idle_connection)
        self._idle: dict[tuple[str, str, int], collections.deque[_Connection]] = {}
        self._open = 0  # connections opened and not yet closed by us, idle or busy
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._ssl: ssl.SSLContext | None = None
        self._client: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def read_timeout(self) -> float:
        return self.settings.read_timeout

    async def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        parser = await self.send(method, url, headers, body)
        return RawResponse(parser.status, parser.headers, parser.body)

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes,
        *,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
    ) -> http11.ResponseParser:
        """One exchange, with the parsed response (the httpx adapter reads its raw headers);
        timeouts default to the settings'."""
        if self._closed:
            raise RuntimeError("this connection pool is closed")
        route = self._routes.get(url)
        if route is None:
            route = self._route(url)
        data = http11.request_bytes(method, route.target, route.host, headers, body)
        connection = self._idle_connection(route.origin)
        if connection is None:
            connection = await self._connect(
                route, connect_timeout or self.settings.connect_timeout
            )
        try:
            parser = await connection.request(data, read_timeout or self.settings.read_timeout)
        except BaseException:
            self._discard(connection)
            raise
        if parser.keep_alive and not connection.closed:
            self._release(connection)
        else:
            self._discard(connection)
        return parser

    def http_client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` over this pool (same connections), built on first use."""
        if self._client is None:
            from sagetune.transport.httpx_backend import async_client_over

            self._client = async_client_over(self, self.settings, owns_pool=False)
        return self._client

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        for waiter in self._waiting:
            if not waiter.done():
                waiter.cancel()
        if self._client is not None:
            await self._client.aclose()

    # -- routes and connections

    def _route(self, url: str) -> http11.Route:
        found = http11.route(url)
        if len(self._routes) >= 64:  # endpoints are few; never grow without bound
            self._routes.clear()
        self._routes[url] = found
        return found

    def _idle_connection(self, origin: tuple[str, str, int]) -> _Connection | None:
        """The connection idle the longest (not the one just released: a server that closes
        right after answering has had the most time to be seen doing so), unless expired,
        closed, or opened by another event loop (a client used by one ``asyncio.run`` after
        another)."""
        idle = self._idle.get(origin)
        if not idle:
            return None
        loop = asyncio.get_running_loop()
        oldest_kept = loop.time() - http11.KEEPALIVE_EXPIRY
        while idle:
            connection = idle.popleft()
            if connection._loop is not loop:
                connection.abort()
            elif not connection.closed:
                if connection.idle_since >= oldest_kept and not connection.stale():
                    return connection
                connection.close()
            self._open -= 1  # (the connection is dropped)
        return None

    async def _connect(self, route: http11.Route, connect_timeout: float) -> _Connection:
        """A new connection, or an idle one freed while waiting for room in the pool."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + connect_timeout
        while self._open >= self.settings.max_connections:
            if self._evict_idle(route.origin):
                continue
            await self._wait_for_slot(loop, deadline, connect_timeout)
            connection = self._idle_connection(route.origin)
            if connection is not None:
                return connection
        self._open += 1
        try:
            return await self._open_connection(loop, route, connect_timeout)
        except BaseException:
            self._open -= 1
            self._wake()
            raise

    async def _open_connection(
        self, loop: asyncio.AbstractEventLoop, route: http11.Route, connect_timeout: float
    ) -> _Connection:
        options: dict[str, Any] = {}
        if route.tls:
            if self._ssl is None:
                from sagetune.transport.tls import ssl_verify  # plain http never loads ssl

                self._ssl = ssl_verify(self.settings.verify, self.settings.trust_env)
            options = {
                "ssl": self._ssl,
                "server_hostname": route.hostname,
                "ssl_handshake_timeout": connect_timeout,
            }
        connection = _Connection(loop, route.origin)
        try:
            async with asyncio.timeout(connect_timeout):
                await loop.create_connection(
                    lambda: connection, route.hostname, route.port, **options
                )
        except TimeoutError as exc:
            connection.abort()
            raise http11.ConnectTimeout(
                f"no connection to {route.hostname}:{route.port} within {connect_timeout} s "
                "(connect timeout)"
            ) from exc
        return connection

    def _evict_idle(self, keep: tuple[str, str, int]) -> bool:
        """Close one idle connection to another origin to make room; False when none is."""
        for origin, idle in self._idle.items():
            if idle and origin != keep:
                idle.popleft().close()
                self._open -= 1
                return True
        return False

    async def _wait_for_slot(
        self, loop: asyncio.AbstractEventLoop, deadline: float, connect_timeout: float
    ) -> None:
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout_at(deadline):
                await waiter
        except TimeoutError as exc:
            raise http11.ConnectTimeout(
                f"no free connection in the pool ({self.settings.max_connections} busy) "
                f"within {connect_timeout} s (connect timeout)"
            ) from exc
        finally:
            if waiter in self._waiting:
                self._waiting.remove(waiter)

    def _release(self, connection: _Connection) -> None:
        if self._closed:  # finished after aclose: nothing may stay open
            self._discard(connection)
            return
        connection.idle_since = connection._loop.time()
        idle = self._idle.get(connection.origin)
        if idle is None:
            idle = self._idle[connection.origin] = collections.deque()
        idle.append(connection)
        self._wake()

    def _discard(self, connection: _Connection) -> None:
        connection.abort()
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
