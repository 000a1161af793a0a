"""Describe latency while the busiest job runs: is any tenant starved by another's work?

``sagetune serve --time-scale max`` runs in a subprocess (its own GIL; this process only
sends requests). One run:

1. **idle**: a small reference tuning job (10 Random jobs) is run to completion, then
   DescribeHyperParameterTuningJob of it is called back to back ``--samples`` times;
2. **busy**: a 750-job, 10-parallel Bayesian tuning job on xgboost-curve (50 rounds, the
   job of ``bench/bayesian_750.py``) is created, and while it runs the reference job and
   the busy job are described in turn (the reference job's answers are the same size as
   in the idle phase, so their latency measures interference only);
3. **after**: the finished busy job is described ``--samples`` times (its idle latency).

Each call is timed in this process (request signed, sent over loopback, answer parsed);
calls are ``--interval`` apart (a poller; back-to-back calls would measure how much a
client flooding the server slows the simulation, which ``simulator_throughput.py`` does).
Printed per run: p50 and p99 of each phase; then the medians over ``--repeats`` runs as
RESULT lines. The promise (README, "Guarantees"): the reference job's busy p99 is at most
3x its idle p99, and so is the busy job's own p99 against its "after" p99.

    .venv/bin/python bench/describe_latency.py [--repeats 3] [--jobs 750] [--parallel 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _loopback import start_simulator
from _problems import curve_problem, machine_load, median, tuning_request

from sagetune import AsyncSageMakerClient
from sagetune.model import DescribeHyperParameterTuningJobRequest
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY


def p(samples: list[float], q: int) -> float:
    """The q-th percentile of ``samples``, in milliseconds."""
    return 1000 * statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


class Timer:
    """Describes a tuning job, ``interval`` seconds after the previous call, and keeps each
    call's wall time."""

    def __init__(self, sm: AsyncSageMakerClient, interval: float) -> None:
        self.sm = sm
        self.interval = interval

    async def describe(self, name: str, into: list[float]) -> str:
        await asyncio.sleep(self.interval)
        request = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
        started = time.perf_counter()
        out = await self.sm.describe_hyper_parameter_tuning_job(request)
        into.append(time.perf_counter() - started)
        return str(out.hyper_parameter_tuning_job_status)


async def wait_done(timer: Timer, name: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while await timer.describe(name, []) == "InProgress":
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} did not finish within {limit:.0f} s")


async def one_run(
    url: str, jobs: int, parallel: int, samples: int, interval: float, limit: float
) -> dict[str, list[float]]:
    problem = curve_problem("xgboost-curve", 50)
    timings: dict[str, list[float]] = {"idle": [], "busy": [], "busy_own": [], "after": []}
    async with AsyncSageMakerClient(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    ) as sm:
        timer = Timer(sm, interval)
        reference = tuning_request(
            problem, "reference", strategy="Random", jobs=10, parallel=5, seed=1
        )
        await sm.create_hyper_parameter_tuning_job(reference)
        await wait_done(timer, "reference", limit)
        for _ in range(samples):
            await timer.describe("reference", timings["idle"])

        busy = tuning_request(
            problem, "busy", strategy="Bayesian", jobs=jobs, parallel=parallel, seed=0
        )
        started = time.perf_counter()
        await sm.create_hyper_parameter_tuning_job(busy)
        deadline = time.monotonic() + limit
        while True:
            await timer.describe("reference", timings["busy"])
            if await timer.describe("busy", timings["busy_own"]) != "InProgress":
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the busy job did not finish within {limit:.0f} s")
        print(f"  busy job: {time.perf_counter() - started:.1f} s wall", flush=True)
        for _ in range(samples):
            await timer.describe("busy", timings["after"])
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=750)
    parser.add_argument("--parallel", type=int, default=10)
    parser.add_argument("--samples", type=int, default=2000, help="calls per idle phase")
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between calls")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per job")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}
    for repeat in range(args.repeats):
        print(f"run {repeat + 1}: {machine_load()}", flush=True)
        process, url = start_simulator()
        try:
            timings = asyncio.run(
                one_run(url, args.jobs, args.parallel, args.samples, args.interval, args.timeout)
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
        row = {
            "idle_p50": p(timings["idle"], 50),
            "idle_p99": p(timings["idle"], 99),
            "busy_p50": p(timings["busy"], 50),
            "busy_p99": p(timings["busy"], 99),
            "busy_own_p99": p(timings["busy_own"], 99),
            "after_p99": p(timings["after"], 99),
        }
        row["ratio"] = row["busy_p99"] / row["idle_p99"]
        row["own_ratio"] = row["busy_own_p99"] / row["after_p99"]
        for key, value in row.items():
            figures.setdefault(key, []).append(value)
        print(
            f"  reference job: idle p50 {row['idle_p50']:.2f} ms p99 {row['idle_p99']:.2f} ms "
            f"({len(timings['idle'])} calls); busy p50 {row['busy_p50']:.2f} ms "
            f"p99 {row['busy_p99']:.2f} ms ({len(timings['busy'])} calls): "
            f"{row['ratio']:.2f}x\n"
            f"  busy job itself: p99 {row['busy_own_p99']:.2f} ms while running, "
            f"{row['after_p99']:.2f} ms once done: {row['own_ratio']:.2f}x",
            flush=True,
        )
    print(f"machine: {machine_load()}")
    for key in ("idle_p50", "idle_p99", "busy_p50", "busy_p99", "busy_own_p99", "after_p99"):
        print(f"RESULT describe_{key} {median(figures[key]):.2f} ms")
    print(f"RESULT describe_busy_over_idle_p99 {median(figures['ratio']):.2f} x (target <= 3)")
    print(f"RESULT describe_own_busy_over_after_p99 {median(figures['own_ratio']):.2f} x")


if __name__ == "__main__":
    main()
