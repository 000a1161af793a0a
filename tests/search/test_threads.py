"""The search's BLAS limit is scoped: one thread inside a suggestion, nothing changed outside."""

from __future__ import annotations

import os

from threadpoolctl import threadpool_info

from sagetune.simulator.search import (
    BayesianStrategy,
    ContinuousDim,
    SearchSpace,
    SearchState,
    Trial,
)
from sagetune.simulator.search.threads import one_blas_thread


def blas_threads() -> list[int]:
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_blas_runs_on_one_thread_inside_the_limit_only() -> None:
    outside = blas_threads()
    with one_blas_thread():
        assert blas_threads() == [1] * len(outside)
    assert blas_threads() == outside


def test_a_suggestion_leaves_the_environment_and_the_thread_counts_as_they_were() -> None:
    environment, threads = dict(os.environ), blas_threads()
    space = SearchSpace(dims=(ContinuousDim(name="a", low=0.0, high=1.0, scaling="Linear"),))
    trials = tuple(Trial(params={"a": repr(v)}, value=(v - 0.3) ** 2) for v in (0.1, 0.5, 0.9))
    BayesianStrategy().suggest(SearchState(space=space, seed=1, trials=trials, issued=3))
    assert dict(os.environ) == environment
    assert blas_threads() == threads
