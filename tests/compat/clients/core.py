"""sagemaker-core (1.x, the one SDK v2 installs) flows, run inside ``.venv-compat-v2``.

    python -m tests.compat.clients.core tuning <tuning job>
    python -m tests.compat.clients.core follow <training job>

sagemaker-core has no endpoint parameter: its clients are process-wide singletons built
from ``boto3.Session``, so ``AWS_ENDPOINT_URL`` in the environment is how a user points it
at the simulator. It prints followed log events through its ``rich`` logger; a handler
here keeps them, and ``follow`` also writes each message to stdout as it arrives.
"""

# mypy: disable-error-code="import-not-found, import-untyped, unused-ignore"

from __future__ import annotations

import logging
import sys
from types import SimpleNamespace
from typing import Any

from sagemaker_core.main import shapes
from sagemaker_core.main.resources import HyperParameterTuningJob, TrainingJob

from tests.compat.clients._flow import Flow, main

OBJECTIVE = "validation:rmse"


class LogEvents(logging.Handler):
    """The log events sagemaker-core's TrainingJob.wait(logs=True) emitted, in order."""

    def __init__(self, echo: bool) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.echo = echo

    def emit(self, record: logging.LogRecord) -> None:
        stream, sep, message = record.getMessage().partition(":\n")
        if sep and "/algo-" in stream:
            self.messages.append(message)
            if self.echo:
                print(message, flush=True)


def capture_log_events(echo: bool = False) -> LogEvents:
    handler = LogEvents(echo)
    logging.getLogger("sagemaker_core.main.resources").addHandler(handler)
    return handler


def tuning(flow: Flow, name: str) -> None:
    ctx = SimpleNamespace()

    def create() -> dict[str, Any]:
        ctx.job = HyperParameterTuningJob.create(
            hyper_parameter_tuning_job_name=name,
            hyper_parameter_tuning_job_config=shapes.HyperParameterTuningJobConfig(
                strategy="Random",
                resource_limits=shapes.ResourceLimits(
                    max_number_of_training_jobs=2, max_parallel_training_jobs=2
                ),
                hyper_parameter_tuning_job_objective=shapes.HyperParameterTuningJobObjective(
                    type="Minimize", metric_name=OBJECTIVE
                ),
                parameter_ranges=shapes.ParameterRanges(
                    continuous_parameter_ranges=[
                        shapes.ContinuousParameterRange(
                            name="eta", min_value="0.1", max_value="0.5"
                        )
                    ]
                ),
            ),
            training_job_definition=shapes.HyperParameterTrainingJobDefinition(
                algorithm_specification=shapes.HyperParameterAlgorithmSpecification(
                    training_image="sagetune/xgboost-curve:latest",
                    training_input_mode="File",
                    metric_definitions=[
                        shapes.MetricDefinition(name=OBJECTIVE, regex=r"validation-rmse:([0-9.]+)")
                    ],
                ),
                role_arn="arn:aws:iam::123456789012:role/SageTuneCompat",
                output_data_config=shapes.OutputDataConfig(
                    s3_output_path="s3://sagetune-compat/core"
                ),
                resource_config=shapes.ResourceConfig(
                    instance_type="ml.m5.xlarge", instance_count=1, volume_size_in_gb=10
                ),
                stopping_condition=shapes.StoppingCondition(max_runtime_in_seconds=3600),
                static_hyper_parameters={"num_round": "8", "max_depth": "4"},
            ),
        )
        return {
            "name": ctx.job.hyper_parameter_tuning_job_name,
            "arn": ctx.job.hyper_parameter_tuning_job_arn,
            "status": ctx.job.hyper_parameter_tuning_job_status,
        }

    def wait() -> str:
        ctx.job.wait(poll=1)
        return str(ctx.job.hyper_parameter_tuning_job_status)

    def get() -> dict[str, Any]:
        got = HyperParameterTuningJob.get(name)
        best = got.best_training_job
        return {
            "status": got.hyper_parameter_tuning_job_status,
            "objective": got.hyper_parameter_tuning_job_config.hyper_parameter_tuning_job_objective.metric_name,
            "completed": got.training_job_status_counters.completed,
            "best_training_job": best.training_job_name,
            "best_objective": best.final_hyper_parameter_tuning_job_objective_metric.value,
        }

    def refresh() -> str:
        ctx.job.refresh()
        return str(ctx.job.hyper_parameter_tuning_job_status)

    def get_all() -> list[str]:
        return [
            j.hyper_parameter_tuning_job_name
            for j in HyperParameterTuningJob.get_all(name_contains=name)
        ]

    def training_jobs() -> list[dict[str, Any]]:
        ctx.training_jobs = [
            {
                "name": s.training_job_name,
                "status": s.training_job_status,
                "objective": s.final_hyper_parameter_tuning_job_objective_metric.value,
            }
            for s in ctx.job.get_all_training_jobs()
        ]
        return list(ctx.training_jobs)

    def training_job_logs() -> dict[str, Any]:
        events = capture_log_events()
        first = ctx.training_jobs[0]["name"]
        job = TrainingJob.get(first)
        job.wait(logs=True, poll=1)
        return {
            "training_job": first,
            "status": job.training_job_status,
            "messages": events.messages,
        }

    flow.run("create", create)
    flow.run("wait", wait, needs=["create"])
    flow.run("get", get, needs=["wait"])
    flow.run("refresh", refresh, needs=["wait"])
    flow.run("get_all", get_all, needs=["create"])
    flow.run("get_all_training_jobs", training_jobs, needs=["wait"])
    flow.run("training_job_wait_logs", training_job_logs, needs=["get_all_training_jobs"])


def follow(flow: Flow, training_job: str) -> None:
    """TrainingJob.wait(logs=True) on a running job; each event is echoed to stdout."""
    events = capture_log_events(echo=True)

    def wait_logs() -> dict[str, Any]:
        job = TrainingJob.get(training_job)
        job.wait(logs=True, poll=1)
        return {"status": job.training_job_status, "messages": events.messages}

    flow.run("wait_logs", wait_logs)


if __name__ == "__main__":
    main({"tuning": tuning, "follow": follow}, sys.argv[1:])
