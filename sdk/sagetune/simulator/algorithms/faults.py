"""Algorithms that misbehave on purpose, for testing how failures are reported.

``sagetune/fail:latest`` trains a few epochs, emitting ``objective: <value>`` each epoch,
then crashes at epoch ``fail_at_epoch``: with AlgorithmError (the job fails with
``AlgorithmError: ...`` as FailureReason) or, with ``error=RuntimeError``, with an
unexpected exception (a bug in the training code: how it is reported is the simulator's
decision). ``fail_at_epoch=0`` crashes before the first epoch.

``sagetune/no-metric:latest`` trains and completes normally but never writes its
objective, so its tuning objective status is Failed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from sagetune.simulator.algorithms.benchmark_functions import OBJECTIVE_REGEX
from sagetune.simulator.algorithms.errors import AlgorithmError
from sagetune.simulator.algorithms.hyperparameters import parse_hyperparameters
from sagetune.simulator.algorithms.spec import (
    AlgorithmContext,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
)
from sagetune.simulator.algorithms.startup import startup_lines

__all__ = ["FAIL_SPEC", "NO_METRIC_SPEC", "failing_algorithm", "no_metric_algorithm"]

_FAIL_IMAGE = "sagetune/fail:latest"
_NO_METRIC_IMAGE = "sagetune/no-metric:latest"
_SECONDS_PER_EPOCH = 30.0

_EPOCHS = HyperParameterSpec(
    name="epochs",
    kind="Integer",
    min_value="1",
    max_value="100",
    default="3",
    tunable=False,
    description="Number of epochs.",
)
_FAIL_HPS = (
    _EPOCHS,
    HyperParameterSpec(
        name="fail_at_epoch",
        kind="Integer",
        min_value="0",
        max_value="100",
        default="2",
        tunable=False,
        description="Epoch during which training crashes (0: before the first epoch).",
    ),
    HyperParameterSpec(
        name="error",
        kind="Categorical",
        values=("AlgorithmError", "RuntimeError"),
        default="AlgorithmError",
        tunable=False,
        description="Raise AlgorithmError (a reported failure) or RuntimeError (a crash).",
    ),
    HyperParameterSpec(
        name="x",
        kind="Continuous",
        min_value="0",
        max_value="1",
        default="0.5",
        description="A tunable input; the objective is (x - 0.3)^2 / epoch.",
    ),
)
_NO_METRIC_HPS = (
    _EPOCHS,
    HyperParameterSpec(
        name="x",
        kind="Continuous",
        min_value="0",
        max_value="1",
        default="0.5",
        description="A tunable input that changes nothing.",
    ),
)


def failing_algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    """Train ``epochs`` epochs but crash during epoch ``fail_at_epoch``."""
    hps = parse_hyperparameters(hyperparameters, _FAIL_HPS)
    return _fail(
        hyperparameters,
        context,
        hps.integer("epochs"),
        hps.integer("fail_at_epoch"),
        hps.choice("error"),
        hps.real("x"),
    )


def _fail(
    raw: Mapping[str, str],
    context: AlgorithmContext,
    epochs: int,
    fail_at: int,
    error: str,
    x: float,
) -> LogStream:
    rng = random.Random(context.seed)
    yield from startup_lines(_FAIL_IMAGE, raw, context, rng)
    for epoch in range(1, min(epochs, fail_at - 1) + 1):
        yield _SECONDS_PER_EPOCH, f"epoch {epoch}: objective: {(x - 0.3) ** 2 / epoch!r}"
    if fail_at > epochs:
        yield 0.5, "Training complete"
        return
    message = f"simulated crash during epoch {fail_at} of job {context.job_name}"
    yield _SECONDS_PER_EPOCH / 2, f"Traceback (most recent call last): {message}"
    if error == "RuntimeError":
        raise RuntimeError(message)
    raise AlgorithmError(message)


def no_metric_algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    """Train ``epochs`` epochs and complete without ever printing the objective."""
    hps = parse_hyperparameters(hyperparameters, _NO_METRIC_HPS)
    return _silent(hyperparameters, context, hps.integer("epochs"))


def _silent(raw: Mapping[str, str], context: AlgorithmContext, epochs: int) -> LogStream:
    rng = random.Random(context.seed)
    yield from startup_lines(_NO_METRIC_IMAGE, raw, context, rng)
    for epoch in range(1, epochs + 1):
        yield _SECONDS_PER_EPOCH, f"epoch {epoch} finished (no metrics reported)"
    yield 0.5, "Training complete"


FAIL_SPEC = AlgorithmSpec(
    name="fail",
    image=_FAIL_IMAGE,
    fn=failing_algorithm,
    description=(
        "Test double: emits 'objective: <value>' each epoch, then crashes during epoch "
        "fail_at_epoch with AlgorithmError (the job fails with that FailureReason) or "
        "RuntimeError. If fail_at_epoch > epochs it completes normally."
    ),
    hyperparameters=_FAIL_HPS,
    metric_definitions=(("objective", OBJECTIVE_REGEX),),
    objective_metric="objective",
    objective_type="Minimize",
    optimum=0.0,
    log_format="epoch 1: objective: 0.04",
    builtin=True,
    epochs_hyperparameter="epochs",
)

NO_METRIC_SPEC = AlgorithmSpec(
    name="no-metric",
    image=_NO_METRIC_IMAGE,
    fn=no_metric_algorithm,
    description=(
        "Test double: completes normally but never writes its objective, so the tuning "
        "job records its objective status as Failed."
    ),
    hyperparameters=_NO_METRIC_HPS,
    metric_definitions=(("objective", OBJECTIVE_REGEX),),
    objective_metric="objective",
    objective_type="Minimize",
    optimum=None,
    log_format="epoch 1 finished (no metrics reported)",
    builtin=True,
    epochs_hyperparameter="epochs",
)
