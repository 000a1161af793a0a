"""``list`` (tuning jobs, filtered and sorted as ListHyperParameterTuningJobs does),
``training-job`` (one training job as DescribeTrainingJob tells it) and ``logs`` (its log
from CloudWatch Logs, optionally followed while it runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from sagetune import SageMakerClient
from sagetune.cli.cloudwatch_logs import LogEvent, read_new
from sagetune.cli.demo import demo_request
from sagetune.cli.job_commands import TUNING_JOB_STATUSES
from sagetune.codec import from_wire
from sagetune.model import HyperParameterTuningJobStatus, shapes
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Simulator
from tests.cli.conftest import COMMAND_TIMEOUT, Served, run_cli, serving


def _client(served: Served) -> SageMakerClient:
    return SageMakerClient(
        endpoint_url=served.url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    )


def _create(served: Served, name: str, jobs: int = 3) -> None:
    with _client(served) as client:
        client.create_hyper_parameter_tuning_job(
            from_wire(
                shapes.CreateHyperParameterTuningJobRequest,
                demo_request(name, jobs=jobs, parallel=jobs),
            )
        )


@pytest.fixture(scope="module")
def listed(fast_server: Served) -> Served:
    for name in ("list-alpha", "list-beta", "other-gamma"):
        _create(fast_server, name)
    return fast_server


def test_list_shows_tuning_jobs_newest_first(listed: Served, env: dict[str, str]) -> None:
    result = run_cli("list", "--name-contains", "list-", *listed.flags(), env=env)

    assert result.code == 0, result.err
    rows = [line.split() for line in result.out.splitlines() if line.strip().startswith("list-")]
    assert [row[0] for row in rows] == ["list-beta", "list-alpha"]
    assert all(row[1:3] == ["Completed", "Bayesian"] for row in rows)
    assert "Created (simulated)" in result.out  # simulated times are not shown as dates


def test_list_filters_and_sorts_like_the_service(listed: Served, env: dict[str, str]) -> None:
    result = run_cli(
        "list", "--status", "Completed", "--sort-by", "Name", "--sort-order", "Ascending",
        "--json", *listed.flags(), env=env,
    )  # fmt: skip

    assert result.code == 0, result.err
    names = [json.loads(line)["HyperParameterTuningJobName"] for line in result.out.splitlines()]
    assert names == sorted(names)
    assert {"list-alpha", "list-beta", "other-gamma"} <= set(names)


def test_list_rejects_a_time_that_is_not_iso_8601(env: dict[str, str]) -> None:
    result = run_cli("list", "--created-after", "yesterday", "--region", "us-east-1", env=env)

    assert result.code == 2
    assert result.err.strip() == (
        "sagetune list: --created-after 'yesterday': not an ISO 8601 date or time "
        "(e.g. 2026-01-31T12:00:00Z)"
    )


def test_list_status_choices_are_the_services() -> None:
    assert set(TUNING_JOB_STATUSES) == {s.value for s in HyperParameterTuningJobStatus}


def _best_training_job(served: Served, tuning_job: str) -> str:
    with _client(served) as client:
        description = client.describe_hyper_parameter_tuning_job(
            shapes.DescribeHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name=tuning_job
            )
        )
    assert description.best_training_job is not None
    return description.best_training_job.training_job_name


def test_training_job_shows_status_history_and_final_metrics(
    listed: Served, env: dict[str, str]
) -> None:
    name = _best_training_job(listed, "list-alpha")

    result = run_cli("training-job", name, *listed.flags(), env=env)

    assert result.code == 0, result.err
    rows = [line.split("  ", 1) for line in result.out.splitlines()]
    labels = {row[0].strip(): row[1].strip() for row in rows if row[0].strip() and len(row) > 1}
    assert labels["Training job"] == name
    assert labels["Tuning job"] == "list-alpha"
    assert labels["Status"] == "Completed"
    assert labels["Final metrics"].startswith("loss ")
    assert "val_accuracy " in labels["Final metrics"]
    history = [line.strip() for line in result.out.splitlines() if "+" in line and ":" in line]
    assert history[0].startswith("History")
    assert "+0:00  Starting: " in history[0]
    assert history[-1].endswith("Completed: Training job completed")


def test_training_job_json_is_the_service_answer(listed: Served, env: dict[str, str]) -> None:
    name = _best_training_job(listed, "list-beta")

    result = run_cli("training-job", name, "--json", *listed.flags(), env=env)

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["TrainingJobName"] == name
    assert document["SecondaryStatusTransitions"][0]["Status"] == "Starting"


def _log_lines(served: Served, training_job: str) -> list[str]:
    """The job's log as a plain botocore ``logs`` client reads it, page by page."""
    logs: Any = botocore.session.get_session().create_client(
        "logs",
        region_name="us-east-1",
        endpoint_url=served.url,
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    )
    [stream] = logs.describe_log_streams(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{training_job}/"
    )["logStreams"]
    lines: list[str] = []
    token = None
    while True:
        extra: dict[str, str] = {"nextToken": token} if token else {}
        page = logs.get_log_events(
            logGroupName="/aws/sagemaker/TrainingJobs",
            logStreamName=stream["logStreamName"],
            startFromHead=True,
            **extra,
        )
        lines += [event["message"] for event in page["events"]]
        if page["nextForwardToken"] == token:
            return lines
        token = page["nextForwardToken"]


