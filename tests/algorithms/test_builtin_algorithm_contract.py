"""Every built-in keeps the calling convention the simulator relies on."""

from __future__ import annotations

import math

import pytest

from sagetune.simulator.algorithms import (
    BUILTIN_ALGORITHMS,
    AlgorithmContext,
    AlgorithmSpec,
)
from sagetune.simulator.metrics import compile_metric_definitions

# Enough hyperparameters for every built-in to run a few epochs.
RUNNABLE = {
    "branin": {"x1": "1.0", "x2": "2.0"},
    "hartmann6": {f"x{i}": "0.3" for i in range(1, 7)},
    "xgboost-curve": {"num_round": "6"},
    "mlp-curve": {"epochs": "6"},
    "no-metric": {"epochs": "3"},
    "fail": {"epochs": "3", "fail_at_epoch": "9"},
}


@pytest.fixture(params=BUILTIN_ALGORITHMS, ids=lambda spec: spec.name)
def spec(request: pytest.FixtureRequest) -> AlgorithmSpec:
    value = request.param
    assert isinstance(value, AlgorithmSpec)
    return value


def _run(spec: AlgorithmSpec, seed: int) -> list[tuple[float, str]]:
    context = AlgorithmContext(seed=seed, job_name="job", tuning_job_name="tuning")
    hyperparameters = {**RUNNABLE[spec.name], "_tuning_objective_metric": "objective"}
    return list(spec.fn(hyperparameters, context))


def test_yields_non_negative_finite_seconds_and_single_line_strings(spec: AlgorithmSpec) -> None:
    for seconds, line in _run(spec, seed=1):
        assert isinstance(seconds, float)
        assert math.isfinite(seconds)
        assert seconds >= 0
        assert isinstance(line, str)
        assert "\n" not in line


def test_is_deterministic_given_hyperparameters_and_seed(spec: AlgorithmSpec) -> None:
    assert _run(spec, seed=42) == _run(spec, seed=42)


def test_iterative_algorithms_emit_the_objective_once_per_epoch(spec: AlgorithmSpec) -> None:
    metrics = compile_metric_definitions(spec.metric_definitions)
    objective_count = sum(
        spec.objective_metric in metrics.extract(line) for _, line in _run(spec, seed=2)
    )

    expected = {"no-metric": 0, "branin": 1, "hartmann6": 1}.get(spec.name)
    if expected is None:
        assert spec.epochs_hyperparameter is not None
        expected = int(RUNNABLE[spec.name][spec.epochs_hyperparameter])
    assert objective_count == expected


def test_startup_lines_come_before_the_first_metric_and_take_time(spec: AlgorithmSpec) -> None:
    metrics = compile_metric_definitions(spec.metric_definitions)
    elapsed = 0.0
    for seconds, line in _run(spec, seed=3):
        if metrics.extract(line):
            break
        elapsed += seconds

    assert elapsed >= 3.0


def test_spec_is_self_consistent(spec: AlgorithmSpec) -> None:
    assert spec.builtin
    assert spec.image == f"sagetune/{spec.name}:latest"
    assert spec.objective_metric is not None
    assert spec.log_format
    if spec.optimum is not None and spec.name not in ("fail",):
        metrics = compile_metric_definitions(spec.metric_definitions)
        assert spec.objective_metric in metrics.extract(spec.log_format)
