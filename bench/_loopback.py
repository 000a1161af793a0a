"""A loopback "SageMaker" for benchmarks: any POST gets a canned DescribeHyperParameterTuningJob.

Why a subprocess: the client under test and the server must not share one event loop or one
GIL, or the benchmark measures their contention instead of the client. The server matches the
peer baselines' one (/work/shared/peer-baselines/server.py: uvicorn on 127.0.0.1, same canned
4.4 KB body, ``x-amzn-RequestId`` on every response) but is a raw ASGI app instead of
Starlette, so it costs less CPU per request and is never the slower side when we compare.

Use::

    with loopback_server() as url:      # "http://127.0.0.1:<port>/"
        ...

Run alone: ``python bench/_loopback.py --port 8123 [--max-seconds 300]``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

HOST = "127.0.0.1"
REGION = "us-east-1"
ACCOUNT = "123456789012"
JOB_NAME = "xgb-bayes-tune-2026-11-28"
AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-20261128T000000"
_NUM = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def _channel(name: str) -> dict[str, Any]:
    uri = f"s3://example-ml-bucket/datasets/housing/{name}/"
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "ContentType": "text/csv",
        "CompressionType": "None",
        "InputMode": "File",
    }


def _range(name: str, lo: str, hi: str, scaling: str) -> dict[str, str]:
    return {"Name": name, "MinValue": lo, "MaxValue": hi, "ScalingType": scaling}


def describe_tuning_job_response() -> dict[str, Any]:
    """The peer baselines' canned response (fixtures.py there), byte-for-byte the same JSON."""
    t0 = 1795564800.0
    config = {
        "Strategy": "Bayesian",
        "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 50}},
        "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
        "ResourceLimits": {
            "MaxNumberOfTrainingJobs": 100,
            "MaxParallelTrainingJobs": 10,
            "MaxRuntimeInSeconds": 86400,
        },
        "ParameterRanges": {
            "IntegerParameterRanges": [
                _range("max_depth", "3", "12", "Linear"),
                _range("num_round", "50", "1000", "Logarithmic"),
                _range("min_child_weight", "1", "10", "Auto"),
            ],
            "ContinuousParameterRanges": [
                _range("eta", "0.001", "0.5", "Logarithmic"),
                _range("subsample", "0.5", "1.0", "Linear"),
                _range("colsample_bytree", "0.3", "1.0", "Auto"),
                _range("alpha", "1e-8", "10", "Logarithmic"),
                _range("gamma", "0", "5", "Linear"),
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
    }
    definition = {
        "StaticHyperParameters": {
            "objective": "reg:squarederror",
            "eval_metric": "rmse",
            "verbosity": "1",
        },
        "AlgorithmSpecification": {
            "TrainingImage": _IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": [
                {"Name": "train:rmse", "Regex": rf".*\[[0-9]+\].*#011train-rmse:{_NUM}.*"},
                {
                    "Name": "validation:rmse",
                    "Regex": rf".*\[[0-9]+\].*#011validation-rmse:{_NUM}.*",
                },
            ],
        },
        "RoleArn": _ROLE,
        "InputDataConfig": [_channel("train"), _channel("validation")],
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
    }
    best_name = f"{JOB_NAME[:24]}-037-5c1e2a9b"
    best = {
        "TrainingJobName": best_name,
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{best_name}",
        "TuningJobName": JOB_NAME,
        "CreationTime": t0 + 3600.5,
        "TrainingStartTime": t0 + 3700.25,
        "TrainingEndTime": t0 + 4500.75,
        "TrainingJobStatus": "Completed",
        "TunedHyperParameters": {
            "max_depth": "7",
            "num_round": "412",
            "min_child_weight": "3",
            "eta": "0.0731",
            "subsample": "0.83",
            "colsample_bytree": "0.71",
            "alpha": "0.0021",
            "gamma": "0.4",
            "booster": '"gbtree"',
            "tree_method": '"hist"',
            "grow_policy": '"depthwise"',
        },
        "FinalHyperParameterTuningJobObjectiveMetric": {
            "Type": "Minimize",
            "MetricName": "validation:rmse",
            "Value": 0.0612,
        },
        "ObjectiveStatus": "Succeeded",
    }
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{JOB_NAME}"
    return {
        "HyperParameterTuningJobName": JOB_NAME,
        "HyperParameterTuningJobArn": arn,
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": definition,
        "HyperParameterTuningJobStatus": "InProgress",
        "CreationTime": t0,
        "LastModifiedTime": t0 + 4600.0,
        "TrainingJobStatusCounters": {
            "Completed": 37,
            "InProgress": 10,
            "RetryableError": 1,
            "NonRetryableError": 0,
            "Stopped": 2,
        },
        "ObjectiveStatusCounters": {"Succeeded": 37, "Pending": 10, "Failed": 0},
        "BestTrainingJob": best,
        "WarmStartConfig": {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": "xgb-bayes-tune-2026-11-20"}
            ],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
        "TuningJobCompletionDetails": {"NumberOfTrainingJobsObjectiveNotImproving": 4},
        "ConsumedResources": {"RuntimeInSeconds": 4600},
    }


CANNED_BODY = json.dumps(describe_tuning_job_response(), separators=(",", ":")).encode()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_request_ids = itertools.count()
_CONTENT_LENGTH = str(len(CANNED_BODY)).encode()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Raw ASGI: drain the request body (as a real server would), answer the canned body."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    request_id = f"8f0b5c1e-0000-4000-8000-{next(_request_ids):012d}".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/x-amz-json-1.1"),
                (b"content-length", _CONTENT_LENGTH),
                (b"x-amzn-requestid", request_id),
            ],
        }
    )
    await send({"type": "http.response.body", "body": CANNED_BODY})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"loopback server exited early with code {proc.returncode}")
        try:
            req = urllib.request.Request(url, data=b"{}", method="POST")
            with urllib.request.urlopen(req, timeout=1.0) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"loopback server at {url} did not answer within {timeout} s")


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    """``sagetune serve --port 0 --time-scale max`` (the real simulator, not the canned
    server) in a subprocess; returns the process and the URL its banner names."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sagetune", "serve", "--port", "0", "--time-scale", "max"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline() if ready else ""
    match = re.search(r"listening on (http://\S+)", line)
    if match is None:
        process.kill()
        raise SystemExit(f"the simulator did not start: {line!r}")
    return process, match.group(1)


@contextlib.contextmanager
def loopback_server(max_seconds: float = 600.0) -> Iterator[str]:
    """Start the server in a subprocess on a free port; yield its base URL; stop it after.

    The server also exits by itself after ``max_seconds``, so a crashed benchmark cannot
    leave it running. :func:`server_pid` gives its pid, for sampling the server's CPU time.
    """
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            os.path.abspath(__file__),
            "--port",
            str(port),
            "--max-seconds",
            str(max_seconds),
        ],
    )
    url = f"http://{HOST}:{port}/"
    try:
        _wait_ready(url, proc)
        _last_pid[0] = proc.pid
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_last_pid = [0]


def server_pid() -> int:
    """The pid of the server most recently started by :func:`loopback_server`."""
    return _last_pid[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args()

    # Hard stop: the server never outlives its time bound.
    timer = threading.Timer(args.max_seconds, lambda: os._exit(0))
    timer.daemon = True
    timer.start()

    import uvicorn

    uvicorn.run(
        app,
        host=HOST,
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=120,  # longer than any pause between phases: no stale-connection races
    )


if __name__ == "__main__":
    main()
