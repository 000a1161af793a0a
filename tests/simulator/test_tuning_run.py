"""A tuning job's decisions on their own: ``TuningRun`` without an engine.

The engine launches what ``next_launch`` offers (a snapshot whose ``suggest()`` is pure),
applies it with ``launch``, and carries out the ``StopTraining`` / ``FinishTraining``
decisions the run returns; these tests play the engine's part by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    HyperParameterTuningJobStatus,
    ObjectiveStatus,
    TrainingJobStatus,
)
from sagetune.simulator.records import StopReason, TrainingJobRecord, TuningJobRecord
from sagetune.simulator.requests import stored_request
from sagetune.simulator.tuning import (
    FinishTraining,
    LaunchTraining,
    StopTraining,
    TuningRun,
    training_job_name,
)
from tests.simulator.builders import tuning_request


def tuning_run(**options: Any) -> TuningRun:
    """A run of a request in its stored form, as the engine makes one."""
    request = stored_request(
        from_wire(CreateHyperParameterTuningJobRequest, tuning_request("unit", **options))
    )
    return TuningRun(TuningJobRecord(name="unit", seq=1, arn="arn:unit", request=request))


def launched(run: TuningRun, t: float = 0.0) -> LaunchTraining:
    """Play the engine: take the offered slot, compute its suggestion, apply, track."""
    slot = run.next_launch()
    assert slot is not None
    launch = run.launch(slot, slot.suggest(), t)
    run.track(
        TrainingJobRecord(
            name=launch.request.training_job_name,
            seq=launch.launch_index + 2,
            arn="arn:job",
            request=launch.request,
            tuning_job=run.rec.name,
            launch_index=launch.launch_index,
            tuned=dict(launch.tuned),
            objective_status=ObjectiveStatus.PENDING,
        )
    )
    return launch


def test_a_launch_slot_is_a_snapshot_whose_suggestion_is_a_pure_function_of_it() -> None:
    run = tuning_run(strategy="Bayesian", jobs=4, parallel=2)
    slot = run.next_launch()
    assert slot is not None
    assert (slot.tuning_job, slot.index, slot.state.issued, slot.state.pending) == (
        "unit",
        0,
        0,
        (),
    )
    assert slot.suggest() == slot.suggest()
    assert run.next_launch() == slot  # asking does not change the run
    assert run.rec.launched == 0


def test_applying_a_suggestion_decides_the_training_request_and_moves_the_run_on() -> None:
    run = tuning_run(jobs=4, parallel=2, rounds=9)
    slot = run.next_launch()
    assert slot is not None
    tuned = slot.suggest()
    launch = run.launch(slot, tuned, 5.0)

    assert launch.request.training_job_name == training_job_name("unit", 0, run.seed)
    assert launch.request.hyper_parameters == {
        "num_round": "9",
        **tuned,
        "_tuning_objective_metric": "validation:rmse",
    }
    assert (launch.launch_index, launch.tuned, launch.objective_metric) == (
        0,
        tuned,
        "validation:rmse",
    )
    assert (run.rec.launched, run.rec.last_modified) == (1, 5.0)
    with pytest.raises(RuntimeError, match="stale"):
        run.launch(slot, tuned, 5.0)  # the run moved on: the snapshot no longer holds


def test_a_tracked_launch_is_pending_in_the_next_snapshot_until_the_parallel_limit() -> None:
    run = tuning_run(jobs=4, parallel=2)
    first = launched(run)
    slot = run.next_launch()
    assert slot is not None
    assert (slot.index, slot.state.pending, slot.state.issued) == (1, (first.tuned,), 1)
    launched(run)
    assert run.next_launch() is None  # MaxParallelTrainingJobs run


def test_stopping_decides_to_stop_every_running_job_then_settles_stopped() -> None:
    run = tuning_run(jobs=4, parallel=2)
    launched(run)
    launched(run)

    decisions = run.stop(100.0)

    assert decisions == [
        StopTraining(name=job.name, reason=StopReason.TUNING_JOB) for job in run.jobs
    ]
    assert run.rec.status == HyperParameterTuningJobStatus.STOPPING
    assert run.next_launch() is None
    run.settle(101.0)
    assert run.rec.status == HyperParameterTuningJobStatus.STOPPING  # its jobs still run
    for job in run.jobs:
        job.status = TrainingJobStatus.STOPPED
    run.settle(105.0)
    assert (run.rec.status, run.rec.ended) == (HyperParameterTuningJobStatus.STOPPED, 105.0)


def test_hyperband_decides_to_finish_a_job_at_its_max_resource() -> None:
    run = tuning_run(
        strategy="Hyperband",
        jobs=4,
        parallel=1,
        StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 1}},
    )
    launched(run)
    (job,) = run.jobs
    assert run.on_objective(job, 0.5) == FinishTraining(name=job.name)
    assert run.curves == [[0.5]]
