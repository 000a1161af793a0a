"""The deliberately failing and silent built-ins behave as documented."""

from __future__ import annotations

import pytest

from sagetune.simulator.algorithms import (
    AlgorithmContext,
    AlgorithmError,
    LogStream,
    default_registry,
)
from sagetune.simulator.metrics import compile_metric_definitions


def _stream(image: str, hyperparameters: dict[str, str]) -> LogStream:
    spec = default_registry().resolve(training_image=image)
    return spec.fn(hyperparameters, AlgorithmContext(seed=0, job_name="job-7"))


def test_fail_emits_objective_then_raises_algorithm_error_mid_training() -> None:
    spec = default_registry().resolve(training_image="sagetune/fail:latest")
    metrics = compile_metric_definitions(spec.metric_definitions)
    seen: list[dict[str, float]] = []
    stream = _stream(spec.image, {"epochs": "5", "fail_at_epoch": "3", "x": "0.5"})

    def train() -> None:
        for _, line in stream:
            seen.append(metrics.extract(line))

    with pytest.raises(AlgorithmError) as info:
        train()

    objectives = [m["objective"] for m in seen if m]
    assert objectives == [pytest.approx(0.04), pytest.approx(0.02)]
    assert (
        info.value.failure_reason == "AlgorithmError: simulated crash during epoch 3 of job job-7"
    )


def test_fail_at_epoch_zero_crashes_before_any_epoch() -> None:
    lines: list[str] = []

    with pytest.raises(AlgorithmError):
        lines.extend(line for _, line in _stream("sagetune/fail:latest", {"fail_at_epoch": "0"}))

    assert not any("objective" in line for line in lines)


def test_fail_can_raise_an_unexpected_exception() -> None:
    with pytest.raises(RuntimeError, match="simulated crash"):
        list(_stream("sagetune/fail:latest", {"error": "RuntimeError"}))


def test_fail_completes_when_the_failure_epoch_is_after_the_last() -> None:
    lines = [
        line for _, line in _stream("sagetune/fail:latest", {"epochs": "2", "fail_at_epoch": "3"})
    ]

    assert lines[-1] == "Training complete"


def test_no_metric_completes_without_ever_emitting_its_objective() -> None:
    spec = default_registry().resolve(training_image="sagetune/no-metric:latest")
    metrics = compile_metric_definitions(spec.metric_definitions)

    lines = [line for _, line in _stream(spec.image, {"epochs": "4"})]

    assert lines[-1] == "Training complete"
    assert sum(line.startswith("epoch ") for line in lines) == 4
    assert all(metrics.extract(line) == {} for line in lines)
