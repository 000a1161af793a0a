"""A bounded load phase for the round-trip benchmarks: N workers call until a deadline or a
request budget, counting successes and errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Call = Callable[[], Awaitable[bool]]


class Phase:
    """One bounded measurement: stop at the deadline or after max_requests calls."""

    """One bounded measurement: stop at the deadline or after max_requests calls."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.perf_counter() + seconds
        self.max_requests = max_requests
        self.started = 0
        self.done = 0
        self.errors = 0
        self.first_error: str | None = None

    def take(self) -> bool:
        if self.started >= self.max_requests or time.perf_counter() >= self.deadline:
            return False
        self.started += 1
        return True

    async def run(self, call: Call, concurrency: int) -> None:
        async def worker() -> None:
            while self.take():
                try:
                    ok = await call()
                except Exception as exc:
                    ok = False
                    self.first_error = self.first_error or repr(exc)[:300]
                if ok:
                    self.done += 1
                else:
                    self.errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
