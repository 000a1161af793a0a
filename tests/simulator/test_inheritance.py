"""What a tuning job's training jobs take from their definition (``requests.INHERITED_MEMBERS``),
and what DescribeTrainingJob echoes of a training request (``requests.DESCRIBED_MEMBERS``).

Both sides are requests as stored (``requests.SERVICE_DEFAULTS`` filled in): a training job
inherits its definition as DescribeHyperParameterTuningJob shows it, and gets the defaults of
every training job on top (``TRAINING_JOB_DEFAULTS`` below, those these requests leave out).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sagetune.model import (
    CreateTrainingJobRequest,
    DescribeTrainingJobResponse,
    HyperParameterTrainingJobDefinition,
)
from sagetune.simulator import AlgorithmContext, AlgorithmRegistry, Simulator, default_registry
from sagetune.simulator.requests import DESCRIBED_MEMBERS, INHERITED_MEMBERS
from tests.simulator.builders import (
    XGB_RMSE_REGEX,
    training_request,
    tuning_request,
    xgb_definition,
)
from tests.simulator.conftest import SignedCaller, served

WIRE = {a: w for w, a in CreateTrainingJobRequest._MEMBERS.items()}
"""Attribute -> wire name of each member of CreateTrainingJobRequest."""

EVERY_INHERITED_MEMBER: dict[str, Any] = {
    "InputDataConfig": [
        {
            "ChannelName": "train",
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train/"}
            },
        }
    ],
    "VpcConfig": {"SecurityGroupIds": ["sg-0123abcd"], "Subnets": ["subnet-0123abcd"]},
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/", "KmsKeyId": "alias/key"},
    "StoppingCondition": {"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 72000},
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
    "EnableManagedSpotTraining": True,
    "CheckpointConfig": {"S3Uri": "s3://bucket/checkpoints/"},
    "RetryStrategy": {"MaximumRetryAttempts": 2},
    "Environment": {"MODE": "test"},
}


TRAINING_JOB_DEFAULTS: dict[str, dict[str, Any]] = {
    "AlgorithmSpecification": {"EnableSageMakerMetricsTimeSeries": False},
    "OutputDataConfig": {"CompressionType": "GZIP"},
    "InputDataConfig": {"CompressionType": "None", "RecordWrapperType": "None"},  # each channel
}


def with_training_job_defaults(member: str, value: Any) -> Any:
    extra = TRAINING_JOB_DEFAULTS.get(member, {})
    if isinstance(value, list):
        return [extra | item for item in value]
    return extra | value if isinstance(value, dict) else value


def test_every_listed_member_is_one_of_a_definition_a_training_request_and_its_describe() -> None:
    for member in DESCRIBED_MEMBERS:
        assert member in DescribeTrainingJobResponse._MEMBERS.values()
        assert member in WIRE
    for member in INHERITED_MEMBERS:
        assert member in HyperParameterTrainingJobDefinition._MEMBERS.values()


def test_training_jobs_inherit_every_listed_member_of_their_definition(
    sim: Simulator, call: SignedCaller
) -> None:
    definition = xgb_definition(rounds=5, **EVERY_INHERITED_MEMBER)
    assert {WIRE[m] for m in INHERITED_MEMBERS} <= set(definition)  # the test covers the list
    request = tuning_request("heirs", jobs=1, parallel=1)
    request["TrainingJobDefinition"] = definition
    call.ok("CreateHyperParameterTuningJob", request)
    (job,) = call.ok(
        "ListTrainingJobsForHyperParameterTuningJob", {"HyperParameterTuningJobName": "heirs"}
    )["TrainingJobSummaries"]

    described = call.ok("DescribeTrainingJob", {"TrainingJobName": job["TrainingJobName"]})
    stored = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "heirs"})[
        "TrainingJobDefinition"
    ]

    for member in INHERITED_MEMBERS:
        wire = WIRE[member]
        assert described[wire] == with_training_job_defaults(wire, stored[wire]), member
    assert described["HyperParameters"] == {
        "num_round": "5",
        **job["TunedHyperParameters"],
        "_tuning_objective_metric": "validation:rmse",
    }


def test_a_training_job_of_its_own_is_described_with_the_same_members(
    sim: Simulator, call: SignedCaller
) -> None:
    request = training_request(
        "own", "sagetune/xgboost-curve:latest", {"num_round": "3"}, **EVERY_INHERITED_MEMBER
    )
    request["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "validation:rmse", "Regex": XGB_RMSE_REGEX}  # given: kept as given
    ]
    call.ok("CreateTrainingJob", request)
    described = call.ok("DescribeTrainingJob", {"TrainingJobName": "own"})
    for member in INHERITED_MEMBERS:
        wire = WIRE[member]
        assert described[wire] == with_training_job_defaults(wire, request[wire]), member
    assert described["HyperParameters"] == request["HyperParameters"]


def many_hyperparameters(
    hyperparameters: Mapping[str, str], context: AlgorithmContext
) -> Iterator[tuple[float, str]]:
    yield 30.0, f"count={len(hyperparameters)} loss={float(hyperparameters['lr']):.4f}"


def test_training_jobs_of_a_tuning_job_may_hold_more_hyperparameters_than_create_training_job(
    tmp_path: Path,
) -> None:
    """100 static + 1 tuned + the objective's name: beyond CreateTrainingJob's 100, as the
    service's own training jobs are; a restart reads them back."""
    request = tuning_request("wide", jobs=2, parallel=1)
    definition = request["TrainingJobDefinition"]
    definition["AlgorithmSpecification"]["TrainingImage"] = "wide:latest"
    definition["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "loss", "Regex": r"loss=([0-9.]+)"}
    ]
    definition["StaticHyperParameters"] = {f"static_{i:03d}": str(i) for i in range(100)}
    config = request["HyperParameterTuningJobConfig"]
    config["HyperParameterTuningJobObjective"]["MetricName"] = "loss"
    config["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.1", "MaxValue": "0.2"}]
    }
    db = tmp_path / "wide.db"

    def algorithms() -> AlgorithmRegistry:  # registered before the restart revives its jobs
        registry = default_registry()
        registry.register("wide:latest", many_hyperparameters)
        return registry

    with served(db, algorithms=algorithms()) as (sim, call):
        call.ok("CreateHyperParameterTuningJob", request)
        sim.advance(100)  # the first job is training

    with served(db, algorithms=algorithms()) as (sim, call):
        sim.run_until_idle()
        jobs = call.ok(
            "ListTrainingJobsForHyperParameterTuningJob", {"HyperParameterTuningJobName": "wide"}
        )["TrainingJobSummaries"]
        described = [
            call.ok("DescribeTrainingJob", {"TrainingJobName": j["TrainingJobName"]}) for j in jobs
        ]
    assert [d["TrainingJobStatus"] for d in described] == ["Completed", "Completed"]
    assert [len(d["HyperParameters"]) for d in described] == [102, 102]
    assert all(j["ObjectiveStatus"] == "Succeeded" for j in jobs)
