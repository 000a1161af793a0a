"""Latency of one Bayesian suggestion at 50, 200 and 750 observations (6-d Hartmann data).

Compares sagetune's GP strategy with Optuna's GPSampler on the same observations in the same
run (when optuna and torch are importable); each cell is the median wall time of several
cold suggestions (nothing is cached between them). Both run with one BLAS / torch thread:
on a shared 2-core box, multithreaded OpenBLAS spins against other processes and makes
small factorizations 10-500x slower. sagetune's strategy scopes that limit itself
(``sagetune/simulator/search/threads.py``: threadpoolctl around each suggestion, nothing
set in the environment); the bench also times the limit alone (entering and leaving it),
and one suggestion at 200 observations without it, to show what it buys.

    .venv/bin/python bench/search_latency.py [--repeats 5]

Prints a table and ``RESULT bayesian_suggest_ms_at_<n> <median> ms`` for n = 200 and 750.
Targets (2-core machine): < 100 ms at 200 observations, < 250 ms at 750.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from sagetune.simulator.search import (
    BayesianStrategy,
    ContinuousDim,
    SearchSpace,
    SearchState,
    Trial,
)
from sagetune.simulator.search.threads import one_blas_thread

COUNTS = (50, 200, 750)
DIMS = 6

_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(x: np.ndarray) -> np.ndarray:
    """The 6-d Hartmann function (minimum about -3.32237)."""
    inner = np.sum(_A * (x[:, None, :] - _P) ** 2, axis=2)
    out: np.ndarray = -np.sum(_ALPHA * np.exp(-inner), axis=1)
    return out


def _median_ms(run: Callable[[int], object], repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def time_sagetune(x: np.ndarray, y: np.ndarray, repeats: int, *, scoped: bool = True) -> float:
    """Median ms per suggestion; ``scoped=False`` skips the one-BLAS-thread limit."""
    space = SearchSpace(
        dims=tuple(
            ContinuousDim(name=f"x{i}", low=0.0, high=1.0, scaling="Linear") for i in range(DIMS)
        )
    )
    trials = tuple(
        Trial(params={f"x{i}": repr(float(v)) for i, v in enumerate(row)}, value=float(val))
        for row, val in zip(x, y, strict=True)
    )
    strategy = BayesianStrategy()

    def run(i: int) -> object:
        # A different seed each time: no two calls share candidates (nothing can be reused).
        state = SearchState(space=space, seed=i, trials=trials, issued=len(trials))
        return strategy.suggest(state) if scoped else strategy._suggest(state)

    run(-1)  # import / first-call costs out of the measurement
    return _median_ms(run, repeats)


def time_optuna(x: np.ndarray, y: np.ndarray, repeats: int) -> float | None:
    try:
        import optuna
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists: dict[str, optuna.distributions.BaseDistribution] = {
        f"x{i}": optuna.distributions.FloatDistribution(0.0, 1.0) for i in range(DIMS)
    }
    frozen = [
        optuna.trial.create_trial(
            params={f"x{i}": float(v) for i, v in enumerate(row)},
            distributions=dists,
            value=float(val),
        )
        for row, val in zip(x, y, strict=True)
    ]
    studies = []
    for i in range(repeats + 1):
        study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=i))
        study.add_trials(frozen)
        studies.append(study)

    def run(i: int) -> object:
        with one_blas_thread():  # numpy's BLAS, as for sagetune (torch's is set above)
            return studies[i].ask(dists)  # relative sampling: GP fit + acquisition

    run(repeats)
    return _median_ms(run, repeats)


def time_limit_us(calls: int = 2000) -> float:
    """Median µs to enter and leave the one-BLAS-thread limit (five batches of ``calls``)."""
    one_blas_thread().__exit__(None, None, None)  # the controller is built once, here
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            with one_blas_thread():
                pass
        batches.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(20240601)
    rows: list[tuple[int, float, float | None]] = []
    for n in COUNTS:
        x = rng.random((n, DIMS))
        y = hartmann6(x)
        ours = time_sagetune(x, y, args.repeats)
        peer = time_optuna(x, y, args.repeats)
        rows.append((n, ours, peer))
        print(f"  measured n={n}", flush=True)

    print(f"\n{'observations':>12}  {'sagetune ms':>12}  {'optuna GPSampler ms':>20}  {'ratio':>6}")
    for n, ours, peer in rows:
        peer_text = f"{peer:20.1f}" if peer is not None else f"{'skipped (no optuna/torch)':>20}"
        ratio = f"{peer / ours:6.1f}" if peer is not None else f"{'-':>6}"
        print(f"{n:>12}  {ours:12.1f}  {peer_text}  {ratio}")
    print("(ratio = optuna time / sagetune time, same run)")
    x = rng.random((200, DIMS))
    unscoped = time_sagetune(x, hartmann6(x), max(1, args.repeats // 2), scoped=False)
    scoped = time_sagetune(x, hartmann6(x), max(1, args.repeats // 2))
    limit = time_limit_us()
    print(
        f"n=200 without the one-BLAS-thread limit: {unscoped:.1f} ms (with: {scoped:.1f} ms); "
        f"the limit itself: {limit:.1f} µs per suggestion"
    )
    print(f"RESULT bayesian_suggest_ms_at_200_unscoped_blas {unscoped:.1f} ms")
    print(f"RESULT blas_limit_overhead_us {limit:.1f} us")
    for n, ours, _ in rows:
        if n in (200, 750):
            print(f"RESULT bayesian_suggest_ms_at_{n} {ours:.1f} ms")


if __name__ == "__main__":
    main()
