"""CloudWatch metrics for training jobs: what SageMaker publishes, as CloudWatch serves it.

What is published (SageMaker's "Monitor and analyze training jobs using metrics"): for
every log line in which a training job's MetricDefinition regex finds a value, one data
point of the metric named after the definition, in namespace ``/aws/sagemaker/TrainingJobs``
with the single dimension ``TrainingJobName``, unit ``None``, timestamped with the line's
simulated time. Raw points are kept (the store's ``metric_points``) and aggregated per
period when asked, as CloudWatch does: a job that logs 100 rounds within a minute gives
one datapoint at ``Period=60``.

Served: ``GetMetricStatistics``, ``ListMetrics`` and ``GetMetricData``, following the API
reference (botocore's ``cloudwatch`` model); ``cloudwatch_wire`` carries them over the query,
AWS JSON 1.0 and RPC v2 CBOR protocols. The rules that shape answers:

- ``StartTime`` is inclusive and rounded down: to a multiple of ``Period`` for periods under
  a minute, else to the minute (start less than 15 days before the simulated now), 5
  minutes (15-63 days) or hour (older). ``EndTime`` is exclusive. Bucket k covers
  [start + k * Period, start + (k + 1) * Period); each bucket with points gives one
  datapoint stamped with its start.
- ``Period``: 1, 5, 10, 20, 30 or a multiple of 60 (the points are raw, so high-resolution
  periods work); GetMetricStatistics refuses more than 1,440 datapoints.
- Dimensions must be exactly ``[TrainingJobName=<job>]``; anything else matches no metric
  and gives no datapoints (not an error), as in CloudWatch.
- Statistics: SampleCount, Average, Sum, Minimum, Maximum and percentiles ``p0``-``p100``
  (nearest rank over the bucket's raw values; none when a value is negative).
- ListMetrics lists a metric while it has a point in the last two weeks of simulated time
  (``RecentlyActive=PT3H``: three hours), 500 per page.
- GetMetricData: ``ScanBy`` (newest first by default), ``MaxDatapoints`` (default 100,800)
  across all results with ``NextToken`` and ``StatusCode: PartialData`` when cut; metric
  math and Metrics Insights ``Expression`` queries are not evaluated (refused).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sagetune.errors import ServiceError
from sagetune.simulator.engine import Engine
from sagetune.simulator.members import (
    Boolean,
    Integer,
    Invalid,
    ListOf,
    Problem,
    String,
    Structure,
    Timestamp,
    query_path,
    read,
)
from sagetune.simulator.page_tokens import encode_offset, page_start
from sagetune.simulator.store import Store

__all__ = [
    "NAMESPACE",
    "CloudWatchMetrics",
    "InvalidNextToken",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "MissingParameter",
    "ValueMap",
]

NAMESPACE = "/aws/sagemaker/TrainingJobs"
DIMENSION = "TrainingJobName"
UNIT = "None"
MAX_STATISTICS_DATAPOINTS = 1440
DEFAULT_MAX_DATAPOINTS = 100_800
MAX_QUERIES = 500
LIST_PAGE = 500
LISTED_FOR = 14 * 86400.0
RECENTLY = 3 * 3600.0
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
UNITS = (
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
    "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
    "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
    "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PERCENTILE = re.compile(r"p(100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?)")
_METRIC_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


class InvalidParameterValue(ServiceError):
    CODE = "InvalidParameterValue"


class MissingParameter(ServiceError):
    CODE = "MissingParameter"


class InvalidParameterCombination(ServiceError):
    CODE = "InvalidParameterCombination"


class InvalidNextToken(ServiceError):
    CODE = "InvalidNextToken"


class ValueMap(dict[str, float]):
    """A map member (``Datapoint.ExtendedStatistics``): XML writes it as entries."""


# -- request descriptions (the cloudwatch model)

_NAMESPACE = String(1, 255, r"[^:].*")
_NAME = String(1, 255)
_DIMENSIONS = ListOf(
    Structure({"Name": _NAME, "Value": String(1, 1024)}, required=("Name", "Value")),
    max_len=30,
)
_METRIC = Structure({"Namespace": _NAMESPACE, "MetricName": _NAME, "Dimensions": _DIMENSIONS})
_UNIT = String(enum=UNITS)
_PERIOD = Integer(min=1)

GET_METRIC_STATISTICS = Structure(
    {
        "Namespace": _NAMESPACE,
        "MetricName": _NAME,
        "Dimensions": _DIMENSIONS,
        "StartTime": Timestamp(),
        "EndTime": Timestamp(),
        "Period": _PERIOD,
        "Statistics": ListOf(String(enum=STATISTICS), 1, 5),
        "ExtendedStatistics": ListOf(String(), 1, 10),
        "Unit": _UNIT,
    },
    required=("Namespace", "MetricName", "StartTime", "EndTime", "Period"),
)
LIST_METRICS = Structure(
    {
        "Namespace": _NAMESPACE,
        "MetricName": _NAME,
        "Dimensions": ListOf(
            Structure({"Name": _NAME, "Value": String(1, 1024)}, required=("Name",)),
            max_len=10,
        ),
        "NextToken": String(),
        "RecentlyActive": String(enum=("PT3H",)),
        "IncludeLinkedAccounts": Boolean(),
        "OwningAccount": String(1, 255),
    }
)
_QUERY = Structure(
    {
        "Id": String(1, 255),
        "MetricStat": Structure(
            {"Metric": _METRIC, "Period": _PERIOD, "Stat": String(), "Unit": _UNIT},
            required=("Metric", "Period", "Stat"),
        ),
        "Expression": String(1, 2048),
        "Label": String(),
        "ReturnData": Boolean(),
        "Period": _PERIOD,
        "AccountId": String(1, 255),
    },
    required=("Id",),
)
GET_METRIC_DATA = Structure(
    {
        "MetricDataQueries": ListOf(_QUERY),
        "StartTime": Timestamp(),
        "EndTime": Timestamp(),
        "NextToken": String(),
        "ScanBy": String(enum=("TimestampDescending", "TimestampAscending")),
        "MaxDatapoints": Integer(),
        "LabelOptions": Structure({"Timezone": String()}),
    },
    required=("MetricDataQueries", "StartTime", "EndTime"),
)

Bucket = tuple[float, list[float]]
"""(bucket start in epoch seconds, the raw values in it)."""


class CloudWatchMetrics:
    """The CloudWatch metric operations over the engine's training jobs and stored points."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self._operations: Mapping[str, tuple[Structure, Callable[[dict[str, Any]], Any]]] = {
            "GetMetricStatistics": (GET_METRIC_STATISTICS, self.get_metric_statistics),
            "ListMetrics": (LIST_METRICS, self.list_metrics),
            "GetMetricData": (GET_METRIC_DATA, self.get_metric_data),
        }

    def knows(self, operation: str) -> bool:
        return operation in self._operations

    def call(self, operation: str, data: object, *, text: bool = False) -> dict[str, Any]:
        """Answer ``operation``; ``text``: the members came as the query protocol's strings."""
        entry = self._operations.get(operation)
        if entry is None:
            raise ServiceError(
                f"The simulator serves CloudWatch {', '.join(self._operations)}, not {operation}.",
                code="InvalidAction",
            )
        shape, handler = entry
        try:
            request = read(shape, data, text=text)
        except Invalid as invalid:
            raise _refusal(invalid.problems) from None
        result: dict[str, Any] = handler(request)
        return result

    # -- published metrics

    def _job_of(self, metric: Mapping[str, Any]) -> str | None:
        """The training job whose published metric ``metric`` names, if any."""
        dimensions = metric.get("Dimensions") or []
        if metric.get("Namespace") != NAMESPACE or len(dimensions) != 1:
            return None
        (dimension,) = dimensions
        if dimension["Name"] != DIMENSION:
            return None
        rec = self.engine.training_job(dimension["Value"])
        if rec is None or metric.get("MetricName") not in rec.final_metrics:
            return None
        return rec.name

    def _buckets(
        self,
        metric: Mapping[str, Any],
        unit: str | None,
        start: float,
        end: float,
        period: int,
    ) -> list[Bucket]:
        job = self._job_of(metric)
        if job is None or (unit is not None and unit != UNIT):
            return []
        buckets: dict[int, list[float]] = {}
        for t, value in self.store.metric_points(job, metric["MetricName"], start, end):
            buckets.setdefault(int((t - start) // period), []).append(value)
        return [(start + k * period, values) for k, values in sorted(buckets.items())]

    def _rounded_start(self, start: float, period: int) -> float:
        if period < 60:
            step = period
        else:
            age = self.engine.now - start
            step = 60 if age < 15 * 86400 else 300 if age <= 63 * 86400 else 3600
        return math.floor(start / step) * step

    # -- operations

    def get_metric_statistics(self, request: dict[str, Any]) -> dict[str, Any]:
        statistics = request.get("Statistics")
        extended = request.get("ExtendedStatistics")
        if (statistics is None) == (extended is None):
            raise InvalidParameterCombination(
                "Must specify either Statistics or ExtendedStatistics, but not both."
            )
        for i, name in enumerate(extended or ()):
            _percentile(name, f"ExtendedStatistics.member.{i + 1}")
        period = _period(request["Period"], "Period")
        start, end = _window(request)
        start = self._rounded_start(start, period)
        wanted = math.ceil((end - start) / period)
        if wanted > MAX_STATISTICS_DATAPOINTS:
            raise InvalidParameterCombination(
                f"You have requested up to {wanted:,} datapoints, which exceeds the limit of "
                f"{MAX_STATISTICS_DATAPOINTS:,}. You may reduce the datapoints requested by "
                "increasing Period, or decreasing the time range."
            )
        datapoints = []
        for bucket_start, values in self._buckets(request, request.get("Unit"), start, end, period):
            point: dict[str, Any] = {"Timestamp": _datetime(bucket_start)}
            for name in statistics or ():
                point[name] = _statistic(name, values)
            if extended:
                found = {p: _statistic(p, values) for p in extended}
                point["ExtendedStatistics"] = ValueMap(
                    {p: v for p, v in found.items() if v is not None}
                )
            point["Unit"] = UNIT
            datapoints.append(point)
        return {"Label": request["MetricName"], "Datapoints": datapoints}

    def list_metrics(self, request: dict[str, Any]) -> dict[str, Any]:
        namespace = request.get("Namespace")
        name = request.get("MetricName")
        filters = request.get("Dimensions") or []
        owner = request.get("OwningAccount")
        since = self.engine.now - (
            RECENTLY if request.get("RecentlyActive") == "PT3H" else LISTED_FOR
        )
        found: list[tuple[str, str]] = []
        if namespace in (None, NAMESPACE) and owner in (None, self.engine.account_id):
            for rec in self.engine.training_jobs():
                for metric, (_, last_t) in rec.final_metrics.items():
                    if (
                        last_t >= since
                        and name in (None, metric)
                        and all(
                            f["Name"] == DIMENSION and f.get("Value") in (None, rec.name)
                            for f in filters
                        )
                    ):
                        found.append((metric, rec.name))
        found.sort()
        start = page_start(
            request.get("NextToken"),
            "metrics",
            len(found),
            lambda: InvalidParameterValue("The parameter NextToken is invalid."),
        )
        page = found[start : start + LIST_PAGE]
        result: dict[str, Any] = {
            "Metrics": [
                {
                    "Namespace": NAMESPACE,
                    "MetricName": metric,
                    "Dimensions": [{"Name": DIMENSION, "Value": job}],
                }
                for metric, job in page
            ]
        }
        if start + LIST_PAGE < len(found):
            result["NextToken"] = encode_offset("metrics", start + LIST_PAGE)
        if request.get("IncludeLinkedAccounts"):
            result["OwningAccounts"] = [self.engine.account_id] * len(page)
        return result

    def get_metric_data(self, request: dict[str, Any]) -> dict[str, Any]:
        queries: list[dict[str, Any]] = request["MetricDataQueries"]
        _check_queries(queries)
        start, end = _window(request)
        limit = request.get("MaxDatapoints", DEFAULT_MAX_DATAPOINTS)
        if limit < 1:
            raise InvalidParameterValue(
                f"The parameter MaxDatapoints must be greater than 0 (got {limit})."
            )
        newest_first = request.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        series: list[tuple[dict[str, Any], list[tuple[float, float]]]] = []
        for query in queries:
            if query.get("ReturnData", True) is False:
                continue
            stat = query["MetricStat"]
            period = stat["Period"]
            points = [
                (bucket_start, value)
                for bucket_start, values in self._buckets(
                    stat["Metric"],
                    stat.get("Unit"),
                    self._rounded_start(start, period),
                    end,
                    period,
                )
                if (value := _statistic(stat["Stat"], values)) is not None
            ]
            series.append((query, points[::-1] if newest_first else points))
        total = sum(len(points) for _, points in series)
        first = page_start(
            request.get("NextToken"),
            "metric-data",
            total,
            lambda: InvalidNextToken("The specified NextToken is invalid."),
        )
        last = min(first + limit, total)
        results = []
        offset = 0
        for query, points in series:
            shown = points[max(0, first - offset) : max(0, last - offset)]
            cut = offset + len(points) > last
            offset += len(points)
            results.append(
                {
                    "Id": query["Id"],
                    "Label": query.get("Label", query["MetricStat"]["Metric"]["MetricName"]),
                    "Timestamps": [_datetime(t) for t, _ in shown],
                    "Values": [v for _, v in shown],
                    "StatusCode": "PartialData" if cut else "Complete",
                    "Messages": [],
                }
            )
        result: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if last < total:
            result["NextToken"] = encode_offset("metric-data", last)
        return result


# -- checks beyond the model


def _refusal(problems: Sequence[Problem]) -> ServiceError:
    for problem in problems:
        if problem.kind == "missing":
            return MissingParameter(f"The parameter {query_path(problem.path)} is required.")
    return InvalidParameterValue(" ".join(_sentence(p) for p in problems))


def _sentence(problem: Problem) -> str:
    """``The parameter Period must be greater than 0.``: CloudWatch's wording of a rule."""
    rule = problem.rule.removeprefix("Member ")
    rule = rule.replace("have value greater than or equal to 1", "be greater than 0")
    rule = rule.replace("have value ", "be ")
    sentence = f"The parameter {query_path(problem.path)} {rule}"
    if problem.kind == "type" or not isinstance(problem.value, int | float):
        shown = "null" if problem.value is None else f"the {problem.got} {problem.value!r}"
        sentence += f" (got {shown})"
    return sentence + "."


def _window(request: Mapping[str, Any]) -> tuple[float, float]:
    start, end = request["StartTime"], request["EndTime"]
    if not start < end:
        raise InvalidParameterValue(
            "The parameter StartTime must be less than the parameter EndTime."
        )
    return float(start), float(end)


def _period(period: int, where: str) -> int:
    if period not in HIGH_RESOLUTION_PERIODS and period % 60:
        raise InvalidParameterValue(
            f"The parameter {where} must be 1, 5, 10, 20, 30 or a multiple of 60 (got {period})."
        )
    return period


def _percentile(name: str, where: str) -> float:
    match = _PERCENTILE.fullmatch(name)
    if match is None:
        raise InvalidParameterValue(
            f"The parameter {where} must be a percentile p0.0 to p100 (got {name[:32]!r})."
        )
    return float(match.group(1))


def _check_queries(queries: list[dict[str, Any]]) -> None:
    if not 1 <= len(queries) <= MAX_QUERIES:
        raise InvalidParameterValue(
            f"The collection MetricDataQueries must have 1 to {MAX_QUERIES} members "
            f"(got {len(queries)})."
        )
    seen: set[str] = set()
    for i, query in enumerate(queries, 1):
        where = f"MetricDataQueries.member.{i}"
        if _METRIC_ID.fullmatch(query["Id"]) is None:
            raise InvalidParameterValue(
                f"The parameter {where}.Id must start with a lowercase letter and hold "
                f"letters, digits and underscores only (got {query['Id'][:32]!r})."
            )
        if query["Id"] in seen:
            raise InvalidParameterValue(f"The Id {query['Id'][:32]!r} is used more than once.")
        seen.add(query["Id"])
        if "Expression" in query:
            raise InvalidParameterValue(
                f"{where}.Expression: the simulator does not evaluate metric math or Metrics "
                "Insights expressions; query each metric with MetricStat."
            )
        stat = query.get("MetricStat")
        if stat is None:
            raise MissingParameter(f"The parameter {where}.MetricStat is required.")
        if stat["Stat"] not in STATISTICS:
            _percentile(stat["Stat"], f"{where}.MetricStat.Stat")
        _period(stat["Period"], f"{where}.MetricStat.Period")


def _statistic(name: str, values: Sequence[float]) -> float | None:
    if name == "SampleCount":
        return float(len(values))
    if name == "Sum":
        return math.fsum(values)
    if name == "Average":
        return math.fsum(values) / len(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    return _nearest_rank(float(name[1:]), values)


def _nearest_rank(percent: float, values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if ordered[0] < 0:  # CloudWatch: no percentiles over negative values
        return None
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _datetime(seconds: float) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)
