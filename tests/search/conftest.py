"""Fixtures for the search tests (small spaces), and the project root on sys.path so that
modules can share ``tests.search.objectives``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Best effort: one BLAS thread (effective only if numpy is not imported yet). On a shared
# 2-core machine multithreaded OpenBLAS spins against other processes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

from sagetune.simulator.search import (
    CategoricalDim,
    ContinuousDim,
    IntegerDim,
    SearchSpace,
)

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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
