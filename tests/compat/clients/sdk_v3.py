"""SageMaker Python SDK v3 tuning entry points (``sagemaker.train``), inside ``.venv-compat-v3``.

    python -m tests.compat.clients.sdk_v3 tuning <tuning job>

v3 has no ``HyperparameterTuner.attach``; what it has for tuning is ``tune`` (create),
``wait``, ``describe``, ``best_training_job``, ``analytics`` and warm start through
``warm_start_config`` (its ``transfer_learning_tuner`` fails inside the SDK, see below).
``ModelTrainer`` checks the role with IAM at construction unless
``SAGEMAKER_VALIDATE_ROLE=false`` (set by the harness: the simulator has no IAM).
"""

# mypy: disable-error-code="import-not-found, import-untyped, unused-ignore"

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import boto3
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.parameter import ContinuousParameter, IntegerParameter
from sagemaker.core.shapes import (
    HyperParameterTuningJobWarmStartConfig,
    ParentHyperParameterTuningJob,
)
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, OutputDataConfig, StoppingCondition
from sagemaker.train.tuner import HyperparameterTuner

from tests.compat.clients._flow import Flow, main

OBJECTIVE = "validation:rmse"
INPUTS = [
    InputData(channel_name="train", data_source="s3://sagetune-compat/v3/train"),
    InputData(channel_name="validation", data_source="s3://sagetune-compat/v3/validation"),
]


def tuning(flow: Flow, name: str) -> None:
    ctx = SimpleNamespace()

    def tune() -> str:
        sess = Session(boto_session=boto3.Session(region_name="us-east-1"))
        trainer = ModelTrainer(
            training_image="sagetune/xgboost-curve:latest",
            role="arn:aws:iam::123456789012:role/SageTuneCompat",
            sagemaker_session=sess,
            compute=Compute(instance_type="ml.m5.xlarge", instance_count=1, volume_size_in_gb=10),
            output_data_config=OutputDataConfig(s3_output_path="s3://sagetune-compat/v3/output"),
            stopping_condition=StoppingCondition(max_runtime_in_seconds=3600),
            hyperparameters={"num_round": "10"},
        )
        ctx.tuner = HyperparameterTuner(
            model_trainer=trainer,
            objective_metric_name=OBJECTIVE,
            hyperparameter_ranges={
                "eta": ContinuousParameter(0.1, 0.5),
                "max_depth": IntegerParameter(2, 6),
            },
            metric_definitions=[{"Name": OBJECTIVE, "Regex": r"validation-rmse:([0-9.]+)"}],
            objective_type="Minimize",
            strategy="Random",
            max_jobs=3,
            max_parallel_jobs=3,
        )
        ctx.tuner.tune(inputs=INPUTS, job_name=name, wait=False)
        return str(ctx.tuner.latest_tuning_job.hyper_parameter_tuning_job_name)

    def wait() -> str:
        ctx.tuner.wait()
        return str(ctx.tuner.describe().hyper_parameter_tuning_job_status)

    def describe() -> dict[str, Any]:
        job = ctx.tuner.describe()
        best = job.best_training_job
        return {
            "status": job.hyper_parameter_tuning_job_status,
            "completed": job.training_job_status_counters.completed,
            "best_training_job": best.training_job_name,
            "best_objective": best.final_hyper_parameter_tuning_job_objective_metric.value,
        }

    def analytics() -> list[dict[str, Any]]:
        frame = ctx.tuner.analytics().dataframe()
        return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]

    def warm_start() -> dict[str, Any]:
        # v3's transfer_learning_tuner() raises a pydantic ValidationError of its own before
        # any request (sagemaker-train 1.27.0 passes ``parents=`` to a shape that takes
        # ``parent_hyper_parameter_tuning_jobs``); a warm_start_config is how v3 warm-starts.
        child = HyperparameterTuner(
            model_trainer=ctx.tuner.model_trainer,
            objective_metric_name=OBJECTIVE,
            hyperparameter_ranges=ctx.tuner._hyperparameter_ranges,
            metric_definitions=ctx.tuner.metric_definitions,
            objective_type="Minimize",
            strategy="Random",
            max_jobs=2,
            max_parallel_jobs=2,
            warm_start_config=HyperParameterTuningJobWarmStartConfig(
                warm_start_type="TransferLearning",
                parent_hyper_parameter_tuning_jobs=[
                    ParentHyperParameterTuningJob(hyper_parameter_tuning_job_name=name)
                ],
            ),
        )
        child.tune(inputs=INPUTS, job_name=f"{name}-tl", wait=False)
        child.wait()
        job = child.describe()
        warm = job.warm_start_config
        return {
            "status": job.hyper_parameter_tuning_job_status,
            "warm_start_type": warm.warm_start_type,
            "parents": [
                p.hyper_parameter_tuning_job_name for p in warm.parent_hyper_parameter_tuning_jobs
            ],
        }

    flow.run("tune", tune)
    flow.run("wait", wait, needs=["tune"])
    flow.run("describe", describe, needs=["wait"])
    flow.run("best_training_job", lambda: ctx.tuner.best_training_job(), needs=["wait"])
    flow.run("analytics", analytics, needs=["wait"])
    flow.run("warm_start", warm_start, needs=["wait"])


if __name__ == "__main__":
    main({"tuning": tuning}, sys.argv[1:])
