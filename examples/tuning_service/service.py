"""Launch a hyperparameter tuning job, wait for it, and report the best training job."""

from __future__ import annotations

import attrs

from sagetune import AsyncSageMakerClient
from sagetune.model import (
    ContinuousParameterRange,
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    HyperParameterAlgorithmSpecification,
    HyperParameterScalingType,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobConfig,
    HyperParameterTuningJobObjective,
    HyperParameterTuningJobObjectiveType,
    HyperParameterTuningJobStrategyType,
    IntegerParameterRange,
    ListTrainingJobsForHyperParameterTuningJobRequest,
    MetricDefinition,
    OutputDataConfig,
    ParameterRanges,
    ResourceConfig,
    ResourceLimits,
    StoppingCondition,
    TrainingInputMode,
)

RMSE_REGEX = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


@attrs.frozen(kw_only=True)
class TuningSpec:
    """What a caller of the service asks for."""

    name: str
    max_jobs: int = 6
    max_parallel: int = 3
    rounds: int = 5
    seed: int = 7


@attrs.frozen(kw_only=True)
class TuningOutcome:
    """What the service reports once the tuning job has ended."""

    name: str
    status: str
    best_training_job: str | None
    best_objective: float | None
    best_hyperparameters: dict[str, str]
    objectives: dict[str, float]  # every training job's final objective
    polls: int


class TuningService:
    """Tunes an XGBoost model's ``eta`` and ``max_depth`` to minimize validation RMSE."""

    def __init__(
        self,
        client: AsyncSageMakerClient,
        *,
        role_arn: str,
        output_path: str,
        image: str = "sagetune/xgboost-curve:latest",
        poll_delay: float = 30.0,
    ) -> None:
        self.client = client
        self.role_arn = role_arn
        self.output_path = output_path
        self.image = image
        self.poll_delay = poll_delay

    def request_for(self, spec: TuningSpec) -> CreateHyperParameterTuningJobRequest:
        """The typed request (validated as it is built: a bad name fails here, for free)."""
        return CreateHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name=spec.name,
            hyper_parameter_tuning_job_config=HyperParameterTuningJobConfig(
                strategy=HyperParameterTuningJobStrategyType.BAYESIAN,
                hyper_parameter_tuning_job_objective=HyperParameterTuningJobObjective(
                    type=HyperParameterTuningJobObjectiveType.MINIMIZE,
                    metric_name="validation:rmse",
                ),
                resource_limits=ResourceLimits(
                    max_number_of_training_jobs=spec.max_jobs,
                    max_parallel_training_jobs=spec.max_parallel,
                ),
                parameter_ranges=ParameterRanges(
                    continuous_parameter_ranges=[
                        ContinuousParameterRange(
                            name="eta",
                            min_value="0.01",
                            max_value="0.5",
                            scaling_type=HyperParameterScalingType.LOGARITHMIC,
                        )
                    ],
                    integer_parameter_ranges=[
                        IntegerParameterRange(name="max_depth", min_value="2", max_value="10")
                    ],
                ),
                random_seed=spec.seed,
            ),
            training_job_definition=HyperParameterTrainingJobDefinition(
                static_hyper_parameters={"num_round": str(spec.rounds)},
                algorithm_specification=HyperParameterAlgorithmSpecification(
                    training_image=self.image,
                    training_input_mode=TrainingInputMode.FILE,
                    metric_definitions=[MetricDefinition(name="validation:rmse", regex=RMSE_REGEX)],
                ),
                role_arn=self.role_arn,
                output_data_config=OutputDataConfig(s3_output_path=self.output_path),
                resource_config=ResourceConfig(
                    instance_type="ml.m5.xlarge", instance_count=1, volume_size_in_gb=10
                ),
                stopping_condition=StoppingCondition(max_runtime_in_seconds=3600),
            ),
        )

    async def launch(self, spec: TuningSpec) -> str:
        """Start the tuning job; returns its ARN."""
        created = await self.client.create_hyper_parameter_tuning_job(self.request_for(spec))
        return created.hyper_parameter_tuning_job_arn

    async def wait(self, name: str) -> TuningOutcome:
        """Poll until the job ends (on the client's clock), then report every job's result."""
        polls = 0

        def count(_progress: object) -> None:
            nonlocal polls
            polls += 1

        done = await self.client.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
            DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name),
            delay=self.poll_delay,
            on_progress=count,
        )
        objectives = {}
        jobs = self.client.paginate_list_training_jobs_for_hyper_parameter_tuning_job(
            ListTrainingJobsForHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
        )
        async for job in jobs:
            metric = job.final_hyper_parameter_tuning_job_objective_metric
            if metric is not None:
                objectives[job.training_job_name] = metric.value
        best = done.best_training_job
        best_metric = best.final_hyper_parameter_tuning_job_objective_metric if best else None
        return TuningOutcome(
            name=name,
            status=str(done.hyper_parameter_tuning_job_status),
            best_training_job=best.training_job_name if best else None,
            best_objective=best_metric.value if best_metric else None,
            best_hyperparameters=dict(best.tuned_hyper_parameters) if best else {},
            objectives=objectives,
            polls=polls + 1,
        )

    async def tune(self, spec: TuningSpec) -> TuningOutcome:
        """Launch the job and wait for its outcome."""
        await self.launch(spec)
        return await self.wait(spec.name)
