"""No request to CloudWatch Logs, CloudWatch or the simulator's own operations gets a 500:
every malformed member gets an AWS-shaped 4xx naming it, and the server keeps answering
(issue 12). Fuzzed per operation family with hypothesis, plus the cases that broke."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagetune.simulator import ENDPOINT_URL, Simulator
from sagetune.simulator import cbor as cbor_codec
from sagetune.simulator.clock import ManualClock
from tests.simulator.cloudwatch_helpers import GROUP, IMAGE, signed_post, steps, steps_job
from tests.simulator.conftest import SignedCaller

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
XML_NS = {"cw": "http://monitoring.amazonaws.com/doc/2010-08-01/"}


class Target:
    """An in-process simulator with one finished job (a stream, metric points) to probe."""

    def __init__(self) -> None:
        self.sim = Simulator()
        self.sim.register_algorithm(IMAGE, steps)
        self.http = httpx.Client(transport=self.sim.transport())
        self.call = SignedCaller(self.http, ENDPOINT_URL)
        self.call.ok("CreateTrainingJob", steps_job("probe", steps=5))
        self.sim.run_until_idle()
        self.stream = self.call.ok(
            "DescribeLogStreams", {"logGroupName": GROUP}, prefix="Logs_20140328"
        )["logStreams"][0]["logStreamName"]

    def still_answers(self) -> None:
        streams = self.call.ok(
            "DescribeLogStreams", {"logGroupName": GROUP}, prefix="Logs_20140328"
        )
        assert [s["logStreamName"] for s in streams["logStreams"]] == [self.stream]

    def close(self) -> None:
        self.http.close()
        self.sim.close()


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    probe = Target()
    yield probe
    probe.close()


# -- what a request may hold

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.sampled_from([1e308, -1e308, 1e30, 2**63, 2**64, -1, 0, 1, 50, 51, 10_001])
    | st.text(max_size=12)
    | st.sampled_from(["", "NaN", "Infinity", "1e308", "-1", "2024-01-01T00:00:00Z", "f/1/s"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def bodies(members: list[str], base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Arbitrary members by name, or a valid request with some members replaced."""
    names = st.sampled_from(members) | st.text(max_size=8)
    arbitrary = st.dictionaries(names, json_values, max_size=6)
    mutated = st.dictionaries(st.sampled_from(members), json_values, min_size=1, max_size=3).map(
        lambda changes: {**base, **changes}
    )
    return arbitrary | mutated


