"""CloudWatch metrics of training jobs, through boto3 in each wire protocol botocore knows
for CloudWatch, and the byte-level worked examples of each protocol.

Protocols: ``query`` (botocore <= 1.42.6), ``json`` (AWS JSON 1.0, botocore >= 1.42.7, the
installed default) and ``smithy-rpc-v2-cbor`` (no released botocore picks it; a botocore
client forced to it, and the hand-built example of the notes).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from botocore.exceptions import ClientError

from sagetune.simulator import ENDPOINT_URL, AlgorithmContext, Simulator
from sagetune.simulator.clock import ManualClock
from tests.simulator.builders import training_request
from tests.simulator.cloudwatch_helpers import (
    START_UP,
    Loopback,
    cloudwatch_client,
    signed_post,
    steps_job,
)

NAMESPACE = "/aws/sagemaker/TrainingJobs"
PROTOCOLS = ["query", "json", "smithy-rpc-v2-cbor"]
UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Loopback, float]]:
    """Two finished jobs: ``curve`` (30 losses, 10 s apart) and ``other`` (5 losses)."""
    lb = Loopback()
    created = lb.create(steps_job("curve", steps=30, gap=10))
    lb.create(steps_job("other", steps=5, gap=10))
    lb.advance(1000)
    yield lb, created
    lb.close()


@pytest.fixture(scope="module", params=PROTOCOLS)
def cw(
    request: pytest.FixtureRequest,
    served: tuple[Loopback, float],
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    """A CloudWatch client per protocol, built once (no test changes it)."""
    return cloudwatch_client(served[0].url, request.param, tmp_path_factory.mktemp("models"))


def loss_points(created: float, steps: int = 30) -> list[tuple[float, float]]:
    """What the ``curve`` job published: (time, value) of each loss line."""
    return [(created + START_UP + 10 * (i + 1), float(f"{1 / (i + 1):.6f}")) for i in range(steps)]


def aggregate(points: list[tuple[float, float]], start: float, period: int) -> list[Any]:
    buckets: dict[int, list[float]] = {}
    for t, value in points:
        buckets.setdefault(int((t - start) // period), []).append(value)
    return [(start + k * period, values) for k, values in sorted(buckets.items())]


def at(seconds: float) -> datetime:
    return UTC_EPOCH + timedelta(seconds=seconds)


def dims(job: str) -> list[dict[str, str]]:
    return [{"Name": "TrainingJobName", "Value": job}]


def code_of(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = excinfo.value.response["Error"]["Code"]
    return code


def test_get_metric_statistics_aggregates_each_period(
    cw: Any, served: tuple[Loopback, float]
) -> None:
    _, created = served
    answer = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="loss",
        Dimensions=dims("curve"),
        StartTime=at(created + 30),  # rounded down to the minute
        EndTime=at(created + 600),
        Period=60,
        Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
    )
    assert answer["Label"] == "loss"
    expected = [
        {
            "Timestamp": at(start),
            "SampleCount": float(len(values)),
            "Average": math.fsum(values) / len(values),
            "Sum": math.fsum(values),
            "Minimum": min(values),
            "Maximum": max(values),
            "Unit": "None",
        }
        for start, values in aggregate(loss_points(created), created, 60)
    ]
    assert sorted(answer["Datapoints"], key=lambda p: p["Timestamp"]) == expected
    assert [p["SampleCount"] for p in expected] == [3.0, 6.0, 6.0, 6.0, 6.0, 3.0]


def test_short_periods_give_every_raw_point_and_percentiles(
    cw: Any, served: tuple[Loopback, float]
) -> None:
    _, created = served
    answer = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="loss",
        Dimensions=dims("curve"),
        StartTime=at(created),
        EndTime=at(created + 600),
        Period=10,
        ExtendedStatistics=["p50", "p100"],
    )
    points = sorted(answer["Datapoints"], key=lambda p: p["Timestamp"])
    assert [(p["Timestamp"], p["ExtendedStatistics"]["p100"]) for p in points] == [
        (at(t), v) for t, v in loss_points(created)
    ]
    minute = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="loss",
        Dimensions=dims("curve"),
        StartTime=at(created + 120),
        EndTime=at(created + 180),
        Period=60,
        ExtendedStatistics=["p50", "p0"],
    )["Datapoints"]
    values = sorted(v for t, v in loss_points(created) if created + 120 <= t < created + 180)
    assert minute[0]["ExtendedStatistics"] == {"p50": values[2], "p0": values[0]}


def test_only_the_published_dimensions_and_unit_match(
    cw: Any, served: tuple[Loopback, float]
) -> None:
    _, created = served
    window = {"StartTime": at(created), "EndTime": at(created + 600), "Period": 60}
    for dimensions in ([], dims("nobody"), [*dims("curve"), {"Name": "Host", "Value": "x"}]):
        answer = cw.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName="loss",
            Dimensions=dimensions,
            Statistics=["Average"],
            **window,
        )
        assert answer["Datapoints"] == []
    seconds = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="loss",
        Dimensions=dims("curve"),
        Statistics=["Average"],
        Unit="Seconds",
        **window,
    )
    assert seconds["Datapoints"] == []


def test_list_metrics_filters(cw: Any, served: tuple[Loopback, float]) -> None:
    def listed(**filters: Any) -> list[tuple[str, str]]:
        metrics = cw.list_metrics(**filters)["Metrics"]
        assert all(m["Namespace"] == NAMESPACE for m in metrics)
        return [(m["MetricName"], m["Dimensions"][0]["Value"]) for m in metrics]

    assert listed() == [("loss", "curve"), ("loss", "other")]
    assert listed(Dimensions=[{"Name": "TrainingJobName", "Value": "other"}]) == [("loss", "other")]
    assert listed(Dimensions=[{"Name": "TrainingJobName"}], MetricName="loss") == [
        ("loss", "curve"),
        ("loss", "other"),
    ]
    assert listed(Namespace="AWS/EC2") == []
    assert listed(MetricName="accuracy") == []
    assert listed(Dimensions=[{"Name": "Host"}]) == []
    assert listed(RecentlyActive="PT3H") == [("loss", "curve"), ("loss", "other")]


def test_get_metric_data_scans_both_ways_and_pages(cw: Any, served: tuple[Loopback, float]) -> None:
    _, created = served

    def query(identifier: str, job: str, **extra: Any) -> dict[str, Any]:
        metric = {"Namespace": NAMESPACE, "MetricName": "loss", "Dimensions": dims(job)}
        return {
            "Id": identifier,
            "MetricStat": {"Metric": metric, "Period": 10, "Stat": "Average"},
            **extra,
        }

    queries = [
        query("curve", "curve"),
        query("hidden", "curve", ReturnData=False),
        query("other", "other", Label="the other job"),
    ]
    window = {"StartTime": at(created), "EndTime": at(created + 3600)}
    ascending = cw.get_metric_data(MetricDataQueries=queries, ScanBy="TimestampAscending", **window)
    curve, other = ascending["MetricDataResults"]
    assert (curve["Id"], curve["Label"], curve["StatusCode"]) == ("curve", "loss", "Complete")
    assert curve["Timestamps"] == [at(t) for t, _ in loss_points(created)]
    assert curve["Values"] == [v for _, v in loss_points(created)]
    assert (other["Label"], len(other["Values"])) == ("the other job", 5)
    assert "NextToken" not in ascending
    newest = cw.get_metric_data(MetricDataQueries=queries, **window)["MetricDataResults"]
    assert newest[0]["Values"] == curve["Values"][::-1]

    pages = []
    token: dict[str, str] = {}
    while True:
        page = cw.get_metric_data(
            MetricDataQueries=queries,
            ScanBy="TimestampAscending",
            MaxDatapoints=12,
            **window,
            **token,
        )
        pages.append(page)
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert [sum(len(r["Values"]) for r in p["MetricDataResults"]) for p in pages] == [12, 12, 11]
    assert [r["StatusCode"] for r in pages[0]["MetricDataResults"]] == [
        "PartialData",
        "PartialData",
    ]
    assert [r["StatusCode"] for r in pages[2]["MetricDataResults"]] == ["Complete", "Complete"]
    joined = [v for p in pages for v in p["MetricDataResults"][0]["Values"]]
    assert joined == curve["Values"]


def test_what_trainingjobanalytics_asks_gives_one_row_per_minute(
    cw: Any, served: tuple[Loopback, float]
) -> None:
    """sagemaker v2 ``TrainingJobAnalytics`` (analytics.py:340-397): from TrainingStartTime
    to TrainingEndTime plus a minute, Period 60, Average."""
    lb, created = served
    job = lb.client("sagemaker").describe_training_job(TrainingJobName="curve")
    answer = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="loss",
        Dimensions=dims("curve"),
        StartTime=job["TrainingStartTime"],
        EndTime=job["TrainingEndTime"] + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )
    rows = sorted((p["Timestamp"], p["Average"]) for p in answer["Datapoints"])
    expected = aggregate(loss_points(created), created + 60, 60)  # start rounds to a minute
    assert rows == [(at(start), math.fsum(v) / len(v)) for start, v in expected]


def test_errors_are_the_modeled_ones_in_every_protocol(
    cw: Any, served: tuple[Loopback, float]
) -> None:
    _, created = served
    base: dict[str, Any] = {
        "Namespace": NAMESPACE,
        "MetricName": "loss",
        "Dimensions": dims("curve"),
        "StartTime": at(created),
        "EndTime": at(created + 600),
        "Period": 60,
        "Statistics": ["Average"],
    }
    with pytest.raises(cw.exceptions.InvalidParameterValueException) as excinfo:
        cw.get_metric_statistics(**{**base, "Period": 7})
    assert excinfo.value.response["Error"]["Message"] == (
        "The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60 (got 7)."
    )
    with pytest.raises(cw.exceptions.InvalidParameterValueException):
        cw.get_metric_statistics(**{**base, "EndTime": at(created)})
    with pytest.raises(cw.exceptions.InvalidParameterCombinationException) as excinfo:
        cw.get_metric_statistics(**{**base, "ExtendedStatistics": ["p90"]})
    assert code_of(excinfo) == "InvalidParameterCombination"
    with pytest.raises(cw.exceptions.InvalidParameterCombinationException) as excinfo:
        cw.get_metric_statistics(**{**base, "Period": 1, "EndTime": at(created + 86400)})
    assert "exceeds the limit of 1,440" in excinfo.value.response["Error"]["Message"]
    metric = {"Namespace": NAMESPACE, "MetricName": "loss", "Dimensions": dims("curve")}
    stat = {"Metric": metric, "Period": 60, "Stat": "Average"}
    window = {"StartTime": at(created), "EndTime": at(created + 600)}
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.get_metric_data(
            MetricDataQueries=[{"Id": "a", "MetricStat": stat}], NextToken="forged", **window
        )
    with pytest.raises(cw.exceptions.InvalidParameterValueException):
        cw.get_metric_data(
            MetricDataQueries=[{"Id": "e", "Expression": "SUM(METRICS())"}], **window
        )
    with pytest.raises(cw.exceptions.InvalidParameterValueException):
        cw.get_metric_data(MetricDataQueries=[{"Id": "Upper", "MetricStat": stat}], **window)


# -- the worked examples of each protocol, byte for byte
# (/work/notes/fidelity/cloudwatch-metrics.md, section 3)

QUERY_BODY = (
    "Action=GetMetricStatistics&Version=2010-08-01&Namespace=%2Faws%2Fsagemaker%2FTrainingJobs"
    "&MetricName=validation%3Armse&Dimensions.member.1.Name=TrainingJobName"
    "&Dimensions.member.1.Value=job-1&StartTime=2024-01-01T00%3A00%3A00Z"
    "&EndTime=2024-01-01T01%3A00%3A00Z&Period=60&Statistics.member.1=Average"
)
JSON_BODY = (
    '{"Namespace": "/aws/sagemaker/TrainingJobs", "MetricName": "validation:rmse", '
    '"Dimensions": [{"Name": "TrainingJobName", "Value": "job-1"}], "StartTime": 1704067200, '
    '"EndTime": 1704070800, "Period": 60, "Statistics": ["Average"]}'
)
CBOR_REQUEST = bytes.fromhex(
    "a7694e616d657370616365781b2f6177732f736167656d616b65722f547261696e696e674a6f62736a4d65"
    "747269634e616d656f76616c69646174696f6e3a726d73656a44696d656e73696f6e7381a2644e616d656f"
    "547261696e696e674a6f624e616d656556616c7565656a6f622d3169537461727454696d65c11a65920080"
    "67456e6454696d65c11a65920e9066506572696f64183c6a53746174697374696373816741766572616765"
)
CBOR_RESPONSE = bytes.fromhex(
    "a2654c6162656c6f76616c69646174696f6e3a726d73656a44617461706f696e747381a36954696d657374"
    "616d70c11a659200bc6741766572616765fb3fe000000000000064556e6974644e6f6e65"
)
CBOR_ERROR = bytes.fromhex(
    "a2665f5f747970657837636f6d2e616d617a6f6e6177732e636c6f7564776174636823496e76616c696450"
    "6172616d6574657256616c7565457863657074696f6e676d657373616765782c54686520706172616d6574"
    "657220506572696f64206d7573742062652067726561746572207468616e20302e"
)
CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/GetMetricStatistics"
CBOR_HEADERS = {
    "smithy-protocol": "rpc-v2-cbor",
    "Content-Type": "application/cbor",
    "Accept": "application/cbor",
    "x-amzn-query-mode": "true",
}
JSON_HEADERS = {
    "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricStatistics",
    "Content-Type": "application/x-amz-json-1.0",
    "x-amzn-query-mode": "true",
}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def example(hyperparameters: Any, context: AlgorithmContext) -> Iterator[tuple[float, str]]:
    """Two validation:rmse values, 0.4 and 0.6, within the job's second minute."""
    del hyperparameters, context
    yield 0.0, "validation-rmse=0.4"
    yield 10.0, "validation-rmse=0.6"


