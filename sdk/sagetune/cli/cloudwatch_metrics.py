"""Training jobs' learning curves, read from CloudWatch metrics where SageMaker publishes them.

SageMaker sends every value a MetricDefinition's regex finds in a training job's log to
CloudWatch as it is logged: namespace ``/aws/sagemaker/TrainingJobs``, the definition's
name as the metric name, the one dimension ``TrainingJobName``. A curve is read with
GetMetricData, statistic ``Average`` (what the SageMaker Python SDK's TrainingJobAnalytics
asks for), up to 500 training jobs per call, every page (``NextToken``). The calls go
through botocore's ``cloudwatch`` client (:mod:`~sagetune.cli.botocore_clients`): the same
against AWS and against a sagetune simulator, which serves CloudWatch too.

**The period.** CloudWatch answers one point per period, the average of the values logged
in it. TrainingJobAnalytics asks for 60 s, so a job that logs an epoch every few seconds
comes back as a handful of points (aws/amazon-sagemaker-examples#945, "returns only a
single timestamp"). SageMaker's training-metrics page says CloudWatch keeps those metrics at
1-second resolution for 3 hours; CloudWatch's MetricStat reference says that beyond 3 hours
the period must be a multiple of 60 s (15 days: 300 s, 63 days: 3600 s), or nothing comes
back. So each training job is read at the finest period its age allows on the service's
clock (:func:`finest_period`): 1 s while its training started less than 3 hours ago, then
60, 300, 3600 s. A call's StartTime is what the rule looks at, so jobs are read in groups of
one period each.

**The x axis.** Each point is placed at the middle of its period, in seconds since the
job's training started (clamped to the job's span): a curve of 60 s averages and a curve of
per-epoch values share the axis honestly, whatever pace the epochs came at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from sagetune.cli import botocore_clients

if TYPE_CHECKING:
    from botocore.client import BaseClient

NAMESPACE = "/aws/sagemaker/TrainingJobs"
DIMENSION = "TrainingJobName"
STATISTIC = "Average"
MAX_QUERIES = 500
"""GetMetricData's limit of MetricDataQueries per call."""
RETENTION = (
    (timedelta(hours=3), 1),
    (timedelta(days=15), 60),
    (timedelta(days=63), 300),
)
"""(age, finest period in seconds) while a data point is younger than that age."""
OLDEST_PERIOD = 3600
END_MARGIN = timedelta(minutes=1)
"""Read a minute past a job's end (as TrainingJobAnalytics does): its last lines' points."""


@attrs.frozen(kw_only=True)
class CurveWindow:
    """A training job to read: when its training started and ended (None: still running)."""

    job: str
    start: datetime
    end: datetime | None = None


@attrs.frozen(kw_only=True)
class Curve:
    """A metric of one training job: one value per period, at the period's middle in
    seconds since the job's training started."""

    period: int
    seconds: tuple[float, ...]
    values: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.values)


def finest_period(start: datetime, now: datetime) -> int:
    """The finest period CloudWatch still has data at for points from ``start`` on."""
    age = now - start
    for younger_than, period in RETENTION:
        if age < younger_than:
            return period
    return OLDEST_PERIOD


class CloudWatchMetrics:
    """Curves of training jobs' metrics over a botocore ``cloudwatch`` client."""

    def __init__(self, client: BaseClient) -> None:
        self._client: Any = client  # botocore's methods are made at run time

    async def curves(
        self, metric: str, windows: Sequence[CurveWindow], *, now: datetime
    ) -> dict[str, Curve]:
        """``metric`` of each job in ``windows`` (jobs without a point are left out);
        ``now``: the service's clock, which decides each job's period."""
        groups: dict[int, list[CurveWindow]] = {}
        for window in windows:
            groups.setdefault(finest_period(window.start, now), []).append(window)
        curves: dict[str, Curve] = {}
        for period, group in sorted(groups.items()):
            for first in range(0, len(group), MAX_QUERIES):
                batch = group[first : first + MAX_QUERIES]
                points = await self._read(metric, batch, period, now)
                for window, found in zip(batch, points, strict=True):
                    if found:
                        curves[window.job] = _curve(window, found, period, now)
        return curves

    async def _read(
        self, metric: str, batch: Sequence[CurveWindow], period: int, now: datetime
    ) -> list[list[tuple[datetime, float]]]:
        """One GetMetricData query per job, every page: each job's (period start, value)."""
        queries = [
            {
                "Id": f"job{index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": DIMENSION, "Value": window.job}],
                    },
                    "Period": period,
                    "Stat": STATISTIC,
                },
            }
            for index, window in enumerate(batch)
        ]
        request: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": min(window.start for window in batch),
            "EndTime": max(window.end or now for window in batch) + END_MARGIN,
            "ScanBy": "TimestampAscending",
        }
        found: dict[str, list[tuple[datetime, float]]] = {}
        while True:
            answer = await botocore_clients.call(
                "GetMetricData", self._client.get_metric_data, **request
            )
            for result in answer.get("MetricDataResults") or ():
                pairs = zip(result.get("Timestamps") or (), result.get("Values") or (), strict=True)
                found.setdefault(str(result.get("Id")), []).extend(pairs)
            token = answer.get("NextToken")
            if not token:
                break
            request["NextToken"] = token
        return [sorted(found.get(f"job{index}", ())) for index in range(len(batch))]


def _curve(
    window: CurveWindow, points: Sequence[tuple[datetime, float]], period: int, now: datetime
) -> Curve:
    span = ((window.end or now) - window.start).total_seconds()
    seconds = tuple(
        min(max((t - window.start).total_seconds() + period / 2, 0.0), span) for t, _ in points
    )
    return Curve(period=period, seconds=seconds, values=tuple(float(v) for _, v in points))
