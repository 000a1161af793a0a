"""Branin and Hartmann6: exact function values at known points, emitted exactly."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmSpec
from sagetune.simulator.algorithms.benchmark_functions import (
    BRANIN_MINIMIZERS,
    BRANIN_OPTIMUM,
    BRANIN_SPEC,
    HARTMANN6_MINIMIZER,
    HARTMANN6_OPTIMUM,
    HARTMANN6_SPEC,
    branin,
    hartmann6,
)
from sagetune.simulator.metrics import compile_metric_definitions


def _objectives(spec: AlgorithmSpec, hyperparameters: dict[str, str], seed: int = 0) -> list[float]:
    metrics = compile_metric_definitions(spec.metric_definitions)
    stream = spec.fn(hyperparameters, AlgorithmContext(seed=seed, job_name="job"))
    return [value for _, line in stream for value in metrics.extract(line).values()]


@pytest.mark.parametrize(("x1", "x2"), BRANIN_MINIMIZERS)
def test_branin_is_at_its_optimum_at_each_of_its_three_minimizers(x1: float, x2: float) -> None:
    assert branin(x1, x2) == pytest.approx(BRANIN_OPTIMUM, abs=1e-6)


def test_branin_known_values() -> None:
    # (x2 - b x1^2 + c x1 - 6)^2 + 10 (1 - t) cos(x1) + 10, worked by hand at (0, 0).
    assert branin(0.0, 0.0) == pytest.approx(36.0 + 10.0 * (1.0 - 1.0 / (8.0 * math.pi)) + 10.0)
    assert branin(math.pi, 2.275) == pytest.approx(0.397887, abs=1e-6)


@given(x1=st.floats(-5, 10), x2=st.floats(0, 15))
def test_branin_never_goes_below_its_optimum(x1: float, x2: float) -> None:
    assert branin(x1, x2) >= BRANIN_OPTIMUM - 1e-9


def test_hartmann6_is_at_its_optimum_at_its_minimizer() -> None:
    assert hartmann6(HARTMANN6_MINIMIZER) == pytest.approx(HARTMANN6_OPTIMUM, abs=1e-5)


def test_hartmann6_random_points_are_worse_than_the_optimum() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        x = (rng.random(), rng.random(), rng.random(), rng.random(), rng.random(), rng.random())
        assert hartmann6(x) > HARTMANN6_OPTIMUM


def test_branin_job_emits_the_exact_function_value_once() -> None:
    values = _objectives(BRANIN_SPEC, {"x1": "2.5", "x2": "7.25"})

    assert values == [branin(2.5, 7.25)]


def test_hartmann6_job_emits_the_exact_function_value_once() -> None:
    point = {f"x{i}": str(v) for i, v in enumerate(HARTMANN6_MINIMIZER, start=1)}

    values = _objectives(HARTMANN6_SPEC, point)

    assert values == [hartmann6(HARTMANN6_MINIMIZER)]


def test_noise_is_seeded_and_has_the_requested_scale() -> None:
    hyperparameters = {"x1": "2.5", "x2": "7.25", "noise": "1.0"}
    exact = branin(2.5, 7.25)

    draws = [_objectives(BRANIN_SPEC, hyperparameters, seed)[0] - exact for seed in range(300)]

    assert _objectives(BRANIN_SPEC, hyperparameters, 5) == _objectives(
        BRANIN_SPEC, hyperparameters, 5
    )
    assert len(set(draws)) == 300
    mean = sum(draws) / len(draws)
    spread = math.sqrt(sum((d - mean) ** 2 for d in draws) / len(draws))
    assert abs(mean) < 0.2
    assert 0.8 < spread < 1.2


def test_one_shot_job_takes_about_a_minute_of_simulated_time() -> None:
    stream = BRANIN_SPEC.fn({"x1": "0", "x2": "0"}, AlgorithmContext(seed=3, job_name="j"))

    total = sum(seconds for seconds, _ in stream)

    assert 45 < total < 100
