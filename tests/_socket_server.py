"""HTTP/1.1 on a loopback socket, served by an event loop in a background thread.

For tests that need the socket itself (a reset, an early close, a truncated body, no answer),
which an ASGI app cannot produce. Subclasses decide each answer in :meth:`answer`.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading


class LoopbackSocketServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` once started."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._release = asyncio.Event()
        self._server: asyncio.Server | None = None
        self.port = 0

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

    async def answer(
        self, writer: asyncio.StreamWriter, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        """Answer one request; False when the connection is done."""
        raise NotImplementedError

    # -- what an answer may do

    @staticmethod
    def reset(writer: asyncio.StreamWriter) -> None:
        """Close with RST (SO_LINGER 0), before any response."""
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def hang(self) -> None:
        """No answer until the server stops."""
        await self._release.wait()

    @staticmethod
    async def respond(
        writer: asyncio.StreamWriter, status: int, body: bytes, request_id: str
    ) -> None:
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"x-amzn-RequestId: {request_id}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    # -- the loop

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
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return await self.answer(writer, request_line.split(" ")[1], headers, body)
