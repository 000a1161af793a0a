"""The whole tuning-job flow with sagetune's own clients over the in-process transports.

The waiter's sleep moves the simulator's clock (no wall-clock waiting); the paginator walks
pages of three.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.codec import from_wire
from sagetune.errors import ResourceInUse, ResourceNotFound, ValidationError, WaiterError
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DeleteHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    HyperParameterTuningJobStatus,
    ListTrainingJobsForHyperParameterTuningJobRequest,
    StopHyperParameterTuningJobRequest,
    TrainingJobSortByOptions,
)
from sagetune.simulator import ManualClock, Simulator
from tests.simulator.builders import tuning_request


def create(name: str, jobs: int = 6, parallel: int = 2) -> CreateHyperParameterTuningJobRequest:
    return from_wire(
        CreateHyperParameterTuningJobRequest, tuning_request(name, jobs=jobs, parallel=parallel)
    )


def describe(name: str) -> DescribeHyperParameterTuningJobRequest:
    return DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)


async def test_async_client_runs_the_whole_flow(sim: Simulator) -> None:
    clock = sim.clock
    assert isinstance(clock, ManualClock)

    async def sleep(seconds: float) -> None:
        sim.advance(seconds)  # the waiter's poll interval passes in simulated time

    async with AsyncSageMakerClient(
        http_client=httpx.AsyncClient(transport=sim.async_transport()),
        sleep=sleep,
        clock=clock.now,
        **sim.client_options(),
    ) as sm:
        created = await sm.create_hyper_parameter_tuning_job(create("async-main"))
        assert created.hyper_parameter_tuning_job_arn.endswith("/async-main")
        assert created.response_metadata is not None
        assert created.response_metadata.http_status == 200
        await sm.create_hyper_parameter_tuning_job(create("async-other"))
        with pytest.raises(ResourceInUse) as taken:
            await sm.create_hyper_parameter_tuning_job(create("async-other"))
        assert taken.value.request_id

        running = await sm.describe_hyper_parameter_tuning_job(describe("async-main"))
        assert (
            running.hyper_parameter_tuning_job_status is HyperParameterTuningJobStatus.IN_PROGRESS
        )
        assert isinstance(running.creation_time, datetime)
        assert running.training_job_status_counters.in_progress == 2

        await sm.stop_hyper_parameter_tuning_job(
            StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="async-other")
        )
        done = await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
            describe("async-main"), delay=300
        )
        assert done.hyper_parameter_tuning_job_status == "Completed"
        other = await sm.describe_hyper_parameter_tuning_job(describe("async-other"))
        assert other.hyper_parameter_tuning_job_status == "Stopped"

        listing = sm.paginate_list_training_jobs_for_hyper_parameter_tuning_job(
            ListTrainingJobsForHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name="async-main",
                max_results=3,
                sort_by=TrainingJobSortByOptions.FINAL_OBJECTIVE_METRIC_VALUE,
            )
        )
        jobs = [job async for job in listing.items()]
        assert len(jobs) == 6
        assert done.best_training_job is not None
        assert done.best_training_job.training_job_name == jobs[0].training_job_name
        counters = done.training_job_status_counters
        assert (counters.completed, counters.in_progress, counters.stopped) == (6, 0, 0)

        await sm.delete_hyper_parameter_tuning_job(
            DeleteHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="async-main")
        )
        with pytest.raises(ResourceNotFound):
            await sm.describe_hyper_parameter_tuning_job(describe("async-main"))


def test_sync_client_runs_the_whole_flow(sim: Simulator) -> None:
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()),
        sleep=sim.advance,
        clock=clock.now,
        **sim.client_options(),
    ) as sm:
        sm.create_hyper_parameter_tuning_job(create("sync-main"))
        done = sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
            describe("sync-main"), delay=300
        )
        assert done.hyper_parameter_tuning_job_status == "Completed"
        pages = list(
            sm.paginate_list_training_jobs_for_hyper_parameter_tuning_job(
                ListTrainingJobsForHyperParameterTuningJobRequest(
                    hyper_parameter_tuning_job_name="sync-main", max_results=4
                )
            ).pages()
        )
        assert [len(p.training_job_summaries) for p in pages] == [4, 2]
        best = min(
            (j for p in pages for j in p.training_job_summaries),
            key=lambda j: j.final_hyper_parameter_tuning_job_objective_metric.value,  # type: ignore[union-attr]
        )
        assert done.best_training_job is not None
        assert done.best_training_job.training_job_name == best.training_job_name


def test_waiter_reports_the_failure_reason_of_a_failed_tuning_job(sim: Simulator) -> None:
    request = tuning_request("doomed", jobs=3, parallel=1)
    request["TrainingJobDefinition"]["StaticHyperParameters"] = {"num_round": "5", "eta": "9"}
    request["HyperParameterTuningJobConfig"]["ParameterRanges"].pop("ContinuousParameterRanges")
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()),
        sleep=sim.advance,
        clock=clock.now,
        **sim.client_options(),
    ) as sm:
        sm.create_hyper_parameter_tuning_job(
            from_wire(CreateHyperParameterTuningJobRequest, request)
        )
        with pytest.raises(WaiterError) as failed:
            sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
                describe("doomed"), delay=60
            )
    assert "All of the first 3 training jobs failed" in str(failed.value)


def test_the_client_refuses_a_bad_request_before_sending_it(sim: Simulator) -> None:
    sent: list[object] = []
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()),
        on_request=[sent.append],
        **sim.client_options(),
    ) as sm:
        request = tuning_request("grid-ranges", jobs=2, parallel=1)
        request["HyperParameterTuningJobConfig"]["Strategy"] = "Grid"
        with pytest.raises(ValidationError) as refused:
            sm.create_hyper_parameter_tuning_job(
                from_wire(CreateHyperParameterTuningJobRequest, request)
            )
    assert "Grid strategy" in str(refused.value)
    assert sent == []


def test_call_json_reaches_other_targets_through_the_same_call_path(sim: Simulator) -> None:
    from sagetune.errors import ServiceError

    seen: list[str] = []
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()),
        on_request=[lambda event: seen.append(event.operation)],
        **sim.client_options(),
    ) as sm:
        sim.advance(42)
        clock = sm.call_json("SageTuneSimulator.GetClock", {})
        assert clock["Now"] == sim.clock.now()
        assert clock["Kind"] == "ManualClock"
        with pytest.raises(ServiceError) as unknown:
            sm.call_json("SageMaker.DescribeEndpoint", {"EndpointName": "x"})
    assert unknown.value.code == "UnknownOperationException"
    assert unknown.value.request_id
    assert seen == ["GetClock", "DescribeEndpoint"]