def test_logs_prints_the_training_jobs_log(listed: Served, env: dict[str, str]) -> None:
    name = _best_training_job(listed, "list-alpha")

    result = run_cli("logs", name, *listed.flags(), env=env)

    assert result.code == 0, result.err
    printed = result.out.splitlines()
    assert printed == _log_lines(listed, name)
    assert any(line.startswith("Epoch 30/30") for line in printed)
    assert result.err == ""


def test_logs_of_an_unknown_training_job_exits_1(listed: Served, env: dict[str, str]) -> None:
    result = run_cli("logs", "no-such-job", *listed.flags(), env=env)

    assert result.code == 1
    assert result.err.startswith(
        "sagetune logs: ValidationException when calling DescribeTrainingJob"
    )


@pytest.fixture
def manual() -> Iterator[tuple[Served, Simulator]]:
    simulator = Simulator()
    with serving(simulator) as served:
        yield served, simulator


def _advance(served: Served, seconds: float) -> None:
    with _client(served) as client:
        client.call_json("SageTuneSimulator.AdvanceClock", {"Seconds": seconds})


def test_logs_follow_prints_lines_as_they_come_until_the_job_ends(
    manual: tuple[Served, Simulator], env: dict[str, str]
) -> None:
    served, _ = manual
    _create(served, "follow", jobs=1)
    _advance(served, 600)  # started, a few epochs in
    with _client(served) as client:
        [summary] = client.list_training_jobs_for_hyper_parameter_tuning_job(
            shapes.ListTrainingJobsForHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name="follow"
            )
        ).training_job_summaries
    name = summary.training_job_name
    so_far = _log_lines(served, name)
    process = subprocess.Popen(
        [sys.executable, "-m", "sagetune", "logs", name, "--follow", "--poll", "0.1",
         *served.flags()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    first = [process.stdout.readline().rstrip("\n") for _ in so_far]
    assert first == so_far  # what was there, from the head

    _advance(served, 100_000)  # the job runs to its end
    rest, err = process.communicate(timeout=COMMAND_TIMEOUT)

    assert process.returncode == 0, err
    assert first + rest.splitlines() == _log_lines(served, name)
    assert len(rest.splitlines()) > 0
    assert err == ""


def test_logs_of_a_running_job_say_how_to_follow_it(
    manual: tuple[Served, Simulator], env: dict[str, str]
) -> None:
    served, _ = manual
    _create(served, "running", jobs=1)
    _advance(served, 600)
    with _client(served) as client:
        [summary] = client.list_training_jobs_for_hyper_parameter_tuning_job(
            shapes.ListTrainingJobsForHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name="running"
            )
        ).training_job_summaries

    result = run_cli("logs", summary.training_job_name, *served.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.splitlines() == _log_lines(served, summary.training_job_name)
    flags = f"--endpoint-url {served.url} --region us-east-1"
    assert result.err.strip() == (
        f"(training job {summary.training_job_name} is InProgress, Training: follow its log "
        f"with: sagetune logs {summary.training_job_name} --follow {flags})"
    )


class ScriptedLog:
    """CloudWatch Logs as documented: pages by token, an empty page with a new token while
    there is more to read, the same token back when there is nothing newer."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.calls = 0

    def add(self, *messages: str) -> None:
        self.events.extend(messages)

    async def streams(self, job: str) -> list[str]:
        return [f"{job}/algo-1-1767225600"]

    async def page(self, stream: str, token: str | None) -> tuple[list[LogEvent], str | None]:
        self.calls += 1
        offset = int(token[2:]) if token else 0
        if offset % 2 == 1:  # a slice with nothing in it: empty page, the token moves on
            return [], f"f/{offset + 1}"
        position = offset // 2
        if position >= len(self.events):
            return [], token or "f/0"  # nothing newer: the token that was sent
        batch = self.events[position : position + 2]
        events = [
            LogEvent(stream=stream, timestamp=position + i, message=m) for i, m in enumerate(batch)
        ]
        return events, f"f/{2 * (position + len(batch)) - 1}"


async def test_reading_follows_forward_tokens_until_the_same_token_comes_back() -> None:
    log = ScriptedLog()
    log.add("one", "two", "three")
    cursors: dict[str, str | None] = {}

    first = await read_new(log, "job", cursors)
    again = await read_new(log, "job", cursors)
    log.add("four")
    later = await read_new(log, "job", cursors)

    assert [e.message for e in first] == ["one", "two", "three"]  # across an empty page
    assert again == []
    assert [e.message for e in later] == ["four"]
