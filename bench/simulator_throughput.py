"""Simulator throughput: a 200-job, 10-parallel Random tuning job end to end over loopback.

``sagetune serve --time-scale max`` runs in a subprocess (its own GIL); sagetune's async
client creates the job on a built-in learning-curve algorithm (50 epochs per training job)
and polls DescribeHyperParameterTuningJob as fast as it can until the job completes. Reports
the wall seconds from create to Completed and the describe calls per second served meanwhile
(medians over --repeats runs; no peer exists for this).

    python bench/simulator_throughput.py [--repeats 3] [--jobs 200] [--parallel 10]

Target: under 20 s wall on a 2-core machine like CI's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _loopback import start_simulator

from sagetune import AsyncSageMakerClient
from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
)
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

RMSE = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def request(name: str, jobs: int, parallel: int) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {
                "Type": "Minimize",
                "MetricName": "validation:rmse",
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {
                        "Name": "eta",
                        "MinValue": "0.01",
                        "MaxValue": "0.5",
                        "ScalingType": "Logarithmic",
                    }
                ],
                "IntegerParameterRanges": [
                    {"Name": "max_depth", "MinValue": "2", "MaxValue": "10"}
                ],
            },
            "RandomSeed": 1,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {"num_round": "50"},
            "AlgorithmSpecification": {
                "TrainingImage": "sagetune/xgboost-curve:latest",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "validation:rmse", "Regex": RMSE}],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 36000},
        },
    }


async def one_run(url: str, name: str, jobs: int, parallel: int) -> tuple[float, float, str]:
    async with AsyncSageMakerClient(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    ) as sm:
        create = from_wire(CreateHyperParameterTuningJobRequest, request(name, jobs, parallel))
        describe = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
        started = time.perf_counter()
        await sm.create_hyper_parameter_tuning_job(create)
        calls = 0
        while True:
            out = await sm.describe_hyper_parameter_tuning_job(describe)
            calls += 1
            if out.hyper_parameter_tuning_job_status != "InProgress":
                break
        wall = time.perf_counter() - started
        counters = out.training_job_status_counters
        status = f"{out.hyper_parameter_tuning_job_status} ({counters.completed} completed)"
        return wall, calls / wall, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=10)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    walls, rates = [], []
    for i in range(args.repeats):
        process, url = start_simulator()
        try:
            wall, rate, status = asyncio.run(
                one_run(url, f"throughput-{i}", args.jobs, args.parallel)
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
        print(f"run {i + 1}: {wall:.2f} s wall, {rate:.0f} describe calls/s, {status}")
        walls.append(wall)
        rates.append(rate)
    wall, rate = statistics.median(walls), statistics.median(rates)
    print(
        f"median over {args.repeats} runs: {wall:.2f} s for {args.jobs} jobs x 50 epochs "
        f"(target < 20 s), {rate:.0f} describe calls/s"
    )
    print(f"RESULT simulator_200_jobs_wall {wall:.2f} s")
    print(f"RESULT simulator_describe_rate {rate:.0f} calls/s")


if __name__ == "__main__":
    main()
