"""Thin adapters that put the simulator's protocol handler behind HTTP.

The protocol handler is a pure function of (method, raw target, headers, body) and knows
nothing of sockets. Three adapters expose it, and nothing above them can tell which is in use:

- ``make_asgi_app``: an ASGI app, for uvicorn (a real socket) or ``httpx.ASGITransport``;
- ``InProcessTransport`` / ``InProcessAsyncTransport``: httpx transports for
  ``httpx.Client`` / ``httpx.AsyncClient`` with no socket at all. They are ``httpx.MockTransport``
  subclasses that leave ``handle_request`` alone, so vcrpy (which patches MockTransport's
  methods) records and replays exchanges made through them.

Each adapter passes the request headers exactly as the client sent them (SigV4 verification
depends on them) and caps the request body at ``max_body_bytes``, answering an AWS-shaped
413 beyond it.

Concurrency: the handler is called inline, on the caller's thread (on the event loop, for the
async adapters). The simulator keeps its state in one SQLite connection, which wants one
thread and serialized calls; a single event loop serializes them for free, while a worker
thread would need a lock anyway, would move the connection across threads, and would add a
thread hop to every call. The cost is that the loop is blocked for the few milliseconds a
call takes. A handler shared by several threads (say a sync client on one thread and uvicorn
on another) must serialize its own calls.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from sagetune import protocol

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ASGIApp",
    "Handler",
    "InProcessAsyncTransport",
    "InProcessTransport",
    "make_asgi_app",
]

Handler = Callable[
    [str, str, Sequence[tuple[str, str]], bytes], tuple[int, Sequence[tuple[str, str]], bytes]
]
"""(method, raw path incl. query, headers, body) -> (status, headers, body)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
"""Far above any SageMaker request (a large tuning job is tens of KB), far below harm."""

_logger = logging.getLogger(__name__)

_Response = tuple[int, Sequence[tuple[str, str]], bytes]


def make_asgi_app(handler: Handler, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> ASGIApp:
    """Wrap ``handler`` as an ASGI 3 app (HTTP; lifespan acknowledged; websockets refused).

    A handler that raises is logged and answered with an AWS-shaped 500 (InternalFailure):
    a server must keep serving.
    """
    _check_limit(max_body_bytes)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await _acknowledge_lifespan(receive, send)
        elif kind == "http":
            await _serve_http(handler, max_body_bytes, scope, receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1003})

    return app


class InProcessTransport(httpx.MockTransport):
    """An ``httpx.Client`` transport that calls the handler directly, without a socket.

    Exceptions from the handler propagate to the caller (as with httpx's ASGITransport), so a
    bug in the simulator shows its own traceback in tests rather than a 500.
    """

    def __init__(self, handler: Handler, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        _check_limit(max_body_bytes)
        self._protocol_handler = handler
        self._max_body_bytes = max_body_bytes
        super().__init__(self._respond)

    def _respond(self, request: httpx.Request) -> httpx.Response:
        return _exchange(self._protocol_handler, self._max_body_bytes, request)


class InProcessAsyncTransport(httpx.MockTransport):
    """An ``httpx.AsyncClient`` transport that calls the handler directly, without a socket.

    The handler runs inline on the event loop (see the module docstring for why); handler
    exceptions propagate to the caller.
    """

    def __init__(self, handler: Handler, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        _check_limit(max_body_bytes)
        self._protocol_handler = handler
        self._max_body_bytes = max_body_bytes
        super().__init__(self._respond)

    async def _respond(self, request: httpx.Request) -> httpx.Response:
        return _exchange(self._protocol_handler, self._max_body_bytes, request)


def _exchange(handler: Handler, max_body_bytes: int, request: httpx.Request) -> httpx.Response:
    body = request.content  # MockTransport has read the stream already
    if len(body) > max_body_bytes:
        status, headers, payload = _body_too_large(len(body), max_body_bytes)
    else:
        headers_sent = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
        ]
        target = request.url.raw_path.decode("ascii")
        status, headers, payload = handler(request.method, target, headers_sent, body)
    return httpx.Response(status, headers=list(headers), content=payload)


async def _acknowledge_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _serve_http(
    handler: Handler, max_body_bytes: int, scope: Scope, receive: Receive, send: Send
) -> None:
    headers = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
    ]
    body = await _read_body(receive, _declared_length(headers), max_body_bytes)
    if body is None:  # the client went away before sending its whole request
        return
    if isinstance(body, int):
        response = _body_too_large(body, max_body_bytes)
    else:
        try:
            response = handler(scope["method"], _raw_target(scope), headers, body)
        except Exception:
            _logger.exception(
                "the protocol handler failed on %s %s", scope["method"], scope["path"]
            )
            response = _aws_error(
                500, "InternalFailure", "The simulator failed to process the request."
            )
    await _send_response(send, response)


async def _read_body(receive: Receive, declared: int | None, limit: int) -> bytes | int | None:
    """The whole body; or, past ``limit``, the byte count seen (the rest drained unkept)."""
    chunks: list[bytes] = []
    size = 0
    too_large = declared is not None and declared > limit
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        more_body = message.get("more_body", False)
        size += len(chunk)
        too_large = too_large or size > limit
        if not too_large:
            chunks.append(chunk)
        else:
            chunks.clear()  # keep reading so the client gets a clean answer, not a reset
    if too_large:
        return max(size, declared or 0)
    return b"".join(chunks)


def _declared_length(headers: Sequence[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _raw_target(scope: Scope) -> str:
    raw_path: bytes | None = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(scope["path"], safe="/%:@!$&'()*+,;=")
    query: bytes = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def _send_response(send: Send, response: _Response) -> None:
    status, headers, body = response
    raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    if not any(name.lower() == b"content-length" for name, _ in raw_headers):
        raw_headers.append((b"content-length", str(len(body)).encode("ascii")))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _body_too_large(size: int, limit: int) -> _Response:
    return _aws_error(
        413,
        "RequestEntityTooLargeException",
        f"Request body of {size} bytes exceeds the simulator's limit of {limit} bytes. "
        "Send a smaller request, or raise max_body_bytes where the simulator is served.",
    )


def _aws_error(status: int, code: str, message: str) -> _Response:
    body = protocol.error_body(code, message)
    headers = [
        (protocol.REQUEST_ID_HEADER, str(uuid.uuid4())),
        ("Content-Type", protocol.CONTENT_TYPE),
        ("Content-Length", str(len(body))),
    ]
    return status, headers, body


def _check_limit(max_body_bytes: int) -> None:
    if max_body_bytes < 0:
        raise ValueError(f"max_body_bytes must not be negative, got {max_body_bytes}")
