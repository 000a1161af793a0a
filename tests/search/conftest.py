"""Fixtures for the search tests: small search spaces."""

from __future__ import annotations

import pytest

from sagetune.simulator.search import (
    CategoricalDim,
    ContinuousDim,
    IntegerDim,
    SearchSpace,
)


@pytest.fixture
def branin_space() -> SearchSpace:
    return SearchSpace(
        dims=(
            ContinuousDim(name="a", low=-5.0, high=10.0, scaling="Linear"),
            ContinuousDim(name="b", low=0.0, high=15.0, scaling="Linear"),
        )
    )


@pytest.fixture
def mixed_space() -> SearchSpace:
    return SearchSpace(
        dims=(
            ContinuousDim(name="lr", low=1e-5, high=1e-1, scaling="Logarithmic"),
            IntegerDim(name="layers", low=1, high=8, scaling="Linear"),
            CategoricalDim(name="optimizer", values=("sgd", "adam", "rmsprop")),
        )
    )
