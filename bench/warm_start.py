"""Warm start: how soon an IdenticalDataAndAlgorithm child reaches its parent's best objective.

For each problem and seed, a 30-job Bayesian parent tuning job runs on the simulator
(sagetune's client, in-process event clock); then a child with WarmStartType
IdenticalDataAndAlgorithm, the same ranges and 30 jobs of its own (RandomSeed = seed + 1000).
The figure is the number of the child's training jobs, in launch order, until one reaches
the parent's best objective (equal or better); a child that never does counts as 31. As a
yardstick, a cold tuning job with the child's seed and no parent gets the same count.
Target: median over 20 seeds at most 15 (half the parent's job count).

Problems: branin, hartmann6, mixed-branin, mixed-hpo (noise-free, ``_problems.py``) and
xgboost-curve with 50 boosting rounds (noisy: every job's validation rmse has its own
offset, so matching a lucky parent is harder).

    .venv/bin/python bench/warm_start.py [--seeds 0-19] [--problems ...] [--parallel 1]
        [--quick]

About 3 minutes on a busy 2-core box (--quick: 5 seeds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _problems import (
    PROBLEMS,
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

PARENT_JOBS = 30
CHILD_JOBS = 30
NEVER = CHILD_JOBS + 1
PROBLEM_NAMES = (*PROBLEMS, "xgboost-curve")


def problem_named(name: str) -> Problem:
    if name == "xgboost-curve":
        return curve_problem("xgboost-curve", 50)
    return PROBLEMS[name]


def jobs_to_reach(problem: Problem, outcomes: Sequence[JobOutcome], target: float) -> int:
    """1-based launch count of the first job at least as good as ``target`` (else NEVER)."""
    for count, best in enumerate(best_so_far([o.value for o in outcomes], problem.minimize), 1):
        if (best <= target) if problem.minimize else (best >= target):
            return count
    return NEVER


async def run(args: argparse.Namespace) -> None:
    sim = new_simulator()
    counts: dict[str, tuple[list[int], list[int]]] = {}
    async with client_for(sim) as sm:
        for name in args.problems:
            problem = problem_named(name)
            warm, cold = counts.setdefault(name, ([], []))
            for seed in args.seeds:
                start = time.perf_counter()
                tag = name.replace("mixed-", "m")[:8]
                parent_name = f"ws-{tag}-p-s{seed}"
                common = {"strategy": "Bayesian", "parallel": args.parallel}
                parent = await run_tuning_job(
                    sim,
                    sm,
                    tuning_request(problem, parent_name, jobs=PARENT_JOBS, seed=seed, **common),
                )
                target = best_so_far([o.value for o in parent], problem.minimize)[-1]
                child = await run_tuning_job(
                    sim,
                    sm,
                    tuning_request(
                        problem,
                        f"ws-{tag}-c-s{seed}",
                        jobs=CHILD_JOBS,
                        seed=seed + 1000,
                        parents=[parent_name],
                        **common,
                    ),
                )
                fresh = await run_tuning_job(
                    sim,
                    sm,
                    tuning_request(
                        problem, f"ws-{tag}-n-s{seed}", jobs=CHILD_JOBS, seed=seed + 1000, **common
                    ),
                )
                warm.append(jobs_to_reach(problem, child, target))
                cold.append(jobs_to_reach(problem, fresh, target))
                print(
                    f"{name:13s} seed={seed:2d} parent best={target:.6g} "
                    f"warm child reaches it after {_count(warm[-1])} jobs, "
                    f"cold job after {_count(cold[-1])} "
                    f"wall={time.perf_counter() - start:.1f}s",
                    flush=True,
                )
    sim.close()

    print(
        f"\njobs until the parent's best objective is reached (median over {len(args.seeds)} "
        f"seeds; {NEVER} = not within {CHILD_JOBS}); parent: {PARENT_JOBS} jobs"
    )
    print(f"{'problem':13s} {'warm child':>10s} {'cold job':>9s} {'warm <= 15':>10s}")
    for name, (warm, cold) in counts.items():
        reached = sum(1 for c in warm if c <= PARENT_JOBS // 2)
        print(f"{name:13s} {median(warm):10.1f} {median(cold):9.1f} {reached:6d}/{len(warm):<3d}")
    for name, (warm, cold) in counts.items():
        key = name.replace("-", "_")
        print(f"RESULT warm_start_jobs_to_parent_best_{key} {median(warm):g} jobs")
        print(f"RESULT cold_start_jobs_to_parent_best_{key} {median(cold):g} jobs")


def _count(count: int) -> str:
    return str(count) if count != NEVER else f">{CHILD_JOBS}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--problems", nargs="+", default=list(PROBLEM_NAMES), choices=list(PROBLEM_NAMES)
    )
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="5 seeds (0-4)")
    args = parser.parse_args()
    args.seeds = parse_seeds("0-4" if args.quick else args.seeds)
    print(f"machine: {machine_load()}", flush=True)
    start = time.perf_counter()
    asyncio.run(run(args))
    print(f"\nwall {time.perf_counter() - start:.0f} s; machine: {machine_load()}")


if __name__ == "__main__":
    main()
