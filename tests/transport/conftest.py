"""A real HTTP/1.1 server on a loopback socket, in a background thread, that fails on request.

Why not uvicorn: an ASGI app cannot reset its connection or cut a response short; the cases
the transport must map (reset, early close, truncated body, no answer) need the socket
itself. Paths choose the behaviour:

  /ok (any other path)  200 with a JSON body and x-amzn-RequestId, keep-alive
  /status/<code>        that status, JSON error body
  /reset                close with RST (SO_LINGER 0) before any response
  /close                close cleanly (FIN) before any response
  /truncated            promise 100 body bytes, send 10, close
  /hang                 no answer until the test session ends (for read timeouts)
  /chunked              200 with a chunked body (an extension and a trailer included)
  /once                 200 with ``Connection: close``, then close
  /until-close          200 without a length: the body ends when the connection does
  /trickle              200 whose body comes in 5 pieces, 0.15 s apart

``connections`` counts the connections accepted (pool reuse is visible in it).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sagetune.transport import AsyncSender, Sender
from sagetune.transport.httpx_backend import HttpxAsyncBackend, HttpxSyncBackend
from tests._socket_server import LoopbackSocketServer


def over(client: httpx.AsyncClient, max_in_flight: int | None = None) -> AsyncSender:
    """An async sender over a test's own httpx client (left open, as a user's client is)."""
    return AsyncSender(HttpxAsyncBackend(client, owns_client=False), max_in_flight=max_in_flight)


def sync_over(client: httpx.Client, max_in_flight: int | None = None) -> Sender:
    """A blocking sender over a test's own httpx client."""
    return Sender(HttpxSyncBackend(client, owns_client=False), max_in_flight=max_in_flight)


class MisbehavingServer(LoopbackSocketServer):
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(tls)
        self.paths: list[str] = []
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            await super()._serve(reader, writer)
        finally:
            self._writers.discard(writer)

    def close_idle_connections(self) -> None:
        """Close (FIN) every open connection, as a server whose keep-alive ran out does;
        call it when no request is in flight."""

        async def close_all() -> None:
            for writer in list(self._writers):
                writer.close()
                await writer.wait_closed()

        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(timeout=10)

    async def answer(
        self, writer: asyncio.StreamWriter, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        self.paths.append(path)
        if path == "/reset":
            self.reset(writer)
            return False
        if path == "/close":
            return False
        if path == "/truncated":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            await writer.drain()
            return False
        if path == "/hang":
            await self.hang()
        if path == "/chunked":
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-amzn-RequestId: c\r\n\r\n"
                b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n"
            )
            await writer.drain()
            return True
        if path in ("/once", "/until-close"):
            length = "Content-Length: 4\r\n" if path == "/once" else ""
            writer.write(f"HTTP/1.1 200 OK\r\nConnection: close\r\n{length}\r\nbody".encode())
            await writer.drain()
            return False
        if path == "/trickle":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            for piece in b"abcde":
                await writer.drain()
                await asyncio.sleep(0.15)
                writer.write(bytes([piece]))
            await writer.drain()
            return True
        status = int(path.rsplit("/", 1)[1]) if path.startswith("/status/") else 200
        payload = json.dumps({"path": path, "target": headers.get("x-amz-target")}).encode()
        await self.respond(writer, status, payload, f"rid-{len(self.paths)}")
        return True


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL (no trailing slash) of a session-wide :class:`MisbehavingServer`."""
    server = MisbehavingServer()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    """A server of the test's own (its connection count starts at 0)."""
    own = MisbehavingServer()
    own.start()
    yield own
    own.stop()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, CA bundle path) of a session-wide HTTPS server with a self-signed cert."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"),
            *("-subj", "/CN=sagetune-test", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = MisbehavingServer(tls=context)
    server.start()
    yield server.url, str(cert)
    server.stop()