@pytest.fixture
def example_http() -> Iterator[httpx.Client]:
    """The notes' situation: job-1 on 2024-01-01, averaging 0.5 in minute 00:01."""
    sim = Simulator(clock=ManualClock(start=datetime(2024, 1, 1, tzinfo=UTC).timestamp()))
    sim.register_algorithm("example:1", example)
    request = training_request("job-1", "example:1", {})
    request["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "validation:rmse", "Regex": r"validation-rmse=([0-9.]+)"}
    ]
    with httpx.Client(transport=sim.transport()) as http:
        response = signed_post(
            http,
            ENDPOINT_URL,
            "/",
            {
                "X-Amz-Target": "SageMaker.CreateTrainingJob",
                "Content-Type": "application/x-amz-json-1.1",
            },
            json.dumps(request).encode(),
            service="sagemaker",
        )
        assert response.status_code == 200, response.text
        sim.run_until_idle()
        yield http
    sim.close()


def test_query_example(example_http: httpx.Client) -> None:
    response = signed_post(example_http, ENDPOINT_URL, "/", FORM_HEADERS, QUERY_BODY.encode())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml"
    ns = {"cw": "http://monitoring.amazonaws.com/doc/2010-08-01/"}
    root = ElementTree.fromstring(response.content)
    assert (
        root.tag == "{http://monitoring.amazonaws.com/doc/2010-08-01/}GetMetricStatisticsResponse"
    )
    result = root.find("cw:GetMetricStatisticsResult", ns)
    assert result is not None
    assert result.findtext("cw:Label", namespaces=ns) == "validation:rmse"
    points = result.findall("cw:Datapoints/cw:member", ns)
    assert [{child.tag.split("}")[1]: child.text for child in point} for point in points] == [
        {"Timestamp": "2024-01-01T00:01:00Z", "Average": "0.5", "Unit": "None"}
    ]
    assert (
        root.findtext("cw:ResponseMetadata/cw:RequestId", namespaces=ns)
        == (response.headers["x-amzn-requestid"])
    )


