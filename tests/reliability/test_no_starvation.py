"""No tenant can starve the others: long work never runs under the lock requests need.

What can take long - a metric regex over a log line, an algorithm's next line, a search
suggestion - is computed without the simulator's lock (``Engine.deferred``, the clock
driver), and a metric regex has a time budget: a job whose regex backtracks
catastrophically fails with a ClientError FailureReason, as a broken training job does,
and does not freeze the simulator again after a restart. The deferred protocol changes
no outcome: whatever the schedule of the work, the jobs end exactly as computed inline.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagetune.simulator import (
    ENDPOINT_URL,
    AlgorithmContext,
    EventClock,
    LogStream,
    Simulator,
)
from sagetune.simulator.clock import DEFAULT_EPOCH
from sagetune.simulator.tuning import LaunchSlot
from tests.reliability.support import REGRESSION_BOUND, finishes_within, run_deferred
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import SignedCaller, served

CATASTROPHIC = r"loss: ((.|\S)+)+!"
"""Exponential backtracking on every mlp-curve epoch line (none has a '!'): on a plain
``re`` search, one line takes longer than anyone waits."""


def mlp_job(name: str, regex: str = CATASTROPHIC, epochs: int = 3) -> dict[str, Any]:
    request = training_request(name, "sagetune/mlp-curve:latest", {"epochs": str(epochs)})
    request["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "loss", "Regex": regex}]
    return request


@pytest.fixture
def call(tmp_path: Path) -> Iterator[tuple[Simulator, SignedCaller]]:
    with served(tmp_path / "sim.db") as pair:
        yield pair


def described(call: SignedCaller, name: str) -> dict[str, Any]:
    body: dict[str, Any] = call.ok("DescribeTrainingJob", {"TrainingJobName": name})
    return body


def test_a_catastrophic_metric_regex_fails_its_job_with_a_clear_reason(
    call: tuple[Simulator, SignedCaller],
) -> None:
    sim, caller = call
    caller.ok("CreateTrainingJob", mlp_job("regex-bomb"))

    finishes_within(REGRESSION_BOUND, lambda: sim.advance(3600))

    job = described(caller, "regex-bomb")
    assert job["TrainingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("ClientError: the MetricDefinitions Regex of metric 'loss' took more")
    assert CATASTROPHIC.replace("\\", "\\\\") in reason
    assert job["SecondaryStatusTransitions"][-1]["StatusMessage"].endswith(reason)
    group = "/aws/sagemaker/TrainingJobs"
    (stream,) = caller.ok(
        "DescribeLogStreams",
        {"logGroupName": group, "logStreamNamePrefix": "regex-bomb/"},
        prefix="Logs_20140328",
    )["logStreams"]
    logs = caller.ok(
        "GetLogEvents",
        {"logGroupName": group, "logStreamName": stream["logStreamName"]},
        prefix="Logs_20140328",
    )
    assert logs["events"][-1]["message"].startswith("Epoch 1/3")  # written, then failed


def test_a_tuning_job_whose_regex_backtracks_fails_instead_of_freezing(
    call: tuple[Simulator, SignedCaller],
) -> None:
    sim, caller = call
    request = tuning_request("regex-bomb-tuning", jobs=6, parallel=3)
    definition = request["TrainingJobDefinition"]
    definition["AlgorithmSpecification"]["TrainingImage"] = "sagetune/mlp-curve:latest"
    definition["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "validation:rmse", "Regex": CATASTROPHIC}
    ]
    definition["StaticHyperParameters"] = {"epochs": "3"}
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [
            {"Name": "learning_rate", "MinValue": "0.0001", "MaxValue": "0.1"}
        ]
    }
    caller.ok("CreateHyperParameterTuningJob", request)

    finishes_within(REGRESSION_BOUND, sim.run_until_idle)

    tuning = caller.ok(
        "DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "regex-bomb-tuning"}
    )
    assert tuning["HyperParameterTuningJobStatus"] == "Failed"
    assert "All of the first 3 training jobs failed" in tuning["FailureReason"]
    assert "ClientError: the MetricDefinitions Regex of metric" in tuning["FailureReason"]


def test_a_job_with_such_a_regex_does_not_freeze_the_simulator_again_after_a_restart(
    tmp_path: Path,
) -> None:
    db = tmp_path / "sim.db"
    with Simulator(db=db) as sim, httpx.Client(transport=sim.transport()) as client:
        SignedCaller(client, ENDPOINT_URL).ok("CreateTrainingJob", mlp_job("resumed-bomb"))
        job = sim.engine.training_job("resumed-bomb")
        assert job is not None
        while job.lines_consumed < 4:  # the epoch lines (the 6th on) are not read yet
            sim.advance(0.25)
        assert (job.secondary_status, job.lines_consumed) == ("Training", 4)

    def restart_and_run() -> Simulator:
        restarted = Simulator(db=db)  # replays the consumed lines, reads on from there
        restarted.advance(3600)
        return restarted

    restarted = finishes_within(REGRESSION_BOUND, restart_and_run)
    with restarted:
        job = restarted.engine.training_job("resumed-bomb")
        assert job is not None
        assert job.status == "Failed"
        assert job.failure_reason is not None
        assert "MetricDefinitions Regex of metric 'loss'" in job.failure_reason


# -- the driver: requests are answered while long work is under way ------------------------


class Gate:
    """Holds the work that reaches it until ``open()``; ``reached`` once it did."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self._open = threading.Event()

    def wait(self) -> None:
        self.reached.set()
        assert self._open.wait(REGRESSION_BOUND), "the gate was never opened"

    def open(self) -> None:
        self._open.set()


