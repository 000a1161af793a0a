"""A bounded load phase for the round-trip benchmarks: N workers call until a deadline or a
request budget, counting successes and errors."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

Call = Callable[[], Awaitable[bool]]


class Phase:
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


CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


async def measure(
    call: Call, concurrency: int, seconds: float, max_requests: int, server_pid: int
) -> dict[str, Any]:
    """One phase, with calls per second and the CPU the client and the server spent."""
    s_cpu0, c_cpu0, t0 = proc_cpu_s(server_pid), time.process_time(), time.perf_counter()
    phase = Phase(seconds, max_requests)
    await phase.run(call, concurrency)
    elapsed = time.perf_counter() - t0
    return {
        "rps": phase.done / elapsed,
        "errors": phase.errors,
        "first_error": phase.first_error,
        "client_cpu": (time.process_time() - c_cpu0) / elapsed,
        "cpu_us_per_call": (time.process_time() - c_cpu0) / max(phase.done, 1) * 1e6,
        "server_cpu": (proc_cpu_s(server_pid) - s_cpu0) / elapsed,
    }
