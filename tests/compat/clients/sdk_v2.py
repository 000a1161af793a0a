"""SageMaker Python SDK v2 flows, run inside ``.venv-compat-v2`` against ``sagetune serve``.

    python -m tests.compat.clients.sdk_v2 tuning <tuning job> <tuning job created by boto3>
    python -m tests.compat.clients.sdk_v2 estimator <training job>
    python -m tests.compat.clients.sdk_v2 builtin <training job> <tuning job (low-level)> <tuning job (SDK)>
    python -m tests.compat.clients.sdk_v2 follow <training job>

The endpoint and credentials come from the environment (``AWS_ENDPOINT_URL`` ...), as for a
user who points their unchanged code at the simulator. Each step reports what the SDK
returned; the tests compare it with what the service holds.
"""

# mypy: disable-error-code="import-not-found, import-untyped, unused-ignore"

from __future__ import annotations

import sys
import time
from types import SimpleNamespace
from typing import Any

import boto3
import sagemaker
from sagemaker.analytics import TrainingJobAnalytics
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter

from tests.compat.clients._flow import Flow, main

ROLE = "arn:aws:iam::123456789012:role/SageTuneCompat"
BUCKET = "sagetune-compat"
IMAGE = "sagetune/xgboost-curve:latest"
OBJECTIVE = "validation:rmse"
METRICS = [{"Name": OBJECTIVE, "Regex": r"validation-rmse:([0-9.]+)"}]
INPUTS = {"train": f"s3://{BUCKET}/train", "validation": f"s3://{BUCKET}/validation"}


def session() -> Any:
    """A Session as a user builds one; every client it makes reads AWS_ENDPOINT_URL."""
    return sagemaker.Session(
        boto_session=boto3.Session(region_name="us-east-1"), default_bucket=BUCKET
    )


def estimator(sess: Any, **hyperparameters: str) -> Any:
    return Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path=f"s3://{BUCKET}/output",
        sagemaker_session=sess,
        hyperparameters=hyperparameters,
        metric_definitions=METRICS,
    )


def tuner_view(tuner: Any) -> dict[str, Any]:
    """What a tuner holds of the request: compared between the original and attached one."""
    est = tuner.estimator
    return {
        "objective_metric_name": tuner.objective_metric_name,
        "objective_type": tuner.objective_type,
        "hyperparameter_ranges": tuner.hyperparameter_ranges(),
        "strategy": tuner.strategy,
        "max_jobs": tuner.max_jobs,
        "max_parallel_jobs": tuner.max_parallel_jobs,
        "early_stopping_type": tuner.early_stopping_type,
        "metric_definitions": tuner.metric_definitions,
        "image_uri": est.image_uri,
        "static_hyperparameters": dict(est.hyperparameters()),
        "output_path": est.output_path,
        "instance_type": est.instance_type,
    }


def estimator_view(est: Any) -> dict[str, Any]:
    return {
        "training_job": est.latest_training_job.name,
        "image_uri": est.image_uri,
        "instance_type": est.instance_type,
        "instance_count": est.instance_count,
        "output_path": est.output_path,
        "output_kms_key": est.output_kms_key,
        "enable_network_isolation": est.enable_network_isolation(),
        "encrypt_inter_container_traffic": est.encrypt_inter_container_traffic,
        "use_spot_instances": est.use_spot_instances,
        "max_run": est.max_run,
        "hyperparameters": est.hyperparameters(),
        "tags": est.tags,
        "model_data": est.model_data,
    }


def records(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def tuning(flow: Flow, name: str, boto3_job: str) -> None:
    sess = session()
    ctx = SimpleNamespace()

    def fit() -> dict[str, Any]:
        ctx.tuner = HyperparameterTuner(
            estimator(sess, num_round="12"),
            OBJECTIVE,
            {"eta": ContinuousParameter(0.05, 0.5), "max_depth": IntegerParameter(2, 8)},
            metric_definitions=METRICS,
            objective_type="Minimize",
            strategy="Random",
            max_jobs=3,
            max_parallel_jobs=3,
            tags=[{"Key": "project", "Value": "sagetune-compat"}],
        )
        ctx.tuner.fit(INPUTS, job_name=name, wait=False)
        return {"job": ctx.tuner.latest_tuning_job.name, "request": tuner_view(ctx.tuner)}

    def wait() -> str:
        ctx.tuner.wait()
        return str(ctx.tuner.describe()["HyperParameterTuningJobStatus"])

    def attach() -> dict[str, Any]:
        attached = HyperparameterTuner.attach(name, sagemaker_session=sess)
        return tuner_view(attached)

    def attach_boto3_job() -> dict[str, Any]:
        attached = HyperparameterTuner.attach(boto3_job, sagemaker_session=sess)
        return tuner_view(attached)

    def describe() -> dict[str, Any]:
        return dict(ctx.tuner.describe())

    def analytics() -> list[dict[str, Any]]:
        return records(ctx.tuner.analytics().dataframe())

    def best_estimator() -> dict[str, Any]:
        return estimator_view(ctx.tuner.best_estimator())

    def transfer_learning() -> dict[str, Any]:
        child = ctx.tuner.transfer_learning_tuner()
        # The SDK leaves the parent's metric definitions out of the child (sagemaker 2.257,
        # tuner.py _create_warm_start_tuner): for a custom image AWS then refuses the
        # objective too, so users set them back.
        child.metric_definitions = ctx.tuner.metric_definitions
        child.fit(INPUTS, job_name=f"{name}-tl", wait=False)
        child.wait()
        described = child.describe()
        return {
            "job": child.latest_tuning_job.name,
            "status": described["HyperParameterTuningJobStatus"],
            "warm_start_config": described.get("WarmStartConfig"),
            "best_training_job": child.best_training_job(),
        }

    flow.run("fit", fit)
    flow.run("wait", wait, needs=["fit"])
    flow.run("attach", attach, needs=["wait"])
    flow.run("attach_boto3_job", attach_boto3_job)
    flow.run("describe", describe, needs=["wait"])
    flow.run("best_training_job", lambda: ctx.tuner.best_training_job(), needs=["wait"])
    flow.run("analytics", analytics, needs=["wait"])
    flow.run("best_estimator", best_estimator, needs=["wait"])
    flow.run("transfer_learning_tuner", transfer_learning, needs=["wait"])


def standalone(flow: Flow, name: str) -> None:
    """A training job of its own: Estimator.attach, its description, its CloudWatch metrics."""
    sess = session()

    def fit() -> str:
        # max_depth 8: each round takes 100 simulated seconds, one metric value per minute.
        est = estimator(sess, num_round="6", max_depth="8", eta="0.3")
        est.fit(INPUTS, job_name=name, wait=False)
        return str(est.latest_training_job.name)

    def attach() -> dict[str, Any]:
        return estimator_view(Estimator.attach(name, sagemaker_session=sess))

    def metrics() -> list[dict[str, Any]]:
        analytics = TrainingJobAnalytics(name, [OBJECTIVE], sagemaker_session=sess)
        return records(analytics.dataframe())

    flow.run("fit", fit)
    flow.run("attach", attach, needs=["fit"])
    flow.run("describe", lambda: dict(sess.describe_training_job(name)), needs=["fit"])
    flow.run("training_job_analytics", metrics, needs=["fit"])


def builtin(flow: Flow, training_job_name: str, low_level_job: str, sdk_job: str) -> None:
    """AWS's documented XGBoost tuning examples, with the image URI the SDK looks up."""
    sess = session()
    ctx = SimpleNamespace()

    def image() -> str:
        ctx.image = sagemaker.image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
        return str(ctx.image)

    def low_level() -> dict[str, Any]:
        # "Configure and Launch a Hyperparameter Tuning Job" (SageMaker developer guide),
        # as printed there; only the bucket, role and job name are ours.
        tuning_job_config = {
            "ParameterRanges": {
                "CategoricalParameterRanges": [],
                "ContinuousParameterRanges": [
                    {"MaxValue": "1", "MinValue": "0", "Name": "eta"},
                    {"MaxValue": "2", "MinValue": "0", "Name": "alpha"},
                    {"MaxValue": "10", "MinValue": "1", "Name": "min_child_weight"},
                ],
                "IntegerParameterRanges": [
                    {"MaxValue": "10", "MinValue": "1", "Name": "max_depth"}
                ],
            },
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 3},
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {
                "MetricName": "validation:auc",
                "Type": "Maximize",
            },
            "RandomSeed": 123,
        }
        channel = {
            "CompressionType": "None",
            "ContentType": "csv",
            "DataSource": {
                "S3DataSource": {
                    "S3DataDistributionType": "FullyReplicated",
                    "S3DataType": "S3Prefix",
                }
            },
        }
        training_job_definition = {
            "AlgorithmSpecification": {"TrainingImage": ctx.image, "TrainingInputMode": "File"},
            "InputDataConfig": [
                _channel(channel, "train", f"s3://{BUCKET}/docs/train"),
                _channel(channel, "validation", f"s3://{BUCKET}/docs/validation/"),
            ],
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/docs/output"},
            "ResourceConfig": {
                "InstanceCount": 2,
                "InstanceType": "ml.c4.2xlarge",
                "VolumeSizeInGB": 10,
            },
            "RoleArn": ROLE,
            "StaticHyperParameters": {
                "eval_metric": "auc",
                "num_round": "100",
                "objective": "binary:logistic",
                "rate_drop": "0.3",
                "tweedie_variance_power": "1.4",
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 43200},
        }
        smclient = boto3.client("sagemaker")
        smclient.create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=low_level_job,
            HyperParameterTuningJobConfig=tuning_job_config,
            TrainingJobDefinition=training_job_definition,
        )
        return _until_done(smclient, low_level_job)

    def high_level() -> dict[str, Any]:
        # The SDK's version of the same example (no metric definitions: a built-in image).
        xgb = Estimator(
            ctx.image,
            ROLE,
            instance_count=1,
            instance_type="ml.m4.xlarge",
            output_path=f"s3://{BUCKET}/docs/sdk-output",
            sagemaker_session=sess,
        )
        xgb.set_hyperparameters(
            eval_metric="auc",
            objective="binary:logistic",
            num_round=100,
            rate_drop=0.3,
            tweedie_variance_power=1.4,
        )
        tuner = HyperparameterTuner(
            xgb,
            "validation:auc",
            {
                "eta": ContinuousParameter(0, 1),
                "min_child_weight": ContinuousParameter(1, 10),
                "alpha": ContinuousParameter(0, 2),
                "max_depth": IntegerParameter(1, 10),
            },
            max_jobs=20,
            max_parallel_jobs=3,
        )
        tuner.fit(
            {
                "train": TrainingInput(f"s3://{BUCKET}/docs/train", content_type="csv"),
                "validation": TrainingInput(f"s3://{BUCKET}/docs/validation", content_type="csv"),
            },
            job_name=sdk_job,
            include_cls_metadata=False,
            wait=False,
        )
        tuner.wait()
        described = tuner.describe()
        return {
            "status": described["HyperParameterTuningJobStatus"],
            "best_training_job": tuner.best_training_job(),
            "analytics": records(tuner.analytics().dataframe()),
        }

    def training_job() -> dict[str, Any]:
        # One training job on the built-in image, as the XGBoost page's estimator example.
        xgb = Estimator(
            ctx.image,
            ROLE,
            instance_count=1,
            instance_type="ml.m5.xlarge",
            output_path=f"s3://{BUCKET}/docs/estimator-output",
            sagemaker_session=sess,
            hyperparameters={
                "objective": "binary:logistic",
                "eval_metric": "auc",
                "num_round": "10",
            },
        )
        xgb.fit(INPUTS, job_name=training_job_name, wait=False)
        described = sess.wait_for_job(training_job_name, poll=1)
        return {
            "status": described["TrainingJobStatus"],
            "failure_reason": described.get("FailureReason"),
            "metric_definitions": [
                d["Name"] for d in described["AlgorithmSpecification"].get("MetricDefinitions", [])
            ],
            "final_metrics": {
                m["MetricName"]: m["Value"] for m in described.get("FinalMetricDataList", [])
            },
        }

    flow.run("image", image)
    flow.run("training_job", training_job, needs=["image"])
    flow.run("low_level_request", low_level, needs=["image"])
    flow.run("sdk_tuner", high_level, needs=["image"])


