"""Request building: sagetune's typed model vs botocore, for a full CreateHyperParameterTuningJob.

The request (the peer baselines' fixture plus a VpcConfig): every member of
HyperParameterTuningJobConfig, integer / continuous / categorical ranges, a
TrainingJobDefinition with MetricDefinitions, two input channels, VpcConfig, output /
resource / stopping config, WarmStartConfig and Tags.

Four cases, each against botocore on the same params:

  constructors  build the request with the generated classes' constructors (validation runs
                in the constructor), ``to_wire``, ``protocol.encode`` -> the JSON body bytes
  from a dict   ``from_wire`` (validating) of the boto3-style params, ``to_wire``, ``encode``
  botocore      ``ParamValidator().validate`` + the JSON serializer's ``serialize_to_request``
                (include_validation=False) of the params dict -> body bytes and headers

each once with the same strings every time ("memoized": a pattern check remembers strings it
has seen match, ``sagetune.constraints.Pattern``) and once with distinct strings per call
("distinct strings": 2,048 variants of the request cycled, every pattern-checked string its
own, so no memo hit; botocore gets the same variants).

Both sides are checked to produce the same JSON first. Batches alternate (order flipped every
repeat) and are timed in CPU time of this process (``time.process_time``); reported are
per-call medians and the median of same-repeat throughput ratios (this is a shared, noisy
2-core box). Informational lines split sagetune's cost into its stages.
Cross-field rules (``sagetune.rules``) are not included: botocore has none, and the fixture
sets StrategyConfig with the Bayesian strategy on purpose (to exercise every member), which
the rules reject.

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
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
TRAIN_RMSE = r".*\[[0-9]+\].*#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
VALID_RMSE = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
# Distinct variants cycled through in the unmemoized cases: each pattern's memo holds at most
# 1,024 strings (sagetune.constraints.MATCH_MEMO_SIZE) and every variant adds at least one
# to it, so a string comes back only after its memo has been emptied: no memo hits.
VARIANTS = 2048


class Strings:
    """Every string of the request. ``Strings(None)``: the fixed fixture (the memoized case:
    each string is the same every time). ``Strings(n)``: variant ``n``, in which every
    string a pattern checks is its own (a suffix, or a shifted number), while enum values,
    numbers and the request's shape stay the same, and every constraint is still met."""

    def __init__(self, variant: int | None) -> None:
        n = variant or 0
        sfx = "" if variant is None else f"-{variant:06d}"
        digits = "" if variant is None else f"{variant:06d}"

        def number(text: str) -> str:  # the same kind of number, shifted per variant
            if variant is None:
                return text
            if "e" in text:
                mantissa, exponent = text.split("e")
                return f"{mantissa}.{digits}e{exponent}"
            return f"{text}{digits}" if "." in text else str(int(text) + n)

        self.number = number
        self.job_name = f"xgb-bayes-tune-2026-11-28{sfx}"
        self.parents = [f"xgb-bayes-tune-2026-11-20{sfx}", f"xgb-bayes-tune-2026-11-24{sfx}"]
        self.role_arn = (
            f"arn:aws:iam::{ACCOUNT}:role/service-role/"
            f"AmazonSageMaker-ExecutionRole-20261128T000000{sfx}"
        )
        self.image = IMAGE + sfx
        self.objective_metric = f"validation:rmse{sfx}"
        self.metrics = [
            (f"train:rmse{sfx}", TRAIN_RMSE + digits),
            (self.objective_metric, VALID_RMSE + digits),
        ]
        self.suffix = sfx
        self.bucket = f"s3://example-ml-bucket{sfx}"
        self.content_type = f"text/csv{sfx}"
        self.subnets = [f"subnet-0a1b2c3d4e5f60789{sfx}", f"subnet-0f9e8d7c6b5a40321{sfx}"]
        self.security_groups = [f"sg-0123456789abcdef0{sfx}"]
        self.static = {
            f"objective{sfx}": f"reg:squarederror{sfx}",
            f"eval_metric{sfx}": f"rmse{sfx}",
            f"verbosity{sfx}": number("1"),
        }
        self.tags = [
            (f"project{sfx}", f"housing-price{sfx}"),
            (f"team{sfx}", f"ml-platform{sfx}"),
            (f"cost-center{sfx}", f"cc-4711{sfx}"),
        ]
        self.categories = [
            (f"booster{sfx}", [f"gbtree{sfx}", f"dart{sfx}"]),
            (f"tree_method{sfx}", [f"auto{sfx}", f"hist{sfx}", f"approx{sfx}"]),
            (f"grow_policy{sfx}", [f"depthwise{sfx}", f"lossguide{sfx}"]),
        ]
        self.integers = [
            (f"max_depth{sfx}", number("3"), number("12"), "Linear"),
            (f"num_round{sfx}", number("50"), number("1000"), "Logarithmic"),
            (f"min_child_weight{sfx}", number("1"), number("10"), "Auto"),
        ]
        self.continuous = [
            (f"eta{sfx}", number("0.001"), number("0.5"), "Logarithmic"),
            (f"subsample{sfx}", number("0.5"), number("1.0"), "Linear"),
            (f"colsample_bytree{sfx}", number("0.3"), number("1.0"), "Auto"),
            (f"alpha{sfx}", number("1e-8"), number("10"), "Logarithmic"),
            (f"gamma{sfx}", number("0"), number("5"), "Linear"),
        ]

    def channel_uri(self, name: str) -> str:
        return f"{self.bucket}/datasets/housing/{name}/"


