"""Everything a tuning job report shows, fetched once: the job, its training jobs, their
learning curves, and its warm-start parents' training jobs.

Learning curves come from CloudWatch metrics (:mod:`~sagetune.cli.cloudwatch_metrics`), the
same way from AWS and from a sagetune simulator. When they cannot be read (credentials
without ``cloudwatch:GetMetricData``, say), the report shows final metrics only and says
why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from sagetune.cli import job_queries, simulator_calls
from sagetune.cli.botocore_clients import open_client
from sagetune.cli.cloudwatch_metrics import CloudWatchMetrics, Curve, CurveWindow
from sagetune.cli.connection import one_line
from sagetune.cli.tuning_facts import (
    Objective,
    TrainingJobResult,
    TunedParameter,
    objective_of,
    tuned_parameters,
    wire_value,
)
from sagetune.errors import SageTuneError, ServiceError
from sagetune.model import shapes

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient


@attrs.frozen(kw_only=True)
class ReportData:
    """One tuning job and what it ran, ready to chart."""

    description: shapes.DescribeHyperParameterTuningJobResponse
    objective: Objective | None
    parameters: tuple[TunedParameter, ...]
    jobs: tuple[TrainingJobResult, ...]  # the job's own, in launch order
    parent_jobs: tuple[TrainingJobResult, ...]  # warm-start parents', in launch order
    missing_parents: tuple[str, ...]  # parents that could not be read
    curves: dict[str, Curve]  # training job -> its objective metric over time
    curves_error: str | None  # why no curve could be read (None: they were)
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


async def collect(
    client: AsyncSageMakerClient,
    name: str,
    *,
    profile: str | None = None,
    metrics: CloudWatchMetrics | None = None,
) -> ReportData:
    """Fetch a report's data: describe, list (every page), parents, learning curves
    (``metrics``: where they are read; default: CloudWatch beside ``client``, with the
    shared config files' ``profile``)."""
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
    now = datetime.fromtimestamp(clock.now, UTC) if clock is not None else datetime.now(UTC)
    curves: dict[str, Curve] = {}
    curves_error = None
    if objective is not None:
        windows = [
            CurveWindow(job=job.name, start=job.started, end=job.ended)
            for job in (*parent_jobs, *jobs)
            if job.started is not None
        ]
        try:
            if metrics is None:
                metrics = CloudWatchMetrics(open_client("cloudwatch", client, profile=profile))
            curves = await metrics.curves(objective.metric, windows, now=now)
        except SageTuneError as exc:
            curves_error = one_line(str(exc))
    reason = await simulator_calls.completion_reason(client, name) if clock else None
    return ReportData(
        description=description,
        objective=objective,
        parameters=tuned_parameters(description),
        jobs=tuple(jobs),
        parent_jobs=tuple(parent_jobs),
        missing_parents=tuple(missing),
        curves=curves,
        curves_error=curves_error,
        completion_reason=reason,
        endpoint=client.config.endpoint_url,
        generated=datetime.now(UTC),
        simulated_now=clock.now if clock is not None else None,
    )
