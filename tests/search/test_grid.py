"""Grid search: every combination exactly once, in the documented order."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.simulator.search import (
    CategoricalDim,
    GridStrategy,
    IntegerDim,
    SearchSpace,
    SearchState,
    grid_size,
)


def _space(sizes: list[int]) -> SearchSpace:
    return SearchSpace(
        dims=tuple(
            CategoricalDim(name=f"p{i}", values=tuple(f"v{j}" for j in range(n)))
            for i, n in enumerate(sizes)
        )
    )


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_grid_enumerates_every_combination_exactly_once(sizes: list[int]) -> None:
    space = _space(sizes)
    size = grid_size(space)
    points = [
        GridStrategy().suggest(SearchState(space=space, seed=0, issued=i)) for i in range(size)
    ]
    keys = [tuple(p[f"p{i}"] for i in range(len(sizes))) for p in points]
    expected = list(itertools.product(*(dim.values for dim in space.dims)))  # type: ignore[union-attr]
    assert keys == expected  # product order: last dimension fastest
    assert len(set(keys)) == size


def test_grid_order_is_last_dimension_fastest() -> None:
    space = SearchSpace(
        dims=(
            CategoricalDim(name="opt", values=("sgd", "adam")),
            CategoricalDim(name="act", values=("relu", "tanh", "gelu")),
        )
    )
    second = GridStrategy().suggest(SearchState(space=space, seed=0, issued=1))
    fourth = GridStrategy().suggest(SearchState(space=space, seed=0, issued=3))
    assert second == {"opt": "sgd", "act": "tanh"}
    assert fourth == {"opt": "adam", "act": "relu"}
    assert grid_size(space) == 6


def test_grid_rejects_numeric_dimensions_and_exhaustion() -> None:
    numeric = SearchSpace(dims=(IntegerDim(name="n", low=1, high=3),))
    with pytest.raises(ValueError, match="categorical"):
        grid_size(numeric)
    space = _space([2])
    with pytest.raises(ValueError, match="outside the 2 combinations"):
        GridStrategy().suggest(SearchState(space=space, seed=0, issued=2))
    with pytest.raises(ValueError, match="at least one"):
        grid_size(SearchSpace(dims=()))
