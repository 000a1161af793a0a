"""AsyncSender / Sender over in-process transports: what goes out, what comes back, the gate,
and who closes the client."""

from __future__ import annotations

import asyncio
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.transport import AsyncSender, HttpSettings, RawResponse, Sender
from sagetune.transport.builtin_async import AsyncPool
from sagetune.transport.builtin_sync import SyncPool
from tests.transport.conftest import over, sync_over

URL = "https://api.sagemaker.us-east-1.amazonaws.com/"
HEADERS = {
    "X-Amz-Target": "SageMaker.DescribeHyperParameterTuningJob",
    "Content-Type": "application/x-amz-json-1.1",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/sagemaker/aws4_request",
}
BODY = b'{"HyperParameterTuningJobName":"job-1"}'


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers={
            "x-amzn-RequestId": "rid-1",
            "X-Seen-Target": request.headers.get("x-amz-target", ""),
        },
        content=request.content[::-1],
    )


async def test_async_send_passes_method_url_headers_and_body_unchanged() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return echo(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        response = await over(client).send("POST", URL, HEADERS, BODY)

    (request,) = seen
    assert (request.method, str(request.url), request.content) == ("POST", URL, BODY)
    for name, value in HEADERS.items():
        assert request.headers[name] == value
    assert response == RawResponse(status=200, headers=response.headers, body=BODY[::-1])
    assert response.headers["x-amzn-requestid"] == "rid-1"  # names in lower case


def test_sync_send_passes_method_url_headers_and_body_unchanged() -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        response = sync_over(client).send("POST", URL, HEADERS, BODY)
    assert (response.status, response.body) == (200, BODY[::-1])
    assert response.headers["x-seen-target"] == HEADERS["X-Amz-Target"]


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_error_statuses_are_responses_not_exceptions(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"__type": "ValidationException", "message": "x"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        response = await over(client).send("POST", URL, HEADERS, BODY)
    assert response.status == status
    assert b"ValidationException" in response.body


@given(
    status=st.integers(min_value=200, max_value=599),
    body=st.binary(max_size=2048),
    value=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40),
)
def test_any_status_body_and_header_value_come_back_exactly(
    status: int, body: bytes, value: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"x-amzn-requestid": value}, content=body)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        response = sync_over(client).send("POST", URL, HEADERS, BODY)
    assert (response.status, response.body, response.headers["x-amzn-requestid"]) == (
        status,
        body,
        value,
    )


class InFlight:
    """Counts requests inside the transport at once; holds them until released."""

    def __init__(self) -> None:
        self.now = 0
        self.max = 0
        self.release = asyncio.Event()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.max = max(self.max, self.now)
        await self.release.wait()
        self.now -= 1
        return httpx.Response(200, content=b"{}")


async def settle() -> None:
    """Let every runnable task run until all are blocked (no wall-clock waiting)."""
    for _ in range(50):
        await asyncio.sleep(0)


@pytest.mark.parametrize(("gate", "expected_max"), [(3, 3), (1, 1), (None, 20)])
async def test_gate_caps_requests_in_flight(gate: int | None, expected_max: int) -> None:
    probe = InFlight()
    async with httpx.AsyncClient(transport=httpx.MockTransport(probe.handler)) as client:
        sender = over(client, max_in_flight=gate)
        tasks = [asyncio.create_task(sender.send("POST", URL, HEADERS, BODY)) for _ in range(20)]
        await settle()
        assert probe.now == expected_max  # the rest wait at the gate
        probe.release.set()
        responses = await asyncio.gather(*tasks)
    assert probe.max == expected_max
    assert [r.status for r in responses] == [200] * 20


async def test_gate_lets_waiters_in_as_requests_finish() -> None:
    finished = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal finished
        await asyncio.sleep(0)
        finished += 1
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        sender = over(client, max_in_flight=2)
        await asyncio.gather(*(sender.send("POST", URL, HEADERS, BODY) for _ in range(9)))
    assert finished == 9


