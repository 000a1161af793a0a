"""The built-in backends' connection pools on real sockets: keep-alive and when it ends, the
connection limit, cancellation, framing from a real server, and httpx's API over the pool."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sagetune.errors import ConnectionFailure
from sagetune.transport import AsyncSender, HttpSettings, Sender, http11, make_async_client
from sagetune.transport.builtin_async import AsyncPool
from sagetune.transport.builtin_sync import SyncPool
from tests.transport.conftest import MisbehavingServer

HEADERS = {"X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs"}
BODY = b"{}"


def pool_sender(**settings: object) -> AsyncSender:
    """An async sender over the built-in pool with no gate of its own (the pool's limit shows)."""
    return AsyncSender(AsyncPool(HttpSettings(**settings)))  # type: ignore[arg-type]


async def test_one_connection_serves_requests_one_after_another(server: MisbehavingServer) -> None:
    async with pool_sender() as sender:
        for _ in range(5):
            assert (await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)).status == 200
    assert server.connections == 1


def test_the_blocking_pool_reuses_its_connection_too(server: MisbehavingServer) -> None:
    with Sender.from_settings(HttpSettings()) as sender:
        for _ in range(5):
            assert sender.send("POST", f"{server.url}/ok", HEADERS, BODY).status == 200
    assert server.connections == 1


@pytest.mark.parametrize("path", ["/once", "/until-close"])
async def test_a_response_that_closes_the_connection_is_read_and_not_reused(
    server: MisbehavingServer, path: str
) -> None:
    async with pool_sender() as sender:
        for _ in range(2):
            response = await sender.send("POST", f"{server.url}{path}", HEADERS, BODY)
            assert (response.status, response.body) == (200, b"body")
    assert server.connections == 2
    with Sender.from_settings(HttpSettings()) as blocking:
        assert blocking.send("POST", f"{server.url}{path}", HEADERS, BODY).body == b"body"


async def test_a_chunked_response_from_a_real_server(server: MisbehavingServer) -> None:
    async with pool_sender() as sender:
        response = await sender.send("POST", f"{server.url}/chunked", HEADERS, BODY)
        again = await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
    assert (response.body, response.headers["x-amzn-requestid"]) == (b"hello, world", "c")
    assert again.status == 200
    assert server.connections == 1  # chunked framing kept the connection usable


async def test_an_idle_connection_the_server_closed_is_not_used(
    server: MisbehavingServer,
) -> None:
    async with pool_sender() as sender:
        await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
        server.close_idle_connections()
        # No turn of the event loop in between: asyncio has not seen the FIN yet, the
        # readiness check before reuse has.
        assert (await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)).status == 200
        server.close_idle_connections()
        for _ in range(50):  # and once asyncio has seen it, the connection is gone anyway
            await asyncio.sleep(0)
        assert (await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)).status == 200
    assert server.connections == 3


def test_the_blocking_pool_checks_an_idle_connection_before_reuse(
    server: MisbehavingServer,
) -> None:
    with Sender.from_settings(HttpSettings()) as sender:
        sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
        server.close_idle_connections()
        assert sender.send("POST", f"{server.url}/ok", HEADERS, BODY).status == 200
    assert server.connections == 2


async def test_connections_idle_longer_than_the_keepalive_expiry_are_dropped(
    server: MisbehavingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http11, "KEEPALIVE_EXPIRY", -1.0)  # every idle connection is too old
    async with pool_sender() as sender:
        for _ in range(3):
            await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
    with Sender.from_settings(HttpSettings()) as blocking:
        for _ in range(3):
            blocking.send("POST", f"{server.url}/ok", HEADERS, BODY)
    assert server.connections == 6


async def test_no_more_connections_than_the_limit_and_waiters_get_them_in_turn(
    server: MisbehavingServer,
) -> None:
    async with pool_sender(max_connections=2) as sender:
        sends = [sender.send("POST", f"{server.url}/ok", HEADERS, BODY) for _ in range(12)]
        responses = await asyncio.gather(*sends)
    assert [r.status for r in responses] == [200] * 12
    assert server.connections == 2


