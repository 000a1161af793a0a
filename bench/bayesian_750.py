"""A 750-job, 10-parallel Bayesian tuning job, end to end: how long does the simulator take?

One CreateHyperParameterTuningJob through sagetune's async client (in-process transport) on
xgboost-curve (five tuned ranges, 50 boosting rounds: 37,500 metric lines), then the
simulator runs its events back to back on an event clock, the in-process equivalent of
``sagetune serve --time-scale max`` (``Simulator(time_scale="max")`` + ``run_until_idle``),
and the training jobs are listed back. Wall and CPU time cover all of it; the GP's 750
suggestions, each one conditioned on everything finished so far plus the 9 jobs still
running, are nearly all of the cost.

    .venv/bin/python bench/bayesian_750.py [--repeats 3] [--jobs 750] [--parallel 10]

Prints the median over repeats (each repeat is the same deterministic job: the spread is
the machine's). Target: under 90 s wall on a 2-core machine like CI's. On a shared box the
CPU time (``time.process_time``) is the steadier figure; the load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _problems import (
    best_so_far,
    client_for,
    curve_problem,
    machine_load,
    median,
    new_simulator,
    run_tuning_job,
    tuning_request,
)


async def one_run(jobs: int, parallel: int, seed: int) -> tuple[float, float, int, float]:
    """(wall s, CPU s, training jobs, best objective) of one tuning job."""
    problem = curve_problem("xgboost-curve", 50)
    sim = new_simulator()
    wall, cpu = time.perf_counter(), time.process_time()
    async with client_for(sim) as sm:
        request = tuning_request(
            problem, "bayesian-750", strategy="Bayesian", jobs=jobs, parallel=parallel, seed=seed
        )
        outcomes = await run_tuning_job(sim, sm, request)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sim.close()
    best = best_so_far([o.value for o in outcomes], problem.minimize)[-1]
    return wall, cpu, len(outcomes), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=750)
    parser.add_argument("--parallel", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    walls, cpus = [], []
    for repeat in range(args.repeats):
        print(f"machine: {machine_load()}", flush=True)
        wall, cpu, count, best = asyncio.run(one_run(args.jobs, args.parallel, args.seed))
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"repeat {repeat + 1}: {count} training jobs, best validation:rmse {best:.5g}, "
            f"wall {wall:.1f} s, CPU {cpu:.1f} s",
            flush=True,
        )
    print(f"machine: {machine_load()}")
    print(f"RESULT bayesian_{args.jobs}_jobs_wall {median(walls):.1f} s")
    print(f"RESULT bayesian_{args.jobs}_jobs_cpu {median(cpus):.1f} s")


if __name__ == "__main__":
    main()