async def test_gate_slot_is_returned_when_a_request_fails() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        sender = over(client, max_in_flight=1)
        with pytest.raises(Exception, match="refused"):
            await sender.send("POST", URL, HEADERS, BODY)
        assert (await sender.send("POST", URL, HEADERS, BODY)).status == 200


def test_sync_gate_caps_requests_in_flight_across_threads() -> None:
    lock = threading.Condition()
    state = {"now": 0, "max": 0}
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            lock.notify_all()
        assert release.wait(timeout=10)
        with lock:
            state["now"] -= 1
        return httpx.Response(200)

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        sender = sync_over(client, max_in_flight=2)
        futures = [pool.submit(sender.send, "POST", URL, HEADERS, BODY) for _ in range(8)]
        with lock:
            assert lock.wait_for(lambda: state["now"] == 2, timeout=10)
        release.set()
        statuses = [f.result(timeout=10).status for f in futures]
    assert state["max"] == 2
    assert statuses == [200] * 8


async def test_users_own_client_is_not_closed() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(echo))
    sender = AsyncSender.from_settings(HttpSettings(), http_client=client)
    async with sender:
        await sender.send("POST", URL, HEADERS, BODY)
    assert not client.is_closed
    assert (await client.post(URL, content=b"ab")).content == b"ba"  # still usable
    await client.aclose()


async def test_default_sender_uses_the_builtin_pool_and_closes_it(server_url: str) -> None:
    sender = AsyncSender.from_settings(HttpSettings(max_in_flight=4))
    assert isinstance(sender.backend, AsyncPool)
    assert sender.max_in_flight == 4
    assert AsyncSender.from_settings(HttpSettings()).max_in_flight == 10  # the pool size
    assert (await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)).status == 200
    view = sender.http_client  # httpx's API over the same pool
    assert view is not None
    assert (await view.post(f"{server_url}/ok", content=BODY)).status_code == 200
    await sender.aclose()
    assert view.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)


def test_sync_users_own_client_is_not_closed_and_ours_is() -> None:
    client = httpx.Client(transport=httpx.MockTransport(echo))
    with Sender.from_settings(HttpSettings(), http_client=client) as sender:
        assert sender.http_client is client
        sender.send("POST", URL, HEADERS, BODY)
    assert not client.is_closed
    client.close()

    with Sender.from_settings(HttpSettings()) as ours:
        assert isinstance(ours.backend, SyncPool)
        view = ours.http_client
    assert view.is_closed


def test_sender_uses_the_settings_gate_for_a_users_client() -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        sender = Sender.from_settings(HttpSettings(max_in_flight=5), http_client=client)
        assert sender.max_in_flight == 5


async def test_fast_transport_uses_aiohttp_directly_and_closes_its_session(
    server_url: str,
) -> None:
    from sagetune.transport.aiohttp_backend import AiohttpBackend

    sender = AsyncSender.from_settings(HttpSettings(transport="aiohttp"))
    assert sender.http_client is None  # no httpx client in between
    assert (await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)).status == 200
    assert isinstance(sender.backend, AiohttpBackend)
    session = sender.backend._session
    assert session is not None
    assert not session.closed
    await sender.aclose()
    assert session.closed


def test_fast_transport_without_aiohttp_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(ImportError, match=r"pip install 'sagetune\[fast\]'"):
        AsyncSender.from_settings(HttpSettings(transport="aiohttp"))


async def test_httpx_stack_finds_sniffio_instead_of_failing_an_import_per_lock(
    server_url: str,
) -> None:
    """httpcore runs ``import sniffio`` for every lock and event of a request and does not
    remember a failure (a third of a request's cost on httpx's stack): sniffio is a runtime
    dependency, so the lookup is a ``sys.modules`` hit."""
    import importlib.metadata
    import re

    required = importlib.metadata.requires("sagetune") or []
    runtime = [r for r in required if "extra ==" not in r]
    assert any(re.match(r"sniffio\b", r) for r in runtime), runtime
    async with AsyncSender.from_settings(HttpSettings(transport="httpx")) as sender:
        assert (await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)).status == 200
    assert sys.modules.get("sniffio") is not None
