"""CloudWatch Logs as CloudWatch behaves, through a stock boto3 ``logs`` client on loopback.

Each follower below is a transcription of a real client's loop (cited), run while a
training job writes: every line must come out exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.simulator.cloudwatch_helpers import (
    GROUP,
    START_UP,
    Loopback,
    line_ms,
    step_line,
    steps_job,
)


@pytest.fixture
def lb() -> Iterator[Loopback]:
    loopback = Loopback()
    yield loopback
    loopback.close()


@pytest.fixture
def logs(lb: Loopback) -> Any:
    return lb.client("logs")


def stream_of(logs: Any, job: str) -> str:
    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=job + "/")
    (stream,) = streams["logStreams"]
    name: str = stream["logStreamName"]
    return name


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


# -- GetLogEvents


def test_get_log_events_defaults_to_the_newest_events(lb: Loopback, logs: Any) -> None:
    created = lb.create(steps_job("newest", steps=6))
    lb.advance(1000)
    stream = stream_of(logs, "newest")
    newest = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, limit=2)
    assert [e["message"] for e in newest["events"]] == [step_line(4), step_line(5)]
    assert [e["timestamp"] for e in newest["events"]] == [line_ms(created, 4), line_ms(created, 5)]
    assert all(e["ingestionTime"] >= e["timestamp"] for e in newest["events"])
    oldest = logs.get_log_events(
        logGroupName=GROUP, logStreamName=stream, limit=2, startFromHead=True
    )
    assert [e["message"] for e in oldest["events"]] == [step_line(0), step_line(1)]
    everything = logs.get_log_events(logGroupName=GROUP, logStreamName=stream)
    assert [e["message"] for e in everything["events"]] == [step_line(i) for i in range(6)]


def test_start_time_is_inclusive_and_end_time_exclusive(lb: Loopback, logs: Any) -> None:
    created = lb.create(steps_job("window", steps=8))
    lb.advance(1000)
    stream = stream_of(logs, "window")
    page = logs.get_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        startTime=line_ms(created, 2),
        endTime=line_ms(created, 5),
        startFromHead=True,
    )
    assert [e["message"] for e in page["events"]] == [step_line(i) for i in (2, 3, 4)]
    newest = logs.get_log_events(
        logGroupName=GROUP, logStreamName=stream, endTime=line_ms(created, 5), limit=1
    )
    assert [e["message"] for e in newest["events"]] == [step_line(4)]


def test_backward_tokens_walk_to_the_start_and_then_repeat(lb: Loopback, logs: Any) -> None:
    lb.create(steps_job("backward", steps=7))
    lb.advance(1000)
    stream = stream_of(logs, "backward")
    page = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, limit=3)
    pages = [[e["message"] for e in page["events"]]]
    token = page["nextBackwardToken"]
    while True:
        page = logs.get_log_events(
            logGroupName=GROUP, logStreamName=stream, limit=3, nextToken=token
        )
        if page["nextBackwardToken"] == token:
            assert page["events"] == []
            break
        pages.append([e["message"] for e in page["events"]])
        token = page["nextBackwardToken"]
    assert pages == [
        [step_line(4), step_line(5), step_line(6)],
        [step_line(1), step_line(2), step_line(3)],
        [step_line(0)],
    ]
    assert token.startswith("b/")
    assert token.endswith("/s")
    assert len(token) == 60


def test_a_follower_gets_the_same_token_until_new_lines_arrive(lb: Loopback, logs: Any) -> None:
    lb.create(steps_job("follow", steps=12))
    lb.advance(START_UP + 35)  # three lines written
    stream = stream_of(logs, "follow")
    first = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in first["events"]] == [step_line(i) for i in range(3)]
    token = first["nextForwardToken"]
    idle = logs.get_log_events(
        logGroupName=GROUP, logStreamName=stream, startFromHead=True, nextToken=token
    )
    assert idle["events"] == []
    assert idle["nextForwardToken"] == token
    lb.advance(20)
    fresh = logs.get_log_events(
        logGroupName=GROUP, logStreamName=stream, startFromHead=True, nextToken=token
    )
    assert [e["message"] for e in fresh["events"]] == [step_line(3), step_line(4)]
    assert fresh["nextForwardToken"] != token


def test_sagemaker_core_follower_prints_every_line_once(lb: Loopback, logs: Any) -> None:
    """sagemaker-core ``LogStreamHandler.get_latest_log_events``: startFromHead=True and the
    last nextForwardToken kept across polls; a poll ends on an empty page."""
    lb.create(steps_job("core", steps=40, gap=3, together=2))
    lb.advance(START_UP)
    printed: list[str] = []
    token: str | None = None
    for _ in range(30):
        lb.advance(7)
        names = [
            s["logStreamName"]
            for s in logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix="core/")[
                "logStreams"
            ]
        ]
        if not names:
            continue
        while True:
            args: dict[str, Any] = {"nextToken": token} if token else {}
            page = logs.get_log_events(
                logGroupName=GROUP, logStreamName=names[0], startFromHead=True, **args
            )
            token = page["nextForwardToken"]
            if not page["events"]:
                break
            printed.extend(e["message"] for e in page["events"])
    assert printed == [step_line(i) for i in range(40)]


def _v2_log_stream(logs: Any, stream: str, start_time: int, skip: int) -> Iterator[dict[str, Any]]:
    """sagemaker-python-sdk v2 ``sagemaker.logs.log_stream`` (logs.py:135-181)."""
    next_token = None
    event_count = 1
    while event_count > 0:
        token_arg: dict[str, str] = {"nextToken": next_token} if next_token is not None else {}
        response = logs.get_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            startTime=start_time,
            startFromHead=True,
            **token_arg,
        )
        next_token = response["nextForwardToken"]
        events = response["events"]
        event_count = len(events)
        if event_count > skip:
            events = events[skip:]
            skip = 0
        else:
            skip = skip - event_count
            events = []
        yield from events


def test_sagemaker_v2_logs_for_job_prints_every_line_once(lb: Loopback, logs: Any) -> None:
    """sagemaker v2 ``Session.logs_for_job``: every poll restarts ``log_stream`` from the
    last printed timestamp (inclusive) and skips the events already printed there."""
    lb.create(steps_job("v2", steps=40, gap=3, together=3))
    printed: list[str] = []
    position = (0, 0)  # Position(timestamp, skip)
    for _ in range(40):
        lb.advance(5)
        streams = logs.describe_log_streams(
            logGroupName=GROUP, logStreamNamePrefix="v2/", orderBy="LogStreamName", limit=1
        )
        assert "nextToken" not in streams  # the SDK loops `while "nextToken" in streams`
        if not streams["logStreams"]:
            continue
        stream = streams["logStreams"][0]["logStreamName"]
        for event in _v2_log_stream(logs, stream, *position):
            printed.append(event["message"])
            ts, count = position
            position = (ts, count + 1) if event["timestamp"] == ts else (event["timestamp"], 1)
    assert printed == [step_line(i) for i in range(40)]


# -- DescribeLogStreams


def test_describe_log_streams_pages_fifty_at_a_time(lb: Loopback, logs: Any) -> None:
    for i in range(60):
        lb.create(steps_job(f"many-{i:02d}", steps=1))
    lb.advance(1000)
    first = logs.describe_log_streams(logGroupName=GROUP)
    assert len(first["logStreams"]) == 50
    second = logs.describe_log_streams(logGroupName=GROUP, nextToken=first["nextToken"])
    assert len(second["logStreams"]) == 10
    assert "nextToken" not in second
    names = [s["logStreamName"] for s in first["logStreams"] + second["logStreams"]]
    assert names == sorted(names)
    assert [n.split("/")[0] for n in names] == [f"many-{i:02d}" for i in range(60)]
    paged = logs.get_paginator("describe_log_streams").paginate(
        logGroupName=GROUP, PaginationConfig={"PageSize": 7}
    )
    assert [s["logStreamName"] for page in paged for s in page["logStreams"]] == names


def test_describe_log_streams_orders_by_last_event_time(lb: Loopback, logs: Any) -> None:
    lb.create(steps_job("early", steps=3))
    lb.advance(30)
    lb.create(steps_job("late", steps=3))
    lb.advance(30)
    lb.create(steps_job("middle", steps=20, gap=5))
    lb.advance(1000)
    recent = logs.describe_log_streams(
        logGroupName=GROUP, orderBy="LastEventTime", descending=True, limit=1
    )["logStreams"]
    assert [s["logStreamName"].split("/")[0] for s in recent] == ["middle"]
    ascending = logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime")
    assert [s["logStreamName"].split("/")[0] for s in ascending["logStreams"]] == [
        "early",
        "late",
        "middle",
    ]
    by_name = logs.describe_log_streams(logGroupName=GROUP, descending=True)
    assert [s["logStreamName"].split("/")[0] for s in by_name["logStreams"]] == [
        "middle",
        "late",
        "early",
    ]
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(
            logGroupName=GROUP, orderBy="LastEventTime", logStreamNamePrefix="early"
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
    )


def test_stream_fields_and_arn(lb: Loopback, logs: Any) -> None:
    created = lb.create(steps_job("fields", steps=4))
    lb.advance(START_UP - 1)
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []  # nothing written
    lb.advance(1000)
    (stream,) = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    came_up = int(created + 60)  # the end of Starting
    name = f"fields/algo-1-{came_up}"
    assert stream == {
        "logStreamName": name,
        "creationTime": line_ms(created, 0),
        "firstEventTimestamp": line_ms(created, 0),
        "lastEventTimestamp": line_ms(created, 3),
        "lastIngestionTime": line_ms(created, 3),
        "uploadSequenceToken": f"{4:056d}",
        "arn": f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:log-stream:{name}",
        "storedBytes": 0,
    }
    by_arn = logs.describe_log_streams(
        logGroupIdentifier=f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"
    )
    assert by_arn["logStreams"] == [stream]


# -- FilterLogEvents


def test_filter_log_events_interleaves_streams_and_pages_each_event_once(
    lb: Loopback, logs: Any
) -> None:
    first = lb.create(steps_job("alpha", steps=10, gap=10))
    lb.advance(5)
    second = lb.create(steps_job("beta", steps=10, gap=10))
    lb.advance(1000)
    expected = sorted(
        [(line_ms(first, i), "alpha", step_line(i)) for i in range(10)]
        + [(line_ms(second, i), "beta", step_line(i)) for i in range(10)]
    )
    everything = logs.filter_log_events(logGroupName=GROUP)
    assert "nextToken" not in everything
    assert everything["searchedLogStreams"] == []
    seen = [
        (e["timestamp"], e["logStreamName"].split("/")[0], e["message"])
        for e in everything["events"]
    ]
    assert seen == expected
    pages = list(
        logs.get_paginator("filter_log_events").paginate(
            logGroupName=GROUP, PaginationConfig={"PageSize": 6}
        )
    )
    assert [len(p["events"]) for p in pages] == [6, 6, 6, 2]
    paged = [e for p in pages for e in p["events"]]
    assert [e["eventId"] for e in paged] == [e["eventId"] for e in everything["events"]]
    assert len({e["eventId"] for e in paged}) == 20
    again = logs.filter_log_events(logGroupName=GROUP)
    assert again["events"] == everything["events"]


def test_filter_log_events_time_range_is_inclusive_at_both_ends(lb: Loopback, logs: Any) -> None:
    created = lb.create(steps_job("range", steps=8))
    lb.advance(1000)
    page = logs.filter_log_events(
        logGroupName=GROUP, startTime=line_ms(created, 2), endTime=line_ms(created, 5)
    )
    assert [e["message"] for e in page["events"]] == [step_line(i) for i in (2, 3, 4, 5)]


@pytest.mark.parametrize(
    ("pattern", "steps_shown"),
    [
        ("", list(range(9))),
        ("ERROR", [2, 5, 8]),
        ("WARN step=4", [4]),
        ('"step=1 loss"', [1]),
        ("?ERROR ?WARN", [1, 2, 4, 5, 7, 8]),
        ("-INFO", [1, 2, 4, 5, 7, 8]),
        ("loss -ERROR -WARN", [0, 3, 6]),
    ],
)
def test_filter_patterns(lb: Loopback, logs: Any, pattern: str, steps_shown: list[int]) -> None:
    lb.create(steps_job("patterns", steps=9))
    lb.advance(1000)
    page = logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)
    assert [e["message"] for e in page["events"]] == [step_line(i) for i in steps_shown]


def test_filter_by_stream_names_or_prefix_and_newest_first(lb: Loopback, logs: Any) -> None:
    lb.create(steps_job("one", steps=3))
    lb.create(steps_job("two", steps=3))
    lb.advance(1000)
    two = stream_of(logs, "two")
    named = logs.filter_log_events(logGroupName=GROUP, logStreamNames=[two])
    prefixed = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="tw")
    assert {e["logStreamName"] for e in named["events"]} == {two}
    assert named["events"] == prefixed["events"]
    newest = logs.filter_log_events(
        logGroupName=GROUP, logStreamNames=[two], startFromHead=False, startTime=1704067200000
    )
    assert newest["events"] == named["events"][::-1]
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=[two], logStreamNamePrefix="t")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.level = 1 }")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert "filter pattern" in error_of(excinfo)[1]


def test_aws_cli_v2_tail_follow_prints_every_line_once(lb: Loopback, logs: Any) -> None:
    """AWS CLI v2 ``logs tail --follow`` (awscli/customizations/logs/tail.py,
    FollowLogEventsGenerator): FilterLogEvents from startTime, de-duplicated by eventId at
    the newest timestamp; without a nextToken it restarts at the newest timestamp seen."""
    lb.create(steps_job("tail-a", steps=20, gap=4, together=2))
    lb.create(steps_job("tail-b", steps=20, gap=6))
    printed: list[tuple[str, str]] = []
    ids_at: defaultdict[int, set[str]] = defaultdict(set)
    kwargs: dict[str, Any] = {"logGroupName": GROUP, "startTime": 0, "limit": 5}
    for _ in range(100):  # 300 s: both jobs finish writing at 200 s
        lb.advance(3)
        response = logs.filter_log_events(**kwargs)
        for event in response["events"]:
            if event["eventId"] not in ids_at[event["timestamp"]]:
                ids_at[event["timestamp"]].add(event["eventId"])
                printed.append((event["logStreamName"].split("/")[0], event["message"]))
        if ids_at:
            newest = max(ids_at)
            ids_at = defaultdict(set, {newest: ids_at[newest]})
        if "nextToken" in response:
            kwargs["nextToken"] = response["nextToken"]
        else:
            kwargs.pop("nextToken", None)
            if ids_at:
                kwargs["startTime"] = max(ids_at)
    for job in ("tail-a", "tail-b"):
        assert [m for j, m in printed if j == job] == [step_line(i) for i in range(20)]


# -- errors


def test_errors_are_worded_as_cloudwatch_logs_words_them(lb: Loopback, logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName=GROUP)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    lb.create(steps_job("errors", steps=2))
    lb.advance(1000)
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName="errors/algo-1-1")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName="/aws/sagemaker/Endpoints")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    stream = stream_of(logs, "errors")
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName=stream, nextToken="f/garbage")
    assert error_of(excinfo) == ("InvalidParameterException", "The specified nextToken is invalid.")
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName=GROUP, nextToken="not-a-token")
    assert error_of(excinfo) == ("InvalidParameterException", "The specified nextToken is invalid.")
    status, body = lb.raw(
        "DescribeLogStreams", {"logGroupName": GROUP, "limit": 51}, prefix="Logs_20140328"
    )
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert body["message"] == (
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )
