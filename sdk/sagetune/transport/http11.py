"""HTTP/1.1 on the wire, sans-IO: a request's bytes, and a parser for the response.

The built-in backends (:mod:`sagetune.transport.builtin`: asyncio and blocking sockets)
share this module; it never touches a socket, so every framing case is tested on bytes.

Why our own and not h11 (httpcore's parser): a client that sends one ``POST`` and reads one
response per connection at a time needs a small part of HTTP/1.1, and h11's general state
machine costs more CPU per response than the whole exchange here (callgrind, one describe
call over loopback: httpcore + h11 2.2 M instructions, the whole built-in backend 0.16 M).

What the parser accepts, as RFC 9112 says a client must: a status line ``HTTP/1.x``,
headers, and a body framed by ``Transfer-Encoding: chunked`` (trailers read and dropped),
by ``Content-Length``, or by the end of the connection; 1xx interim responses are skipped;
204 and 304 have no body. A connection is kept for the next request only when the response
says so (HTTP/1.1 without ``Connection: close``, or HTTP/1.0 with ``keep-alive``) and its body
was framed by length. Anything else (a missing or malformed status line, a header without a
colon, an invalid length, a head over 64 KiB) is :class:`MalformedResponse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "ConnectTimeout",
    "MalformedResponse",
    "ReadTimeout",
    "ResponseIncomplete",
    "ResponseParser",
    "Route",
    "ServerDisconnected",
    "UnsupportedURL",
    "WireError",
    "WriteTimeout",
    "host_header",
    "request_bytes",
    "route",
]

KEEPALIVE_EXPIRY = 5.0
"""Seconds an idle connection is kept (httpx's default; uvicorn closes after 5 s too)."""

MAX_HEAD_BYTES = 64 * 1024
"""The longest status line plus headers accepted (h11's default limit is 16 KiB)."""


class WireError(Exception):
    """A failure of the built-in HTTP/1.1 client (the sender maps it to a TransportError)."""


class ConnectTimeout(WireError, TimeoutError):
    """No connection (or no free pooled connection) within the connect timeout."""


class ReadTimeout(WireError, TimeoutError):
    """No byte of the response arrived within the read timeout."""


class WriteTimeout(WireError, TimeoutError):
    """The request could not be written within the timeout."""


class ServerDisconnected(WireError, ConnectionError):
    """The server closed the connection before sending any of the response."""


class ResponseIncomplete(WireError, ConnectionError):
    """The server closed the connection in the middle of the response."""


class MalformedResponse(WireError):
    """The bytes received are not an HTTP/1.1 response."""


class UnsupportedURL(WireError, ValueError):
    """The URL cannot be requested (not http/https, no host, a control character ...)."""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_header(hostname: str, port: int | None, scheme: str) -> str:
    """The ``Host`` of a URL as botocore signs it: the host in lower case, an IPv6 address in
    brackets, the port only when it is not the scheme's default."""
    host = hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return host


class Route(NamedTuple):
    """Where a URL's request goes and what its request line and Host header say."""

    origin: tuple[str, str, int]  # scheme, host, port: which pooled connections fit
    hostname: str  # to connect to (and for TLS's server name)
    port: int
    tls: bool
    host: str  # the Host header
    target: str  # the request target: path and query


def route(url: str) -> Route:
    """The :class:`Route` of ``url``; :class:`UnsupportedURL` when it cannot be requested."""
    if not url.isascii() or not url.isprintable() or " " in url:
        raise UnsupportedURL(
            f"{url!r} cannot be requested: a URL must be printable ASCII without spaces "
            "(percent-encode anything else)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsupportedURL(f"{url!r} is not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsupportedURL(f"{url!r}: only http:// and https:// URLs can be requested")
    hostname = parts.hostname
    if not hostname:
        raise UnsupportedURL(f"{url!r} has no host")
    port = port if port is not None else _DEFAULT_PORTS[scheme]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Route(
        origin=(scheme, hostname, port),
        hostname=hostname,
        port=port,
        tls=scheme == "https",
        host=host_header(hostname, parts.port, scheme),
        target=target,
    )


def request_bytes(
    method: str,
    target: str,
    host: str,
    headers: Mapping[str, str] | list[tuple[str, str]],
    body: bytes,
) -> bytes:
    """The bytes of one request: request line, ``Host``, the headers as given,
    ``Content-Length``, then the body. Header names and values must be latin-1 (a str that
    is not raises ``UnicodeEncodeError``; the caller's headers are ASCII)."""
    items = headers if isinstance(headers, list) else headers.items()
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
    for name, value in items:
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name!r} contains a line break")
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(lines).encode("latin-1") + body


_UNTIL_CLOSE = -1
_CHUNKED = -2
_NO_BODY_STATUSES = frozenset({204, 304})


class ResponseParser:
    """Reads one response from the bytes fed to it.

    :meth:`feed` returns True once the response is complete (``status``, ``headers`` with
    lower-case names, ``raw_headers`` as received, ``body``); :meth:`feed_eof` is called
    when the connection ends, which completes a body framed by the end of the connection
    and raises :class:`ServerDisconnected` / :class:`ResponseIncomplete` otherwise.
    ``keep_alive`` says whether the connection may carry the next request.
    """

    __slots__ = (
        "_buffer",
        "_chunk_crlf",
        "_chunk_left",
        "_framing",
        "_in_trailers",
        "_parts",
        "_received",
        "body",
        "headers",
        "keep_alive",
        "raw_headers",
        "reason",
        "status",
    )

    def __init__(self) -> None:
        self._buffer = b""
        self._framing = 0  # >= 0: bytes of body still expected; _UNTIL_CLOSE; _CHUNKED
        self._parts: list[bytes] = []
        self._received = 0
        self._chunk_left = 0  # chunked: data bytes left in the current chunk
        self._chunk_crlf = False  # chunked: the CRLF after a chunk's data is still due
        self._in_trailers = False
        self.status = 0
        self.reason = ""
        self.headers: dict[str, str] = {}
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.keep_alive = False

    @property
    def started(self) -> bool:
        """Whether any byte of the response has arrived."""
        return self._received > 0

    def feed(self, data: bytes) -> bool:
        """Take the next bytes; True when the response is complete."""
        self._received += len(data)
        if not self.status:
            buffer = self._buffer + data if self._buffer else data
            while True:  # 1xx interim responses come before the real one
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(buffer) > MAX_HEAD_BYTES:
                        raise MalformedResponse(
                            f"the response head is longer than {MAX_HEAD_BYTES} bytes"
                        )
                    self._buffer = buffer
                    return False
                if end > MAX_HEAD_BYTES:
                    raise MalformedResponse(
                        f"the response head is longer than {MAX_HEAD_BYTES} bytes"
                    )
                head, buffer = buffer[:end], buffer[end + 4 :]
                if self._read_head(head):
                    break
            self._buffer = b""
            data = buffer
            if self._framing == 0:
                return self._finish(data)
        return self._read_body(data)

    def feed_eof(self) -> None:
        """The connection ended: completes a body read until the end, else raises."""
        if self.status and self._framing == _UNTIL_CLOSE:
            self.body = b"".join(self._parts)
            self.keep_alive = False
            return
        if not self.started:
            raise ServerDisconnected("Server disconnected without sending a response")
        if not self.status:
            raise ResponseIncomplete(
                "Server closed the connection before the response head was complete"
            )
        got = sum(map(len, self._parts))
        if self._framing >= 0:
            detail = f"{got} of {got + self._framing} body bytes"
        else:
            detail = f"{got} body bytes, in the middle of the chunked body"
        raise ResponseIncomplete(
            f"Server closed the connection before the response was complete ({detail})"
        )

    # -- the head -----------------------------------------------------------------------

    def _read_head(self, head: bytes) -> bool:
        """Parse a head; False for a 1xx interim response (skipped)."""
        status_line, *lines = head.split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        code, _, reason = rest.partition(b" ")
        if version[:7] != b"HTTP/1." or len(version) != 8 or len(code) != 3 or not code.isdigit():
            raise MalformedResponse(f"not an HTTP/1.1 status line: {status_line[:100]!r}")
        status = int(code)
        raw: list[tuple[bytes, bytes]] = []
        headers: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip() or b" " in name:
                raise MalformedResponse(f"not an HTTP header line: {line[:100]!r}")
            value = value.strip(b" \t")
            raw.append((name, value))
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        if 100 <= status < 200:
            if status == 101:
                raise MalformedResponse("the server switched protocols (101) unasked")
            return False
        self.status = status
        self.reason = reason.decode("latin-1")
        self.headers = headers
        self.raw_headers = raw
        connection = headers.get("connection", "").lower()
        if version == b"HTTP/1.1":
            self.keep_alive = "close" not in connection
        else:
            self.keep_alive = "keep-alive" in connection
        self._framing = self._body_framing(status, headers)
        if self._framing == _UNTIL_CLOSE:
            self.keep_alive = False
        return True

    @staticmethod
    def _body_framing(status: int, headers: dict[str, str]) -> int:
        if status in _NO_BODY_STATUSES:
            return 0
        encoding = headers.get("transfer-encoding")
        if encoding is not None:
            last = encoding.rsplit(",", 1)[-1].strip().lower()
            return _CHUNKED if last == "chunked" else _UNTIL_CLOSE
        length = headers.get("content-length")
        if length is None:
            return _UNTIL_CLOSE
        values = {v.strip() for v in length.split(",")}
        if len(values) != 1:
            raise MalformedResponse(f"conflicting Content-Length values: {length!r}")
        (value,) = values
        if not value.isdigit() or not value.isascii():
            raise MalformedResponse(f"invalid Content-Length: {length!r}")
        return int(value)

    # -- the body -----------------------------------------------------------------------

    def _finish(self, extra: bytes) -> bool:
        if extra:
            self.keep_alive = False  # bytes nobody asked for: do not reuse the connection
        self.body = b"".join(self._parts) if self._parts else b""
        return True

    def _read_body(self, data: bytes) -> bool:
        framing = self._framing
        if framing > 0:
            if not data:
                return False
            if len(data) >= framing and not self._parts:
                self.body = data[:framing]  # the usual case: the whole body in one read
                self._framing = 0
                if len(data) > framing:
                    self.keep_alive = False
                return True
            piece = data[:framing]
            self._parts.append(piece)
            self._framing = framing - len(piece)
            if self._framing == 0:
                return self._finish(data[framing:])
            return False
        if framing == _UNTIL_CLOSE:
            if data:
                self._parts.append(data)
            return False
        if framing == _CHUNKED:
            return self._read_chunks(data)
        return self._finish(data)

    def _read_chunks(self, data: bytes) -> bool:
        buffer = self._buffer + data if self._buffer else data
        self._buffer = b""
        position, size = 0, len(buffer)
        while True:
            if self._chunk_left:
                take = min(self._chunk_left, size - position)
                if take == 0:
                    return False
                self._parts.append(buffer[position : position + take])
                self._chunk_left -= take
                position += take
                if self._chunk_left:
                    return False
                self._chunk_crlf = True
            if self._chunk_crlf:
                if size - position < 2:
                    self._buffer = buffer[position:]
                    return False
                if buffer[position : position + 2] != b"\r\n":
                    raise MalformedResponse("a chunk's data is not followed by CRLF")
                position += 2
                self._chunk_crlf = False
            end = buffer.find(b"\r\n", position)
            if end < 0:
                self._buffer = buffer[position:]
                if len(self._buffer) > MAX_HEAD_BYTES:
                    raise MalformedResponse("a chunk size line or trailer is too long")
                return False
            line = buffer[position:end]
            position = end + 2
            if self._in_trailers:
                if not line:  # the empty line after the trailers: done
                    return self._finish(buffer[position:])
                continue
            size_text = line.split(b";", 1)[0].strip()
            if not size_text or not size_text.isalnum() or not size_text.isascii():
                raise MalformedResponse(f"invalid chunk size line: {line[:40]!r}")
            try:
                chunk = int(size_text, 16)
            except ValueError:
                raise MalformedResponse(f"invalid chunk size line: {line[:40]!r}") from None
            if chunk == 0:
                self._in_trailers = True
            else:
                self._chunk_left = chunk
