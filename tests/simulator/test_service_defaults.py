"""The members the service fills in or derives (``requests.SERVICE_DEFAULTS``), as clients read
them: a stock boto3 client over a loopback server, and sagetune's own client in process.

Requests are shaped like the SDKs' (SageMaker Python SDK v2 sends a
HyperParameterTuningResourceConfig and no TrainingJobEarlyStoppingType or KmsKeyId; v3 sends
only the range lists it uses), and the assertions are on what SDK v2's ``attach`` /
``best_estimator`` read without a check (issue 11's KeyErrors).
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import httpx

from sagetune import SageMakerClient
from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    DescribeHyperParameterTuningJobRequest,
    DescribeTrainingJobRequest,
    DescribeTrainingJobResponse,
    HyperParameterTrainingJobDefinition,
    ProfilingStatus,
    TrainingJobEarlyStoppingType,
)
from sagetune.simulator import Simulator, default_registry
from sagetune.simulator.requests import SERVICE_DEFAULTS, Scope, stored_request
from tests.algorithms.test_aws_builtin_end_to_end import XGBOOST_1_7, documented_tuning_request
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import Loopback, SignedCaller, served
from tests.simulator.test_persistence import V1_TUNING, write_v1_database

OBJECTIVE = "_tuning_objective_metric"
CHANNEL = {
    "ChannelName": "train",
    "DataSource": {
        "S3DataSource": {
            "S3DataType": "S3Prefix",
            "S3Uri": "s3://bucket/train/",
            "S3DataDistributionType": "FullyReplicated",
        }
    },
}
HPO_RESOURCES = {"InstanceType": "ml.c5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}


def sdk_like_tuning_request(name: str) -> dict[str, Any]:
    """What SDK v2 sends (v3's range lists): no early stopping type, no KmsKeyId, no
    ResourceConfig, no integer or categorical ranges, and here no MaxRuntimeInSeconds."""
    request = tuning_request(name, jobs=2, parallel=1, rounds=5, early_stopping=None)
    config = request["HyperParameterTuningJobConfig"]
    del config["ParameterRanges"]["IntegerParameterRanges"]
    definition = request["TrainingJobDefinition"]
    del definition["ResourceConfig"]
    definition["HyperParameterTuningResourceConfig"] = HPO_RESOURCES
    definition["InputDataConfig"] = [CHANNEL]
    definition["StoppingCondition"] = {}
    return request


def raw_answers(sm: Any, operation: str) -> list[str]:
    """The raw JSON bodies boto3 receives for ``operation`` from now on."""
    bodies: list[str] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.content.decode())

    sm.meta.events.register(f"after-call.sagemaker.{operation}", keep)
    return bodies


def run_to_the_end(loopback: Loopback, name: str) -> dict[str, Any]:
    loopback.sim.run_until_idle()
    described: dict[str, Any] = loopback.sm.describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name
    )
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    return described


def test_a_tuning_job_is_described_with_the_members_the_service_fills_in(
    loopback: Loopback,
) -> None:
    sm = loopback.sm
    sm.create_hyper_parameter_tuning_job(**sdk_like_tuning_request("v2-like"))
    bodies = raw_answers(sm, "DescribeHyperParameterTuningJob")

    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="v2-like")

    config = described["HyperParameterTuningJobConfig"]
    assert config["TrainingJobEarlyStoppingType"] == "Off"
    assert config["ParameterRanges"]["IntegerParameterRanges"] == []
    assert config["ParameterRanges"]["CategoricalParameterRanges"] == []
    assert [r["Name"] for r in config["ParameterRanges"]["ContinuousParameterRanges"]] == ["eta"]
    definition = described["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == {"num_round": "5", OBJECTIVE: "validation:rmse"}
    assert bodies[0].count(f'"{OBJECTIVE}"') == 1
    assert definition["EnableNetworkIsolation"] is False
    assert definition["EnableInterContainerTrafficEncryption"] is False
    assert definition["EnableManagedSpotTraining"] is False
    assert definition["ResourceConfig"] == HPO_RESOURCES  # attach reads it
    assert definition["HyperParameterTuningResourceConfig"] == HPO_RESOURCES
    assert definition["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert definition["InputDataConfig"] == [
        CHANNEL | {"CompressionType": "None", "RecordWrapperType": "None", "InputMode": "File"}
    ]
    assert definition["OutputDataConfig"] == {"S3OutputPath": "s3://bucket/out/"}  # no KmsKeyId
    # What SDK v2's HyperparameterTuner.attach does with it, unguarded:
    del definition["StaticHyperParameters"][OBJECTIVE]


def test_each_training_job_of_a_tuning_job_has_the_objective_name_once_and_every_default(
    loopback: Loopback,
) -> None:
    sm = loopback.sm
    arn = sm.create_hyper_parameter_tuning_job(**sdk_like_tuning_request("v2-jobs"))[
        "HyperParameterTuningJobArn"
    ]
    run_to_the_end(loopback, "v2-jobs")
    jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="v2-jobs"
    )["TrainingJobSummaries"]
    bodies = raw_answers(sm, "DescribeTrainingJob")

    described = [sm.describe_training_job(TrainingJobName=j["TrainingJobName"]) for j in jobs]

    assert len(described) == 2
    for job, body in zip(described, bodies, strict=True):
        name = job["TrainingJobName"]
        assert job["HyperParameters"][OBJECTIVE] == "validation:rmse"  # a plain string
        assert body.count(f'"{OBJECTIVE}"') == 1
        assert job["TuningJobArn"] == arn
        assert job["OutputDataConfig"] == {
            "S3OutputPath": "s3://bucket/out/",
            "KmsKeyId": "",
            "CompressionType": "GZIP",
        }
        assert job["EnableNetworkIsolation"] is False
        assert job["EnableInterContainerTrafficEncryption"] is False
        assert job["EnableManagedSpotTraining"] is False
        assert job["AlgorithmSpecification"]["EnableSageMakerMetricsTimeSeries"] is False
        assert job["ResourceConfig"] == HPO_RESOURCES
        assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
        assert job["InputDataConfig"] == [
            CHANNEL | {"CompressionType": "None", "RecordWrapperType": "None", "InputMode": "File"}
        ]
        assert job["ProfilingStatus"] == "Disabled"
        assert job["ModelArtifacts"] == {
            "S3ModelArtifacts": f"s3://bucket/out/{name}/output/model.tar.gz"
        }


def test_a_training_job_of_its_own_gets_the_defaults_its_profiler_and_built_in_metrics(
    loopback: Loopback,
) -> None:
    request = training_request("solo", XGBOOST_1_7, {"num_round": "3"})
    del request["StoppingCondition"]  # optional in CreateTrainingJob
    request["InputDataConfig"] = [CHANNEL]
    request["ProfilerConfig"] = {"S3OutputPath": "s3://bucket/profiler/", "DisableProfiler": False}
    request["DebugHookConfig"] = {
        "S3OutputPath": "s3://bucket/debug/",
        "CollectionConfigurations": [],
    }
    loopback.sm.create_training_job(**request)

    job = loopback.sm.describe_training_job(TrainingJobName="solo")

    xgboost = default_registry().resolve(training_image=XGBOOST_1_7)
    assert job["AlgorithmSpecification"] == {
        "TrainingImage": XGBOOST_1_7,
        "TrainingInputMode": "File",
        "MetricDefinitions": xgboost.service_metric_definitions(),  # what AWS publishes
        "EnableSageMakerMetricsTimeSeries": False,
    }
    assert job["ProfilerConfig"] == {
        "S3OutputPath": "s3://bucket/profiler/",
        "ProfilingIntervalInMilliseconds": 500,
        "DisableProfiler": False,
    }
    assert job["ProfilingStatus"] == "Enabled"
    assert job["DebugHookConfig"] == request["DebugHookConfig"]
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert job["InputDataConfig"] == [
        CHANNEL | {"CompressionType": "None", "RecordWrapperType": "None"}  # no InputMode
    ]
    assert job["OutputDataConfig"]["KmsKeyId"] == ""


def test_a_training_job_on_a_custom_image_gets_no_metric_definitions_or_hyperparameters(
    loopback: Loopback,
) -> None:
    """The simulator's own images are custom images to the service: their metrics are the
    request's (the simulator still measures them with the algorithm's, as a convenience)."""
    request = training_request("own", "sagetune/xgboost-curve:latest", {})
    del request["HyperParameters"]
    loopback.sm.create_training_job(**request)

    job = loopback.sm.describe_training_job(TrainingJobName="own")

    assert "MetricDefinitions" not in job["AlgorithmSpecification"]
    assert "HyperParameters" not in job  # never an empty map


def test_a_tuning_job_on_a_built_in_image_without_metric_definitions_gets_the_published_ones(
    loopback: Loopback,
) -> None:
    sm = loopback.sm
    sm.create_hyper_parameter_tuning_job(
        **documented_tuning_request("documented", "validation:rmse", "Minimize")
    )
    published = default_registry().resolve(training_image=XGBOOST_1_7).service_metric_definitions()

    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="documented")
    (first, *_) = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="documented"
    )["TrainingJobSummaries"]
    job = sm.describe_training_job(TrainingJobName=first["TrainingJobName"])

    metrics = described["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    rmse = next(m["Regex"] for m in published if m["Name"] == "validation:rmse")
    assert metrics == [*published, {"Name": "ObjectiveMetric", "Regex": rmse}]
    assert job["AlgorithmSpecification"]["MetricDefinitions"] == metrics  # inherited
    # What SDK v2's attach reads without a check:
    assert described["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]


def test_an_objective_no_metric_defines_is_refused_with_the_services_words(
    loopback: Loopback,
) -> None:
    """An objective the built-in image does not publish, or a custom image without
    MetricDefinitions: the message is the one AWS answers."""
    not_published = documented_tuning_request("loss", "validation:loss", "Minimize")
    custom = tuning_request("custom")
    del custom["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]

    for request in (not_published, custom):
        status, error = loopback.raw("CreateHyperParameterTuningJob", request)
        assert (status, error["__type"]) == (400, "ValidationException")
        assert error["message"] == (
            "A metric is required for this hyperparameter tuning job objective. "
            "Provide a metric in the metric definitions."
        )
    assert loopback.sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []


def test_answers_carry_the_members_real_answers_have_and_no_others(loopback: Loopback) -> None:
    sm = loopback.sm
    sm.create_hyper_parameter_tuning_job(**tuning_request("shapes", jobs=2, parallel=2, rounds=4))
    described = run_to_the_end(loopback, "shapes")

    best = described["BestTrainingJob"]
    assert "TuningJobName" not in best
    assert set(best["FinalHyperParameterTuningJobObjectiveMetric"]) == {"MetricName", "Value"}
    assert set(described["TrainingJobStatusCounters"]) == {
        "Completed",
        "InProgress",
        "RetryableError",
        "NonRetryableError",
        "Stopped",
    }
    assert set(described["ObjectiveStatusCounters"]) == {"Succeeded", "Pending", "Failed"}
    for summary in sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="shapes"
    )["TrainingJobSummaries"]:
        metric = summary["FinalHyperParameterTuningJobObjectiveMetric"]
        assert set(metric) == {"MetricName", "Value"}
    for summary in sm.list_training_jobs()["TrainingJobSummaries"]:
        assert set(summary) == {
            "TrainingJobName",
            "TrainingJobArn",
            "CreationTime",
            "TrainingEndTime",
            "LastModifiedTime",
            "TrainingJobStatus",
        }


def test_sagetune_client_reads_the_defaults_as_typed_values(sim: Simulator) -> None:
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()), **sim.client_options()
    ) as sm:
        sm.create_hyper_parameter_tuning_job(
            from_wire(CreateHyperParameterTuningJobRequest, sdk_like_tuning_request("typed"))
        )
        sim.run_until_idle()
        tuning = sm.describe_hyper_parameter_tuning_job(
            DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="typed")
        )
        assert tuning.best_training_job is not None
        job = sm.describe_training_job(
            DescribeTrainingJobRequest(training_job_name=tuning.best_training_job.training_job_name)
        )

    config = tuning.hyper_parameter_tuning_job_config
    assert config.training_job_early_stopping_type is TrainingJobEarlyStoppingType.OFF
    assert tuning.training_job_definition is not None
    assert tuning.training_job_definition.static_hyper_parameters == {
        "num_round": "5",
        OBJECTIVE: "validation:rmse",
    }
    assert job.output_data_config is not None
    assert job.output_data_config.kms_key_id == ""
    assert job.enable_network_isolation is False
    assert job.profiling_status is ProfilingStatus.DISABLED
    assert job.resource_config is not None
    assert (job.resource_config.instance_type, job.resource_config.volume_size_in_gb) == (
        "ml.c5.2xlarge",
        30,
    )
    assert job.hyper_parameters is not None
    assert job.hyper_parameters[OBJECTIVE] == "validation:rmse"


# -- the table itself


def test_a_custom_image_gets_no_metric_definitions_it_did_not_give() -> None:
    algorithms = default_registry()
    algorithms.register("custom:latest", lambda hyperparameters, context: iter(()))
    request = from_wire(CreateTrainingJobRequest, training_request("c", "custom:latest", {}))

    stored = stored_request(request, algorithms)

    assert stored.algorithm_specification is not None
    assert stored.algorithm_specification.metric_definitions is None


def test_applying_the_table_again_changes_nothing() -> None:
    algorithms = default_registry()
    requests: list[Any] = [
        from_wire(CreateHyperParameterTuningJobRequest, sdk_like_tuning_request("again")),
        from_wire(CreateHyperParameterTuningJobRequest, tuning_request("again")),
        from_wire(
            CreateTrainingJobRequest,
            training_request("again", "sagetune/branin:latest", {"x1": "1"}),
        ),
    ]
    for request in requests:
        stored = stored_request(request, algorithms)
        assert stored != request  # something was filled in
        assert stored_request(stored, algorithms) is stored


ROOTS: dict[Scope, type[Any]] = {
    Scope.TUNING_JOB: CreateHyperParameterTuningJobRequest,
    Scope.DEFINITION: HyperParameterTrainingJobDefinition,
    Scope.TRAINING_JOB: CreateTrainingJobRequest,
    Scope.LAUNCHED: CreateTrainingJobRequest,
    Scope.DESCRIBED: DescribeTrainingJobResponse,
}


def _member_type(cls: type[Any], wire: str) -> Any:
    attribute = cls._MEMBERS[wire]  # KeyError: not a member
    tp = typing.get_type_hints(cls)[attribute]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    return tp


def test_every_row_names_members_of_the_model() -> None:
    """A row's path is made of wire names of the shapes it walks, from its scope's shape (a
    typo would silently fill nothing)."""
    assert {row.scope for row in SERVICE_DEFAULTS} == set(Scope)
    for row in SERVICE_DEFAULTS:
        tp: Any = ROOTS[row.scope]
        for step in row.steps:
            if typing.get_origin(tp) is dict:
                break  # a key of a map (StaticHyperParameters)
            tp = _member_type(tp, step.removesuffix("[]"))
            if step.endswith("[]"):
                assert typing.get_origin(tp) is list, row.path
                (tp,) = typing.get_args(tp)


def test_docs_fidelity_lists_every_row_under_its_scope() -> None:
    """docs/fidelity.md's defaults table is the reader's copy of SERVICE_DEFAULTS."""
    doc = (Path(__file__).parents[2] / "docs" / "fidelity.md").read_text(encoding="utf-8")
    lines = [line for line in doc.splitlines() if line.startswith("| ")]
    for row in SERVICE_DEFAULTS:
        assert any(
            line.startswith(f"| {row.scope.value} |") and f"`{row.path}`" in line for line in lines
        ), f"{row.scope.value}: {row.path}"


# -- databases of an earlier version


def test_a_schema_v1_database_answers_with_the_defaults_and_warm_starts_from_its_jobs(
    tmp_path: Path,
) -> None:
    db = tmp_path / "v1.db"
    write_v1_database(db)
    child = tuning_request("child", jobs=2, parallel=1, rounds=12, early_stopping="Auto")
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "v1-tuning"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    call: SignedCaller
    with served(db) as (sim, call):
        sim.run_until_idle()
        described = call.ok(
            "DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "v1-tuning"}
        )
        call.ok("CreateHyperParameterTuningJob", child)  # compares stored forms
        sim.run_until_idle()
        own = call.ok("DescribeTrainingJob", {"TrainingJobName": "v1-training"})

    definition = described["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == {"num_round": "12", OBJECTIVE: "validation:rmse"}
    assert definition["EnableNetworkIsolation"] is False
    assert own["OutputDataConfig"]["KmsKeyId"] == ""
    assert own["ProfilingStatus"] == "Disabled"
    assert V1_TUNING["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"
    assert described["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"