async def test_waiting_for_a_connection_is_bounded_by_the_connect_timeout(
    server: MisbehavingServer,
) -> None:
    async with pool_sender(max_connections=1, connect_timeout=0.2, read_timeout=30) as sender:
        hung = asyncio.create_task(sender.send("POST", f"{server.url}/hang", HEADERS, BODY))
        await asyncio.sleep(0.05)
        with pytest.raises(ConnectionFailure, match="no free connection") as info:
            await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
        assert isinstance(info.value.__cause__, http11.ConnectTimeout)
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
        # The cancelled request gave its connection back (closed): the pool works on.
        assert (await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)).status == 200


async def test_a_cancelled_request_closes_its_connection(server: MisbehavingServer) -> None:
    async with pool_sender() as sender:
        hung = asyncio.create_task(sender.send("POST", f"{server.url}/hang", HEADERS, BODY))
        await asyncio.sleep(0.05)
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
        assert (await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)).status == 200
    assert server.connections == 2  # the cancelled one was not reused


async def test_the_read_timeout_bounds_the_wait_between_reads_not_the_whole_response(
    server: MisbehavingServer,
) -> None:
    # 5 pieces 0.15 s apart: 0.75 s in all, never 0.5 s without a byte.
    async with pool_sender(read_timeout=0.5) as sender:
        response = await sender.send("POST", f"{server.url}/trickle", HEADERS, BODY)
    assert response.body == b"abcde"


async def test_httpx_api_over_the_pool_shares_its_connections(server: MisbehavingServer) -> None:
    async with AsyncSender.from_settings(HttpSettings()) as sender:
        await sender.send("POST", f"{server.url}/ok", HEADERS, BODY)
        client = sender.http_client
        assert client is not None
        response = await client.post(f"{server.url}/chunked", content=b"{}")
        assert response.headers["x-amzn-requestid"] == "c"
        assert response.text == "hello, world"
        with pytest.raises(httpx.ConnectError):
            await client.post("http://127.0.0.1:1/")  # nothing listens on port 1
    assert server.connections == 1


@pytest.mark.parametrize(
    ("path", "error"),
    [("/reset", httpx.ReadError), ("/close", httpx.RemoteProtocolError)],
)
async def test_httpx_clients_over_the_pool_raise_httpx_errors(
    server: MisbehavingServer, path: str, error: type[httpx.TransportError]
) -> None:
    async with make_async_client(HttpSettings()) as client:
        with pytest.raises(error) as info:
            await client.post(f"{server.url}{path}", content=b"{}")
    assert isinstance(info.value.__cause__, OSError | http11.WireError)


def test_a_closed_pool_refuses_to_send(server: MisbehavingServer) -> None:
    pool = SyncPool(HttpSettings())
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.exchange("POST", f"{server.url}/ok", HEADERS, BODY)


async def test_a_request_that_finishes_after_aclose_leaves_no_connection_open(
    server: MisbehavingServer,
) -> None:
    pool = AsyncPool(HttpSettings())
    in_flight = asyncio.create_task(pool.exchange("POST", f"{server.url}/trickle", HEADERS, BODY))
    await asyncio.sleep(0.05)
    await pool.aclose()
    assert (await in_flight).body == b"abcde"
    assert pool._open == 0
    assert not any(pool._idle.values())


def test_one_client_serves_one_event_loop_after_another(server: MisbehavingServer) -> None:
    sender = AsyncSender.from_settings(HttpSettings())
    for _ in range(3):  # each asyncio.run has a loop of its own; idle connections do not carry
        response = asyncio.run(sender.send("POST", f"{server.url}/ok", HEADERS, BODY))
        assert response.status == 200
    asyncio.run(sender.aclose())
    assert server.connections == 3
    server.close_idle_connections()  # the closed loops could not close their sockets