def answered_while_held(sim: Simulator, gate: Gate, operation: str, body: dict[str, Any]) -> Any:
    """With the driver held at ``gate``, a request must still be answered."""
    assert gate.reached.wait(REGRESSION_BOUND), "the driver never reached the slow work"
    with httpx.Client(transport=sim.transport()) as client:
        answer = finishes_within(
            5.0, lambda: SignedCaller(client, ENDPOINT_URL).ok(operation, body)
        )
    gate.open()
    return answer


def test_requests_are_answered_while_an_algorithm_takes_long_for_a_line() -> None:
    gate = Gate()

    def slow_algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
        yield 1.0, "starting"
        gate.wait()  # an algorithm step that takes long
        yield 1.0, "objective: 0.5"

    with Simulator(time_scale="max") as sim, httpx.Client(transport=sim.transport()) as client:
        sim.register_algorithm("slow/algorithm:1", slow_algorithm)
        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok("CreateTrainingJob", training_request("slow-step", "slow/algorithm:1", {}))
        sim.start_driver()

        listed = answered_while_held(sim, gate, "ListTrainingJobs", {})

        assert [j["TrainingJobName"] for j in listed["TrainingJobSummaries"]] == ["slow-step"]
        finishes_within(REGRESSION_BOUND, lambda: wait_until_ended(caller, "slow-step"))


def wait_until_ended(caller: SignedCaller, name: str) -> None:
    while described(caller, name)["TrainingJobStatus"] == "InProgress":
        threading.Event().wait(0.01)


def test_requests_are_answered_while_a_suggestion_is_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = Gate()
    suggest = LaunchSlot.suggest

    def slow_suggest(slot: LaunchSlot) -> dict[str, str]:
        if slot.index == 2:
            gate.wait()  # a Bayesian suggestion late in a 750-job tuning job
        return suggest(slot)

    monkeypatch.setattr(LaunchSlot, "suggest", slow_suggest)
    with Simulator(time_scale="max") as sim, httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok("CreateHyperParameterTuningJob", tuning_request("slow-suggestion", jobs=4))
        sim.start_driver()

        described_job = answered_while_held(
            sim,
            gate,
            "DescribeHyperParameterTuningJob",
            {"HyperParameterTuningJobName": "slow-suggestion"},
        )

        assert described_job["HyperParameterTuningJobStatus"] == "InProgress"
        assert described_job["TrainingJobStatusCounters"]["Completed"] >= 1


# -- the deferred protocol changes nothing --------------------------------------------------


