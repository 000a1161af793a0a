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
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest


class MisbehavingServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._release = asyncio.Event()
        self._server: asyncio.Server | None = None
        self.port = 0
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        self._release.set()
        assert self._server is not None
        self._server.close()
        await asyncio.sleep(0)  # let released handlers run before the loop stops

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection is done."""
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        path = request_line.split(" ")[1]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        await reader.readexactly(int(headers.get("content-length", "0")))
        self.paths.append(path)

        if path == "/reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if path == "/close":
            return False
        if path == "/truncated":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            await writer.drain()
            return False
        if path == "/hang":
            await self._release.wait()
        status = int(path.rsplit("/", 1)[1]) if path.startswith("/status/") else 200
        body = json.dumps({"path": path, "target": headers.get("x-amz-target")}).encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"x-amzn-RequestId: rid-{len(self.paths)}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        return True


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL (no trailing slash) of a session-wide :class:`MisbehavingServer`."""
    server = MisbehavingServer()
    server.start()
    yield server.url
    server.stop()


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
