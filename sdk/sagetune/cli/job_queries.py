"""The read calls the job commands share: a tuning job's description and its training jobs
(with why each stopped job stopped, which only the training job's own description says)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sagetune.cli.stop_causes import stop_causes, training_job_summaries
from sagetune.cli.tuning_facts import TrainingJobResult, results_of, wire_value
from sagetune.model import shapes

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient


async def describe(
    client: AsyncSageMakerClient, name: str
) -> shapes.DescribeHyperParameterTuningJobResponse:
    return await client.describe_hyper_parameter_tuning_job(
        shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
    )


async def training_jobs(
    client: AsyncSageMakerClient,
    description: shapes.DescribeHyperParameterTuningJobResponse,
    *,
    status: str | None = None,
) -> list[TrainingJobResult]:
    """Every training job the tuning job launched (every page), in launch order; each
    stopped one described once more, to tell an early stop from the others."""
    name = description.hyper_parameter_tuning_job_name
    summaries = await training_job_summaries(client, name, status=status)
    stopped = [
        s.training_job_name for s in summaries if wire_value(s.training_job_status) == "Stopped"
    ]
    return results_of(summaries, await stop_causes(client, stopped))
