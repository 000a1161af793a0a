"""The ASGI app and the in-process transports hand the handler what the client sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
import uvicorn
import vcr
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from sagetune.simulator.adapters import (
    Handler,
    InProcessAsyncTransport,
    InProcessTransport,
    make_asgi_app,
)
from sagetune.simulator.auth import AuthFailure, AuthSettings, verify_request

TARGET = "/some/path?b=2&a=%20x"
SIGNED_LOOKING_HEADERS = {
    "X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs",
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Date": "20240501T120000Z",
}


@attrs.define
class EchoHandler:
    """A protocol handler that answers with what it was given, and counts its calls."""

    calls: int = 0

    def __call__(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Sequence[tuple[str, str]], bytes]:
        self.calls += 1
        echo = {
            "method": method,
            "target": target,
            "headers": [list(pair) for pair in headers],
            "body": body.decode("latin-1"),
        }
        return (
            200,
            [("Content-Type", "application/json"), ("x-amzn-RequestId", "r-1")],
            json.dumps(echo).encode(),
        )


def failing_handler(
    method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
) -> tuple[int, Sequence[tuple[str, str]], bytes]:
    raise RuntimeError("simulated bug")


def sent_headers(request: httpx.Request) -> list[list[str]]:
    return [[name.decode(), value.decode()] for name, value in request.headers.raw]


def lowercased(headers: list[list[str]]) -> list[list[str]]:
    return [[name.lower(), value] for name, value in headers]


# -- in-process transports ------------------------------------------------------------------


def test_sync_transport_passes_the_request_exactly_as_sent() -> None:
    handler = EchoHandler()
    with httpx.Client(
        transport=InProcessTransport(handler), base_url="http://sim.local:8080"
    ) as client:
        response = client.post(TARGET, content=b'{"a": 1}', headers=SIGNED_LOOKING_HEADERS)

    echo = response.json()
    assert response.status_code == 200
    assert echo["method"] == "POST"
    assert echo["target"] == TARGET
    assert echo["body"] == '{"a": 1}'
    assert echo["headers"] == sent_headers(response.request)
    assert ["Host", "sim.local:8080"] in echo["headers"]
    assert response.headers["x-amzn-RequestId"] == "r-1"


async def test_async_transport_passes_the_request_exactly_as_sent() -> None:
    handler = EchoHandler()
    transport = InProcessAsyncTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as client:
        response = await client.post(TARGET, content=b"{}", headers=SIGNED_LOOKING_HEADERS)

    echo = response.json()
    assert echo["target"] == TARGET
    assert echo["body"] == "{}"
    assert echo["headers"] == sent_headers(response.request)
    assert ["Host", "sim.local"] in echo["headers"]


def test_transport_rejects_oversized_body_without_calling_handler() -> None:
    handler = EchoHandler()
    transport = InProcessTransport(handler, max_body_bytes=10)
    with httpx.Client(transport=transport, base_url="http://sim.local") as client:
        accepted = client.post("/", content=b"x" * 10)
        rejected = client.post("/", content=b"x" * 11)

    assert accepted.status_code == 200
    assert rejected.status_code == 413
    assert rejected.json()["__type"] == "RequestEntityTooLargeException"
    assert "11 bytes exceeds the simulator's limit of 10 bytes" in rejected.json()["message"]
    assert rejected.headers["x-amzn-RequestId"]
    assert handler.calls == 1


def test_transport_lets_handler_errors_propagate() -> None:
    with (
        httpx.Client(transport=InProcessTransport(failing_handler), base_url="http://s") as client,
        pytest.raises(RuntimeError, match="simulated bug"),
    ):
        client.post("/", content=b"{}")


# -- ASGI app -------------------------------------------------------------------------------


async def test_asgi_app_passes_method_target_headers_and_body() -> None:
    transport = httpx.ASGITransport(app=make_asgi_app(EchoHandler()))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local:9000") as client:
        response = await client.post(TARGET, content=b"payload", headers=SIGNED_LOOKING_HEADERS)

    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["target"] == TARGET
    assert echo["body"] == "payload"
    # ASGI servers lowercase header names (SigV4 does too); values and order are untouched.
    assert echo["headers"] == lowercased(sent_headers(response.request))
    assert response.headers["content-length"] == str(len(response.content))


async def test_asgi_app_rejects_declared_oversized_body() -> None:
    handler = EchoHandler()
    transport = httpx.ASGITransport(app=make_asgi_app(handler, max_body_bytes=100))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as client:
        response = await client.post("/", content=b"x" * 101)

    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"
    assert handler.calls == 0


async def test_asgi_app_rejects_streamed_oversized_body_of_unknown_length() -> None:
    handler = EchoHandler()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 30

    transport = httpx.ASGITransport(app=make_asgi_app(handler, max_body_bytes=100))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as client:
        response = await client.post("/", content=chunks())

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "150 bytes" in response.json()["message"]
    assert handler.calls == 0


async def test_asgi_app_answers_handler_failure_with_aws_500_and_keeps_serving() -> None:
    calls = 0

    def flaky(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("simulated bug")
        return 200, [], b"{}"

    transport = httpx.ASGITransport(app=make_asgi_app(flaky))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as client:
        failed = await client.post("/", content=b"{}")
        served = await client.post("/", content=b"{}")

    assert failed.status_code == 500
    assert failed.json()["__type"] == "InternalFailure"
    assert (served.status_code, served.content) == (200, b"{}")


async def test_asgi_app_completes_lifespan() -> None:
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outgoing: list[str] = []
    for kind in ("lifespan.startup", "lifespan.shutdown"):
        incoming.put_nowait({"type": kind})

    async def send(message: Any) -> None:
        outgoing.append(message["type"])

    await make_asgi_app(EchoHandler())({"type": "lifespan"}, incoming.get, send)

    assert outgoing == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


# -- a real server on a loopback socket ------------------------------------------------------


class _ObservableServer(uvicorn.Server):
    """uvicorn.Server that signals a thread-safe event once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    server = _ObservableServer(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert server.listening.wait(timeout=30), "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.fixture
def served_echo() -> Iterator[tuple[str, EchoHandler]]:
    handler = EchoHandler()
    with serve(make_asgi_app(handler, max_body_bytes=1000)) as base_url:
        yield base_url, handler


def test_real_server_passes_the_request_as_sent(served_echo: tuple[str, EchoHandler]) -> None:
    base_url, handler = served_echo
    with httpx.Client(base_url=base_url) as client:
        response = client.post(TARGET, content=b"over the wire", headers=SIGNED_LOOKING_HEADERS)

    echo = response.json()
    assert echo["target"] == TARGET
    assert echo["body"] == "over the wire"
    assert echo["headers"] == lowercased(sent_headers(response.request))
    assert ["host", base_url.removeprefix("http://")] in echo["headers"]
    assert handler.calls == 1


def test_real_server_rejects_oversized_body_cleanly(served_echo: tuple[str, EchoHandler]) -> None:
    base_url, handler = served_echo
    with httpx.Client(base_url=base_url) as client:
        rejected = client.post("/", content=b"x" * 5000)
        served = client.post("/", content=b"{}")

    assert rejected.status_code == 413
    assert rejected.json()["__type"] == "RequestEntityTooLargeException"
    assert served.status_code == 200
    assert handler.calls == 1


# -- record and replay ------------------------------------------------------------------------


def _exchange_through(transport: InProcessTransport) -> httpx.Response:
    with httpx.Client(transport=transport, base_url="http://sim.local") as client:
        return client.post(TARGET, content=b"{}", headers=SIGNED_LOOKING_HEADERS)


def test_vcrpy_records_and_replays_sync_in_process_exchange(tmp_path: Path) -> None:
    cassette = tmp_path / "exchange.yaml"
    handler = EchoHandler()

    with vcr.use_cassette(str(cassette), record_mode="once"):
        recorded = _exchange_through(InProcessTransport(handler))
    with vcr.use_cassette(str(cassette), record_mode="none"):
        replayed = _exchange_through(InProcessTransport(handler))

    assert handler.calls == 1
    assert "http://sim.local/some/path" in cassette.read_text()
    assert (replayed.status_code, replayed.content) == (recorded.status_code, recorded.content)


async def test_vcrpy_records_and_replays_async_in_process_exchange(tmp_path: Path) -> None:
    cassette = tmp_path / "exchange.yaml"
    handler = EchoHandler()

    async def exchange() -> httpx.Response:
        transport = InProcessAsyncTransport(handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.local") as client:
            return await client.post(TARGET, content=b"{}", headers=SIGNED_LOOKING_HEADERS)

    with vcr.use_cassette(str(cassette), record_mode="once"):
        recorded = await exchange()
    with vcr.use_cassette(str(cassette), record_mode="none"):
        replayed = await exchange()

    assert handler.calls == 1
    assert (replayed.status_code, replayed.json()) == (recorded.status_code, recorded.json())


# -- a signed request survives every adapter ---------------------------------------------------

ACCESS_KEY = "AKIASIMULATOR0000001"
SECRET = "simulator-secret"
TOKEN = "session-token"  # temporary credentials: the token header must pass through too
AUTH = AuthSettings(
    credentials={ACCESS_KEY: SECRET}, session_tokens={ACCESS_KEY: TOKEN}, region="us-east-1"
)


def verifying_handler(verdicts: list[str]) -> Handler:
    """A protocol handler that only checks the signature, as the simulator's does first."""

    def handle(
        method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Sequence[tuple[str, str]], bytes]:
        path, _, query = target.partition("?")
        try:
            key = verify_request(
                AUTH,
                method=method,
                path=path,
                query=query,
                headers=headers,
                body=body,
                now=datetime.now(UTC),
            )
        except AuthFailure as failure:
            verdicts.append(failure.code)
            return failure.status, [], failure.message.encode()
        verdicts.append(key)
        return 200, [], b"{}"

    return handle


def botocore_signed_httpx_request(url: str) -> httpx.Request:
    """Sign with botocore, then send with httpx: the split the sagetune client uses."""
    body = b'{"MaxResults": 10}'
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(SIGNED_LOOKING_HEADERS))
    del request.headers["X-Amz-Date"]
    credentials = ReadOnlyCredentials(ACCESS_KEY, SECRET, TOKEN)
    SigV4Auth(credentials, "sagemaker", "us-east-1").add_auth(request)
    return httpx.Request("POST", url, headers=list(request.headers.items()), content=body)


def test_signed_request_verifies_through_sync_transport() -> None:
    verdicts: list[str] = []
    transport = InProcessTransport(verifying_handler(verdicts))
    with httpx.Client(transport=transport) as client:
        response = client.send(botocore_signed_httpx_request(f"http://sim.local{TARGET}"))

    assert (response.status_code, verdicts) == (200, [ACCESS_KEY])


async def test_signed_request_verifies_through_asgi_app() -> None:
    verdicts: list[str] = []
    transport = httpx.ASGITransport(app=make_asgi_app(verifying_handler(verdicts)))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.send(botocore_signed_httpx_request(f"http://sim.local:81{TARGET}"))

    assert (response.status_code, verdicts) == (200, [ACCESS_KEY])


def test_signed_request_verifies_through_real_server() -> None:
    verdicts: list[str] = []
    with serve(make_asgi_app(verifying_handler(verdicts))) as base_url, httpx.Client() as client:
        response = client.send(botocore_signed_httpx_request(f"{base_url}{TARGET}"))
        tampered = botocore_signed_httpx_request(f"{base_url}/")
        tampered.headers["X-Amz-Target"] = "SageMaker.DeleteEverything"
        rejected = client.send(tampered)

    assert (response.status_code, rejected.status_code) == (200, 400)
    assert verdicts == [ACCESS_KEY, "InvalidSignatureException"]
