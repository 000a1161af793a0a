"""A training job is called "stopped early" only when the service says so about that job.

Each scenario builds its stops so that the truth is known by construction (two jobs are too
few for the median rule; one stopped by hand; a tuning job stopped by hand), runs them on the
in-process simulator's manual clock, and reads them back the way ``jobs``, ``jobs --json``,
``describe`` and the report do.
"""

from __future__ import annotations

from typing import Any

from sagetune import AsyncSageMakerClient
from sagetune.cli import job_queries
from sagetune.cli.demo import demo_request
from sagetune.cli.stop_causes import StopTally, stop_cause
from sagetune.cli.tables import job_record, summary_rows
from sagetune.codec import from_wire
from sagetune.model import shapes
from sagetune.simulator import Simulator


async def _create(client: AsyncSageMakerClient, document: dict[str, Any]) -> str:
    request = from_wire(shapes.CreateHyperParameterTuningJobRequest, document)
    await client.create_hyper_parameter_tuning_job(request)
    return request.hyper_parameter_tuning_job_name


async def _describe(
    client: AsyncSageMakerClient, name: str
) -> shapes.DescribeHyperParameterTuningJobResponse:
    return await job_queries.describe(client, name)


async def _training_count(client: AsyncSageMakerClient, name: str) -> str:
    description = await _describe(client, name)
    early = await StopTally().early_stops(client, description)
    rows = dict(summary_rows(description, stopped_early=early))
    return rows["Training jobs"]


async def test_jobs_stopped_at_their_max_runtime_are_not_stopped_early(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    # Early stopping on, but two jobs only: the median rule needs three earlier curves, so
    # both can only end at their 5-minute runtime limit.
    document = demo_request("max-runtime", jobs=2, parallel=2)
    document["TrainingJobDefinition"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 300
    name = await _create(client, document)
    sim.run_until_idle()

    description = await _describe(client, name)
    results = await job_queries.training_jobs(client, description)

    assert [r.status for r in results] == ["Stopped", "Stopped"]
    assert [r.state for r in results] == ["Stopped (MaxRuntimeExceeded)"] * 2
    assert [job_record(r)["StoppedEarly"] for r in results] == [False, False]
    assert [job_record(r)["StopLimit"] for r in results] == ["MaxRuntimeExceeded"] * 2
    assert await _training_count(client, name) == (
        "completed 0 · stopped early 0 · stopped 2 · failed 0 · running 0"
    )


async def test_a_training_job_stopped_by_hand_is_not_stopped_early(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    name = await _create(client, demo_request("by-hand", jobs=1, parallel=1))
    sim.advance(600)
    description = await _describe(client, name)
    [running] = await job_queries.training_jobs(client, description)
    await client.stop_training_job(shapes.StopTrainingJobRequest(training_job_name=running.name))
    sim.run_until_idle()

    [stopped] = await job_queries.training_jobs(client, await _describe(client, name))

    assert (stopped.status, stopped.state, stopped.early_stopped) == ("Stopped", "Stopped", False)
    training = await client.describe_training_job(
        shapes.DescribeTrainingJobRequest(training_job_name=stopped.name)
    )
    assert stop_cause(training).early is False


async def test_stopping_the_tuning_job_keeps_earlier_early_stops_and_adds_plain_stops(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    name = await _create(client, demo_request("stopped-tuning", jobs=30, parallel=3))
    # Run until the median rule has stopped a few jobs, with others still running.
    early_before = 0
    for _ in range(200):
        sim.advance(300)
        counters = (await _describe(client, name)).training_job_status_counters
        early_before = counters.stopped or 0  # nothing but the median rule stops jobs yet
        if early_before >= 2 and (counters.in_progress or 0) > 0:
            break
    assert early_before >= 2
    await client.stop_hyper_parameter_tuning_job(
        shapes.StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
    )
    sim.run_until_idle()

    description = await _describe(client, name)
    results = await job_queries.training_jobs(client, description)

    assert description.hyper_parameter_tuning_job_status == "Stopped"
    states = [r.state for r in results]
    assert states.count("Stopped early") == early_before
    stopped = description.training_job_status_counters.stopped or 0
    assert states.count("Stopped") == stopped - early_before > 0
    assert await _training_count(client, name) == (
        f"completed {states.count('Completed')} · stopped early {early_before} · "
        f"stopped {stopped - early_before} · failed 0 · running 0"
    )


async def test_median_rule_stops_are_stopped_early(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    name = await _create(client, demo_request("median-rule", jobs=12, parallel=1))
    sim.run_until_idle()

    description = await _describe(client, name)
    results = await job_queries.training_jobs(client, description)

    stopped = description.training_job_status_counters.stopped or 0
    assert stopped > 0  # the median rule stopped some: nothing else stops jobs here
    assert sum(r.early_stopped for r in results) == stopped
    assert {r.state for r in results} == {"Completed", "Stopped early"}
