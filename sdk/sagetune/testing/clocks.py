"""Clocks and sleeps to inject into a client, so that polling never waits on the wall clock.

A waiter or a retry loop asks its client's ``clock`` what time it is and its ``sleep`` to
pause. Tests give it one of these instead of ``time.monotonic`` / ``asyncio.sleep``:

- :class:`SimulatorClock`: sleeping moves the in-process simulator's manual clock (and runs
  the events that fall due), so a job really progresses while the client "waits";
- :class:`VirtualClock`: sleeping only moves a counter, for replaying a cassette: the
  recorded answers already say when the job finished, so 40 recorded polls replay in
  milliseconds, and the waiter sees the same elapsed times it saw when recording.

Both keep the list of pauses asked for (``sleeps``), which tests can assert on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sagetune.simulator import Simulator

__all__ = ["DEFAULT_START", "ClientClock", "SimulatorClock", "VirtualClock"]

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
"""Where a virtual clock starts: the simulator's own fixed epoch."""


class ClientClock(Protocol):
    """What a client needs: ``now`` for its ``clock=``, ``sleep`` / ``sleep_blocking`` for the
    async / sync client's ``sleep=``."""

    sleeps: list[float]

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...

    def sleep_blocking(self, seconds: float) -> None: ...


class VirtualClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards ({seconds} s)")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleep_blocking(seconds)

    def sleep_blocking(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r}, sleeps={len(self.sleeps)})"


class SimulatorClock:
    """The in-process simulator's manual clock: a client's sleep is simulated time passing."""

    def __init__(self, simulator: Simulator) -> None:
        from sagetune.simulator import ManualClock

        if not isinstance(simulator.clock, ManualClock):
            raise TypeError(
                "SimulatorClock needs a simulator with a manual clock (the default); this one "
                f"has {type(simulator.clock).__name__}, whose time moves on its own."
            )
        self.simulator = simulator
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.simulator.clock.now()

    async def sleep(self, seconds: float) -> None:
        self.sleep_blocking(seconds)

    def sleep_blocking(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.simulator.advance(max(0.0, seconds))

    def __repr__(self) -> str:
        return f"SimulatorClock(now={self.now()!r}, sleeps={len(self.sleeps)})"
