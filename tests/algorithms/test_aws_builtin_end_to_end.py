"""A request copied from AWS's documentation runs unchanged: a built-in XGBoost image, no
MetricDefinitions, through sagetune's client over the in-process transport.

The request is AWS's "Tune an XGBoost model" example (automatic-model-tuning-ex): the image
``sagemaker.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")`` returns, objective
``validation:auc`` with ``binary:logistic``, or ``validation:rmse`` for regression.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sagetune import SageMakerClient
from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    DescribeHyperParameterTuningJobRequest,
    DescribeTrainingJobRequest,
    ListTrainingJobsForHyperParameterTuningJobRequest,
)
from sagetune.rules import rule_violations
from sagetune.simulator import Simulator
from sagetune.simulator.algorithms.aws_images import aws_image_catalog

# sagemaker.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
XGBOOST_1_7 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
LINEAR_LEARNER = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def _channel(name: str) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": f"s3://amzn-s3-demo-bucket/xgboost/{name}",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": "text/csv",
        "CompressionType": "None",
    }


def documented_tuning_request(name: str, metric: str, kind: str) -> dict[str, Any]:
    """AWS's example request, as documented (sizes cut down for a quick test)."""
    static = {"num_round": "30", "rate_drop": "0.3", "tweedie_variance_power": "1.4"}
    if metric == "validation:auc":
        static |= {"eval_metric": "auc", "objective": "binary:logistic"}
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"MetricName": metric, "Type": kind},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "CategoricalParameterRanges": [],
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0", "MaxValue": "1"},
                    {"Name": "alpha", "MinValue": "0", "MaxValue": "2"},
                    {"Name": "min_child_weight", "MinValue": "1", "MaxValue": "10"},
                ],
                "IntegerParameterRanges": [
                    {"Name": "max_depth", "MinValue": "1", "MaxValue": "10"}
                ],
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {"TrainingImage": XGBOOST_1_7, "TrainingInputMode": "File"},
            "InputDataConfig": [_channel("train"), _channel("validation")],
            "OutputDataConfig": {"S3OutputPath": "s3://amzn-s3-demo-bucket/xgboost/output"},
            "ResourceConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 10,
            },
            "RoleArn": ROLE,
            "StaticHyperParameters": static,
            "StoppingCondition": {"MaxRuntimeInSeconds": 43200},
        },
    }


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
def client(sim: Simulator) -> Iterator[SageMakerClient]:
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()), **sim.client_options()
    ) as sm:
        yield sm


@pytest.mark.parametrize(
    ("metric", "kind", "low", "high"),
    [("validation:auc", "Maximize", 0.5, 1.0), ("validation:rmse", "Minimize", 0.1, 1.2)],
)
def test_documented_xgboost_tuning_job_runs_to_completion(
    sim: Simulator, client: SageMakerClient, metric: str, kind: str, low: float, high: float
) -> None:
    request = documented_tuning_request("xgb-doc", metric, kind)
    assert "MetricDefinitions" not in request["TrainingJobDefinition"]["AlgorithmSpecification"]

    client.create_hyper_parameter_tuning_job(
        from_wire(CreateHyperParameterTuningJobRequest, request)
    )
    sim.run_until_idle()

    done = client.describe_hyper_parameter_tuning_job(
        DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="xgb-doc")
    )
    assert done.hyper_parameter_tuning_job_status == "Completed"
    assert done.training_job_status_counters.completed == 6
    assert done.objective_status_counters.succeeded == 6
    best = done.best_training_job
    assert best is not None
    final = best.final_hyper_parameter_tuning_job_objective_metric
    assert final is not None
    assert final.metric_name == metric
    assert low < final.value < high

    jobs = client.list_training_jobs_for_hyper_parameter_tuning_job(
        ListTrainingJobsForHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="xgb-doc")
    ).training_job_summaries
    values = [j.final_hyper_parameter_tuning_job_objective_metric for j in jobs]
    assert all(v is not None and v.metric_name == metric for v in values)
    chosen = (max if kind == "Maximize" else min)(v.value for v in values if v is not None)
    assert final.value == chosen


def test_standalone_training_job_with_the_image_reports_the_published_metrics(
    sim: Simulator, client: SageMakerClient
) -> None:
    request = {
        "TrainingJobName": "xgb-standalone",
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_1_7, "TrainingInputMode": "File"},
        "HyperParameters": {"num_round": "12", "eval_metric": "rmse,mae"},
        "InputDataConfig": [_channel("train"), _channel("validation")],
        "OutputDataConfig": {"S3OutputPath": "s3://amzn-s3-demo-bucket/xgboost/output"},
        "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 10,
        },
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    client.create_training_job(from_wire(CreateTrainingJobRequest, request))
    sim.run_until_idle()

    job = client.describe_training_job(
        DescribeTrainingJobRequest(training_job_name="xgb-standalone")
    )
    assert job.training_job_status == "Completed"
    reported = {
        m.metric_name: m.value
        for m in job.final_metric_data_list or []
        if m.metric_name is not None and m.value is not None
    }
    assert set(reported) == {"train:rmse", "validation:rmse", "train:mae", "validation:mae"}
    assert reported["validation:mae"] == pytest.approx(
        reported["validation:rmse"] * 0.7979, rel=1e-3
    )


