"""Request documents (boto3-style dicts) for the simulator's tests."""

from __future__ import annotations

from typing import Any

XGB_RMSE_REGEX = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def xgb_definition(rounds: int = 20, **overrides: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "StaticHyperParameters": {"num_round": str(rounds)},
        "AlgorithmSpecification": {
            "TrainingImage": "sagetune/xgboost-curve:latest",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "validation:rmse", "Regex": XGB_RMSE_REGEX}],
        },
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 10,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 36000},
    }
    definition.update(overrides)
    return definition


def tuning_request(
    name: str,
    *,
    strategy: str = "Random",
    jobs: int = 8,
    parallel: int = 2,
    rounds: int = 20,
    early_stopping: str | None = "Off",
    seed: int = 7,
    **config: Any,
) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {
                "Type": "Minimize",
                "MetricName": "validation:rmse",
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {
                        "Name": "eta",
                        "MinValue": "0.01",
                        "MaxValue": "0.5",
                        "ScalingType": "Logarithmic",
                    }
                ],
                "IntegerParameterRanges": [
                    {"Name": "max_depth", "MinValue": "2", "MaxValue": "10"}
                ],
            },
            **(
                {"TrainingJobEarlyStoppingType": early_stopping}
                if early_stopping is not None
                else {}
            ),
            "RandomSeed": seed,
            **config,
        },
        "TrainingJobDefinition": xgb_definition(rounds),
    }


def training_request(
    name: str, image: str, hyperparameters: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TrainingJobName": name,
        "HyperParameters": hyperparameters,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 10,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 36000},
    }
    request.update(overrides)
    return request
