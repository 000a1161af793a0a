"""The simulator's clock: simulated epoch seconds, never the wall clock directly.

Three kinds, one interface (``now()``):

- ``ManualClock``: moves only when told (``advance``/``set``); for tests.
- ``ScaledClock``: runs ``scale`` times faster than the wall clock from an anchor; a
  3-hour tuning job finishes in seconds at ``--time-scale 1000``.
- ``EventClock``: the clock jumps from one event to the next as fast as the machine goes
  (``--time-scale max``); the simulator's driver moves it.

``--time-scale manual`` serves a ``ManualClock`` that clients move with the simulator's
``AdvanceClock`` operation.

Simulated time is persisted by the simulator (``start_at`` on restart), so downtime does
not advance it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

DEFAULT_EPOCH = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
"""Where a fresh manual clock starts: fixed, so tests and recordings are reproducible."""


class Clock(Protocol):
    """Simulated time in epoch seconds."""

    def now(self) -> float: ...

    def start_at(self, t: float) -> None:
        """Resume from persisted simulated time ``t`` (never moves backwards)."""


class ManualClock:
    """A clock that tests move by hand."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def start_at(self, t: float) -> None:
        self._now = max(self._now, t)

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError(f"the clock cannot go backwards ({seconds} s)")
        self._now += seconds
        return self._now

    def set(self, t: float) -> None:
        if t < self._now:
            raise ValueError("the clock cannot go backwards")
        self._now = t


class ScaledClock:
    """Simulated time running ``scale`` times faster than the wall clock."""

    def __init__(
        self,
        scale: float,
        start: float | None = None,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"time scale must be positive, got {scale}")
        self.scale = scale
        self._wall = wall
        self._anchor_wall = wall()
        self._anchor_sim = time.time() if start is None else start

    def now(self) -> float:
        return self._anchor_sim + (self._wall() - self._anchor_wall) * self.scale

    def start_at(self, t: float) -> None:
        self._anchor_wall = self._wall()
        self._anchor_sim = t


class EventClock:
    """Simulated time that jumps to the next event (``--time-scale max``).

    The driver calls ``jump_to`` as it processes events; ``now()`` is the time of the last
    event processed, so requests see a consistent instant.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        return self._now

    def start_at(self, t: float) -> None:
        self._now = t

    def jump_to(self, t: float) -> None:
        self._now = max(self._now, t)


def parse_time_scale(text: str) -> float | Literal["max", "manual"]:
    """``--time-scale`` value: a positive factor, ``max`` (event-driven) or ``manual``."""
    word = text.strip().lower()
    if word in ("max", "manual"):
        return "max" if word == "max" else "manual"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"--time-scale must be a positive number, 'max' or 'manual', got {text!r}")
    return value


def make_clock(time_scale: float | str | None) -> Clock:
    """The clock for a ``time_scale``: None or "manual", "max", or a factor."""
    if time_scale is None or time_scale == "manual":
        return ManualClock()
    if time_scale == "max":
        return EventClock()
    return ScaledClock(float(time_scale))
