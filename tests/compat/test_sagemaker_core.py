"""sagemaker-core (1.x, as SDK v2 installs it) against ``sagetune serve``, unchanged.

The tuning flow runs once (``clients/core.py tuning``); each test asserts on one of its
steps against what the server holds. The follower test runs ``TrainingJob.wait(logs=True)``
on a job that is still training, on a manual clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.envs import ClientEnv
from tests.compat.follow import (
    assert_each_event_printed_once,
    follow_running_job,
    start_training_job,
)
from tests.compat.harness import Follower, Report, run_client
from tests.compat.served import Served

TUNING_JOB = "compat-core-tuning"


@pytest.fixture(scope="module")
def core_run(
    v2_env: ClientEnv, fast_server: Served, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    return run_client(
        v2_env,
        "core",
        "tuning",
        TUNING_JOB,
        served=fast_server,
        workdir=tmp_path_factory.mktemp("core-tuning"),
    )


def test_create_and_wait(core_run: Report, fast_server: Served) -> None:
    created = core_run.value("create")
    described = fast_server.client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING_JOB
    )
    assert created["name"] == TUNING_JOB
    assert created["arn"] == described["HyperParameterTuningJobArn"]
    assert core_run.value("wait") == "Completed"


def test_get_and_refresh(core_run: Report, fast_server: Served) -> None:
    got = core_run.value("get")
    described = fast_server.client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING_JOB
    )
    best = described["BestTrainingJob"]
    assert got == {
        "status": "Completed",
        "objective": "validation:rmse",
        "completed": 2,
        "best_training_job": best["TrainingJobName"],
        "best_objective": pytest.approx(
            best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        ),
    }
    assert core_run.value("refresh") == "Completed"


def test_get_all(core_run: Report) -> None:
    assert core_run.value("get_all") == [TUNING_JOB]


def test_get_all_training_jobs(core_run: Report, fast_server: Served) -> None:
    listed = core_run.value("get_all_training_jobs")
    summaries = fast_server.client("sagemaker").list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING_JOB
    )["TrainingJobSummaries"]
    assert sorted(job["name"] for job in listed) == sorted(s["TrainingJobName"] for s in summaries)
    assert {job["status"] for job in listed} == {"Completed"}


def test_training_job_wait_with_logs_prints_the_job_log(
    core_run: Report, fast_server: Served
) -> None:
    waited = core_run.value("training_job_wait_logs")
    assert waited["status"] == "Completed"
    assert waited["messages"] == fast_server.log_messages(waited["training_job"])


def test_training_job_wait_follows_a_running_job(
    v2_env: ClientEnv, manual_server: Served, tmp_path: Path
) -> None:
    start_training_job(manual_server, "compat-core-follow", rounds=25)
    follower = Follower.start(
        v2_env, "core", ("follow", "compat-core-follow"), served=manual_server, workdir=tmp_path
    )
    report, messages = follow_running_job(follower, manual_server, "compat-core-follow")
    outcome = report.value("wait_logs")
    assert outcome["status"] == "Completed"
    assert_each_event_printed_once(outcome["messages"], messages)
