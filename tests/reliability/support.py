"""Shared by the reliability tests: a bound on wall time, and the engine driven by hand."""

from __future__ import annotations

import faulthandler
import threading
from collections.abc import Callable
from typing import TypeVar

from sagetune.simulator import ManualClock, Simulator

T = TypeVar("T")

REGRESSION_BOUND = 30.0
"""Seconds a guarded call may take before the test fails: far above what the call needs
(well under a second), there only so that a regression fails the test instead of hanging it."""


def finishes_within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, run on a daemon thread; AssertionError if it takes longer than ``seconds``
    (the thread is then left behind: the point is to fail, not to hang).

    A call stuck in C code that holds the GIL (``re`` backtracking) would keep even this
    thread from failing the test: faulthandler's watchdog, which needs no GIL, then ends the
    whole run with the stuck thread's traceback, ``seconds`` later."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="guarded-call", daemon=True)
    faulthandler.dump_traceback_later(2 * seconds, exit=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{call!r} did not finish within {seconds:g} s"
    faulthandler.cancel_dump_traceback_later()
    if failure:
        raise failure[0]
    return outcome[0]


def run_deferred(sim: Simulator, compute_now: Callable[[], bool]) -> None:
    """Run every event the way the clock driver does, on this thread: the engine defers its
    work, which is computed and applied when the engine is blocked on it, and also whenever
    ``compute_now()`` says so (any schedule must give the same outcome)."""
    engine, clock = sim.engine, sim.clock
    assert isinstance(clock, ManualClock)
    engine.deferred = True
    try:
        while True:
            work = engine.pending_work()
            if work and (engine.blocked or compute_now()):
                for apply in [item.compute() for item in work]:  # "without the lock"
                    apply()
                continue
            t = engine.next_event_time()
            if t is None:
                if not work:
                    break
                compute_now = lambda: True  # noqa: E731 - only read-ahead is left
                continue
            clock.set(max(t, clock.now()))
            engine.step()
    finally:
        engine.deferred = False
    engine.flush()