FIXED = Strings(None)


def _channel_params(name: str, s: Strings) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": s.channel_uri(name),
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": s.content_type,
        "CompressionType": "None",
        "InputMode": "File",
    }


def request_params(s: Strings = FIXED) -> dict[str, Any]:
    """The boto3-style params (the peer fixture plus VpcConfig)."""
    return {
        "HyperParameterTuningJobName": s.job_name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 50}},
            "HyperParameterTuningJobObjective": {
                "Type": "Minimize",
                "MetricName": s.objective_metric,
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": 100,
                "MaxParallelTrainingJobs": 10,
                "MaxRuntimeInSeconds": 86400,
            },
            "ParameterRanges": {
                "IntegerParameterRanges": [
                    {"Name": name, "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}
                    for name, lo, hi, scaling in s.integers
                ],
                "ContinuousParameterRanges": [
                    {"Name": name, "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}
                    for name, lo, hi, scaling in s.continuous
                ],
                "CategoricalParameterRanges": [
                    {"Name": name, "Values": list(values)} for name, values in s.categories
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
            "StaticHyperParameters": dict(s.static),
            "AlgorithmSpecification": {
                "TrainingImage": s.image,
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": name, "Regex": regex} for name, regex in s.metrics],
            },
            "RoleArn": s.role_arn,
            "InputDataConfig": [
                _channel_params(f"train{s.suffix}", s),
                _channel_params(f"validation{s.suffix}", s),
            ],
            "VpcConfig": {"SecurityGroupIds": list(s.security_groups), "Subnets": list(s.subnets)},
            "OutputDataConfig": {"S3OutputPath": f"{s.bucket}/tuning-output/"},
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
                {"HyperParameterTuningJobName": parent} for parent in s.parents
            ],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
        "Tags": [{"Key": key, "Value": value} for key, value in s.tags],
    }


def _channel(name: str, s: Strings) -> Channel:
    return Channel(
        channel_name=name,
        data_source=DataSource(
            s3_data_source=S3DataSource(
                s3_data_type="S3Prefix",
                s3_uri=s.channel_uri(name),
                s3_data_distribution_type="FullyReplicated",
            )
        ),
        content_type=s.content_type,
        compression_type="None",
        input_mode="File",
    )


def build_request(s: Strings = FIXED) -> CreateHyperParameterTuningJobRequest:
    """The same request, written with the generated classes as an application would."""
    return CreateHyperParameterTuningJobRequest(
        hyper_parameter_tuning_job_name=s.job_name,
        hyper_parameter_tuning_job_config=HyperParameterTuningJobConfig(
            strategy="Bayesian",
            strategy_config=HyperParameterTuningJobStrategyConfig(
                hyperband_strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=50)
            ),
            hyper_parameter_tuning_job_objective=HyperParameterTuningJobObjective(
                type="Minimize", metric_name=s.objective_metric
            ),
            resource_limits=ResourceLimits(
                max_number_of_training_jobs=100,
                max_parallel_training_jobs=10,
                max_runtime_in_seconds=86400,
            ),
            parameter_ranges=ParameterRanges(
                integer_parameter_ranges=[
                    IntegerParameterRange(name=name, min_value=lo, max_value=hi, scaling_type=sc)
                    for name, lo, hi, sc in s.integers
                ],
                continuous_parameter_ranges=[
                    ContinuousParameterRange(name=name, min_value=lo, max_value=hi, scaling_type=sc)
                    for name, lo, hi, sc in s.continuous
                ],
                categorical_parameter_ranges=[
                    CategoricalParameterRange(name=name, values=list(values))
                    for name, values in s.categories
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
            static_hyper_parameters=dict(s.static),
            algorithm_specification=HyperParameterAlgorithmSpecification(
                training_image=s.image,
                training_input_mode="File",
                metric_definitions=[
                    MetricDefinition(name=name, regex=regex) for name, regex in s.metrics
                ],
            ),
            role_arn=s.role_arn,
            input_data_config=[
                _channel(f"train{s.suffix}", s),
                _channel(f"validation{s.suffix}", s),
            ],
            vpc_config=VpcConfig(
                security_group_ids=list(s.security_groups), subnets=list(s.subnets)
            ),
            output_data_config=OutputDataConfig(s3_output_path=f"{s.bucket}/tuning-output/"),
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
                ParentHyperParameterTuningJob(hyper_parameter_tuning_job_name=parent)
                for parent in s.parents
            ],
            warm_start_type="IdenticalDataAndAlgorithm",
        ),
        tags=[Tag(key=key, value=value) for key, value in s.tags],
    )


def per_call(fn: Callable[[int], object], number: int, start: int = 0) -> float:
    """CPU seconds per call of ``fn(i)`` over ``number`` calls (``i`` counts on from
    ``start``): the work is single-threaded and CPU-bound, and on a shared machine CPU time
    does not count the time other processes hold the CPU, which wall time does (and which
    then falls on whichever side's batch it happens to interrupt)."""
    begin = time.process_time()
    for i in range(start, start + number):
        fn(i)
    return (time.process_time() - begin) / number


def calibrate(fn: Callable[[int], object], budget: float) -> int:
    number = 1
    while True:
        elapsed = per_call(fn, number) * number
        if elapsed >= 0.02:
            return max(1, int(number * budget / elapsed))
        number *= 2


Case = tuple[Callable[[int], object], Callable[[int], object]]  # (sagetune, botocore)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--budget", type=float, default=0.2, help="CPU seconds per batch")
    args = parser.parse_args()

    model = botocore.session.get_session().get_service_model("sagemaker")
    operation = model.operation_model("CreateHyperParameterTuningJob")
    input_shape = operation.input_shape
    assert input_shape is not None
    validator = botocore.validate.ParamValidator()
    serializer = botocore.serialize.create_serializer("json", include_validation=False)

    def botocore_build(params: dict[str, Any]) -> dict[str, Any]:
        report = validator.validate(params, input_shape)
        if report.has_errors():
            raise RuntimeError(report.generate_report())
        request: dict[str, Any] = serializer.serialize_to_request(params, operation)
        return request

    def from_constructors(s: Strings) -> bytes:
        return encode(to_wire(build_request(s)))

    def from_dict(params: dict[str, Any]) -> bytes:
        return encode(to_wire(from_wire(CreateHyperParameterTuningJobRequest, params)))

    strings = [Strings(n) for n in range(VARIANTS)]
    variants = [request_params(s) for s in strings]
    fixed = request_params()
    for s, params in [(FIXED, fixed), (strings[1], variants[1])]:
        ours, from_params = json.loads(from_constructors(s)), json.loads(from_dict(params))
        theirs = json.loads(botocore_build(params)["body"])
        assert ours == from_params == theirs == json.loads(json.dumps(params)), "bodies differ"
    assert len({json.dumps(p) for p in variants}) == VARIANTS

    cases: dict[str, Case] = {
        "constructors, memoized": (
            lambda i: from_constructors(FIXED),
            lambda i: botocore_build(fixed),
        ),
        "constructors, distinct strings": (
            lambda i: from_constructors(strings[i % VARIANTS]),
            lambda i: botocore_build(variants[i % VARIANTS]),
        ),
        "from a dict, memoized": (
            lambda i: from_dict(fixed),
            lambda i: botocore_build(fixed),
        ),
        "from a dict, distinct strings": (
            lambda i: from_dict(variants[i % VARIANTS]),
            lambda i: botocore_build(variants[i % VARIANTS]),
        ),
    }
    print(
        f"body {len(from_dict(fixed))} bytes; {args.repeat} alternating repeats per case; "
        f"distinct strings: {VARIANTS} variants cycled (no pattern-memo hits)"
    )
    print(f"  {'case':32s} {'sagetune':>10s} {'botocore':>10s}   ratio (median of same-repeat)")
    results: dict[str, tuple[float, float, float]] = {}
    for name, (ours_fn, theirs_fn) in cases.items():
        numbers = [calibrate(fn, args.budget) for fn in (ours_fn, theirs_fn)]
        times: list[list[float]] = [[], []]
        counters = [0, 0]
        for r in range(args.repeat):
            order = (0, 1) if r % 2 == 0 else (1, 0)
            for side in order:
                fn = (ours_fn, theirs_fn)[side]
                times[side].append(per_call(fn, numbers[side], counters[side]))
                counters[side] += numbers[side]
        ratios = [b / s for s, b in zip(times[0], times[1], strict=True)]
        ours, theirs = statistics.median(times[0]), statistics.median(times[1])
        results[name] = (ours, theirs, statistics.median(ratios))
        print(
            f"  {name:32s} {ours * 1e6:7.1f} us {theirs * 1e6:7.1f} us   "
            f"{statistics.median(ratios):.2f}x"
        )

    request = build_request()
    wire = to_wire(request)
    stages: dict[str, Callable[[int], object]] = {
        "construct+validate": lambda i: build_request(),
        "construct+validate (distinct)": lambda i: build_request(strings[i % VARIANTS]),
        "from_wire (dict in)": lambda i: from_wire(CreateHyperParameterTuningJobRequest, fixed),
        "from_wire (distinct)": lambda i: from_wire(
            CreateHyperParameterTuningJobRequest, variants[i % VARIANTS]
        ),
        "to_wire": lambda i: to_wire(request),
        "encode": lambda i: encode(wire),
        "rules (not in ratio)": lambda i: rule_violations(request),
        "botocore validate": lambda i: validator.validate(fixed, input_shape),
        "botocore serialize": lambda i: serializer.serialize_to_request(fixed, operation),
    }
    print("  stages (median of 5 batches):")
    for name, fn in stages.items():
        number = calibrate(fn, args.budget / 2)
        cost = statistics.median(per_call(fn, number, number * k) for k in range(5))
        print(f"    {name:30s} {cost * 1e6:8.1f} us")
    keys = {
        "constructors, memoized": "",
        "constructors, distinct strings": "_distinct",
        "from a dict, memoized": "_dict",
        "from a dict, distinct strings": "_dict_distinct",
    }
    for name, key in keys.items():
        ours, theirs, ratio = results[name]
        print(f"RESULT request_build_sagetune{key} {ours * 1e6:.1f} us")
        print(f"RESULT request_build_botocore{key} {theirs * 1e6:.1f} us")
        print(f"RESULT request_build_speedup{key} {ratio:.2f} x")


if __name__ == "__main__":
    main()