def outcome(sim: Simulator) -> list[tuple[Any, ...]]:
    """Everything about every training job that a client can see, in creation order."""
    return [
        (
            j.name,
            j.status,
            j.secondary_status,
            j.tuned,
            j.final_metrics,
            j.created,
            j.training_end,
            j.failure_reason,
            j.lines_consumed,
            [(s.status, s.start, s.end) for s in j.transitions],
        )
        for j in sim.engine.training_jobs()
    ] + [
        (t.name, t.status, t.launched, t.completion_reason, t.ended)
        for t in sim.engine.tuning_jobs()
    ]


def busy_simulator() -> Simulator:
    """A tuning job with early stopping, a Hyperband one, and failing and stopped jobs."""
    sim = Simulator()
    with httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok(
            "CreateHyperParameterTuningJob",
            tuning_request(
                "median", strategy="Bayesian", jobs=8, parallel=3, early_stopping="Auto"
            ),
        )
        hyperband = tuning_request("hyperband", strategy="Hyperband", jobs=6, parallel=3)
        hyperband["HyperParameterTuningJobConfig"]["StrategyConfig"] = {
            "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 20}
        }
        caller.ok("CreateHyperParameterTuningJob", hyperband)
        caller.ok("CreateTrainingJob", mlp_job("bomb", epochs=2))
        caller.ok(
            "CreateTrainingJob",
            training_request("crash", "sagetune/fail:latest", {"fail_at_epoch": "2"}),
        )
        caller.ok(
            "CreateTrainingJob",
            training_request("stopped", "sagetune/xgboost-curve:latest", {"num_round": "40"}),
        )
        sim.advance(300)
        caller.ok("StopTrainingJob", {"TrainingJobName": "stopped"})
    return sim


@pytest.fixture(scope="module")
def inline_outcome() -> list[tuple[Any, ...]]:
    with busy_simulator() as sim:
        sim.run_until_idle()
        return outcome(sim)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=st.lists(st.booleans(), min_size=1, max_size=64))
def test_any_schedule_of_deferred_work_gives_the_same_outcome_as_inline(
    inline_outcome: list[tuple[Any, ...]], schedule: list[bool]
) -> None:
    turns = iter(schedule * 100_000)
    with busy_simulator() as sim:
        run_deferred(sim, lambda: next(turns, True))
        assert outcome(sim) == inline_outcome


def event_clock_simulator() -> Simulator:
    """Jobs on an event clock from a fixed instant (``--time-scale max``, reproducible)."""
    sim = Simulator(clock=EventClock(start=DEFAULT_EPOCH))
    with httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok(
            "CreateHyperParameterTuningJob",
            tuning_request(
                "driven", strategy="Bayesian", jobs=8, parallel=3, early_stopping="Auto"
            ),
        )
        caller.ok("CreateTrainingJob", mlp_job("driven-bomb", epochs=2))
    return sim


def test_the_clock_driver_thread_gives_the_same_outcome_as_inline() -> None:
    with event_clock_simulator() as sim:
        sim.run_until_idle()
        expected = outcome(sim)

    with event_clock_simulator() as sim, httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL)
        sim.start_driver()

        def until_done() -> None:
            body = {"HyperParameterTuningJobName": "driven"}
            while caller.ok("DescribeHyperParameterTuningJob", body)[
                "HyperParameterTuningJobStatus"
            ] == "InProgress" or described(caller, "driven-bomb")["TrainingJobStatus"] == (
                "InProgress"
            ):
                threading.Event().wait(0.01)

        finishes_within(REGRESSION_BOUND, until_done)
        sim.stop_driver()
        assert outcome(sim) == expected


@pytest.mark.parametrize("lines", [1, 40, 150])
def test_stopping_the_driver_midway_then_running_inline_changes_nothing(lines: int) -> None:
    with event_clock_simulator() as sim:
        sim.run_until_idle()
        expected = outcome(sim)

    with event_clock_simulator() as sim:
        sim.start_driver()

        def some_progress() -> None:
            while sum(j.lines_consumed for j in sim.engine.training_jobs()) < lines:
                threading.Event().wait(0.001)

        finishes_within(REGRESSION_BOUND, some_progress)
        sim.stop_driver()  # work computed but not applied yet is applied, not read again
        sim.run_until_idle()
        assert outcome(sim) == expected
