"""``sagetune demo``: a whole tuning job, end to end, with nothing configured.

The demo starts the reference simulator on a loopback port (uvicorn in a background thread,
SQLite in a cache directory, a clock that jumps from event to event), then does what a user's program would do
against AWS, through the real client: create a Bayesian tuning job with early stopping over
the built-in neural-network learning-curve algorithm, watch it, list its best training jobs
and write its report.

Why a socket and not the in-process transport: the demo is the first thing a newcomer
runs, so it should exercise what their own code will use, the client's whole stack
(SigV4 signing, httpx's connection pool, retries, parsing) against an HTTP server that
verifies every signature, the same server ``sagetune serve`` runs. Starting uvicorn costs a
few tens of milliseconds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagetune.cli.errors import BAD_INPUT, CommandError

if TYPE_CHECKING:
    from sagetune.simulator import Simulator

ALGORITHM = "sagetune/mlp-curve:latest"
DEMO_JOB_NAME = "sagetune-demo"
DEMO_EPOCHS = "30"
DEFAULT_TIME_SCALE = "max"  # event to event: reproducible, and as fast as the machine
DEFAULT_JOBS = 30
DEFAULT_PARALLEL = 3
RANDOM_SEED = 7


def default_directory() -> Path:
    """``$XDG_CACHE_HOME/sagetune/demo`` (``~/.cache/sagetune/demo``)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "sagetune" / "demo"


def demo_request(name: str, *, jobs: int, parallel: int) -> dict[str, Any]:
    """The demo's CreateHyperParameterTuningJob request, boto3-style, built from the
    algorithm's own description (its metrics, objective and hyperparameter ranges)."""
    from sagetune.simulator import default_registry

    spec = next(s for s in default_registry().list() if s.image == ALGORITHM)
    ranges = spec.parameter_ranges_wire()
    epochs = spec.epochs_hyperparameter
    ranges["IntegerParameterRanges"] = [
        r for r in ranges["IntegerParameterRanges"] if r["Name"] != epochs
    ]
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {
                "Type": spec.objective_type,
                "MetricName": spec.objective_metric,
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": ranges,
            "TrainingJobEarlyStoppingType": "Auto",
            "RandomSeed": RANDOM_SEED,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {epochs: DEMO_EPOCHS} if epochs else {},
            "AlgorithmSpecification": {
                "TrainingImage": ALGORITHM,
                "TrainingInputMode": "File",
                "MetricDefinitions": spec.metric_definitions_wire(),
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageTuneDemoRole",
            "OutputDataConfig": {"S3OutputPath": "s3://sagetune-demo/output/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        },
    }


def open_simulator(directory: Path, time_scale: str) -> Simulator:
    """A simulator with a fresh database in ``directory`` (the previous demo's is removed)."""
    from sagetune.simulator import Simulator
    from sagetune.simulator.clock import parse_time_scale

    try:
        scale = parse_time_scale(time_scale)
    except ValueError as exc:
        raise CommandError(str(exc), BAD_INPUT) from None
    if scale == "manual":
        raise CommandError("the demo needs a running clock: a factor or 'max'", BAD_INPUT)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create {directory}: {exc.strerror}", BAD_INPUT) from None
    db = directory / "demo.sqlite"
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return Simulator(db=db, time_scale=scale)