def assert_aws_json_error_or_ok(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.status_code >= 400
        body = response.json()
        assert isinstance(body["__type"], str)
        assert body["__type"]
        assert isinstance(body["message"], str)


# -- CloudWatch Logs

LOGS = {
    "GetLogEvents": ["logGroupName", "logGroupIdentifier", "logStreamName", "startTime",
                     "endTime", "nextToken", "limit", "startFromHead", "unmask"],
    "DescribeLogStreams": ["logGroupName", "logGroupIdentifier", "logStreamNamePrefix",
                           "orderBy", "descending", "nextToken", "limit"],
    "FilterLogEvents": ["logGroupName", "logStreamNames", "logStreamNamePrefix", "startTime",
                        "endTime", "filterPattern", "nextToken", "limit", "startFromHead",
                        "interleaved"],
}  # fmt: skip


@FUZZ
@given(data=st.data())
def test_logs_operations_answer_every_request_with_200_or_an_aws_4xx(
    target: Target, data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(sorted(LOGS)))
    base = {"logGroupName": GROUP, "logStreamName": target.stream}
    body = data.draw(bodies(LOGS[operation], base))
    response = target.call.raw(f"Logs_20140328.{operation}", json.dumps(body).encode(), "logs")
    assert_aws_json_error_or_ok(response)
    target.still_answers()


@pytest.mark.parametrize(
    ("operation", "members", "code", "named"),
    [
        ("DescribeLogStreams", {"logStreamNamePrefix": 7}, "SerializationException", "logStreamNamePrefix"),
        ("DescribeLogStreams", {"logStreamNamePrefix": ["a"]}, "SerializationException", "logStreamNamePrefix"),
        ("GetLogEvents", {"nextToken": f"f/{10**30:056d}/s"}, "InvalidParameterException", "nextToken"),
        ("GetLogEvents", {"nextToken": "f/eyJvZmZzZXQiOiAxZTMwfQ=="}, "InvalidParameterException", "nextToken"),
        ("GetLogEvents", {"startTime": 1e308}, "SerializationException", "startTime"),
        ("GetLogEvents", {"endTime": float("nan")}, "SerializationException", "endTime"),
        ("GetLogEvents", {"startTime": float("inf")}, "SerializationException", "startTime"),
        ("GetLogEvents", {"startTime": 10**30}, "SerializationException", "startTime"),
        ("GetLogEvents", {"startTime": -5}, "InvalidParameterException", "startTime"),
        ("GetLogEvents", {"limit": -1}, "InvalidParameterException", "limit"),
        ("GetLogEvents", {"limit": "10"}, "SerializationException", "limit"),
        ("FilterLogEvents", {"endTime": 1e308}, "SerializationException", "endTime"),
        ("FilterLogEvents", {"limit": 0}, "InvalidParameterException", "limit"),
        ("FilterLogEvents", {"logStreamNames": []}, "InvalidParameterException", "logStreamNames"),
        ("FilterLogEvents", {"logStreamNames": [None]}, "InvalidParameterException", "logStreamNames"),
        ("FilterLogEvents", {"nextToken": "W10="}, "InvalidParameterException", "nextToken"),
        ("DescribeLogStreams", {"limit": 0}, "InvalidParameterException", "limit"),
        ("DescribeLogStreams", {"orderBy": "Size"}, "InvalidParameterException", "orderBy"),
    ],
)  # fmt: skip
def test_the_malformed_logs_requests_that_broke(
    target: Target, operation: str, members: dict[str, Any], code: str, named: str
) -> None:
    body = {"logGroupName": GROUP, "logStreamName": target.stream, **members}
    if operation != "GetLogEvents":
        del body["logStreamName"]
    response = target.call.raw(f"Logs_20140328.{operation}", json.dumps(body).encode(), "logs")
    assert response.status_code == 400
    assert response.json()["__type"] == code
    assert named in response.json()["message"]
    target.still_answers()


def test_both_or_neither_log_group_members_are_refused(target: Target) -> None:
    for body in ({}, {"logGroupName": GROUP, "logGroupIdentifier": GROUP}):
        status, error = target.call("DescribeLogStreams", body, prefix="Logs_20140328")
        assert (status, error["__type"]) == (400, "InvalidParameterException")
        assert "logGroupName or logGroupIdentifier" in error["message"]


# -- CloudWatch, in each protocol

CLOUDWATCH = {
    "GetMetricStatistics": ["Namespace", "MetricName", "Dimensions", "StartTime", "EndTime",
                            "Period", "Statistics", "ExtendedStatistics", "Unit"],
    "ListMetrics": ["Namespace", "MetricName", "Dimensions", "NextToken", "RecentlyActive",
                    "IncludeLinkedAccounts", "OwningAccount"],
    "GetMetricData": ["MetricDataQueries", "StartTime", "EndTime", "NextToken", "ScanBy",
                      "MaxDatapoints", "LabelOptions"],
}  # fmt: skip
METRIC = {
    "Namespace": "/aws/sagemaker/TrainingJobs",
    "MetricName": "loss",
    "Dimensions": [{"Name": "TrainingJobName", "Value": "probe"}],
}
VALID = {
    "GetMetricStatistics": {**METRIC, "StartTime": 0, "EndTime": 2e9, "Period": 3600 * 24 * 30,
                            "Statistics": ["Average"]},
    "ListMetrics": {},
    "GetMetricData": {
        "MetricDataQueries": [{"Id": "m", "MetricStat": {"Metric": METRIC, "Period": 60,
                                                          "Stat": "Average"}}],
        "StartTime": 0, "EndTime": 2e9,
    },
}  # fmt: skip


def assert_cbor_error_or_ok(response: httpx.Response) -> None:
    assert response.status_code < 500, response.content
    if response.status_code != 200:
        body = cbor_codec.decode(response.content)
        assert isinstance(body["__type"], str)
        assert isinstance(body["message"], str)
        assert response.headers["x-amzn-query-error"].endswith(";Sender")


@FUZZ
@given(data=st.data())
def test_cloudwatch_json_answers_every_request_with_200_or_an_aws_4xx(
    target: Target, data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(sorted(CLOUDWATCH)))
    body = data.draw(bodies(CLOUDWATCH[operation], VALID[operation]))
    headers = {
        "X-Amz-Target": f"GraniteServiceVersion20100801.{operation}",
        "Content-Type": "application/x-amz-json-1.0",
    }
    response = signed_post(target.http, ENDPOINT_URL, "/", headers, json.dumps(body).encode())
    assert_aws_json_error_or_ok(response)
    if response.status_code != 200:
        assert response.headers["x-amzn-query-error"].endswith(";Sender")
    target.still_answers()


@FUZZ
@given(data=st.data())
def test_cloudwatch_cbor_answers_every_request_with_200_or_an_aws_4xx(
    target: Target, data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(sorted(CLOUDWATCH)))
    body = data.draw(bodies(CLOUDWATCH[operation], VALID[operation]))
    try:
        encoded = cbor_codec.encode(body)
    except ValueError:  # an integer CBOR cannot carry: send it as a double
        encoded = cbor_codec.encode(json.loads(json.dumps(body), parse_int=float))
    path = f"/service/GraniteServiceVersion20100801/operation/{operation}"
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
    response = signed_post(target.http, ENDPOINT_URL, path, headers, encoded)
    assert_cbor_error_or_ok(response)
    target.still_answers()


form_keys = st.sampled_from(
    [
        "Namespace", "MetricName", "Period", "StartTime", "EndTime", "Statistics.member.1",
        "Statistics", "Dimensions", "Dimensions.member.1.Name", "Dimensions.member.1.Value",
        "Dimensions.member.0.Name", "Dimensions.member.x", "Dimensions.member",
        "MetricDataQueries.member.1.Id", "MetricDataQueries.member.1.MetricStat.Period",
        "MetricDataQueries.member.1.MetricStat.Stat", "MetricDataQueries.member.99999.Id",
        "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name",
        "NextToken", "MaxDatapoints", "ScanBy", "Version", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q",
    ]
) | st.text(max_size=12)  # fmt: skip
form_values = st.sampled_from(
    ["", "60", "-1", "0", "1e308", "NaN", "Infinity", "2024-01-01T00:00:00Z", "true",
     "99999999999999999999999", "Average", "p99", "TimestampAscending", "loss"]
) | st.text(max_size=12)  # fmt: skip


@FUZZ
@given(
    action=st.sampled_from([*sorted(CLOUDWATCH), "PutMetricData", ""]),
    pairs=st.lists(st.tuples(form_keys, form_values), max_size=8),
)
def test_cloudwatch_query_answers_every_form_with_200_or_an_aws_4xx(
    target: Target, action: str, pairs: list[tuple[str, str]]
) -> None:
    body = urlencode([("Action", action), *pairs]).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    response = signed_post(target.http, ENDPOINT_URL, "/", headers, body)
    assert response.status_code < 500, response.text
    root = ElementTree.fromstring(response.content)
    if response.status_code != 200:
        assert root.findtext("cw:Error/cw:Type", namespaces=XML_NS) == "Sender"
        assert root.findtext("cw:Error/cw:Code", namespaces=XML_NS)
        assert root.findtext("cw:Error/cw:Message", namespaces=XML_NS)
    target.still_answers()


@pytest.mark.parametrize(
    ("members", "code", "named"),
    [
        ({"StartTime": 1e308}, "InvalidParameterValue", "StartTime"),
        ({"EndTime": float("inf")}, "InvalidParameterValue", "EndTime"),
        ({"StartTime": float("nan")}, "InvalidParameterValue", "StartTime"),
        ({"Period": -60}, "InvalidParameterValue", "Period"),
        ({"Period": "60"}, "InvalidParameterValue", "Period"),
        ({"Dimensions": [{"Name": "TrainingJobName"}]}, "MissingParameter", "Dimensions.member.1.Value"),
        ({"Statistics": ["Median"]}, "InvalidParameterValue", "Statistics.member.1"),
        ({"Namespace": 3}, "InvalidParameterValue", "Namespace"),
    ],
)  # fmt: skip
def test_the_malformed_cloudwatch_requests_name_the_member(
    target: Target, members: dict[str, Any], code: str, named: str
) -> None:
    headers = {
        "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricStatistics",
        "Content-Type": "application/x-amz-json-1.0",
    }
    body = json.dumps({**VALID["GetMetricStatistics"], **members}).encode()
    response = signed_post(target.http, ENDPOINT_URL, "/", headers, body)
    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == f"{code};Sender"
    assert f"The parameter {named} " in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1]",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"Namespace": 1e999999, "logGroupName": 1e999999}',
    ],
)
def test_bodies_that_are_not_json_objects(target: Target, body: bytes) -> None:
    headers = {
        "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics",
        "Content-Type": "application/x-amz-json-1.0",
    }
    response = signed_post(target.http, ENDPOINT_URL, "/", headers, body)
    assert 400 <= response.status_code < 500
    logs = target.call.raw("Logs_20140328.DescribeLogStreams", body, "logs")
    assert 400 <= logs.status_code < 500
    assert logs.json()["__type"] in ("SerializationException", "InvalidParameterException")


