"""One-shot benchmark functions (Branin, Hartmann6) wrapped as training algorithms.

These are the standard global-optimization test functions, so a tuning strategy's regret
(best found minus known optimum) can be computed exactly: with the default ``noise`` of
0 the emitted objective *is* the function value, printed with ``repr`` so that the
metric regex reads back the identical float. A positive ``noise`` adds seeded Gaussian
noise with that standard deviation.

Each job writes a few start-up lines, works for about a minute of simulated time, then
writes one ``objective: <value>`` line: a single "epoch".
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from sagetune.simulator.algorithms.hyperparameters import parse_hyperparameters
from sagetune.simulator.algorithms.spec import (
    AlgorithmContext,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
)
from sagetune.simulator.algorithms.startup import startup_lines

__all__ = [
    "BRANIN_MINIMIZERS",
    "BRANIN_OPTIMUM",
    "BRANIN_SPEC",
    "HARTMANN6_MINIMIZER",
    "HARTMANN6_OPTIMUM",
    "HARTMANN6_SPEC",
    "OBJECTIVE_REGEX",
    "branin",
    "branin_algorithm",
    "hartmann6",
    "hartmann6_algorithm",
]

NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
OBJECTIVE_REGEX = r"objective: " + NUMBER

# --- Branin -------------------------------------------------------------------------

_B = 5.1 / (4.0 * math.pi**2)
_C = 5.0 / math.pi
_T = 1.0 / (8.0 * math.pi)

BRANIN_OPTIMUM = 0.39788735772973816
BRANIN_MINIMIZERS = ((-math.pi, 12.275), (math.pi, 2.275), (3.0 * math.pi, 2.475))


def branin(x1: float, x2: float) -> float:
    """The Branin-Hoo function; minimum 0.397887 at three points of [-5, 10] x [0, 15]."""
    return (x2 - _B * x1 * x1 + _C * x1 - 6.0) ** 2 + 10.0 * (1.0 - _T) * math.cos(x1) + 10.0


# --- Hartmann6 ----------------------------------------------------------------------

_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = (
    (10.0, 3.0, 17.0, 3.5, 1.7, 8.0),
    (0.05, 10.0, 17.0, 0.1, 8.0, 14.0),
    (3.0, 3.5, 1.7, 10.0, 17.0, 8.0),
    (17.0, 8.0, 0.05, 10.0, 0.1, 14.0),
)
_H6_P = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)

HARTMANN6_OPTIMUM = -3.32237
HARTMANN6_MINIMIZER = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)


def hartmann6(x: tuple[float, float, float, float, float, float]) -> float:
    """The 6-dimensional Hartmann function on [0, 1]^6; minimum -3.32237."""
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P, strict=True):
        inner = 0.0
        for xj, aij, pij in zip(x, a_row, p_row, strict=True):
            inner += aij * (xj - pij) ** 2
        total -= alpha * math.exp(-inner)
    return total


# --- the algorithms -----------------------------------------------------------------


def _noise_spec() -> HyperParameterSpec:
    return HyperParameterSpec(
        name="noise",
        kind="Continuous",
        min_value="0",
        max_value="10",
        default="0",
        tunable=False,
        description="Standard deviation of seeded Gaussian noise added to the objective.",
    )


def _evaluate(
    image: str,
    raw: Mapping[str, str],
    context: AlgorithmContext,
    rng: random.Random,
    point: str,
    value: float,
    noise: float,
) -> LogStream:
    yield from startup_lines(image, raw, context, rng)
    yield 1.0, f"Evaluating at {point}"
    observed = value + noise * rng.gauss(0.0, 1.0) if noise > 0 else value
    yield 45.0 + 30.0 * rng.random(), f"objective: {observed!r}"
    yield 0.5, "Training complete"


_BRANIN_IMAGE = "sagetune/branin:latest"
_BRANIN_HPS = (
    HyperParameterSpec(
        name="x1",
        kind="Continuous",
        min_value="-5",
        max_value="10",
        scaling="Linear",
        required=True,
    ),
    HyperParameterSpec(
        name="x2",
        kind="Continuous",
        min_value="0",
        max_value="15",
        scaling="Linear",
        required=True,
    ),
    _noise_spec(),
)


def branin_algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    """Evaluate Branin at (x1, x2); both are required."""
    hps = parse_hyperparameters(hyperparameters, _BRANIN_HPS)
    x1, x2, noise = hps.real("x1"), hps.real("x2"), hps.real("noise")
    rng = random.Random(context.seed)
    point = f"x1={x1!r}, x2={x2!r}"
    return _evaluate(_BRANIN_IMAGE, hyperparameters, context, rng, point, branin(x1, x2), noise)


_HARTMANN6_IMAGE = "sagetune/hartmann6:latest"
_HARTMANN6_HPS = (
    *(
        HyperParameterSpec(
            name=f"x{i}",
            kind="Continuous",
            min_value="0",
            max_value="1",
            scaling="Linear",
            required=True,
        )
        for i in range(1, 7)
    ),
    _noise_spec(),
)


def hartmann6_algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    """Evaluate Hartmann6 at (x1, ..., x6); all six are required."""
    hps = parse_hyperparameters(hyperparameters, _HARTMANN6_HPS)
    x = (
        hps.real("x1"),
        hps.real("x2"),
        hps.real("x3"),
        hps.real("x4"),
        hps.real("x5"),
        hps.real("x6"),
    )
    rng = random.Random(context.seed)
    point = ", ".join(f"x{i}={v!r}" for i, v in enumerate(x, start=1))
    value = hartmann6(x)
    noise = hps.real("noise")
    return _evaluate(_HARTMANN6_IMAGE, hyperparameters, context, rng, point, value, noise)


_FAILURE_NOTE = (
    " Bad hyperparameters (missing, unknown, unparseable, out of range) fail the training "
    "job with a ClientError FailureReason naming the hyperparameter."
)

BRANIN_SPEC = AlgorithmSpec(
    name="branin",
    image=_BRANIN_IMAGE,
    fn=branin_algorithm,
    description=(
        "Branin-Hoo test function of (x1, x2) in [-5, 10] x [0, 15], minimized; optimum "
        "0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475). One-shot: about a minute "
        "of simulated time, then one 'objective: <value>' line with the exact function "
        "value (plus Gaussian noise of std 'noise', default 0)." + _FAILURE_NOTE
    ),
    hyperparameters=_BRANIN_HPS,
    metric_definitions=(("objective", OBJECTIVE_REGEX),),
    objective_metric="objective",
    objective_type="Minimize",
    optimum=BRANIN_OPTIMUM,
    log_format="objective: 0.39788735772973816",
    builtin=True,
)

HARTMANN6_SPEC = AlgorithmSpec(
    name="hartmann6",
    image=_HARTMANN6_IMAGE,
    fn=hartmann6_algorithm,
    description=(
        "6-dimensional Hartmann function on [0, 1]^6, minimized; optimum -3.32237 at "
        "(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). One-shot like branin."
        + _FAILURE_NOTE
    ),
    hyperparameters=_HARTMANN6_HPS,
    metric_definitions=(("objective", OBJECTIVE_REGEX),),
    objective_metric="objective",
    objective_type="Minimize",
    optimum=HARTMANN6_OPTIMUM,
    log_format="objective: -3.3223680114155147",
    builtin=True,
)
