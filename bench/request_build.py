"""Request building: sagetune's typed model vs botocore, for a full CreateHyperParameterTuningJob.

The request (the peer baselines' fixture plus a VpcConfig): every member of
HyperParameterTuningJobConfig, integer / continuous / categorical ranges, a
TrainingJobDefinition with MetricDefinitions, two input channels, VpcConfig, output /
resource / stopping config, WarmStartConfig and Tags.

  sagetune   build the request with the generated classes' constructors (validation runs in
             the constructor), ``to_wire``, ``protocol.encode`` -> the JSON body bytes
  botocore   ``ParamValidator().validate`` + the JSON serializer's ``serialize_to_request``
             (include_validation=False) of the same params dict -> body bytes and headers

Both sides are checked to produce the same JSON first. Batches alternate (order flipped every
repeat); reported are per-call medians and the median of same-repeat throughput ratios (this
is a shared, noisy 2-core box). Informational lines split sagetune's cost into its stages and
time the dict-input path (``from_wire`` + ``to_wire`` + ``encode``). Cross-field rules
(``sagetune.rules``) are not included: botocore has none, and the fixture sets StrategyConfig
with the Bayesian strategy on purpose (to exercise every member), which the rules reject.

Usage: python bench/request_build.py [--repeat 9] [--budget 0.2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import botocore.serialize
import botocore.session
import botocore.validate

from sagetune.codec import from_wire, to_wire
from sagetune.model import (
    BestObjectiveNotImproving,
    CategoricalParameterRange,
    Channel,
    ContinuousParameterRange,
    ConvergenceDetected,
    CreateHyperParameterTuningJobRequest,
    DataSource,
    HyperbandStrategyConfig,
    HyperParameterAlgorithmSpecification,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobConfig,
    HyperParameterTuningJobObjective,
    HyperParameterTuningJobStrategyConfig,
    HyperParameterTuningJobWarmStartConfig,
    IntegerParameterRange,
    MetricDefinition,
    OutputDataConfig,
    ParameterRanges,
    ParentHyperParameterTuningJob,
    ResourceConfig,
    ResourceLimits,
    S3DataSource,
    StoppingCondition,
    Tag,
    TuningJobCompletionCriteria,
    VpcConfig,
)
from sagetune.protocol import encode
from sagetune.rules import rule_violations

ACCOUNT = "123456789012"
JOB_NAME = "xgb-bayes-tune-2026-11-28"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-20261128T000000"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
TRAIN_RMSE = r".*\[[0-9]+\].*#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
VALID_RMSE = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
SUBNETS = ["subnet-0a1b2c3d4e5f60789", "subnet-0f9e8d7c6b5a40321"]
SECURITY_GROUPS = ["sg-0123456789abcdef0"]


def _channel_params(name: str) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": f"s3://example-ml-bucket/datasets/housing/{name}/",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": "text/csv",
        "CompressionType": "None",
        "InputMode": "File",
    }


def request_params() -> dict[str, Any]:
    """The boto3-style params (the peer fixture plus VpcConfig)."""
    return {
        "HyperParameterTuningJobName": JOB_NAME,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 50}},
            "HyperParameterTuningJobObjective": {
                "Type": "Minimize",
                "MetricName": "validation:rmse",
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": 100,
                "MaxParallelTrainingJobs": 10,
                "MaxRuntimeInSeconds": 86400,
            },
            "ParameterRanges": {
                "IntegerParameterRanges": [
                    {
                        "Name": "max_depth",
                        "MinValue": "3",
                        "MaxValue": "12",
                        "ScalingType": "Linear",
                    },
                    {
                        "Name": "num_round",
                        "MinValue": "50",
                        "MaxValue": "1000",
                        "ScalingType": "Logarithmic",
                    },
                    {
                        "Name": "min_child_weight",
                        "MinValue": "1",
                        "MaxValue": "10",
                        "ScalingType": "Auto",
                    },
                ],
                "ContinuousParameterRanges": [
                    {
                        "Name": "eta",
                        "MinValue": "0.001",
                        "MaxValue": "0.5",
                        "ScalingType": "Logarithmic",
                    },
                    {
                        "Name": "subsample",
                        "MinValue": "0.5",
                        "MaxValue": "1.0",
                        "ScalingType": "Linear",
                    },
                    {
                        "Name": "colsample_bytree",
                        "MinValue": "0.3",
                        "MaxValue": "1.0",
                        "ScalingType": "Auto",
                    },
                    {
                        "Name": "alpha",
                        "MinValue": "1e-8",
                        "MaxValue": "10",
                        "ScalingType": "Logarithmic",
                    },
                    {"Name": "gamma", "MinValue": "0", "MaxValue": "5", "ScalingType": "Linear"},
                ],
                "CategoricalParameterRanges": [
                    {"Name": "booster", "Values": ["gbtree", "dart"]},
                    {"Name": "tree_method", "Values": ["auto", "hist", "approx"]},
                    {"Name": "grow_policy", "Values": ["depthwise", "lossguide"]},
                ],
            },
            "TrainingJobEarlyStoppingType": "Auto",
            "TuningJobCompletionCriteria": {
                "TargetObjectiveMetricValue": 0.05,
                "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 20},
                "ConvergenceDetected": {"CompleteOnConvergence": "Enabled"},
            },
            "RandomSeed": 42,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "objective": "reg:squarederror",
                "eval_metric": "rmse",
                "verbosity": "1",
            },
            "AlgorithmSpecification": {
                "TrainingImage": IMAGE,
                "TrainingInputMode": "File",
                "MetricDefinitions": [
                    {"Name": "train:rmse", "Regex": TRAIN_RMSE},
                    {"Name": "validation:rmse", "Regex": VALID_RMSE},
                ],
            },
            "RoleArn": ROLE_ARN,
            "InputDataConfig": [_channel_params("train"), _channel_params("validation")],
            "VpcConfig": {"SecurityGroupIds": SECURITY_GROUPS, "Subnets": SUBNETS},
            "OutputDataConfig": {"S3OutputPath": "s3://example-ml-bucket/tuning-output/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "EnableNetworkIsolation": False,
            "EnableInterContainerTrafficEncryption": False,
            "EnableManagedSpotTraining": False,
        },
        "WarmStartConfig": {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": "xgb-bayes-tune-2026-11-20"},
                {"HyperParameterTuningJobName": "xgb-bayes-tune-2026-11-24"},
            ],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
        "Tags": [
            {"Key": "project", "Value": "housing-price"},
            {"Key": "team", "Value": "ml-platform"},
            {"Key": "cost-center", "Value": "cc-4711"},
        ],
    }


def _channel(name: str) -> Channel:
    return Channel(
        channel_name=name,
        data_source=DataSource(
            s3_data_source=S3DataSource(
                s3_data_type="S3Prefix",
                s3_uri=f"s3://example-ml-bucket/datasets/housing/{name}/",
                s3_data_distribution_type="FullyReplicated",
            )
        ),
        content_type="text/csv",
        compression_type="None",
        input_mode="File",
    )


def build_request() -> CreateHyperParameterTuningJobRequest:
    """The same request, written with the generated classes as an application would."""
    return CreateHyperParameterTuningJobRequest(
        hyper_parameter_tuning_job_name=JOB_NAME,
        hyper_parameter_tuning_job_config=HyperParameterTuningJobConfig(
            strategy="Bayesian",
            strategy_config=HyperParameterTuningJobStrategyConfig(
                hyperband_strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=50)
            ),
            hyper_parameter_tuning_job_objective=HyperParameterTuningJobObjective(
                type="Minimize", metric_name="validation:rmse"
            ),
            resource_limits=ResourceLimits(
                max_number_of_training_jobs=100,
                max_parallel_training_jobs=10,
                max_runtime_in_seconds=86400,
            ),
            parameter_ranges=ParameterRanges(
                integer_parameter_ranges=[
                    IntegerParameterRange(
                        name="max_depth", min_value="3", max_value="12", scaling_type="Linear"
                    ),
                    IntegerParameterRange(
                        name="num_round",
                        min_value="50",
                        max_value="1000",
                        scaling_type="Logarithmic",
                    ),
                    IntegerParameterRange(
                        name="min_child_weight", min_value="1", max_value="10", scaling_type="Auto"
                    ),
                ],
                continuous_parameter_ranges=[
                    ContinuousParameterRange(
                        name="eta", min_value="0.001", max_value="0.5", scaling_type="Logarithmic"
                    ),
                    ContinuousParameterRange(
                        name="subsample", min_value="0.5", max_value="1.0", scaling_type="Linear"
                    ),
                    ContinuousParameterRange(
                        name="colsample_bytree",
                        min_value="0.3",
                        max_value="1.0",
                        scaling_type="Auto",
                    ),
                    ContinuousParameterRange(
                        name="alpha", min_value="1e-8", max_value="10", scaling_type="Logarithmic"
                    ),
                    ContinuousParameterRange(
                        name="gamma", min_value="0", max_value="5", scaling_type="Linear"
                    ),
                ],
                categorical_parameter_ranges=[
                    CategoricalParameterRange(name="booster", values=["gbtree", "dart"]),
                    CategoricalParameterRange(
                        name="tree_method", values=["auto", "hist", "approx"]
                    ),
                    CategoricalParameterRange(
                        name="grow_policy", values=["depthwise", "lossguide"]
                    ),
                ],
            ),
            training_job_early_stopping_type="Auto",
            tuning_job_completion_criteria=TuningJobCompletionCriteria(
                target_objective_metric_value=0.05,
                best_objective_not_improving=BestObjectiveNotImproving(
                    max_number_of_training_jobs_not_improving=20
                ),
                convergence_detected=ConvergenceDetected(complete_on_convergence="Enabled"),
            ),
            random_seed=42,
        ),
        training_job_definition=HyperParameterTrainingJobDefinition(
            static_hyper_parameters={
                "objective": "reg:squarederror",
                "eval_metric": "rmse",
                "verbosity": "1",
            },
            algorithm_specification=HyperParameterAlgorithmSpecification(
                training_image=IMAGE,
                training_input_mode="File",
                metric_definitions=[
                    MetricDefinition(name="train:rmse", regex=TRAIN_RMSE),
                    MetricDefinition(name="validation:rmse", regex=VALID_RMSE),
                ],
            ),
            role_arn=ROLE_ARN,
            input_data_config=[_channel("train"), _channel("validation")],
            vpc_config=VpcConfig(security_group_ids=SECURITY_GROUPS, subnets=SUBNETS),
            output_data_config=OutputDataConfig(
                s3_output_path="s3://example-ml-bucket/tuning-output/"
            ),
            resource_config=ResourceConfig(
                instance_type="ml.m5.xlarge", instance_count=1, volume_size_in_gb=30
            ),
            stopping_condition=StoppingCondition(max_runtime_in_seconds=3600),
            enable_network_isolation=False,
            enable_inter_container_traffic_encryption=False,
            enable_managed_spot_training=False,
        ),
        warm_start_config=HyperParameterTuningJobWarmStartConfig(
            parent_hyper_parameter_tuning_jobs=[
                ParentHyperParameterTuningJob(
                    hyper_parameter_tuning_job_name="xgb-bayes-tune-2026-11-20"
                ),
                ParentHyperParameterTuningJob(
                    hyper_parameter_tuning_job_name="xgb-bayes-tune-2026-11-24"
                ),
            ],
            warm_start_type="IdenticalDataAndAlgorithm",
        ),
        tags=[
            Tag(key="project", value="housing-price"),
            Tag(key="team", value="ml-platform"),
            Tag(key="cost-center", value="cc-4711"),
        ],
    )


def per_call(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def calibrate(fn: Callable[[], object], budget: float) -> int:
    number = 1
    while True:
        elapsed = per_call(fn, number) * number
        if elapsed >= 0.02:
            return max(1, int(number * budget / elapsed))
        number *= 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--budget", type=float, default=0.2, help="seconds per batch")
    args = parser.parse_args()

    model = botocore.session.get_session().get_service_model("sagemaker")
    operation = model.operation_model("CreateHyperParameterTuningJob")
    input_shape = operation.input_shape
    assert input_shape is not None
    validator = botocore.validate.ParamValidator()
    serializer = botocore.serialize.create_serializer("json", include_validation=False)
    params = request_params()

    def sagetune_build() -> bytes:
        return encode(to_wire(build_request()))

    def botocore_build() -> dict[str, Any]:
        report = validator.validate(params, input_shape)
        if report.has_errors():
            raise RuntimeError(report.generate_report())
        request: dict[str, Any] = serializer.serialize_to_request(params, operation)
        return request

    ours = json.loads(sagetune_build())
    theirs = json.loads(botocore_build()["body"])
    assert ours == theirs == json.loads(json.dumps(params)), "the two sides build different bodies"

    sides = {"sagetune": sagetune_build, "botocore": botocore_build}
    numbers = {name: calibrate(fn, args.budget) for name, fn in sides.items()}
    times: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(args.repeat):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for name in order:
            times[name].append(per_call(sides[name], numbers[name]))
    ratios = [b / s for s, b in zip(times["sagetune"], times["botocore"], strict=True)]

    request = build_request()
    wire = to_wire(request)
    stages = {
        "construct+validate": build_request,
        "to_wire": lambda: to_wire(request),
        "encode": lambda: encode(wire),
        "from_wire (dict in)": lambda: from_wire(CreateHyperParameterTuningJobRequest, params),
        "rules (not in ratio)": lambda: rule_violations(request),
        "botocore validate": lambda: validator.validate(params, input_shape),
        "botocore serialize": lambda: serializer.serialize_to_request(params, operation),
    }
    print(f"body {len(sagetune_build())} bytes; {args.repeat} alternating repeats")
    for name in sides:
        print(f"  {name:9s} {statistics.median(times[name]) * 1e6:8.1f} us/call (median)")
    print("  stages (median of 5 batches):")
    for name, fn in stages.items():
        number = calibrate(fn, args.budget / 2)
        cost = statistics.median(per_call(fn, number) for _ in range(5))
        print(f"    {name:22s} {cost * 1e6:8.1f} us")
    print(f"RESULT request_build_sagetune {statistics.median(times['sagetune']) * 1e6:.1f} us")
    print(f"RESULT request_build_botocore {statistics.median(times['botocore']) * 1e6:.1f} us")
    print(f"RESULT request_build_speedup {statistics.median(ratios):.2f} x")


if __name__ == "__main__":
    main()
