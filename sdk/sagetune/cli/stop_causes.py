"""Why a stopped training job stopped, read from what the service says about that job.

A training job of a tuning job ends ``Stopped`` for one of four reasons:

- its own StoppingCondition: DescribeTrainingJob's SecondaryStatus is ``MaxRuntimeExceeded``
  (``MaxWaitTimeExceeded`` for managed spot training), as the API reference documents;
- early stopping by its tuning job (the median rule of ``TrainingJobEarlyStoppingType:
  Auto``, or a Hyperband rung): SecondaryStatus ``Stopped``;
- StopTrainingJob by hand: SecondaryStatus ``Stopped``;
- its tuning job ended (StopHyperParameterTuningJob, or a completion criterion was met) and
  stopped its running jobs: SecondaryStatus ``Stopped``.

Nothing else tells them apart: ListTrainingJobsForHyperParameterTuningJob's summaries and
the tuning job's TrainingJobStatusCounters say ``Stopped`` for all four, and the tuning job's
configuration cannot decide either (a job of a tuning job with early stopping on may still
hit its runtime limit, or be stopped with its tuning job). The difference lies in the
training job's own SecondaryStatusTransitions: the StatusMessage of the transition that
stopped it. So "stopped early" is a claim made only when that message says so (it mentions
stopping *early*); any other stop is shown as ``Stopped``, with the secondary status when it
names a limit. AWS documents the secondary statuses but not the wording of status messages
("subject to change"), so against AWS an early stop whose message does not say "early" is
shown as a plain ``Stopped``: the display may under-claim an early stop, never over-claim
one. The sagetune simulator's messages say "stopped early" for the median rule and
Hyperband, and never for the other reasons.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from sagetune.cli.tuning_facts import wire_value
from sagetune.errors import ServiceError
from sagetune.model import shapes

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient

CONCURRENT_DESCRIBE_CALLS = 8
PAGE_SIZE = 100  # the service's maximum MaxResults

_EARLY = re.compile(r"\bearly\b", re.IGNORECASE)
_STOP_STATUSES = frozenset({"Stopping", "Stopped", "MaxRuntimeExceeded", "MaxWaitTimeExceeded"})


@attrs.frozen(kw_only=True)
class StopCause:
    """What stopped a training job: ``secondary_status`` as the service reports it
    (``Stopped``, ``MaxRuntimeExceeded``, ...), ``early`` when its status message says the
    tuning job stopped it early, and that message."""

    secondary_status: str
    early: bool
    message: str | None = None

    @property
    def limit(self) -> str | None:
        """The secondary status when it names why the job stopped (``MaxRuntimeExceeded``,
        ``MaxWaitTimeExceeded``), else None."""
        if self.secondary_status in ("Stopped", "Stopping", ""):
            return None
        return self.secondary_status


UNKNOWN = StopCause(secondary_status="", early=False)
"""A stop whose training job could not be described: never claimed to be early."""


def stop_cause(description: shapes.DescribeTrainingJobResponse) -> StopCause:
    """Read one training job's description (any status; ``early`` only when Stopped)."""
    secondary = wire_value(description.secondary_status or "")
    message = None
    for transition in reversed(description.secondary_status_transitions or ()):
        if wire_value(transition.status) in _STOP_STATUSES and transition.status_message:
            message = transition.status_message
            break
    early = (
        wire_value(description.training_job_status) == "Stopped"
        and secondary == "Stopped"
        and message is not None
        and _EARLY.search(message) is not None
    )
    return StopCause(secondary_status=secondary, early=early, message=message)


async def stop_causes(
    client: AsyncSageMakerClient, training_jobs: Iterable[str]
) -> dict[str, StopCause]:
    """DescribeTrainingJob for each name (a few at a time): name -> why it stopped. A job
    that cannot be described (deleted, no permission) gets :data:`UNKNOWN`."""
    gate = asyncio.Semaphore(CONCURRENT_DESCRIBE_CALLS)

    async def one(name: str) -> tuple[str, StopCause]:
        async with gate:
            try:
                description = await client.describe_training_job(
                    shapes.DescribeTrainingJobRequest(training_job_name=name)
                )
            except ServiceError:
                return name, UNKNOWN
        return name, stop_cause(description)

    found = await asyncio.gather(*(one(name) for name in dict.fromkeys(training_jobs)))
    return dict(found)


class StopTally:
    """The early stops among a tuning job's stopped training jobs, kept across polls.

    A stopped training job never changes, so each is described once; a poll costs nothing
    more than the description it already made unless the Stopped counter went up (then
    one ListTrainingJobsForHyperParameterTuningJob with StatusEquals=Stopped, and a
    DescribeTrainingJob per newly stopped job).
    """

    def __init__(self) -> None:
        self._causes: dict[str, StopCause] = {}

    @property
    def causes(self) -> Mapping[str, StopCause]:
        return self._causes

    async def early_stops(
        self,
        client: AsyncSageMakerClient,
        description: shapes.DescribeHyperParameterTuningJobResponse,
    ) -> int:
        """How many of the tuning job's stopped training jobs were stopped early."""
        stopped = description.training_job_status_counters.stopped or 0
        if stopped > len(self._causes):
            summaries = await training_job_summaries(
                client, description.hyper_parameter_tuning_job_name, status="Stopped"
            )
            names = [summary.training_job_name for summary in summaries]
            new = [name for name in names if name not in self._causes]
            self._causes.update(await stop_causes(client, new))
        return sum(cause.early for cause in self._causes.values())


async def training_job_summaries(
    client: AsyncSageMakerClient, tuning_job: str, *, status: str | None = None
) -> list[shapes.HyperParameterTrainingJobSummary]:
    """The tuning job's training jobs (every page), optionally of one status."""
    request = shapes.ListTrainingJobsForHyperParameterTuningJobRequest(
        hyper_parameter_tuning_job_name=tuning_job,
        max_results=PAGE_SIZE,
        status_equals=status,
    )
    paginator = client.paginate_list_training_jobs_for_hyper_parameter_tuning_job(request)
    return [summary async for summary in paginator]