def test_json_example(example_http: httpx.Client) -> None:
    response = signed_post(example_http, ENDPOINT_URL, "/", JSON_HEADERS, JSON_BODY.encode())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-amz-json-1.0"
    assert response.json() == {
        "Label": "validation:rmse",
        "Datapoints": [{"Timestamp": 1704067260, "Average": 0.5, "Unit": "None"}],
    }


def test_cbor_example_byte_for_byte(example_http: httpx.Client) -> None:
    response = signed_post(example_http, ENDPOINT_URL, CBOR_PATH, CBOR_HEADERS, CBOR_REQUEST)
    assert response.status_code == 200
    assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert response.headers["content-type"] == "application/cbor"
    assert response.content == CBOR_RESPONSE


def test_error_examples(example_http: httpx.Client) -> None:
    zero_period = CBOR_REQUEST.replace(
        bytes.fromhex("66506572696f64183c"), bytes.fromhex("66506572696f6400")
    )
    cbor_error = signed_post(example_http, ENDPOINT_URL, CBOR_PATH, CBOR_HEADERS, zero_period)
    assert cbor_error.status_code == 400
    assert cbor_error.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert cbor_error.content == CBOR_ERROR
    json_error = signed_post(
        example_http,
        ENDPOINT_URL,
        "/",
        JSON_HEADERS,
        JSON_BODY.replace('"Period": 60', '"Period": 0').encode(),
    )
    assert json_error.status_code == 400
    assert json_error.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert json_error.json() == {
        "__type": "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "message": "The parameter Period must be greater than 0.",
    }
    query_error = signed_post(
        example_http,
        ENDPOINT_URL,
        "/",
        FORM_HEADERS,
        QUERY_BODY.replace("Period=60", "Period=0").encode(),
    )
    assert query_error.status_code == 400
    root = ElementTree.fromstring(query_error.content)
    ns = {"cw": "http://monitoring.amazonaws.com/doc/2010-08-01/"}
    assert root.findtext("cw:Error/cw:Type", namespaces=ns) == "Sender"
    assert root.findtext("cw:Error/cw:Code", namespaces=ns) == "InvalidParameterValue"
    assert root.findtext("cw:Error/cw:Message", namespaces=ns) == (
        "The parameter Period must be greater than 0."
    )
    missing = signed_post(
        example_http, ENDPOINT_URL, "/", JSON_HEADERS, b'{"Namespace": "x", "MetricName": "y"}'
    )
    assert missing.headers["x-amzn-query-error"] == "MissingParameter;Sender"
    assert missing.json()["__type"] == "com.amazonaws.cloudwatch#MissingRequiredParameterException"


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "query_code"),
    [
        (CBOR_PATH, CBOR_HEADERS, CBOR_REQUEST, 400, "SignatureDoesNotMatch"),
        ("/", JSON_HEADERS, JSON_BODY.encode(), 400, "SignatureDoesNotMatch"),
    ],
)
def test_cloudwatch_requests_must_be_signed_for_monitoring(
    example_http: httpx.Client,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    query_code: str,
) -> None:
    response = signed_post(example_http, ENDPOINT_URL, path, headers, body, service="sagemaker")
    assert response.status_code == status
    assert response.headers["x-amzn-query-error"] == f"{query_code};Sender"
    query = signed_post(
        example_http, ENDPOINT_URL, "/", FORM_HEADERS, QUERY_BODY.encode(), service="logs"
    )
    root = ElementTree.fromstring(query.content)
    ns = {"cw": "http://monitoring.amazonaws.com/doc/2010-08-01/"}
    assert root.findtext("cw:Error/cw:Code", namespaces=ns) == "SignatureDoesNotMatch"
    assert "scoped to correct service: 'monitoring'" in (
        root.findtext("cw:Error/cw:Message", namespaces=ns) or ""
    )


def test_unknown_cloudwatch_operations(example_http: httpx.Client) -> None:
    put = signed_post(
        example_http,
        ENDPOINT_URL,
        "/",
        {**JSON_HEADERS, "X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData"},
        b"{}",
    )
    assert put.status_code == 400
    assert put.headers["x-amzn-query-error"] == "InvalidAction;Sender"
    form = signed_post(example_http, ENDPOINT_URL, "/", FORM_HEADERS, b"Action=PutMetricData")
    assert b"<Code>InvalidAction</Code>" in form.content
    cbor = signed_post(
        example_http,
        ENDPOINT_URL,
        "/service/GraniteServiceVersion20100801/operation/DeleteAlarms",
        CBOR_HEADERS,
        b"",
    )
    assert cbor.status_code == 404
