"""The async sender's queue: requests beyond max_in_flight wait in order, run with their
caller's context variables, can be cancelled while waiting or running, and leave no task
behind."""

from __future__ import annotations

import asyncio
import contextvars

import httpx
import pytest

from sagetune.errors import ConnectionFailure
from sagetune.transport import AsyncSender
from tests.transport.conftest import over

URL = "http://sagemaker.test/"
CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="-")


class HeldTransport:
    """Holds every request until released (all, or one by name); records what each saw."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.release_one: dict[str, asyncio.Event] = {}
        self.started: list[str] = []
        self.seen_caller: dict[str, str] = {}
        self.cancelled: list[str] = []

    def let_through(self, name: str) -> None:
        self.release_one.setdefault(name, asyncio.Event()).set()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        name = request.headers["x-name"]
        self.started.append(name)
        self.seen_caller[name] = CALLER.get()
        mine = self.release_one.setdefault(name, asyncio.Event())
        waiters = [asyncio.ensure_future(self.release.wait()), asyncio.ensure_future(mine.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            self.cancelled.append(name)
            raise
        finally:
            for waiter in waiters:
                waiter.cancel()
        if name.startswith("fail"):
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, content=name.encode())


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def call(sender: AsyncSender, name: str, caller: str | None = None) -> bytes:
    if caller is not None:
        CALLER.set(caller)  # in this task's own context only
    response = await sender.send("POST", URL, {"x-name": name}, b"{}")
    return response.body


async def test_queued_requests_run_in_arrival_order() -> None:
    held = HeldTransport()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=1)
        tasks = []
        for i in range(6):
            tasks.append(asyncio.create_task(call(sender, f"r{i}")))
            await settle()  # arrive one after another
        held.release.set()
        assert await asyncio.gather(*tasks) == [f"r{i}".encode() for i in range(6)]
    assert held.started == [f"r{i}" for i in range(6)]


async def test_queued_requests_see_their_callers_context_variables() -> None:
    held = HeldTransport()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=2)
        tasks = [asyncio.create_task(call(sender, f"r{i}", caller=f"c{i}")) for i in range(6)]
        tasks.append(asyncio.create_task(call(sender, "unset")))  # a caller that set nothing
        await settle()
        held.release.set()
        await asyncio.gather(*tasks)
    assert held.seen_caller == {**{f"r{i}": f"c{i}" for i in range(6)}, "unset": "-"}
    assert CALLER.get() == "-"  # nothing leaked into this task either


async def test_cancelled_while_queued_never_reaches_the_transport() -> None:
    held = HeldTransport()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=1)
        first = asyncio.create_task(call(sender, "first"))
        await settle()
        waiting = asyncio.create_task(call(sender, "gives-up"))
        last = asyncio.create_task(call(sender, "last"))
        await settle()
        waiting.cancel()
        await settle()
        held.release.set()
        assert await asyncio.wait_for(first, timeout=10) == b"first"
        assert await asyncio.wait_for(last, timeout=10) == b"last"
        with pytest.raises(asyncio.CancelledError):
            await waiting
    assert held.started == ["first", "last"]


async def test_cancelled_while_running_on_a_runner_stops_only_that_request() -> None:
    held = HeldTransport()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=1)
        first = asyncio.create_task(call(sender, "first"))
        await settle()
        victim = asyncio.create_task(call(sender, "victim"))
        after = asyncio.create_task(call(sender, "after"))
        await settle()
        # "first" ends in its caller's task; "victim" then runs on a runner task.
        held.let_through("first")
        assert await first == b"first"
        await settle()
        assert held.started == ["first", "victim"]
        victim.cancel()
        await settle()
        assert held.cancelled == ["victim"]
        held.let_through("after")
        # The runner went on with the next request (bounded, so a regression fails, not hangs).
        assert await asyncio.wait_for(after, timeout=10) == b"after"
        with pytest.raises(asyncio.CancelledError):
            await victim


async def test_failures_reach_their_own_callers_mapped() -> None:
    held = HeldTransport()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=1)
        names = ["ok0", "fail1", "ok2", "fail3"]
        tasks = [asyncio.create_task(call(sender, n)) for n in names]
        await settle()
        held.release.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == b"ok0"
    assert results[2] == b"ok2"
    for failed in (results[1], results[3]):
        assert isinstance(failed, ConnectionFailure)
        assert isinstance(failed.__cause__, httpx.ConnectError)


async def test_no_task_is_left_behind_when_the_queue_empties() -> None:
    held = HeldTransport()
    before = asyncio.all_tasks()
    async with httpx.AsyncClient(transport=httpx.MockTransport(held.handler)) as client:
        sender = over(client, max_in_flight=3)
        tasks = [asyncio.create_task(call(sender, f"r{i}")) for i in range(20)]
        await settle()
        held.release.set()
        await asyncio.gather(*tasks)
        await settle()
    assert asyncio.all_tasks() == before
