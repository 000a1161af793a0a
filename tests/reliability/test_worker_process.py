"""The suggestion worker process (``serve``): the same answers, and it never outlives the
simulator's process or breaks it by dying."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sagetune.simulator.search import (
    BayesianStrategy,
    ContinuousDim,
    SearchSpace,
    SearchState,
    Trial,
)
from sagetune.simulator.tuning import LaunchSlot
from sagetune.simulator.workers import SuggestionWorker, WorkerFailed
from tests.reliability.support import REGRESSION_BOUND


def bayesian_slot() -> LaunchSlot:
    """A Bayesian suggestion past the initial design: the GP decides."""
    space = SearchSpace(
        dims=(
            ContinuousDim(name="x", low=0.0, high=1.0, scaling="Linear"),
            ContinuousDim(name="y", low=0.001, high=1.0, scaling="Logarithmic"),
        )
    )
    points = [(i / 13, (i * 7 % 13 + 1) / 14) for i in range(13)]
    trials = tuple(
        Trial(params={"x": repr(x), "y": repr(y)}, value=(x - 0.3) ** 2 + y, stopped_early=False)
        for x, y in points
    )
    state = SearchState(
        space=space, seed=5, trials=trials, pending=(), issued=len(trials), warm_start=None
    )
    return LaunchSlot(
        tuning_job="bayes", index=13, plan_index=0, strategy=BayesianStrategy(), state=state
    )


def exited(pid: int, timeout: float = REGRESSION_BOUND) -> bool:
    """True once ``pid`` is gone (or a zombie nobody reaped yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_suggestion_from_the_worker_is_the_one_computed_in_process() -> None:
    slot = bayesian_slot()
    worker = SuggestionWorker()
    try:
        assert worker.submit(slot)
        assert worker.submit(slot)  # answers come back in order
        assert worker.result() == slot.suggest()
        assert worker.result() == slot.suggest()
    finally:
        worker.close()


def test_a_dead_worker_is_reported_and_replaced() -> None:
    worker = SuggestionWorker()
    try:
        assert worker.submit(bayesian_slot())
        assert worker.result()
        first = worker.pid
        assert first is not None
        assert worker.submit(bayesian_slot())
        os.kill(first, signal.SIGKILL)  # dies with a suggestion outstanding
        assert exited(first)
        with pytest.raises(WorkerFailed, match="died"):  # the caller computes in process
            worker.result()
        assert worker.submit(bayesian_slot())  # another worker
        assert worker.result() == bayesian_slot().suggest()
        assert worker.pid not in (None, first)
    finally:
        worker.close()


OWNER = """
from tests.reliability.test_worker_process import bayesian_slot
from sagetune.simulator.workers import SuggestionWorker
worker = SuggestionWorker()
assert worker.submit(bayesian_slot()) and worker.result()
print(worker.pid, flush=True)
input()  # until killed
"""


def test_the_worker_exits_when_the_simulator_process_is_killed() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        worker_pid = int(owner.stdout.readline())
        assert not exited(worker_pid, timeout=0.2)
        owner.kill()  # SIGKILL: no cleanup runs in the owner
        owner.wait()
        assert exited(worker_pid)
    finally:
        owner.kill()
        owner.wait()