def _channel(template: dict[str, Any], name: str, uri: str) -> dict[str, Any]:
    source = {**template["DataSource"]["S3DataSource"], "S3Uri": uri}
    return {"ChannelName": name, **template, "DataSource": {"S3DataSource": source}}


def _until_done(client: Any, name: str) -> dict[str, Any]:
    """Poll as a user's script would, until the tuning job ends (the server runs flat out)."""
    deadline = time.monotonic() + 120
    while True:
        described = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        status = described["HyperParameterTuningJobStatus"]
        if status not in ("InProgress", "Stopping") or time.monotonic() > deadline:
            return {
                "status": status,
                "best_training_job": described.get("BestTrainingJob"),
                "failure_reason": described.get("FailureReason"),
            }
        time.sleep(0.2)


def follow(flow: Flow, training_job: str) -> None:
    """sess.logs_for_job(wait=True) on a running job: its printing is what the test reads."""
    sess = session()

    def logs_for_job() -> str:
        sess.logs_for_job(training_job, wait=True, poll=1)
        return str(sess.describe_training_job(training_job)["TrainingJobStatus"])

    flow.run("logs_for_job", logs_for_job)


if __name__ == "__main__":
    main(
        {"tuning": tuning, "estimator": standalone, "builtin": builtin, "follow": follow},
        sys.argv[1:],
    )
