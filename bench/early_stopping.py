"""Early stopping: what TrainingJobEarlyStoppingType=Auto saves, and what it costs in quality.

For each learning-curve algorithm (xgboost-curve: 100 boosting rounds; mlp-curve: 50 epochs,
val_accuracy maximized) and each seed, the same Bayesian tuning job (30 jobs, 3 parallel,
RandomSeed = seed) runs twice on the simulator through sagetune's client: early stopping
Off, then Auto (the median rule, ``sagetune/simulator/search/median_stopping.py``). A Random
tuning job with stopping Off gives the yardstick for quality, as in search_quality.py:

    normalized regret = (median over seeds of the best objective - optimum)
                        / (the same for Random with stopping Off - optimum)

Billable seconds are every training job's BillableTimeInSeconds (DescribeTrainingJob),
summed over all jobs and seeds. Targets (issue 16): at least 30% of the billable seconds
saved, with a normalized regret no worse than Off (change <= 0.0). The two pull apart: a
search that learns from stopped jobs proposes fewer jobs the rule would stop, so there is
less to save (README, performance). The change in regret is printed two ways:
the difference of the two medians (the target's figure) and the median over seeds of the
per-seed difference (paired: less noisy, since both runs of a seed share their first
configurations). With ``--strategy Random`` both runs of a seed try the very same
configurations, so the only difference is what the median rule stopped.

    .venv/bin/python bench/early_stopping.py [--seeds 0-19] [--problems xgboost-curve mlp-curve]
        [--jobs 30] [--parallel 3] [--strategy Bayesian] [--quick]

About a minute on a 2-core box (--quick: 5 seeds, about 20 seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import defaultdict
from typing import Literal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _problems import (
    JobOutcome,
    Problem,
    best_so_far,
    client_for,
    curve_problem,
    machine_load,
    median,
    new_simulator,
    parse_seeds,
    run_tuning_job,
    tuning_request,
)

EPOCHS = {"xgboost-curve": 100, "mlp-curve": 50}
Mode = Literal["Off", "Auto", "random"]


def best_value(problem: Problem, outcomes: list[JobOutcome]) -> float:
    return best_so_far([o.value for o in outcomes], problem.minimize)[-1]


async def run(args: argparse.Namespace) -> None:
    sim = new_simulator()
    # (problem, mode) -> per seed: (best value, billable seconds, jobs stopped early)
    results: dict[tuple[str, Mode], list[tuple[float, int, int]]] = defaultdict(list)
    async with client_for(sim) as sm:
        for name in args.problems:
            problem = curve_problem(name, EPOCHS[name])
            for seed in args.seeds:
                modes: tuple[Mode, ...] = ("Off", "Auto", "random")
                for mode in modes:
                    start = time.perf_counter()
                    request = tuning_request(
                        problem,
                        f"es-{name[:3]}-{mode.lower()}-s{seed}",
                        strategy="Random" if mode == "random" else args.strategy,
                        jobs=args.jobs,
                        parallel=args.parallel,
                        seed=seed,
                        early_stopping="Auto" if mode == "Auto" else "Off",
                    )
                    outcomes = await run_tuning_job(sim, sm, request, billing=True)
                    billable = sum(o.billable_seconds or 0 for o in outcomes)
                    stopped = sum(1 for o in outcomes if o.status == "Stopped")
                    best = best_value(problem, outcomes)
                    results[(name, mode)].append((best, billable, stopped))
                    print(
                        f"{name:13s} seed={seed:2d} {mode:6s} best={best:.5g} "
                        f"regret={problem.regret(best):.4g} billable={billable}s "
                        f"stopped={stopped}/{len(outcomes)} "
                        f"wall={time.perf_counter() - start:.1f}s",
                        flush=True,
                    )
    sim.close()

    print(
        f"\n{'problem':13s} {'mode':5s} {'billable s (sum)':>16s} {'saved':>6s} "
        f"{'median saved':>12s} {'stopped':>7s} {'med regret':>10s} {'normalized':>10s}"
    )
    for name in args.problems:
        problem = curve_problem(name, EPOCHS[name])
        scale = problem.regret(median([r[0] for r in results[(name, "random")]]))
        off = results[(name, "Off")]
        off_total = sum(r[1] for r in off)
        normalized: dict[str, float] = {}
        saved_total = 0.0
        for mode in ("Off", "Auto"):
            rows = results[(name, mode)]
            total = sum(r[1] for r in rows)
            saved = 1.0 - total / off_total
            per_seed = median([1.0 - r[1] / o[1] for r, o in zip(rows, off, strict=True)])
            regret = problem.regret(median([r[0] for r in rows]))
            normalized[mode] = regret / scale
            stopped = sum(r[2] for r in rows)
            if mode == "Auto":
                saved_total = saved
            print(
                f"{name:13s} {mode:5s} {total:16d} {saved:6.1%} {per_seed:12.1%} "
                f"{stopped:7d} {regret:10.4g} {normalized[mode]:10.3f}"
            )
        print(
            f"{name:13s} random-search yardstick: median regret {scale:.4g} (normalized regret 1)"
        )
        worse = normalized["Auto"] - normalized["Off"]
        paired = median(
            [
                (problem.regret(a[0]) - problem.regret(o[0])) / scale
                for a, o in zip(results[(name, "Auto")], off, strict=True)
            ]
        )
        print(
            f"{name:13s} normalized regret, Auto - Off: {worse:+.3f} (difference of medians), "
            f"{paired:+.3f} (median of per-seed differences)"
        )
        key = name.replace("-", "_")
        print(f"RESULT early_stopping_saved_{key} {saved_total:.1%} billable")
        print(f"RESULT early_stopping_regret_change_{key} {worse:+.3f} normalized")
        print(f"RESULT early_stopping_paired_regret_change_{key} {paired:+.3f} normalized")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(EPOCHS), choices=list(EPOCHS))
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--strategy", default="Bayesian", choices=("Bayesian", "Random"))
    parser.add_argument("--quick", action="store_true", help="5 seeds (0-4)")
    args = parser.parse_args()
    args.seeds = parse_seeds("0-4" if args.quick else args.seeds)
    print(f"machine: {machine_load()}", flush=True)
    start = time.perf_counter()
    asyncio.run(run(args))
    print(f"\nwall {time.perf_counter() - start:.0f} s; machine: {machine_load()}")


if __name__ == "__main__":
    main()
