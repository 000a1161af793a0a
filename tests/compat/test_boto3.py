"""boto3's paginators and waiters, and the members a stock boto3 user reads, against ``sagetune serve``.

boto3 is in the project's own environment (the ``dev`` extra), so it runs in this process
against the served simulator: a real botocore stack over a real socket.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import WaiterError

from tests.compat.harness import pick
from tests.compat.served import Served
from tests.simulator.builders import training_request, tuning_request

CHANNELS = [
    {
        "ChannelName": "train",
        "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://sagetune-compat/train"}
        },
    }
]


@pytest.fixture(scope="module")
def sm(fast_server: Served) -> Any:
    return fast_server.client("sagemaker")


def boto3_request(name: str, **options: Any) -> dict[str, Any]:
    """A tuning request as a boto3 user writes it: early stopping type left out."""
    request = tuning_request(name, early_stopping=None, **options)
    request["TrainingJobDefinition"]["InputDataConfig"] = CHANNELS
    return request


def test_paginators_walk_every_list(sm: Any, fast_server: Served) -> None:
    names = [f"compat-boto3-page-{i}" for i in range(5)]
    for name in names:
        sm.create_hyper_parameter_tuning_job(**boto3_request(name, jobs=3, parallel=3, rounds=2))
    for name in names:
        fast_server.wait_for_tuning_job(name)
    tuning_pages = list(
        sm.get_paginator("list_hyper_parameter_tuning_jobs").paginate(
            NameContains="compat-boto3-page", SortBy="Name", SortOrder="Ascending",
            PaginationConfig={"PageSize": 2},
        )
    )  # fmt: skip
    assert [len(p["HyperParameterTuningJobSummaries"]) for p in tuning_pages] == [2, 2, 1]
    listed = [
        s["HyperParameterTuningJobName"]
        for p in tuning_pages
        for s in p["HyperParameterTuningJobSummaries"]
    ]
    assert listed == names

    children = [
        s["TrainingJobName"]
        for p in sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=names[0], PaginationConfig={"PageSize": 1}
        )
        for s in p["TrainingJobSummaries"]
    ]
    assert len(children) == len(set(children)) == 3
    limited = (
        sm.get_paginator("list_training_jobs")
        .paginate(
            NameContains="compat-boto3-page", PaginationConfig={"PageSize": 4, "MaxItems": 10}
        )
        .build_full_result()
    )
    assert len(limited["TrainingJobSummaries"]) == 10
    assert "NextToken" in limited
    rest = (
        sm.get_paginator("list_training_jobs")
        .paginate(
            NameContains="compat-boto3-page",
            PaginationConfig={"PageSize": 4, "StartingToken": limited["NextToken"]},
        )
        .build_full_result()
    )
    every = [
        s["TrainingJobName"] for s in limited["TrainingJobSummaries"] + rest["TrainingJobSummaries"]
    ]
    assert len(every) == len(set(every)) == 15


def test_training_job_waiter(sm: Any) -> None:
    sm.create_training_job(
        **training_request("compat-boto3-wait", "sagetune/xgboost-curve:latest", {"num_round": "5"})
    )
    sm.get_waiter("training_job_completed_or_stopped").wait(
        TrainingJobName="compat-boto3-wait", WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    assert (
        sm.describe_training_job(TrainingJobName="compat-boto3-wait")["TrainingJobStatus"]
        == "Completed"
    )

    sm.create_training_job(
        **training_request("compat-boto3-fail", "sagetune/fail:latest", {"fail_at_epoch": "1"})
    )
    with pytest.raises(WaiterError, match="terminal failure state"):
        sm.get_waiter("training_job_completed_or_stopped").wait(
            TrainingJobName="compat-boto3-fail", WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )


@pytest.fixture(scope="module")
def described(sm: Any, fast_server: Served) -> dict[str, Any]:
    """A tuning job created without the members the service fills in, its best training
    job, and a standalone training job, each as DescribeTrainingJob/DescribeHPTJ answer."""
    sm.create_hyper_parameter_tuning_job(
        **boto3_request("compat-boto3-members", jobs=2, parallel=2, rounds=3)
    )
    tuning = fast_server.wait_for_tuning_job("compat-boto3-members")
    launched = sm.describe_training_job(
        TrainingJobName=tuning["BestTrainingJob"]["TrainingJobName"]
    )
    sm.create_training_job(
        **training_request(
            "compat-boto3-standalone", "sagetune/xgboost-curve:latest", {"num_round": "3"},
            InputDataConfig=CHANNELS,
        )
    )  # fmt: skip
    standalone = sm.describe_training_job(TrainingJobName="compat-boto3-standalone")
    return {"tuning": tuning, "launched": launched, "standalone": standalone}


# What the service fills in when a request leaves it out (tests/compat/README.md says where
# each comes from: the service model, real responses, the SDKs' unguarded reads).
TUNING_DEFAULTS = {
    "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType": "Off",
    "TrainingJobDefinition.StaticHyperParameters._tuning_objective_metric": "validation:rmse",
    "TrainingJobDefinition.EnableNetworkIsolation": False,
    "TrainingJobDefinition.EnableInterContainerTrafficEncryption": False,
    "TrainingJobDefinition.EnableManagedSpotTraining": False,
}
TRAINING_DEFAULTS = {
    "EnableNetworkIsolation": False,
    "EnableInterContainerTrafficEncryption": False,
    "EnableManagedSpotTraining": False,
    "OutputDataConfig.KmsKeyId": "",
    "OutputDataConfig.CompressionType": "GZIP",
    "AlgorithmSpecification.EnableSageMakerMetricsTimeSeries": False,
    "InputDataConfig.0.CompressionType": "None",
    "InputDataConfig.0.RecordWrapperType": "None",
    "ResourceConfig.InstanceType": "ml.m5.xlarge",
}


def test_tuning_job_description_fills_in_the_service_defaults(described: dict[str, Any]) -> None:
    assert pick(described["tuning"], list(TUNING_DEFAULTS)) == TUNING_DEFAULTS


@pytest.mark.parametrize("which", ["standalone", "launched"])
def test_training_job_description_fills_in_the_service_defaults(
    described: dict[str, Any], which: str
) -> None:
    expected = TRAINING_DEFAULTS | (
        {"ProfilingStatus": "Disabled"} if which == "standalone" else {}
    )
    assert pick(described[which], list(expected)) == expected


def test_launched_training_job_names_its_tuning_job(described: dict[str, Any]) -> None:
    launched = described["launched"]
    expected = {
        "TuningJobArn": described["tuning"]["HyperParameterTuningJobArn"],
        "HyperParameters._tuning_objective_metric": "validation:rmse",
    }
    assert pick(launched, list(expected)) == expected


def test_tags_given_at_create_are_listed_and_carried_to_training_jobs(
    sm: Any, fast_server: Served
) -> None:
    tags = [{"Key": "team", "Value": "tuning"}, {"Key": "cost-center", "Value": ""}]
    sm.create_hyper_parameter_tuning_job(
        **boto3_request("compat-boto3-tags", jobs=1, parallel=1, rounds=2), Tags=tags
    )
    tuning = fast_server.wait_for_tuning_job("compat-boto3-tags")
    assert sm.list_tags(ResourceArn=tuning["HyperParameterTuningJobArn"])["Tags"] == tags
    launched = sm.describe_training_job(
        TrainingJobName=tuning["BestTrainingJob"]["TrainingJobName"]
    )
    assert sm.list_tags(ResourceArn=launched["TrainingJobArn"])["Tags"] == tags
    sm.add_tags(
        ResourceArn=tuning["HyperParameterTuningJobArn"], Tags=[{"Key": "stage", "Value": "dev"}]
    )
    sm.delete_tags(ResourceArn=tuning["HyperParameterTuningJobArn"], TagKeys=["team"])
    assert sm.list_tags(ResourceArn=tuning["HyperParameterTuningJobArn"])["Tags"] == [
        {"Key": "cost-center", "Value": ""},
        {"Key": "stage", "Value": "dev"},
    ]
