"""Everything a tuning job report shows, fetched once: the job, its training jobs, their
learning curves, and its warm-start parents' training jobs.

Learning curves come from the simulator's per-epoch metric series
(``SageTuneSimulator.GetTrainingJobMetricSeries``). Against AWS those values live in
CloudWatch metrics, which this report does not read: it then shows final metrics only and
says so.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from sagetune.cli import job_queries, simulator_calls
from sagetune.cli.tuning_facts import (
    Objective,
    TrainingJobResult,
    TunedParameter,
    objective_of,
    tuned_parameters,
    wire_value,
)
from sagetune.errors import ServiceError
from sagetune.model import shapes

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient

CONCURRENT_SERIES_CALLS = 8


@attrs.frozen(kw_only=True)
class ReportData:
    """One tuning job and what it ran, ready to chart."""

    description: shapes.DescribeHyperParameterTuningJobResponse
    objective: Objective | None
    parameters: tuple[TunedParameter, ...]
    jobs: tuple[TrainingJobResult, ...]  # the job's own, in launch order
    parent_jobs: tuple[TrainingJobResult, ...]  # warm-start parents', in launch order
    missing_parents: tuple[str, ...]  # parents that could not be read
    curves: dict[str, tuple[float, ...]]  # training job -> objective per epoch
    curves_available: bool  # False against AWS: final metrics only
    completion_reason: str | None
    endpoint: str
    generated: datetime
    simulated_now: float | None = None  # the simulator's clock when the data was read

    @property
    def name(self) -> str:
        return self.description.hyper_parameter_tuning_job_name

    @property
    def status(self) -> str:
        return wire_value(self.description.hyper_parameter_tuning_job_status)

    @property
    def stopped_early(self) -> int:
        return sum(job.early_stopped for job in self.jobs)

    @property
    def best_job(self) -> str | None:
        best = self.description.best_training_job
        return best.training_job_name if best is not None else None


async def collect(client: AsyncSageMakerClient, name: str) -> ReportData:
    """Fetch a report's data: describe, list (every page), parents, metric series."""
    description = await job_queries.describe(client, name)
    objective = objective_of(description)
    jobs = await job_queries.training_jobs(client, description)

    parent_jobs: list[TrainingJobResult] = []
    missing: list[str] = []
    warm = description.warm_start_config
    for parent in warm.parent_hyper_parameter_tuning_jobs if warm is not None else ():
        parent_name = parent.hyper_parameter_tuning_job_name
        if not parent_name:
            continue
        try:
            parent_description = await job_queries.describe(client, parent_name)
        except ServiceError:  # deleted, or not visible to these credentials
            missing.append(parent_name)
            continue
        parent_jobs.extend(await job_queries.training_jobs(client, parent_description))

    clock = await simulator_calls.clock(client)
    simulator = clock is not None
    curves: dict[str, tuple[float, ...]] = {}
    if simulator and objective is not None:
        curves = await _curves(client, [*parent_jobs, *jobs], objective.metric)
    reason = await simulator_calls.completion_reason(client, name) if simulator else None
    return ReportData(
        description=description,
        objective=objective,
        parameters=tuned_parameters(description),
        jobs=tuple(jobs),
        parent_jobs=tuple(parent_jobs),
        missing_parents=tuple(missing),
        curves=curves,
        curves_available=simulator,
        completion_reason=reason,
        endpoint=client.config.endpoint_url,
        generated=datetime.now(UTC),
        simulated_now=clock.now if clock is not None else None,
    )


async def _curves(
    client: AsyncSageMakerClient, jobs: list[TrainingJobResult], metric: str
) -> dict[str, tuple[float, ...]]:
    gate = asyncio.Semaphore(CONCURRENT_SERIES_CALLS)

    async def one(job: TrainingJobResult) -> tuple[str, tuple[float, ...]]:
        async with gate:
            try:
                series = await simulator_calls.metric_series(client, job.name)
            except ServiceError:
                return job.name, ()
        return job.name, tuple(series.get(metric, ()))

    found = await asyncio.gather(*(one(job) for job in jobs))
    return {name: values for name, values in found if values}
