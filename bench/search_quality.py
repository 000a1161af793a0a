"""Search quality: sagetune's Bayesian and Random (real tuning jobs) against Optuna's GP and TPE.

Every method tunes the same four problems (``_problems.py``: branin, hartmann6 and the 4-d
mixed problems mixed-branin and mixed-hpo, all noise-free with known optimum) with the same
budget and parallelism:

* ``bayesian`` / ``random``: a tuning job (Strategy Bayesian / Random, RandomSeed = seed) on
  the simulator, created and read back with sagetune's async client; the simulated clock
  runs events back to back (``--time-scale max`` in process).
* ``optuna-gp`` / ``optuna-tpe``: Optuna's GPSampler / TPESampler (seed = seed), ask and
  tell. With parallelism p, p trials run at once and each finished one is told before the
  next is asked (trials last 45-75 simulated seconds, like the simulator's jobs, so they
  finish in a shuffled order); both samplers see the running trials (GPSampler: q-logEI;
  TPESampler: constant liar, on by default). GPSampler runs with
  ``deterministic_objective=True`` (all four problems are noise-free; sagetune's GP learns
  that from the data) and greenlet installed; it needs torch, and its rows are skipped
  with a message when torch is missing (``pip install torch==2.13.0`` installs a CPU build).

A run of 50 jobs gives both budgets: a strategy never knows the budget, so the first 15
launches of a 50-job run are the launches of a 15-job run. The score of a method on a
(problem, budget, parallelism) cell is its normalized median

    (median over seeds of the best value among the first `budget` launches - optimum)
    / (the same for Random - optimum)

so Random scores 1 and the optimum 0. Targets: Bayesian no worse than Optuna's GPSampler on
at least three of four problems in every (budget, parallelism) cell, and far better than
Random everywhere.

    .venv/bin/python bench/search_quality.py                # everything: 20 seeds
    .venv/bin/python bench/search_quality.py --quick        # 5 seeds
    .venv/bin/python bench/search_quality.py --problems hartmann6 --methods bayesian random \\
        --seeds 0-4 --out part1.jsonl                        # a part; then:
    .venv/bin/python bench/search_quality.py --summarize part1.jsonl part2.jsonl

A full run (4 problems x 2 parallelisms x 20 seeds x 4 methods x 50 jobs) takes about
30-60 minutes on a 2-core box (29 on 2026-11-29), two thirds of it in Optuna's GPSampler.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import os
import random
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _problems import (
    PROBLEMS,
    Problem,
    Value,
    best_so_far,
    client_for,
    machine_load,
    median,
    new_simulator,
    parse_seeds,
    run_tuning_job,
    tuning_request,
)

from sagetune import AsyncSageMakerClient
from sagetune.simulator import Simulator

METHODS = ("bayesian", "random", "optuna-gp", "optuna-tpe")
BUDGETS = (15, 50)
PARALLELISM = (1, 5)
PEER = "optuna-gp"


# --------------------------------------------------------------------------- sagetune


async def run_sagetune(
    sim: Simulator,
    sm: AsyncSageMakerClient,
    problem: Problem,
    method: str,
    parallel: int,
    seed: int,
    jobs: int,
) -> list[float | None]:
    strategy = {"bayesian": "Bayesian", "random": "Random"}[method]
    name = f"{problem.name}-{method[:2]}-p{parallel}-s{seed}"
    request = tuning_request(
        problem, name, strategy=strategy, jobs=jobs, parallel=parallel, seed=seed
    )
    outcomes = await run_tuning_job(sim, sm, request)
    return [o.value for o in outcomes]


# --------------------------------------------------------------------------- optuna


def optuna_available(method: str) -> str | None:
    """None when ``method`` can run here, else why not."""
    try:
        import optuna  # noqa: F401
    except ImportError:
        return "optuna is not installed (pip install 'sagetune[bench]')"
    if method == "optuna-gp":
        try:
            import torch  # noqa: F401
        except ImportError:
            return "Optuna's GPSampler needs torch (CPU build: pip install torch==2.13.0)"
    return None


def run_optuna(problem: Problem, method: str, parallel: int, seed: int, jobs: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    sampler: optuna.samplers.BaseSampler
    if method == "optuna-gp":
        import torch

        torch.set_num_threads(1)
        sampler = optuna.samplers.GPSampler(seed=seed, deterministic_objective=True)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    dists: dict[str, optuna.distributions.BaseDistribution] = {}
    for r in problem.ranges:
        if r.kind == "Categorical":
            dists[r.name] = optuna.distributions.CategoricalDistribution(r.values)
        elif r.kind == "Integer":
            log = r.scaling == "Logarithmic"
            dists[r.name] = optuna.distributions.IntDistribution(int(r.low), int(r.high), log=log)
        else:
            log = r.scaling == "Logarithmic"
            dists[r.name] = optuna.distributions.FloatDistribution(r.low, r.high, log=log)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    durations = random.Random(seed)
    values: dict[int, float] = {}
    running: list[tuple[float, int, optuna.trial.Trial]] = []
    now = 0.0
    asked = 0
    while asked < jobs or running:
        while asked < jobs and len(running) < parallel:
            trial = study.ask(dists)
            heapq.heappush(running, (now + 45.0 + 30.0 * durations.random(), asked, trial))
            asked += 1
        now, number, trial = heapq.heappop(running)
        params: dict[str, Value] = dict(trial.params)
        value = problem.evaluate(params)
        study.tell(trial, value)
        values[number] = value
    return [values[i] for i in range(jobs)]


# --------------------------------------------------------------------------- runs


def run_all(args: argparse.Namespace, out: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    jobs = max(args.budgets)
    skipped = {m: optuna_available(m) for m in args.methods if m.startswith("optuna")}
    for method, reason in skipped.items():
        if reason is not None:
            print(f"skipping {method}: {reason}", flush=True)
    methods = [m for m in args.methods if skipped.get(m) is None]

    async def sagetune_runs() -> None:
        sim = new_simulator()
        async with client_for(sim) as sm:
            for problem_name in args.problems:
                for parallel in args.parallel:
                    for method in methods:
                        for seed in args.seeds:
                            if method.startswith("optuna"):
                                continue
                            start = time.perf_counter()
                            values = await run_sagetune(
                                sim, sm, PROBLEMS[problem_name], method, parallel, seed, jobs
                            )
                            record(problem_name, method, parallel, seed, values, start)
        sim.close()

    def record(
        problem_name: str,
        method: str,
        parallel: int,
        seed: int,
        values: list[float | None],
        start: float,
    ) -> None:
        rec = {
            "problem": problem_name,
            "method": method,
            "parallel": parallel,
            "seed": seed,
            "values": values,
            "wall_s": time.perf_counter() - start,
        }
        records.append(rec)
        if out is not None:
            out.write(json.dumps(rec) + "\n")
            out.flush()
        problem = PROBLEMS[problem_name]
        regret = problem.regret(best_so_far(values)[-1])
        print(
            f"{problem_name:12s} {method:10s} p={parallel} seed={seed:2d} "
            f"regret@{len(values)}={regret:.4g} wall={rec['wall_s']:.1f}s",
            flush=True,
        )

    asyncio.run(sagetune_runs())
    for problem_name in args.problems:
        for parallel in args.parallel:
            for method in methods:
                if not method.startswith("optuna"):
                    continue
                for seed in args.seeds:
                    start = time.perf_counter()
                    values: list[float | None] = list(
                        run_optuna(PROBLEMS[problem_name], method, parallel, seed, jobs)
                    )
                    record(problem_name, method, parallel, seed, values, start)
    return records


# --------------------------------------------------------------------------- summary


def summarize(records: Iterable[dict[str, Any]], budgets: Iterable[int]) -> None:
    """Print the normalized median scores per cell, and the RESULT lines."""
    best: dict[tuple[str, int, int, str], list[float]] = defaultdict(list)
    budgets = sorted(budgets)
    for rec in records:
        curve = best_so_far(rec["values"])
        for budget in budgets:
            if len(curve) >= budget:
                key = (rec["problem"], budget, rec["parallel"], rec["method"])
                best[key].append(curve[budget - 1])
    problems = sorted({k[0] for k in best}, key=list(PROBLEMS).index)
    methods = [m for m in METHODS if any(k[3] == m for k in best)]
    cells = sorted({(k[1], k[2]) for k in best})
    print(
        "\nnormalized median score: (median best - optimum) / (Random's median best - optimum);"
        " Random = 1, optimum = 0"
    )
    header = f"{'problem':12s} {'budget':>6s} {'par':>3s} {'seeds':>5s} " + " ".join(
        f"{m:>11s}" for m in methods
    )
    print(header)
    scores: dict[tuple[str, int, int, str], float] = {}
    for budget, parallel in cells:
        for problem_name in problems:
            problem = PROBLEMS[problem_name]
            random_best = best.get((problem_name, budget, parallel, "random"))
            if not random_best:
                continue
            scale = problem.regret(median(random_best))
            row = []
            n_seeds = len(random_best)
            for method in methods:
                values = best.get((problem_name, budget, parallel, method))
                if not values:
                    row.append(f"{'-':>11s}")
                    continue
                score = problem.regret(median(values)) / scale if scale > 0 else float("nan")
                scores[(problem_name, budget, parallel, method)] = score
                row.append(f"{score:11.3g}")
            print(f"{problem_name:12s} {budget:6d} {parallel:3d} {n_seeds:5d} " + " ".join(row))
    print("\nmedian regret (best - optimum):")
    print(header)
    for budget, parallel in cells:
        for problem_name in problems:
            problem = PROBLEMS[problem_name]
            row = []
            n_seeds = max(
                (len(best.get((problem_name, budget, parallel, m), [])) for m in methods),
                default=0,
            )
            for method in methods:
                values = best.get((problem_name, budget, parallel, method))
                cell = f"{problem.regret(median(values)):11.3g}" if values else f"{'-':>11s}"
                row.append(cell)
            print(f"{problem_name:12s} {budget:6d} {parallel:3d} {n_seeds:5d} " + " ".join(row))

    print()
    for budget, parallel in cells:
        ours = {
            p: scores[k] for p in problems if (k := (p, budget, parallel, "bayesian")) in scores
        }
        peer = {p: scores[k] for p in problems if (k := (p, budget, parallel, PEER)) in scores}
        compared = [p for p in problems if p in ours and p in peer]
        if compared:
            wins = sum(1 for p in compared if ours[p] <= peer[p])
            print(
                f"RESULT search_quality_bayesian_not_worse_than_optuna_gp_b{budget}_p{parallel} "
                f"{wins}/{len(compared)} problems"
            )
        if ours:
            worst = max(ours.values())
            print(
                f"RESULT search_quality_bayesian_worst_score_b{budget}_p{parallel} "
                f"{worst:.3f} normalized"
            )
    for (problem_name, budget, parallel, method), score in sorted(scores.items()):
        if method in ("bayesian", PEER):
            print(
                f"RESULT search_quality_{method.replace('-', '_')}_"
                f"{problem_name.replace('-', '_')}_b{budget}_p{parallel} {score:.3g} normalized"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seeds", default="0-19", help="e.g. 0-19 or 1,3,5")
    parser.add_argument("--parallel", nargs="+", type=int, default=list(PARALLELISM))
    parser.add_argument("--budgets", nargs="+", type=int, default=list(BUDGETS))
    parser.add_argument("--quick", action="store_true", help="5 seeds (0-4)")
    parser.add_argument("--out", help="append one JSON line per run to this file")
    parser.add_argument(
        "--summarize", nargs="+", metavar="JSONL", help="only summarize earlier --out files"
    )
    args = parser.parse_args()
    args.seeds = parse_seeds("0-4" if args.quick else args.seeds)
    print(f"machine: {machine_load()}", flush=True)
    if args.summarize:
        records: list[dict[str, Any]] = []
        for path in args.summarize:
            with open(path) as fh:
                records.extend(json.loads(line) for line in fh if line.strip())
        summarize(records, args.budgets)
        return
    start = time.perf_counter()
    out = open(args.out, "a") if args.out else None  # noqa: SIM115 - closed below
    try:
        records = run_all(args, out)
    finally:
        if out is not None:
            out.close()
    summarize(records, args.budgets)
    print(f"\nwall {time.perf_counter() - start:.0f} s; machine: {machine_load()}")


if __name__ == "__main__":
    main()
