"""The canonical scenarios recorded in ``cassettes/``, written once for both clients.

A scenario is a list of steps (a call, a wait, a pagination, a pause, or a step computed
from the outcomes so far) and a check of the outcomes. :func:`run_async` and
:func:`run_sync` run the same steps with the async and the sync client, so one cassette
(recorded by the async client against the simulator) is replayed by both, and both must
see the same outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.codec import from_wire
from sagetune.errors import ServiceError, WaiterError
from sagetune.model import shapes
from sagetune.model.operations import OPERATIONS_BY_INPUT
from sagetune.testing import ClientClock
from tests.simulator.builders import tuning_request

# -- steps and outcomes ---------------------------------------------------------------------


@attrs.frozen
class Call:
    """Call the operation whose input ``request`` is."""

    request: object


@attrs.frozen
class Wait:
    """Wait with the waiter of the describe operation whose input ``request`` is."""

    request: object
    delay: float | None = None


@attrs.frozen
class Paginate:
    """Collect every item of a list operation through its paginator."""

    request: object
    page_size: int | None = None


@attrs.frozen
class Sleep:
    """Let time pass (through the client's injected sleep)."""

    seconds: float


@attrs.frozen
class Then:
    """A step made from the outcomes so far (e.g. describe the best training job)."""

    make: Callable[[list[Any]], Call | Wait | Paginate]


Step = Call | Wait | Paginate | Sleep | Then


@attrs.frozen
class Failed:
    """The outcome of a step that raised a service error or a waiter error."""

    code: str
    message: str


_WAITERS: dict[type, str] = {
    shapes.DescribeHyperParameterTuningJobRequest: (
        "wait_until_hyper_parameter_tuning_job_completed_or_stopped"
    ),
    shapes.DescribeTrainingJobRequest: "wait_until_training_job_completed_or_stopped",
}


def _method(step: Call | Wait | Paginate) -> tuple[str, dict[str, Any]]:
    operation = OPERATIONS_BY_INPUT[type(step.request)]
    if isinstance(step, Wait):
        return _WAITERS[type(step.request)], {"delay": step.delay}
    if isinstance(step, Paginate):
        return f"paginate_{operation.method_name}", {"page_size": step.page_size}
    return operation.method_name, {}


async def run_async(
    client: AsyncSageMakerClient, clock: ClientClock, steps: Sequence[Step]
) -> list[Any]:
    outcomes: list[Any] = []
    for step in steps:
        if isinstance(step, Then):
            step = step.make(outcomes)
        if isinstance(step, Sleep):
            await clock.sleep(step.seconds)
            outcomes.append(None)
            continue
        name, options = _method(step)
        try:
            if isinstance(step, Paginate):
                outcome = await getattr(client, name)(step.request, **options).collect()
            else:
                outcome = await getattr(client, name)(step.request, **options)
        except ServiceError as error:
            outcome = Failed(error.code, error.message)
        except WaiterError as error:
            outcome = Failed("WaiterError", error.reason)
        outcomes.append(outcome)
    return outcomes


def run_sync(client: SageMakerClient, clock: ClientClock, steps: Sequence[Step]) -> list[Any]:
    outcomes: list[Any] = []
    for step in steps:
        if isinstance(step, Then):
            step = step.make(outcomes)
        if isinstance(step, Sleep):
            clock.sleep_blocking(step.seconds)
            outcomes.append(None)
            continue
        name, options = _method(step)
        try:
            if isinstance(step, Paginate):
                outcome = getattr(client, name)(step.request, **options).collect()
            else:
                outcome = getattr(client, name)(step.request, **options)
        except ServiceError as error:
            outcome = Failed(error.code, error.message)
        except WaiterError as error:
            outcome = Failed("WaiterError", error.reason)
        outcomes.append(outcome)
    return outcomes


# -- requests -------------------------------------------------------------------------------


def tuning_job(
    name: str,
    *,
    strategy: str = "Bayesian",
    jobs: int = 6,
    parallel: int = 3,
    rounds: int = 5,
    early_stopping: str = "Off",
    warm_start_from: Sequence[str] = (),
) -> shapes.CreateHyperParameterTuningJobRequest:
    """An XGBoost-like tuning job on the simulator's ``xgboost-curve`` algorithm."""
    document = tuning_request(
        name,
        strategy=strategy,
        jobs=jobs,
        parallel=parallel,
        rounds=rounds,
        early_stopping=early_stopping,
    )
    if warm_start_from:
        document["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": parent} for parent in warm_start_from
            ],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        }
    return from_wire(shapes.CreateHyperParameterTuningJobRequest, document)