# -- the simulator's own operations

SIMULATOR: dict[str, tuple[list[str], dict[str, Any]]] = {
    "GetTuningJobCompletionReason": (["HyperParameterTuningJobName"], {}),
    "GetClock": ([], {}),
    "AdvanceClock": (["Seconds"], {"Seconds": 1}),
}


@FUZZ
@given(data=st.data())
def test_simulator_operations_answer_every_request_with_200_or_an_aws_4xx(
    target: Target, data: st.DataObject
) -> None:
    operation = data.draw(st.sampled_from(sorted(SIMULATOR)))
    members, base = SIMULATOR[operation]
    body = data.draw(bodies(members or ["Seconds"], base))
    response = target.call.raw(f"SageTuneSimulator.{operation}", json.dumps(body).encode())
    assert_aws_json_error_or_ok(response)
    if response.status_code != 200:
        assert response.json()["__type"] == "ValidationException"
    target.still_answers()


@pytest.mark.parametrize(
    "body",
    [
        b'{"Seconds": Infinity}',
        b'{"Seconds": -Infinity}',
        b'{"Seconds": NaN}',
        b'{"Seconds": 1e308}',
        b'{"Seconds": 1e400}',
        b'{"Seconds": 315360001}',
        b'{"Seconds": -1}',
        b'{"Seconds": "10"}',
        b'{"Seconds": true}',
        b'{"Seconds": null}',
        b"{}",
        b'{"Seconds": 1, "Minutes": 2}',
    ],
)
def test_advance_clock_refuses_what_is_not_a_sane_duration(target: Target, body: bytes) -> None:
    before = target.call.ok("GetClock", {}, prefix="SageTuneSimulator")["Now"]
    response = target.call.raw("SageTuneSimulator.AdvanceClock", body)
    assert response.status_code == 400
    assert response.json()["__type"] == "ValidationException"
    assert "seconds" in response.json()["message"].lower()
    after = target.call.ok("GetClock", {}, prefix="SageTuneSimulator")
    assert after["Now"] == before
    assert target.call.ok("AdvanceClock", {"Seconds": 1}, prefix="SageTuneSimulator") == {
        "Now": before + 1
    }
    target.still_answers()


def test_the_clock_never_passes_the_year_9000() -> None:
    late = datetime(8999, 6, 1, tzinfo=UTC).timestamp()
    with (
        Simulator(clock=ManualClock(start=late)) as sim,
        httpx.Client(transport=sim.transport()) as http,
    ):
        call = SignedCaller(http, ENDPOINT_URL)
        status, error = call("AdvanceClock", {"Seconds": 315360000}, prefix="SageTuneSimulator")
        assert (status, error["__type"]) == (400, "ValidationException")
        assert "9000" in error["message"]
        assert call.ok("GetClock", {}, prefix="SageTuneSimulator")["Now"] == late
        assert call.ok("AdvanceClock", {"Seconds": 86400}, prefix="SageTuneSimulator") == {
            "Now": late + 86400
        }


def test_get_clock_takes_no_members(target: Target) -> None:
    status, error = target.call("GetClock", {"Verbose": True}, prefix="SageTuneSimulator")
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "verbose" in error["message"]
