"""Random search: bounds, integer and categorical values, scaling distributions, seeds."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sagetune.simulator.search import (
    CategoricalDim,
    ContinuousDim,
    IntegerDim,
    RandomStrategy,
    Scaling,
    SearchSpace,
    SearchState,
)


def _draws(space: SearchSpace, n: int, seed: int = 7) -> list[dict[str, str]]:
    strategy = RandomStrategy()
    return [strategy.suggest(SearchState(space=space, seed=seed, issued=i)) for i in range(n)]


@st.composite
def numeric_dims(draw: st.DrawFn) -> tuple[float, float, int, int, Scaling]:
    low = draw(st.floats(1e-6, 1e3))
    high = draw(st.floats(low, 1e6))
    ilow = draw(st.integers(1, 1000))
    ihigh = draw(st.integers(ilow, 10**6))
    scaling: Scaling = draw(st.sampled_from(["Linear", "Logarithmic", "Auto"]))
    return low, high, ilow, ihigh, scaling


@settings(max_examples=60, deadline=None)
@given(dims=numeric_dims(), seed=st.integers(-(2**40), 2**40), issued=st.integers(0, 10**6))
def test_random_draws_stay_in_range_and_respect_types(
    dims: tuple[float, float, int, int, Scaling], seed: int, issued: int
) -> None:
    low, high, ilow, ihigh, scaling = dims
    space = SearchSpace(
        dims=(
            ContinuousDim(name="x", low=low, high=high, scaling=scaling),
            IntegerDim(name="n", low=ilow, high=ihigh, scaling=scaling),
            CategoricalDim(name="c", values=("a", "b", "c")),
        )
    )
    params = RandomStrategy().suggest(SearchState(space=space, seed=seed, issued=issued))
    assert low <= float(params["x"]) <= high
    assert params["n"] == str(int(params["n"]))
    assert ilow <= int(params["n"]) <= ihigh
    assert params["c"] in ("a", "b", "c")


def test_same_seed_and_index_give_the_same_draw_and_others_differ() -> None:
    space = SearchSpace(dims=(ContinuousDim(name="x", low=0.0, high=1.0),))
    first = _draws(space, 20, seed=3)
    assert first == _draws(space, 20, seed=3)
    assert first != _draws(space, 20, seed=4)
    assert len({p["x"] for p in first}) == 20


def test_logarithmic_draws_are_uniform_in_log_space() -> None:
    space = SearchSpace(dims=(ContinuousDim(name="lr", low=1e-6, high=1.0, scaling="Logarithmic"),))
    logs = np.array([math.log10(float(p["lr"])) for p in _draws(space, 2000)])
    assert stats.kstest((logs + 6) / 6, "uniform").pvalue > 1e-3
    assert np.mean(logs < -3) > 0.4  # a linear search would put 0.1% of draws there


def test_reverse_logarithmic_draws_have_log_uniform_complement() -> None:
    space = SearchSpace(
        dims=(ContinuousDim(name="beta", low=0.0, high=0.9999, scaling="ReverseLogarithmic"),)
    )
    gaps = np.array([math.log10(1 - float(p["beta"])) for p in _draws(space, 2000)])
    assert stats.kstest(-gaps / 4, "uniform").pvalue > 1e-3


def test_linear_integers_are_uniform_including_both_ends() -> None:
    space = SearchSpace(dims=(IntegerDim(name="n", low=1, high=4, scaling="Linear"),))
    counts = np.bincount([int(p["n"]) for p in _draws(space, 4000)], minlength=5)[1:]
    assert stats.chisquare(counts).pvalue > 1e-3


def test_categorical_values_are_drawn_uniformly() -> None:
    space = SearchSpace(dims=(CategoricalDim(name="c", values=("a", "b", "c", "d", "e")),))
    draws = [p["c"] for p in _draws(space, 5000)]
    counts = [draws.count(v) for v in "abcde"]
    assert stats.chisquare(counts).pvalue > 1e-3