def describe(name: str) -> shapes.DescribeHyperParameterTuningJobRequest:
    return shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)


def training_jobs_of(
    name: str, **options: Any
) -> shapes.ListTrainingJobsForHyperParameterTuningJobRequest:
    return shapes.ListTrainingJobsForHyperParameterTuningJobRequest(
        hyper_parameter_tuning_job_name=name, **options
    )


def describe_training_job(name: str) -> shapes.DescribeTrainingJobRequest:
    return shapes.DescribeTrainingJobRequest(training_job_name=name)


# -- the scenarios and what they must show ---------------------------------------------------


@attrs.frozen(kw_only=True)
class Scenario:
    name: str  # the cassette is cassettes/<name>.yaml
    steps: tuple[Step, ...]
    check: Callable[[list[Any]], None]

    def __str__(self) -> str:
        return self.name


def _best_training_job(outcomes: list[Any]) -> Call:
    done = next(
        o for o in outcomes if isinstance(o, shapes.DescribeHyperParameterTuningJobResponse)
    )
    assert done.best_training_job is not None
    return Call(describe_training_job(done.best_training_job.training_job_name))


def _check_bayesian(outcomes: list[Any]) -> None:
    created, done, jobs, best = outcomes
    assert created.hyper_parameter_tuning_job_arn.endswith(":hyper-parameter-tuning-job/bayes-1")
    assert done.hyper_parameter_tuning_job_status == "Completed"
    assert done.training_job_status_counters.completed == 6
    assert len(jobs) == 6
    objective = {
        job.training_job_name: job.final_hyper_parameter_tuning_job_objective_metric.value
        for job in jobs
    }
    assert done.best_training_job.training_job_name == min(objective, key=lambda n: objective[n])
    assert best.training_job_status == "Completed"
    assert best.training_job_name == done.best_training_job.training_job_name


BAYESIAN = Scenario(
    name="bayesian_job_polled_to_completion",
    steps=(
        Call(tuning_job("bayes-1")),
        Wait(describe("bayes-1")),
        Paginate(training_jobs_of("bayes-1")),
        Then(_best_training_job),
    ),
    check=_check_bayesian,
)


def _first_early_stopped(outcomes: list[Any]) -> Call:
    jobs = outcomes[2]
    stopped = next(job for job in jobs if job.training_job_status == "Stopped")
    return Call(describe_training_job(stopped.training_job_name))


def _check_early_stopping(outcomes: list[Any]) -> None:
    _created, done, jobs, stopped = outcomes
    assert done.hyper_parameter_tuning_job_status == "Completed"
    statuses = [job.training_job_status for job in jobs]
    assert statuses.count("Stopped") == done.training_job_status_counters.stopped >= 1
    assert stopped.training_job_status == "Stopped"
    assert "stopped early" in (stopped.secondary_status_transitions[-1].status_message or "")


EARLY_STOPPING = Scenario(
    name="early_stopping",
    steps=(
        Call(tuning_job("early-1", strategy="Random", rounds=10, early_stopping="Auto")),
        Wait(describe("early-1"), delay=60),
        Paginate(training_jobs_of("early-1")),
        Then(_first_early_stopped),
    ),
    check=_check_early_stopping,
)


def _check_warm_start(outcomes: list[Any]) -> None:
    _parent_created, parent, _child_created, child = outcomes
    assert parent.hyper_parameter_tuning_job_status == "Completed"
    assert child.hyper_parameter_tuning_job_status == "Completed"
    assert child.warm_start_config.warm_start_type == "IdenticalDataAndAlgorithm"
    overall = child.overall_best_training_job
    assert overall is not None
    candidates = [parent.best_training_job, child.best_training_job]
    best = min(
        candidates, key=lambda job: job.final_hyper_parameter_tuning_job_objective_metric.value
    )
    assert overall.training_job_name == best.training_job_name


WARM_START = Scenario(
    name="warm_start",
    steps=(
        Call(tuning_job("parent-1", strategy="Random", jobs=4, parallel=2)),
        Wait(describe("parent-1"), delay=60),
        Call(tuning_job("child-1", jobs=4, parallel=2, warm_start_from=["parent-1"])),
        Wait(describe("child-1"), delay=60),
    ),
    check=_check_warm_start,
)


def _check_stopped(outcomes: list[Any]) -> None:
    _created, _pause, _stop, done, jobs = outcomes
    assert done.hyper_parameter_tuning_job_status == "Stopped"
    assert {job.training_job_status for job in jobs} <= {"Completed", "Stopped"}
    assert any(job.training_job_status == "Stopped" for job in jobs)
    assert len(jobs) < 6


