"""Small valid requests that tests change one member of (``attrs.evolve``)."""

from __future__ import annotations

from sagetune.model import (
    CategoricalParameterRange,
    ContinuousParameterRange,
    CreateHyperParameterTuningJobRequest,
    HyperParameterAlgorithmSpecification,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobConfig,
    HyperParameterTuningJobObjective,
    IntegerParameterRange,
    MetricDefinition,
    OutputDataConfig,
    ParameterRanges,
    ResourceLimits,
    StoppingCondition,
)

ROLE_ARN = "arn:aws:iam::123456789012:role/service-role/SageMakerRole"
IMAGE = "sagetune/quadratic:latest"


def objective(metric: str = "validation:loss") -> HyperParameterTuningJobObjective:
    return HyperParameterTuningJobObjective(type="Minimize", metric_name=metric)


def ranges(
    integer: list[IntegerParameterRange] | None = None,
    continuous: list[ContinuousParameterRange] | None = None,
    categorical: list[CategoricalParameterRange] | None = None,
) -> ParameterRanges:
    return ParameterRanges(
        integer_parameter_ranges=integer,
        continuous_parameter_ranges=continuous,
        categorical_parameter_ranges=categorical,
    )


def definition(
    metrics: tuple[str, ...] = ("validation:loss",), **changes: object
) -> HyperParameterTrainingJobDefinition:
    spec = HyperParameterAlgorithmSpecification(
        training_image=IMAGE,
        training_input_mode="File",
        metric_definitions=[MetricDefinition(name=m, regex=f"{m}=([0-9.]+)") for m in metrics],
    )
    fields: dict[str, object] = {
        "algorithm_specification": spec,
        "role_arn": ROLE_ARN,
        "output_data_config": OutputDataConfig(s3_output_path="s3://bucket/out/"),
        "stopping_condition": StoppingCondition(max_runtime_in_seconds=3600),
        **changes,
    }
    return HyperParameterTrainingJobDefinition(**fields)  # type: ignore[arg-type]


def config(**changes: object) -> HyperParameterTuningJobConfig:
    fields: dict[str, object] = {
        "strategy": "Bayesian",
        "hyper_parameter_tuning_job_objective": objective(),
        "resource_limits": ResourceLimits(
            max_number_of_training_jobs=10, max_parallel_training_jobs=2
        ),
        "parameter_ranges": ranges(
            continuous=[ContinuousParameterRange(name="lr", min_value="0.001", max_value="0.1")]
        ),
        **changes,
    }
    return HyperParameterTuningJobConfig(**fields)  # type: ignore[arg-type]


def tuning_job(**changes: object) -> CreateHyperParameterTuningJobRequest:
    """A valid Bayesian tuning job over one continuous range (rules included)."""
    fields: dict[str, object] = {
        "hyper_parameter_tuning_job_name": "job-1",
        "hyper_parameter_tuning_job_config": config(),
        "training_job_definition": definition(),
        **changes,
    }
    return CreateHyperParameterTuningJobRequest(**fields)  # type: ignore[arg-type]
