"""The async sender's gate: at most ``size`` requests in flight, the others in a FIFO queue.

Why a gate at all (``bench/transport_options.py``): httpx's pool (httpcore) re-scans every
connection and queued request, with a readiness syscall per idle connection, each time a
request starts or ends, and retries requests it handed a connection that another one took,
so its cost per request grows with the requests waiting in it: at 50 concurrent tasks
httpx's throughput fell to a fraction of its 8-task figure. Requests beyond the limit wait
here instead, whichever backend sends them, so 50 tasks cost no more per request than 8.
"""

from __future__ import annotations

import collections
import contextvars
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio  # imported where used: the sync client never needs asyncio (~20 ms)

__all__ = ["Dispatcher"]

T = TypeVar("T")
Exchange = Callable[[], Awaitable[T]]  # one request, ready to go


class _Job(Generic[T]):
    """A request waiting for, or running on, a :class:`Dispatcher` runner task."""

    __slots__ = ("context", "exchange", "future", "runner")

    def __init__(self, exchange: Exchange[T], future: asyncio.Future[T]) -> None:
        self.exchange = exchange
        self.future = future
        self.context = contextvars.copy_context()  # the caller's, for the runner to adopt
        self.runner: asyncio.Task[None] | None = None


class Dispatcher(Generic[T]):
    """At most ``size`` requests in flight; the others wait in a FIFO queue.

    Why not a semaphore: a finished request then wakes a waiting task in a later turn of the
    event loop, so several waiters enter httpcore's pool together; httpcore hands the same
    idle connection to more than one of them and retries the losers (measured at 50 tasks
    through 8 connections: 1.9 retries and 3.9 pool scans per request, against 0.1 and 2.1
    here, and about 30% more CPU per request). Here the task that finishes a request takes
    the next queued one at once, as a fixed set of looping tasks would.

    A request runs in its caller's task when a slot is free and nobody waits; a queued one
    runs on a short-lived runner task that drains the queue and ends when it is empty, with
    the caller's context variables set (tracing and event hooks see the caller's context).
    A caller that is cancelled cancels its request, whether queued or running.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._in_flight = 0  # slots taken, by callers and by runners
        self._queue: collections.deque[_Job[T]] = collections.deque()
        self._runners: set[asyncio.Task[None]] = set()  # strong references while they run

    async def run(self, exchange: Exchange[T]) -> T:
        if self._in_flight < self.size and not self._queue:
            self._in_flight += 1
            try:
                return await exchange()
            finally:
                self._in_flight -= 1
                if self._queue:
                    self._start_runners()
        import asyncio

        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        job = _Job(exchange, future)
        self._queue.append(job)
        self._start_runners()
        try:
            return await job.future
        except asyncio.CancelledError:
            if job.runner is not None:  # running: stop it; queued: the runner skips it
                job.runner.cancel()
            elif job.future.done() and not job.future.cancelled():
                job.future.exception()  # finished as we were cancelled: mark it as seen
            raise

    def _start_runners(self) -> None:
        starts = min(len(self._queue), self.size - self._in_flight)
        if starts <= 0:
            return
        import asyncio

        loop = asyncio.get_running_loop()
        for _ in range(starts):
            self._in_flight += 1
            runner = loop.create_task(self._drain(), context=contextvars.Context())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)

    async def _drain(self) -> None:
        import asyncio

        me = asyncio.current_task()
        assert me is not None
        try:
            while self._queue:
                job = self._queue.popleft()
                if job.future.done():  # its caller was cancelled while it waited
                    continue
                job.runner = me
                adopted = [(var, var.set(value)) for var, value in job.context.items()]
                try:
                    response = await job.exchange()
                except asyncio.CancelledError:
                    if not job.future.cancelled():  # this runner is being shut down
                        job.future.cancel()
                        raise
                    me.uncancel()  # only the request was cancelled: go on with the next
                except BaseException as exc:
                    if not job.future.done():
                        job.future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    if not job.future.done():
                        job.future.set_result(response)
                finally:
                    job.runner = None
                    for var, token in reversed(adopted):
                        var.reset(token)
        finally:
            self._in_flight -= 1