STOPPED_JOB = Scenario(
    name="stopped_job",
    steps=(
        Call(tuning_job("stop-1", strategy="Random", jobs=6, parallel=2, rounds=20)),
        Sleep(300),
        Call(shapes.StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="stop-1")),
        Wait(describe("stop-1")),
        Paginate(training_jobs_of("stop-1")),
    ),
    check=_check_stopped,
)


def _check_pagination(outcomes: list[Any]) -> None:
    tuning_jobs, done, training_pages, all_training_jobs = outcomes[3:]
    assert [job.hyper_parameter_tuning_job_name for job in tuning_jobs] == [
        "page-3",
        "page-2",
        "page-1",
    ]
    assert done.hyper_parameter_tuning_job_status == "Completed"
    assert len(training_pages) == 5
    assert len({job.training_job_name for job in training_pages}) == 5
    assert {job.training_job_name for job in training_pages} <= {
        job.training_job_name for job in all_training_jobs
    }


PAGINATION = Scenario(
    name="pagination",
    steps=(
        Call(tuning_job("page-1", strategy="Random", jobs=5, parallel=5)),
        Call(tuning_job("page-2", strategy="Random", jobs=2, parallel=1)),
        Call(tuning_job("page-3", strategy="Random", jobs=2, parallel=1)),
        Paginate(
            shapes.ListHyperParameterTuningJobsRequest(
                sort_by="CreationTime", sort_order="Descending"
            ),
            page_size=1,
        ),
        Wait(describe("page-1"), delay=120),
        Paginate(training_jobs_of("page-1"), page_size=2),
        Paginate(shapes.ListTrainingJobsRequest(), page_size=3),
    ),
    check=_check_pagination,
)


def _check_resource_in_use(outcomes: list[Any]) -> None:
    first, second, described = outcomes
    assert first.hyper_parameter_tuning_job_arn.endswith("/taken-1")
    assert second.code == "ResourceInUse"
    assert "taken-1" in second.message
    assert described.hyper_parameter_tuning_job_status == "InProgress"


RESOURCE_IN_USE = Scenario(
    name="resource_in_use",
    steps=(
        Call(tuning_job("taken-1")),
        Call(tuning_job("taken-1", strategy="Random")),
        Call(describe("taken-1")),
    ),
    check=_check_resource_in_use,
)


def _check_not_found(outcomes: list[Any]) -> None:
    described, stopped, listed, waited = outcomes
    for outcome in (described, stopped, listed):
        assert outcome.code == "ResourceNotFound"
        assert "missing-1" in outcome.message
    assert waited.code == "WaiterError"
    assert "ResourceNotFound" in waited.message


RESOURCE_NOT_FOUND = Scenario(
    name="resource_not_found",
    steps=(
        Call(describe("missing-1")),
        Call(
            shapes.StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="missing-1")
        ),
        Call(training_jobs_of("missing-1")),
        Wait(describe("missing-1")),
    ),
    check=_check_not_found,
)


def _check_validation(outcomes: list[Any]) -> None:
    missing_training_job, _parent, child, stop_completed = (
        outcomes[0],
        outcomes[1],
        outcomes[2],
        outcomes[-1],
    )
    assert missing_training_job.code == "ValidationException"
    assert child.code == "ValidationException"
    assert "busy-1" in child.message
    assert stop_completed.code == "ValidationException"


def _stop_a_completed_training_job(outcomes: list[Any]) -> Call:
    jobs = outcomes[-1]
    completed = next(job for job in jobs if job.training_job_status == "Completed")
    return Call(shapes.StopTrainingJobRequest(training_job_name=completed.training_job_name))


VALIDATION_EXCEPTION = Scenario(
    name="validation_exception",
    steps=(
        Call(describe_training_job("no-such-training-job")),
        Call(tuning_job("busy-1", strategy="Random", jobs=2, parallel=2)),
        Call(tuning_job("child-of-busy-1", strategy="Random", jobs=2, warm_start_from=["busy-1"])),
        Wait(describe("busy-1"), delay=120),
        Paginate(training_jobs_of("busy-1")),
        Then(_stop_a_completed_training_job),
    ),
    check=_check_validation,
)

SCENARIOS = (
    BAYESIAN,
    EARLY_STOPPING,
    WARM_START,
    STOPPED_JOB,
    PAGINATION,
    RESOURCE_IN_USE,
    RESOURCE_NOT_FOUND,
    VALIDATION_EXCEPTION,
)
