"""Transport failures become ConnectionFailure / ReadTimeoutFailure / TransportError, with the
original exception as __cause__: first from a table of exceptions, then from real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest

from sagetune.errors import ConnectionFailure, ReadTimeoutFailure, TransportError
from sagetune.transport import AsyncSender, HttpSettings, Sender, TransportKind, http11
from sagetune.transport.failures import failure_type
from tests.transport.conftest import over, sync_over

URL = "https://api.sagemaker.us-east-1.amazonaws.com/"
HEADERS = {"X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs"}
BODY = b"{}"

MAPPING: list[tuple[Exception, type[TransportError]]] = [
    (httpx.ConnectError("[Errno 111] Connection refused"), ConnectionFailure),
    (httpx.ConnectTimeout("timed out"), ConnectionFailure),
    (httpx.PoolTimeout("no connection"), ConnectionFailure),
    (httpx.WriteTimeout("timed out"), ConnectionFailure),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), ConnectionFailure),
    (httpx.WriteError("broken pipe"), ConnectionFailure),
    (httpx.RemoteProtocolError("Server disconnected"), ConnectionFailure),
    (httpx.ProxyError("407"), ConnectionFailure),
    (httpx.ReadTimeout("timed out"), ReadTimeoutFailure),
    (httpx.UnsupportedProtocol("ftp"), TransportError),
    (httpx.LocalProtocolError("bad header"), TransportError),
    (httpx.DecodingError("bad gzip"), TransportError),
    (ConnectionResetError(104, "Connection reset by peer"), ConnectionFailure),
    # What httpx-aiohttp lets through unmapped, should aiohttp raise it directly.
    (aiohttp.ServerDisconnectedError(), ConnectionFailure),
    (aiohttp.ClientPayloadError("truncated"), ConnectionFailure),
    (aiohttp.ConnectionTimeoutError("connect"), ConnectionFailure),
    (aiohttp.SocketTimeoutError("read"), ReadTimeoutFailure),
    (aiohttp.InvalidURL("nope"), TransportError),
]

BUILTIN_MAPPING: list[tuple[Exception, type[TransportError]]] = [
    (http11.ConnectTimeout("no connection"), ConnectionFailure),
    (http11.WriteTimeout("not sent"), ConnectionFailure),
    (http11.ServerDisconnected("closed"), ConnectionFailure),
    (http11.ResponseIncomplete("closed early"), ConnectionFailure),
    (http11.MalformedResponse("not HTTP"), ConnectionFailure),
    (http11.ReadTimeout("no bytes"), ReadTimeoutFailure),
    (http11.UnsupportedURL("ftp"), TransportError),
    (ConnectionRefusedError(111, "Connection refused"), ConnectionFailure),
]


@pytest.mark.parametrize(("original", "expected"), BUILTIN_MAPPING, ids=lambda v: type(v).__name__)
def test_builtin_failures_are_mapped(original: Exception, expected: type[TransportError]) -> None:
    assert failure_type(original) is expected


def test_timeouts_and_other_exceptions_are_not_transport_failures() -> None:
    assert failure_type(TimeoutError("a caller's own timeout")) is None
    assert failure_type(ValueError("a bug")) is None


def raising(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(("original", "expected"), MAPPING, ids=lambda v: type(v).__name__)
async def test_async_failures_are_mapped_with_the_cause_kept(
    original: Exception, expected: type[TransportError]
) -> None:
    async with httpx.AsyncClient(transport=raising(original)) as client:
        with pytest.raises(TransportError) as info:
            await over(client).send("POST", URL, HEADERS, BODY)
    assert type(info.value) is expected
    assert info.value.__cause__ is original
    assert (info.value.method, info.value.url) == ("POST", URL)
    assert f"POST {URL}" in str(info.value)


@pytest.mark.parametrize(("original", "expected"), MAPPING[:13], ids=lambda v: type(v).__name__)
def test_sync_failures_are_mapped_with_the_cause_kept(
    original: Exception, expected: type[TransportError]
) -> None:
    with (
        httpx.Client(transport=raising(original)) as client,
        pytest.raises(TransportError) as info,
    ):
        sync_over(client).send("POST", URL, HEADERS, BODY)
    assert type(info.value) is expected
    assert info.value.__cause__ is original


async def test_unrelated_exceptions_pass_through_unchanged() -> None:
    bug = ValueError("a bug in an event hook")
    async with httpx.AsyncClient(transport=raising(bug)) as client:
        with pytest.raises(ValueError, match="a bug in an event hook") as info:
            await over(client).send("POST", URL, HEADERS, BODY)
    assert info.value is bug


async def test_cancellation_is_not_turned_into_a_failure() -> None:
    started = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()  # never answers
        raise AssertionError("unreachable")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        sender = over(client, max_in_flight=1)
        task = asyncio.create_task(sender.send("POST", URL, HEADERS, BODY))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started.clear()
        # The cancelled request gave its gate slot back.
        task = asyncio.create_task(sender.send("POST", URL, HEADERS, BODY))
        await started.wait()
        task.cancel()


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("http://exa\x00mple.com/", httpx.InvalidURL),
        ("ftp://example.com/", httpx.UnsupportedProtocol),
    ],
)
def test_unusable_url_is_a_plain_transport_failure(url: str, cause: type[Exception]) -> None:
    with httpx.Client() as client, pytest.raises(TransportError) as info:
        sync_over(client).send("POST", url, HEADERS, BODY)
    assert type(info.value) is TransportError  # not retryable
    assert type(info.value.__cause__) is cause
    for sender in (Sender.from_settings(HttpSettings()),):
        with sender, pytest.raises(TransportError) as info:
            sender.send("POST", url, HEADERS, BODY)
        assert type(info.value) is TransportError
        assert type(info.value.__cause__) is http11.UnsupportedURL


@pytest.mark.parametrize("url", ["http://exa\x00mple.com/", "ftp://example.com/", "http:///nohost"])
async def test_builtin_async_refuses_unusable_urls_before_connecting(url: str) -> None:
    async with AsyncSender.from_settings(HttpSettings()) as sender:
        with pytest.raises(TransportError) as info:
            await sender.send("POST", url, HEADERS, BODY)
    assert type(info.value) is TransportError
    assert type(info.value.__cause__) is http11.UnsupportedURL


def test_messages_say_what_to_do() -> None:
    with httpx.Client(transport=raising(httpx.ReadTimeout("timed out")), timeout=5.0) as client:
        sender = sync_over(client)
        with pytest.raises(ReadTimeoutFailure, match=r"read timeout \(5\.0 s\).*read_timeout"):
            sender.send("POST", URL, HEADERS, BODY)
    with (
        httpx.Client(transport=raising(httpx.ConnectError("refused"))) as client,
        pytest.raises(ConnectionFailure, match="Check endpoint_url"),
    ):
        sync_over(client).send("POST", URL, HEADERS, BODY)


# Real sockets: every async transport, and both blocking ones.

TRANSPORTS: list[TransportKind] = ["builtin", "httpx", "aiohttp"]
SYNC_TRANSPORTS: list[TransportKind] = ["builtin", "httpx"]
# The failure keeps the library's own exception: the built-in one's (or the OSError it
# met), httpx's, or aiohttp's (used directly).
LIBRARY_ERRORS = (http11.WireError, OSError, httpx.TransportError, aiohttp.ClientError)


@pytest.fixture(params=TRANSPORTS)
async def sender(request: pytest.FixtureRequest) -> AsyncIterator[AsyncSender]:
    settings = HttpSettings(transport=request.param, read_timeout=0.2, connect_timeout=5.0)
    async with AsyncSender.from_settings(settings) as sender:
        yield sender


async def test_answer_from_a_real_server(sender: AsyncSender, server_url: str) -> None:
    response = await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)
    assert response.status == 200
    assert response.headers["x-amzn-requestid"].startswith("rid-")
    assert response.body == b'{"path": "/ok", "target": "SageMaker.ListHyperParameterTuningJobs"}'


async def test_error_status_from_a_real_server(sender: AsyncSender, server_url: str) -> None:
    response = await sender.send("POST", f"{server_url}/status/503", HEADERS, BODY)
    assert response.status == 503


async def test_refused_connection(sender: AsyncSender, refused_url: str) -> None:
    with pytest.raises(ConnectionFailure) as info:
        await sender.send("POST", refused_url, HEADERS, BODY)
    assert isinstance(info.value.__cause__, LIBRARY_ERRORS)


@pytest.mark.parametrize(
    ("path", "said"),
    [("/reset", "reset by peer"), ("/close", "isconnected"), ("/truncated", "complete")],
)
async def test_connection_lost_before_the_response_is_complete(
    sender: AsyncSender, server_url: str, path: str, said: str
) -> None:
    with pytest.raises(ConnectionFailure) as info:
        await sender.send("POST", f"{server_url}{path}", HEADERS, BODY)
    assert isinstance(info.value.__cause__, LIBRARY_ERRORS)
    assert said in str(info.value)
    assert "ConnectTimeout" not in str(info.value)  # httpx-aiohttp's name for any disconnect
    # The sender (and its pool) keeps working after the failure.
    assert (await sender.send("POST", f"{server_url}/ok", HEADERS, BODY)).status == 200


async def test_read_timeout(sender: AsyncSender, server_url: str) -> None:
    with pytest.raises(ReadTimeoutFailure, match=r"read timeout \(0\.2 s\)") as info:
        await sender.send("POST", f"{server_url}/hang", HEADERS, BODY)
    assert isinstance(
        info.value.__cause__, http11.ReadTimeout | httpx.ReadTimeout | aiohttp.SocketTimeoutError
    )
    assert "Cancel" not in str(info.value)  # the timeout's cancel scope is not the story


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/reset", ConnectionFailure),
        ("/truncated", ConnectionFailure),
        ("/hang", ReadTimeoutFailure),
    ],
)
@pytest.mark.parametrize("transport", SYNC_TRANSPORTS)
def test_sync_failures_on_a_real_socket(
    server_url: str, path: str, expected: type[TransportError], transport: TransportKind
) -> None:
    with Sender.from_settings(HttpSettings(read_timeout=0.2, transport=transport)) as sender:
        with pytest.raises(expected):
            sender.send("POST", f"{server_url}{path}", HEADERS, BODY)
        assert sender.send("POST", f"{server_url}/ok", HEADERS, BODY).status == 200


@pytest.mark.parametrize("transport", SYNC_TRANSPORTS)
def test_sync_refused_connection(refused_url: str, transport: TransportKind) -> None:
    settings = HttpSettings(transport=transport)
    with Sender.from_settings(settings) as sender, pytest.raises(ConnectionFailure):
        sender.send("POST", refused_url, HEADERS, BODY)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_httpx_clients_over_every_backend_keep_per_request_timeouts(
    server_url: str, transport: TransportKind
) -> None:
    from sagetune.transport import make_async_client

    async with make_async_client(HttpSettings(transport=transport, read_timeout=60.0)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"{server_url}/hang", content=BODY, timeout=0.2)
        assert (await client.post(f"{server_url}/ok", content=BODY)).status_code == 200