def test_bad_hyperparameter_fails_the_training_job_with_the_containers_error(
    sim: Simulator, client: SageMakerClient
) -> None:
    request = {
        "TrainingJobName": "xgb-bad",
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_1_7, "TrainingInputMode": "File"},
        "HyperParameters": {"num_round": "10", "eta": "1.5"},
        "OutputDataConfig": {"S3OutputPath": "s3://amzn-s3-demo-bucket/xgboost/output"},
        "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 10,
        },
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    client.create_training_job(from_wire(CreateTrainingJobRequest, request))
    sim.run_until_idle()

    job = client.describe_training_job(DescribeTrainingJobRequest(training_job_name="xgb-bad"))
    assert job.training_job_status == "Failed"
    assert job.failure_reason is not None
    assert job.failure_reason.startswith("AlgorithmError: framework error: \n")
    assert job.failure_reason.endswith("\n\nHyperparameter eta: 1.5 is not in [0, 1]")


def test_documented_linear_learner_tuning_job_runs_to_completion(
    sim: Simulator, client: SageMakerClient
) -> None:
    request = documented_tuning_request("ll-doc", "validation:objective_loss", "Minimize")
    definition = request["TrainingJobDefinition"]
    definition["AlgorithmSpecification"]["TrainingImage"] = LINEAR_LEARNER
    definition["StaticHyperParameters"] = {"predictor_type": "binary_classifier", "epochs": "8"}
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [
            {"Name": "wd", "MinValue": "1e-7", "MaxValue": "1", "ScalingType": "Logarithmic"},
            {
                "Name": "learning_rate",
                "MinValue": "1e-5",
                "MaxValue": "1",
                "ScalingType": "Logarithmic",
            },
        ],
        "IntegerParameterRanges": [
            {"Name": "mini_batch_size", "MinValue": "100", "MaxValue": "5000"}
        ],
    }
    client.create_hyper_parameter_tuning_job(
        from_wire(CreateHyperParameterTuningJobRequest, request)
    )
    sim.run_until_idle()

    done = client.describe_hyper_parameter_tuning_job(
        DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="ll-doc")
    )
    assert done.hyper_parameter_tuning_job_status == "Completed"
    assert done.objective_status_counters.succeeded == 6
    assert done.best_training_job is not None
    final = done.best_training_job.final_hyper_parameter_tuning_job_objective_metric
    assert final is not None
    assert final.metric_name == "validation:objective_loss"
    assert 0.15 < final.value < 0.7


def test_the_e2e_image_is_the_one_the_sdk_returns() -> None:
    image = aws_image_catalog().lookup(XGBOOST_1_7)
    assert image is not None
    assert (image.algorithm, image.version, image.region) == ("xgboost", "1.7-1", "us-east-1")


def test_the_rules_leave_a_request_without_metric_definitions_to_the_service() -> None:
    request = documented_tuning_request("xgb-doc", "validation:auc", "Maximize")
    assert rule_violations(from_wire(CreateHyperParameterTuningJobRequest, request)) == []

    algorithm = request["TrainingJobDefinition"]["AlgorithmSpecification"]
    algorithm["MetricDefinitions"] = [{"Name": "validation:rmse", "Regex": "rmse=(\\S+)"}]
    violations = rule_violations(from_wire(CreateHyperParameterTuningJobRequest, request))
    assert [v.rule for v in violations] == [
        "The objective metric 'validation:auc' must be defined in MetricDefinitions "
        "(defined: validation:rmse)"
    ]


def test_a_served_job_tells_the_algorithm_its_channels_and_its_start_time(
    sim: Simulator, client: SageMakerClient
) -> None:
    request = {
        "TrainingJobName": "xgb-train-only",
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_1_7, "TrainingInputMode": "File"},
        "HyperParameters": {"num_round": "5"},
        "InputDataConfig": [_channel("train")],
        "OutputDataConfig": {"S3OutputPath": "s3://amzn-s3-demo-bucket/xgboost/output"},
        "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 10,
        },
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    client.create_training_job(from_wire(CreateTrainingJobRequest, request))
    sim.run_until_idle()

    job = client.describe_training_job(
        DescribeTrainingJobRequest(training_job_name="xgb-train-only")
    )
    reported = {m.metric_name for m in job.final_metric_data_list or []}
    assert reported == {"train:rmse"}  # no validation channel, no validation metric
    assert job.training_start_time is not None
    started = job.training_start_time.strftime("%Y-%m-%d")
    lines = [line for _, _, line in sim.store.log_lines("xgb-train-only")]
    stamped = [line for line in lines if line[:4].isdigit() or line.startswith("[")]
    assert any(started in line for line in stamped), stamped[:3]  # the container's clock
    assert not any("1970-01-01" in line for line in lines)
