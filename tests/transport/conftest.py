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
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._socket_server import LoopbackSocketServer


class MisbehavingServer(LoopbackSocketServer):
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(tls)
        self.paths: list[str] = []

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
