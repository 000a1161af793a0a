"""SageMaker Python SDK v2 (``sagemaker>=2.257,<3``) against ``sagetune serve``, unchanged.

Each client flow runs once per module in ``.venv-compat-v2`` (``clients/sdk_v2.py``); the
tests below each assert on one step's observation, compared with what the server holds
(read with boto3 from this process).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.compat.envs import ClientEnv
from tests.compat.follow import (
    assert_each_event_printed_once,
    follow_running_job,
    printed_events,
    start_training_job,
)
from tests.compat.harness import Follower, Report, pick, run_client
from tests.compat.served import Served
from tests.simulator.builders import tuning_request

TUNING_JOB = "compat-v2-tuner"
BOTO3_JOB = "compat-v2-boto3"
TRAINING_JOB = "compat-v2-estimator"
TAGS = [{"Key": "project", "Value": "sagetune-compat"}]


@attrs.frozen
class TuningRun:
    report: Report
    boto3_request: dict[str, Any]
    sm: Any


@pytest.fixture(scope="module")
def tuning(
    v2_env: ClientEnv, fast_server: Served, tmp_path_factory: pytest.TempPathFactory
) -> TuningRun:
    sm = fast_server.client("sagemaker")
    # Created the way a boto3 or CLI user does: without TrainingJobEarlyStoppingType.
    request = tuning_request(BOTO3_JOB, jobs=2, parallel=2, rounds=5, early_stopping=None)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"]["CategoricalParameterRanges"] = []
    sm.create_hyper_parameter_tuning_job(**request)
    report = run_client(
        v2_env,
        "sdk_v2",
        "tuning",
        TUNING_JOB,
        BOTO3_JOB,
        served=fast_server,
        workdir=tmp_path_factory.mktemp("v2-tuning"),
    )
    return TuningRun(report=report, boto3_request=request, sm=sm)


def training_jobs(sm: Any, tuning_job: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=tuning_job
    )
    return [summary for page in pages for summary in page["TrainingJobSummaries"]]


def ranges_by_name(ranges: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """``ParameterRanges`` reduced to what a range is: its type, bounds or values, by name."""
    reduced: dict[str, Any] = {}
    for kind, items in sorted(ranges.items()):
        for item in items:
            bounds = item.get("Values") or (float(item["MinValue"]), float(item["MaxValue"]))
            reduced[item["Name"]] = (kind, tuple(bounds))
    return reduced


def test_fit_without_waiting_then_wait(tuning: TuningRun) -> None:
    fit = tuning.report.value("fit")
    assert fit["job"] == TUNING_JOB
    assert tuning.report.value("wait") == "Completed"
    described = tuning.sm.describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING_JOB
    )
    assert described["TrainingJobStatusCounters"]["Completed"] == 3


def test_attach_gives_back_the_request(tuning: TuningRun) -> None:
    request = tuning.report.value("fit")["request"]
    attached = tuning.report.value("attach")
    for key in ("objective_metric_name", "objective_type", "strategy", "max_jobs",
                "max_parallel_jobs", "early_stopping_type", "image_uri", "output_path",
                "instance_type", "static_hyperparameters"):  # fmt: skip
        assert attached[key] == request[key], key
    assert attached["hyperparameter_ranges"] == request["hyperparameter_ranges"]
    assert all(d in attached["metric_definitions"] for d in request["metric_definitions"])


def test_attach_a_job_created_without_early_stopping_type(tuning: TuningRun) -> None:
    attached = tuning.report.value("attach_boto3_job")
    config = tuning.boto3_request["HyperParameterTuningJobConfig"]
    assert attached["early_stopping_type"] == "Off"
    assert attached["objective_metric_name"] == "validation:rmse"
    assert attached["objective_type"] == "Minimize"
    assert ranges_by_name(attached["hyperparameter_ranges"]) == ranges_by_name(
        config["ParameterRanges"]
    )
    assert attached["max_jobs"] == 2
    assert attached["static_hyperparameters"] == {"num_round": "5"}


def test_describe(tuning: TuningRun) -> None:
    described = tuning.report.value("describe")
    assert described["HyperParameterTuningJobName"] == TUNING_JOB
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Off"


def test_best_training_job_has_the_lowest_objective(tuning: TuningRun) -> None:
    best = tuning.report.value("best_training_job")
    summaries = training_jobs(tuning.sm, TUNING_JOB)
    lowest = min(summaries, key=lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert best == lowest["TrainingJobName"]


def test_analytics_dataframe_has_one_row_per_training_job(tuning: TuningRun) -> None:
    rows = tuning.report.value("analytics")
    summaries = training_jobs(tuning.sm, TUNING_JOB)
    assert len(rows) == len(summaries) == 3
    by_name = {s["TrainingJobName"]: s for s in summaries}
    for row in rows:
        summary = by_name[row["TrainingJobName"]]
        expected = summary["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        assert row["FinalObjectiveValue"] == pytest.approx(expected)
        assert row["TrainingJobStatus"] == summary["TrainingJobStatus"]
        tuned = summary["TunedHyperParameters"]
        assert float(row["eta"]) == pytest.approx(float(tuned["eta"]))
        assert float(row["max_depth"]) == float(tuned["max_depth"])


def test_best_estimator_attaches_the_best_training_job(tuning: TuningRun) -> None:
    attached = tuning.report.value("best_estimator")
    best = tuning.report.value("best_training_job")
    described = tuning.sm.describe_training_job(TrainingJobName=best)
    assert attached["training_job"] == best
    assert attached["image_uri"] == "sagetune/xgboost-curve:latest"
    assert attached["instance_type"] == "ml.m5.xlarge"
    assert attached["output_kms_key"] == ""
    assert attached["enable_network_isolation"] is False
    assert attached["model_data"] == described["ModelArtifacts"]["S3ModelArtifacts"]
    assert attached["tags"] == TAGS  # the tuning job's tags, carried to its training jobs


def test_transfer_learning_tuner_warm_starts_from_the_parent(tuning: TuningRun) -> None:
    child = tuning.report.value("transfer_learning_tuner")
    assert child["status"] == "Completed"
    assert child["warm_start_config"] == {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": TUNING_JOB}],
        "WarmStartType": "TransferLearning",
    }


# -- a standalone training job


@pytest.fixture(scope="module")
def standalone(
    v2_env: ClientEnv, fast_server: Served, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    return run_client(
        v2_env,
        "sdk_v2",
        "estimator",
        TRAINING_JOB,
        served=fast_server,
        workdir=tmp_path_factory.mktemp("v2-estimator"),
    )


def test_estimator_attach(standalone: Report) -> None:
    assert standalone.value("fit") == TRAINING_JOB
    attached = standalone.value("attach")
    assert attached["training_job"] == TRAINING_JOB
    assert attached["output_kms_key"] == ""
    assert attached["enable_network_isolation"] is False
    assert attached["encrypt_inter_container_traffic"] is False
    assert attached["use_spot_instances"] is False
    assert attached["hyperparameters"] == {"num_round": "6", "max_depth": "8", "eta": "0.3"}
    assert attached["tags"] == []


def test_describe_training_job_carries_the_service_defaults(standalone: Report) -> None:
    expected = {
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": False,
        "EnableManagedSpotTraining": False,
        "OutputDataConfig.KmsKeyId": "",
    }
    assert pick(standalone.value("describe"), list(expected)) == expected


def test_training_job_analytics_reads_cloudwatch_metrics(
    standalone: Report, fast_server: Served
) -> None:
    rows = standalone.value("training_job_analytics")
    logged = [
        float(m.group(1))
        for line in fast_server.log_messages(TRAINING_JOB)
        if (m := re.search(r"validation-rmse:([0-9.]+)", line))
    ]
    assert len(logged) == 6
    assert {row["metric_name"] for row in rows} == {"validation:rmse"}
    # A round takes 100 simulated seconds here, so each one-minute average is one value.
    ordered = [row["value"] for row in sorted(rows, key=lambda row: row["timestamp"])]
    assert ordered == pytest.approx(logged)


# -- AWS's documented XGBoost example, with the image the SDK looks up


@pytest.fixture(scope="module")
def builtin(
    v2_env: ClientEnv, fast_server: Served, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    return run_client(
        v2_env,
        "sdk_v2",
        "builtin",
        "compat-docs-xgboost-estimator",
        "compat-docs-xgboost",
        "compat-docs-xgboost-sdk",
        served=fast_server,
        workdir=tmp_path_factory.mktemp("v2-builtin"),
    )


def test_image_uri_is_the_published_one(builtin: Report) -> None:
    assert builtin.value("image") == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )


def test_builtin_image_trains_and_publishes_its_metrics(builtin: Report) -> None:
    trained = builtin.value("training_job")
    assert trained["status"] == "Completed", trained["failure_reason"]
    assert {"train:auc", "validation:auc"} <= set(trained["metric_definitions"])
    auc = trained["final_metrics"].get("validation:auc")
    assert auc is not None, trained["final_metrics"]
    assert 0.5 <= auc <= 1.0


def test_documented_low_level_request_runs_unchanged(builtin: Report, fast_server: Served) -> None:
    outcome = builtin.value("low_level_request")
    assert outcome["status"] == "Completed", outcome
    best = outcome["best_training_job"]
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "validation:auc"
    assert 0.5 <= best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] <= 1.0
    summaries = training_jobs(fast_server.client("sagemaker"), "compat-docs-xgboost")
    assert len(summaries) == 20


def test_documented_sdk_tuner_runs_without_metric_definitions(builtin: Report) -> None:
    outcome = builtin.value("sdk_tuner")
    assert outcome["status"] == "Completed"
    rows = outcome["analytics"]
    assert len(rows) == 20
    best = max(rows, key=lambda row: row["FinalObjectiveValue"])
    assert outcome["best_training_job"] == best["TrainingJobName"]


# -- following the logs of a running job


def test_logs_for_job_prints_each_line_once_while_the_job_runs(
    v2_env: ClientEnv, manual_server: Served, tmp_path: Path
) -> None:
    start_training_job(manual_server, "compat-v2-follow", rounds=25)
    report, messages = follow_running_job(
        Follower.start(
            v2_env, "sdk_v2", ("follow", "compat-v2-follow"), served=manual_server, workdir=tmp_path
        ),
        manual_server,
        "compat-v2-follow",
    )
    assert report.value("logs_for_job") == "Completed"
    assert_each_event_printed_once(printed_events(report.lines, messages), messages)
