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
        response = await AsyncSender(client).send("POST", URL, HEADERS, BODY)

    (request,) = seen
    assert (request.method, str(request.url), request.content) == ("POST", URL, BODY)
    for name, value in HEADERS.items():
        assert request.headers[name] == value
    assert response == RawResponse(status=200, headers=response.headers, body=BODY[::-1])
    assert response.headers["X-AMZN-REQUESTID"] == "rid-1"  # case-insensitive


def test_sync_send_passes_method_url_headers_and_body_unchanged() -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        response = Sender(client).send("POST", URL, HEADERS, BODY)
    assert (response.status, response.body) == (200, BODY[::-1])
    assert response.headers["x-seen-target"] == HEADERS["X-Amz-Target"]


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_error_statuses_are_responses_not_exceptions(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"__type": "ValidationException", "message": "x"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        response = await AsyncSender(client).send("POST", URL, HEADERS, BODY)
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
        response = Sender(client).send("POST", URL, HEADERS, BODY)
    assert (response.status, response.body, response.headers["x-amzn-requestid"]) == (
        status,
        body,
        value,
    )


async def test_per_call_timeout_overrides_the_clients() -> None:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200)

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), timeout=HttpSettings().timeout
    ) as client:
        sender = AsyncSender(client)
        await sender.send("POST", URL, HEADERS, BODY)
        await sender.send("POST", URL, HEADERS, BODY, timeouts=httpx.Timeout(1.5))

    assert seen[0]["read"] == 60.0
    assert seen[1] == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}


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
        sender = AsyncSender(client, max_in_flight=gate)
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
        sender = AsyncSender(client, max_in_flight=2)
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
        sender = AsyncSender(client, max_in_flight=1)
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
        sender = Sender(client, max_in_flight=2)
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


async def test_client_built_from_settings_is_closed() -> None:
    sender = AsyncSender.from_settings(HttpSettings(max_in_flight=4))
    assert sender.owns_client
    assert sender.max_in_flight == 4
    assert AsyncSender.from_settings(HttpSettings()).max_in_flight == 10  # the pool size
    await sender.aclose()
    assert sender.client is not None
    assert sender.client.is_closed


def test_sync_users_own_client_is_not_closed_and_ours_is() -> None:
    client = httpx.Client(transport=httpx.MockTransport(echo))
    with Sender.from_settings(HttpSettings(), http_client=client) as sender:
        sender.send("POST", URL, HEADERS, BODY)
    assert not client.is_closed
    client.close()

    with Sender.from_settings(HttpSettings()) as ours:
        pass
    assert ours.client.is_closed


def test_sender_uses_the_settings_gate_for_a_users_client() -> None:
    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        sender = Sender.from_settings(HttpSettings(max_in_flight=5), http_client=client)
        assert (sender.max_in_flight, sender.owns_client) == (5, False)


async def test_fast_transport_uses_aiohttp_directly_and_closes_its_session(
    server_url: str,
) -> None:
    sender = AsyncSender.from_settings(HttpSettings(transport="aiohttp"))
    assert sender.client is None  # no httpx client in between
    assert (await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)).status == 200
    session = sender._aiohttp._session if sender._aiohttp else None
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


def test_a_sender_needs_a_client() -> None:
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncSender(None)
