"""AWS CLI v1 against ``sagetune serve``: ``aws --endpoint-url <simulator> sagemaker|logs ...``.

The CLI comes from the v2 client environment (awscli 1.x vendors its own botocore and must
never be imported into this process). Its automatic pagination, ``--max-items``,
``--page-size`` and ``--starting-token`` run against the server's own NextToken handling.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.compat.envs import ClientEnv
from tests.compat.harness import CliResult, pick, run_aws
from tests.compat.served import LOG_GROUP, REGION, Served
from tests.simulator.builders import training_request, tuning_request

ACCOUNT = "123456789012"


class Aws:
    """``aws`` bound to a client environment, a server and a working directory."""

    def __init__(self, env: ClientEnv, served: Served, workdir: Path) -> None:
        self.env, self.served, self.workdir = env, served, workdir

    def __call__(self, *args: str) -> CliResult:
        return run_aws(self.env, *args, served=self.served, workdir=self.workdir)

    def json(self, *args: str) -> Any:
        return self(*args).json()


@pytest.fixture
def aws(v2_env: ClientEnv, fast_server: Served, tmp_path: Path) -> Aws:
    return Aws(v2_env, fast_server, tmp_path)


@pytest.fixture
def aws_manual(v2_env: ClientEnv, manual_server: Served, tmp_path: Path) -> Aws:
    return Aws(v2_env, manual_server, tmp_path)


def echoed(given: Any, described: Any, path: str = "$") -> list[str]:
    """Where ``described`` differs from what the request gave (members the service adds,
    such as its defaults, are fine)."""
    if isinstance(given, dict):
        if not isinstance(described, dict):
            return [f"{path}: {described!r} is not an object"]
        return [
            problem
            for key, value in given.items()
            for problem in (
                echoed(value, described[key], f"{path}.{key}")
                if key in described
                else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(given, list):  # the given items, in order (the service may append some)
        if not isinstance(described, list) or len(described) < len(given):
            return [f"{path}: {described!r} does not start with {given!r}"]
        return [
            p
            for i, (g, d) in enumerate(zip(given, described[: len(given)], strict=True))
            for p in echoed(g, d, f"{path}[{i}]")
        ]
    return [] if given == described else [f"{path}: {described!r} != {given!r}"]


def test_create_from_cli_input_json_then_describe(aws: Aws, tmp_path: Path) -> None:
    request = tuning_request("compat-cli-create", jobs=2, parallel=2, rounds=5, early_stopping=None)
    (tmp_path / "request.json").write_text(json.dumps(request))
    created = aws.json(
        "sagemaker", "create-hyper-parameter-tuning-job", "--cli-input-json", "file://request.json"
    )
    assert created == {
        "HyperParameterTuningJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/compat-cli-create"
    }
    described = aws.json(
        "sagemaker", "describe-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name", "compat-cli-create",
    )  # fmt: skip
    assert described["HyperParameterTuningJobName"] == "compat-cli-create"
    assert (
        echoed(request["HyperParameterTuningJobConfig"], described["HyperParameterTuningJobConfig"])
        == []
    )
    assert echoed(request["TrainingJobDefinition"], described["TrainingJobDefinition"]) == []


def test_list_with_pagination(aws: Aws, fast_server: Served) -> None:
    sm = fast_server.client("sagemaker")
    names = [f"compat-cli-list-{i}" for i in range(5)]
    for name in names:
        sm.create_hyper_parameter_tuning_job(
            **tuning_request(name, jobs=1, parallel=1, rounds=2, early_stopping=None)
        )
    listing = ("sagemaker", "list-hyper-parameter-tuning-jobs", "--name-contains", "compat-cli-list",
               "--sort-by", "Name", "--sort-order", "Ascending")  # fmt: skip

    def listed(page: dict[str, Any]) -> list[str]:
        return [s["HyperParameterTuningJobName"] for s in page["HyperParameterTuningJobSummaries"]]

    assert listed(aws.json(*listing, "--page-size", "2")) == names
    first = aws.json(*listing, "--max-items", "2")
    assert listed(first) == names[:2]
    second = aws.json(*listing, "--max-items", "2", "--starting-token", first["NextToken"])
    assert listed(second) == names[2:4]
    last = aws.json(*listing, "--max-items", "2", "--starting-token", second["NextToken"])
    assert listed(last) == names[4:]
    assert "NextToken" not in last


def test_list_training_jobs_of_a_tuning_job_with_pagination(aws: Aws, fast_server: Served) -> None:
    sm = fast_server.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(
        **tuning_request("compat-cli-children", jobs=5, parallel=5, rounds=2, early_stopping=None)
    )
    # Training jobs are launched by the driver after the create is answered: wait for them.
    assert (
        fast_server.wait_for_tuning_job("compat-cli-children")["HyperParameterTuningJobStatus"]
        == "Completed"
    )
    expected = sorted(
        s["TrainingJobName"]
        for s in sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="compat-cli-children", MaxResults=100
        )["TrainingJobSummaries"]
    )
    listed = aws.json(
        "sagemaker", "list-training-jobs-for-hyper-parameter-tuning-job",
        "--hyper-parameter-tuning-job-name", "compat-cli-children", "--page-size", "2",
    )  # fmt: skip
    assert sorted(s["TrainingJobName"] for s in listed["TrainingJobSummaries"]) == expected
    assert len(expected) == 5


def test_stop_then_delete(aws_manual: Aws, manual_server: Served, tmp_path: Path) -> None:
    request = tuning_request("compat-cli-stop", jobs=4, parallel=2, rounds=50, early_stopping=None)
    (tmp_path / "request.json").write_text(json.dumps(request))
    aws_manual.json(
        "sagemaker", "create-hyper-parameter-tuning-job", "--cli-input-json", "file://request.json"
    )
    manual_server.advance(120)
    name = ("--hyper-parameter-tuning-job-name", "compat-cli-stop")
    describe = ("sagemaker", "describe-hyper-parameter-tuning-job", *name)
    assert aws_manual.json(*describe)["HyperParameterTuningJobStatus"] == "InProgress"
    assert aws_manual("sagemaker", "stop-hyper-parameter-tuning-job", *name).code == 0
    assert aws_manual.json(*describe)["HyperParameterTuningJobStatus"] == "Stopping"
    manual_server.advance(60)
    stopped = aws_manual.json(*describe)
    assert stopped["HyperParameterTuningJobStatus"] == "Stopped"
    assert stopped["TrainingJobStatusCounters"]["Stopped"] == 2
    assert aws_manual("sagemaker", "delete-hyper-parameter-tuning-job", *name).code == 0
    gone = aws_manual(*describe)
    assert gone.code != 0
    assert "ResourceNotFound" in gone.err


# -- CloudWatch Logs


@pytest.fixture(scope="module")
def finished_jobs(fast_server: Served) -> list[str]:
    """Two standalone training jobs that ran to their end (one stream each)."""
    sm = fast_server.client("sagemaker")
    names = ["compat-cli-logs-a", "compat-cli-logs-b"]
    for name in names:
        sm.create_training_job(
            **training_request(
                name, "sagetune/xgboost-curve:latest", {"num_round": "15", "max_depth": "3"}
            )
        )
    waiter = sm.get_waiter("training_job_completed_or_stopped")
    for name in names:
        waiter.wait(TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return names


def stream_of(served: Served, job: str) -> dict[str, Any]:
    streams = served.client("logs").describe_log_streams(
        logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job}/"
    )["logStreams"]
    assert len(streams) == 1, streams
    return dict(streams[0])


def test_get_log_events_limit_returns_the_newest_events(
    aws: Aws, fast_server: Served, finished_jobs: list[str]
) -> None:
    job = finished_jobs[0]
    messages = fast_server.log_messages(job)
    stream = stream_of(fast_server, job)["logStreamName"]
    common = (
        "logs",
        "get-log-events",
        "--log-group-name",
        LOG_GROUP,
        "--log-stream-name",
        stream,
        "--limit",
        "2",
    )
    newest = aws.json(*common)
    assert [e["message"] for e in newest["events"]] == messages[-2:]
    oldest = aws.json(*common, "--start-from-head")
    assert [e["message"] for e in oldest["events"]] == messages[:2]


def test_describe_log_streams_gives_every_stream_field(
    aws: Aws, fast_server: Served, finished_jobs: list[str]
) -> None:
    job = finished_jobs[0]
    listed = aws.json("logs", "describe-log-streams", "--log-group-name", LOG_GROUP,
                      "--log-stream-name-prefix", f"{job}/")  # fmt: skip
    (stream,) = listed["logStreams"]
    name = stream["logStreamName"]
    assert name.startswith(f"{job}/algo-1-")
    assert (
        stream["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}:log-stream:{name}"
    )
    events = aws.json("logs", "get-log-events", "--log-group-name", LOG_GROUP,
                      "--log-stream-name", name, "--start-from-head")["events"]  # fmt: skip
    fields = ("storedBytes", "firstEventTimestamp", "lastEventTimestamp")
    assert pick(stream, fields) == {
        "storedBytes": 0,
        "firstEventTimestamp": events[0]["timestamp"],
        "lastEventTimestamp": events[-1]["timestamp"],
    }
    assert stream["lastIngestionTime"] >= stream["lastEventTimestamp"]
    assert stream["creationTime"] <= stream["firstEventTimestamp"]


def branin_definition() -> dict[str, Any]:
    request = training_request("unused", "sagetune/branin:latest", {})
    del request["TrainingJobName"], request["HyperParameters"]
    request["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "objective", "Regex": r"objective: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"}
    ]
    return request


@pytest.fixture(scope="module")
def sixty_streams(fast_server: Served) -> str:
    """A tuning job that ran 60 one-shot training jobs: 60 log streams under one prefix."""
    sm = fast_server.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="cli-streams60",
        HyperParameterTuningJobConfig={
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "objective"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 60, "MaxParallelTrainingJobs": 10},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "x1", "MinValue": "-5", "MaxValue": "10"},
                    {"Name": "x2", "MinValue": "0", "MaxValue": "15"},
                ]
            },
        },
        TrainingJobDefinition=branin_definition(),
    )
    status = fast_server.wait_for_tuning_job("cli-streams60")
    assert status["TrainingJobStatusCounters"]["Completed"] == 60
    return "cli-streams60-"


def test_describe_log_streams_pages_through_sixty_streams(aws: Aws, sixty_streams: str) -> None:
    base = ("logs", "describe-log-streams", "--log-group-name", LOG_GROUP,
            "--log-stream-name-prefix", sixty_streams)  # fmt: skip
    every = [s["logStreamName"] for s in aws.json(*base)["logStreams"]]
    assert len(every) == len(set(every)) == 60
    assert every == sorted(every)
    paged = [s["logStreamName"] for s in aws.json(*base, "--page-size", "7")["logStreams"]]
    assert paged == every
    first = aws.json(*base, "--max-items", "50")
    assert len(first["logStreams"]) == 50
    rest = aws.json(*base, "--starting-token", first["NextToken"])
    assert [s["logStreamName"] for s in first["logStreams"] + rest["logStreams"]] == every


def test_describe_log_streams_orders_by_last_event_time(
    aws: Aws, sixty_streams: str, finished_jobs: list[str]
) -> None:
    del finished_jobs  # there are streams to order
    group = ("logs", "describe-log-streams", "--log-group-name", LOG_GROUP)
    # Streams that have no event yet carry no lastEventTimestamp (and sort first ascending).
    written = [s for s in aws.json(*group)["logStreams"] if "lastEventTimestamp" in s]
    assert written, "no stream carries lastEventTimestamp"
    latest = aws.json(*group, "--order-by", "LastEventTime", "--descending",
                      "--page-size", "1", "--max-items", "1")["logStreams"]  # fmt: skip
    assert len(latest) == 1
    assert latest[0].get("lastEventTimestamp") == max(s["lastEventTimestamp"] for s in written)
    refused = aws(*group, "--order-by", "LastEventTime", "--log-stream-name-prefix", sixty_streams)
    assert refused.code != 0
    assert "InvalidParameterException" in refused.err
    assert "Cannot order by LastEventTime with a logStreamNamePrefix." in refused.err
    too_many = aws(*group, "--page-size", "51")
    assert too_many.code != 0
    assert "InvalidParameterException" in too_many.err


def test_filter_log_events_interleaves_two_streams(
    aws: Aws, fast_server: Served, finished_jobs: list[str]
) -> None:
    streams = [stream_of(fast_server, job)["logStreamName"] for job in finished_jobs]
    found = aws.json("logs", "filter-log-events", "--log-group-name", LOG_GROUP,
                     "--log-stream-names", *streams, "--page-size", "10")["events"]  # fmt: skip
    expected = sorted(
        (stream, message)
        for job, stream in zip(finished_jobs, streams, strict=True)
        for message in fast_server.log_messages(job)
    )
    assert sorted((e["logStreamName"], e["message"]) for e in found) == expected
    timestamps = [e["timestamp"] for e in found]
    assert timestamps == sorted(timestamps)
    assert len({e["eventId"] for e in found}) == len(found)
