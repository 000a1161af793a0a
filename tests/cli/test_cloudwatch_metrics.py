"""Learning curves read from CloudWatch metrics (GetMetricData through botocore's client, as
against AWS): each job at the finest period CloudWatch keeps for its age, up to 500 jobs per
call, every page read."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sagetune.cli import cloudwatch_metrics
from sagetune.cli.botocore_clients import open_client
from sagetune.cli.cloudwatch_metrics import CloudWatchMetrics, finest_period
from sagetune.cli.demo import demo_request
from sagetune.cli.report_data import ReportData, collect
from sagetune.codec import from_wire
from sagetune.model import shapes
from tests.cli.conftest import Loopback

METRIC = "val_accuracy"  # the demo algorithm's objective
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "period"),
    [
        (timedelta(0), 1),
        (timedelta(hours=3) - timedelta(seconds=1), 1),
        (timedelta(hours=3), 60),
        (timedelta(days=15) - timedelta(seconds=1), 60),
        (timedelta(days=15), 300),
        (timedelta(days=63) - timedelta(seconds=1), 300),
        (timedelta(days=63), 3600),
        (timedelta(days=400), 3600),
    ],
)
def test_the_period_is_the_finest_cloudwatch_keeps_for_the_age(age: timedelta, period: int) -> None:
    assert finest_period(NOW - age, NOW) == period


async def _tune(served: Loopback, name: str, *, jobs: int, epochs: int = 6) -> None:
    document = demo_request(name, jobs=jobs, parallel=jobs)
    document["TrainingJobDefinition"]["StaticHyperParameters"]["epochs"] = str(epochs)
    document["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] = "Off"
    request = from_wire(shapes.CreateHyperParameterTuningJobRequest, document)
    await served.client.create_hyper_parameter_tuning_job(request)
    served.sim.run_until_idle()


def _logged(served: Loopback, job: str) -> list[tuple[float, float]]:
    """(simulated time, value) of each objective value the job logged."""
    return served.sim.store.metric_points(job, METRIC, 0.0, math.inf)


def _reader(served: Loopback, calls: list[dict[str, Any]], **extra: Any) -> CloudWatchMetrics:
    """CloudWatch beside the client, recording each GetMetricData request (``extra``: more
    parameters for every request)."""
    client = open_client("cloudwatch", served.client, profile=None)

    def more(params: dict[str, Any], **_: Any) -> None:
        params.update(extra)

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", more)
    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", record)
    return CloudWatchMetrics(client)


async def test_a_recent_job_is_read_at_one_second_one_point_per_logged_value(
    loopback: Loopback,
) -> None:
    await _tune(loopback, "recent", jobs=2)

    data = await collect(loopback.client, "recent")

    assert data.curves_error is None
    assert set(data.curves) == {job.name for job in data.jobs}
    for job in data.jobs:
        curve = data.curves[job.name]
        logged = _logged(loopback, job.name)
        assert job.started is not None
        start = job.started.timestamp()
        assert curve.period == 1
        assert curve.values == tuple(value for _, value in logged)
        assert len(logged) == 6  # one value per epoch
        for seconds, (t, _) in zip(curve.seconds, logged, strict=True):
            assert t - start - 1 <= seconds <= t - start + 1  # the middle of its second


async def test_a_job_older_than_three_hours_is_read_as_one_minute_averages(
    loopback: Loopback,
) -> None:
    await _tune(loopback, "older", jobs=1, epochs=12)
    loopback.sim.advance(3 * 3600)

    data = await collect(loopback.client, "older")

    [job] = data.jobs
    curve = data.curves[job.name]
    assert curve.period == 60
    assert job.started is not None
    first_minute = math.floor(job.started.timestamp() / 60) * 60
    minutes: dict[int, list[float]] = {}
    for t, value in _logged(loopback, job.name):
        minutes.setdefault(int((t - first_minute) // 60), []).append(value)
    averages = [sum(values) / len(values) for _, values in sorted(minutes.items())]
    assert len(averages) < 12  # faster than one epoch a minute: some minutes hold two
    assert curve.values == pytest.approx(averages)
    assert all(b - a >= 60 - 1e-9 for a, b in zip(curve.seconds, curve.seconds[1:], strict=False))


def _values(data: ReportData) -> dict[str, tuple[float, ...]]:
    return {job: curve.values for job, curve in data.curves.items()}


async def test_jobs_beyond_one_calls_limit_are_read_in_batches(
    loopback: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _tune(loopback, "batches", jobs=5, epochs=2)
    one_call: list[dict[str, Any]] = []
    whole = await collect(loopback.client, "batches", metrics=_reader(loopback, one_call))
    monkeypatch.setattr(cloudwatch_metrics, "MAX_QUERIES", 2)
    calls: list[dict[str, Any]] = []

    batched = await collect(loopback.client, "batches", metrics=_reader(loopback, calls))

    assert [len(call["MetricDataQueries"]) for call in one_call] == [5]
    assert [len(call["MetricDataQueries"]) for call in calls] == [2, 2, 1]
    assert len(whole.curves) == 5
    assert _values(batched) == _values(whole)


async def test_every_page_of_an_answer_is_read(loopback: Loopback) -> None:
    await _tune(loopback, "pages", jobs=3, epochs=5)
    whole = await collect(loopback.client, "pages")
    calls: list[dict[str, Any]] = []

    paged = await collect(
        loopback.client, "pages", metrics=_reader(loopback, calls, MaxDatapoints=4)
    )

    assert len(calls) == math.ceil(3 * 5 / 4)  # 15 points, 4 a page
    assert "NextToken" not in calls[0]
    assert all(call.get("NextToken") for call in calls[1:])
    assert _values(paged) == _values(whole)
    assert all(len(values) == 5 for values in _values(paged).values())
