"""The demo's tuning job with early stopping Off and Auto: does the search keep learning?

``sagetune demo`` runs a Bayesian tuning job on ``sagetune/mlp-curve:latest`` (30 epochs,
val_accuracy maximized) with 30 training jobs, 3 in parallel, early stopping Auto, over
the algorithm's own ranges (``sagetune.cli.demo.demo_request``). For each seed this bench
runs that very request twice, with TrainingJobEarlyStoppingType Off and Auto (RandomSeed =
seed), and counts the *bad* jobs: an objective below 0.5 (diverged or hopeless; chance is
0.1) or none at all. A search that learns puts fewer bad jobs in its last 15 launches than
in its first 15.

Targets (issue 16, seeds 0-19): with Auto, the median count of bad jobs among the last 15
is no higher than with Off, and the median best objective is no worse.

    .venv/bin/python bench/demo_setting.py [--seeds 0-19] [--jobs 30] [--parallel 3]

About a minute on a 2-core box.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Literal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _problems import (
    JobOutcome,
    client_for,
    machine_load,
    median,
    new_simulator,
    parse_seeds,
    run_tuning_job,
)

from sagetune.cli.demo import demo_request
from sagetune.codec import from_wire
from sagetune.model import CreateHyperParameterTuningJobRequest

BAD_BELOW = 0.5
Mode = Literal["Off", "Auto"]


def request_for(
    name: str, mode: Mode, seed: int, jobs: int, parallel: int
) -> CreateHyperParameterTuningJobRequest:
    wire = demo_request(name, jobs=jobs, parallel=parallel)
    config = wire["HyperParameterTuningJobConfig"]
    config["TrainingJobEarlyStoppingType"] = mode
    config["RandomSeed"] = seed
    return from_wire(CreateHyperParameterTuningJobRequest, wire)


def bad(outcomes: list[JobOutcome]) -> int:
    return sum(1 for o in outcomes if o.value is None or o.value < BAD_BELOW)


async def run(args: argparse.Namespace) -> None:
    sim = new_simulator()
    # mode -> per seed: (bad among the first half, bad among the last half, best, stopped)
    results: dict[Mode, list[tuple[int, int, float, int]]] = {"Off": [], "Auto": []}
    half = args.jobs // 2
    async with client_for(sim) as sm:
        for seed in args.seeds:
            for mode in ("Off", "Auto"):
                start = time.perf_counter()
                request = request_for(
                    f"demo-{mode.lower()}-s{seed}", mode, seed, args.jobs, args.parallel
                )
                outcomes = await run_tuning_job(sim, sm, request)
                first, last = bad(outcomes[:half]), bad(outcomes[half:])
                best = max((o.value for o in outcomes if o.value is not None), default=0.0)
                stopped = sum(1 for o in outcomes if o.status == "Stopped")
                results[mode].append((first, last, best, stopped))
                print(
                    f"seed={seed:2d} {mode:4s} bad first {half}: {first:2d}  last "
                    f"{args.jobs - half}: {last:2d}  best={best:.4f}  "
                    f"stopped={stopped:2d}/{len(outcomes)}  "
                    f"wall={time.perf_counter() - start:.1f}s",
                    flush=True,
                )
    sim.close()

    print(f"\n| seed | Off: first {half} / last | Auto: first {half} / last | best Off / Auto |")
    print("|---|---|---|---|")
    for i, seed in enumerate(args.seeds):
        off, auto = results["Off"][i], results["Auto"][i]
        print(
            f"| {seed} | {off[0]} / {off[1]} | {auto[0]} / {auto[1]} "
            f"| {off[2]:.4f} / {auto[2]:.4f} |"
        )
    print()
    for mode in ("Off", "Auto"):
        rows = results[mode]
        print(
            f"{mode:4s} median bad: first {median([r[0] for r in rows]):.1f}, "
            f"last {median([r[1] for r in rows]):.1f}; median best {median([r[2] for r in rows]):.4f}; "
            f"stopped {sum(r[3] for r in rows)} jobs in all"
        )
    for mode in ("Off", "Auto"):
        rows = results[mode]
        key = mode.lower()
        print(f"RESULT demo_bad_last_{key} {median([r[1] for r in rows]):.1f} jobs (median)")
        print(f"RESULT demo_best_{key} {median([r[2] for r in rows]):.4f} val_accuracy (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=3)
    args = parser.parse_args()
    args.seeds = parse_seeds(args.seeds)
    print(f"machine: {machine_load()}", flush=True)
    start = time.perf_counter()
    asyncio.run(run(args))
    print(f"\nwall {time.perf_counter() - start:.0f} s; machine: {machine_load()}")


if __name__ == "__main__":
    main()
