"""``xgboost-curve``: a gradient-boosted-trees learning curve in SageMaker XGBoost's log format.

Each boosting round writes one line like SageMaker's built-in XGBoost
(``#011`` is how CloudWatch shows the tab character XGBoost prints)::

    [12]#011train-rmse:0.41234#011validation-rmse:0.45678

The numbers come from a closed-form model of a regression task whose rmse starts at
about 1.1 (predicting the mean). With effective progress
``x(t) = eta * capacity(max_depth) * (0.6 + 0.4 subsample) * (0.7 + 0.3 colsample_bytree) * t``
after ``t`` rounds, the validation rmse is

    bias(max_depth) + variance(max_depth, min_child_weight, subsample, colsample_bytree)
    + penalties(eta, subsample, colsample_bytree, min_child_weight)
    + 0.9 exp(-x) + overfit(x)

where ``bias`` falls and ``variance`` grows with depth, a large ``min_child_weight``
underfits, row/column subsampling trades variance against information, a large ``eta``
generalizes slightly worse, and ``overfit`` grows once ``x > 4`` for trees deeper than 3
(faster with a small ``min_child_weight``; it levels off at +0.3): deep trees trained for
many rounds get worse. The training rmse keeps falling (it memorizes). Seeded noise: a per-job offset
(std 0.004, a "data split") plus per-round jitter (std 0.0015).

The objective is ``validation:rmse`` (Minimize), emitted every round. ``optimum`` is the
noise-free minimum of the final validation rmse over the suggested ranges (num_round up
to 1000), found numerically with L-BFGS-B from several starts per max_depth (the tests in
``tests/algorithms/test_boosted_trees_curve.py`` check that random and local search find
nothing better); observed finals scatter around the noise-free value by about 0.004.

Simulated time per round is ``20 + 10 * max_depth`` seconds (30-140 s) on the reference
instance ml.m5.xlarge, down to about half that with strong row/column subsampling; larger
CPU instances are faster, GPUs don't help.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping

import attrs

from sagetune.simulator.algorithms.hyperparameters import parse_hyperparameters
from sagetune.simulator.algorithms.instances import instance_speedup
from sagetune.simulator.algorithms.noise import standard_normal_sampler
from sagetune.simulator.algorithms.spec import (
    AlgorithmContext,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
)
from sagetune.simulator.algorithms.startup import startup_lines

__all__ = [
    "BOOSTED_TREES_ARGMIN",
    "BOOSTED_TREES_ARGMIN_ROUNDS",
    "BOOSTED_TREES_OPTIMUM",
    "BOOSTED_TREES_SPEC",
    "BoostedTreesCurve",
    "BoostedTreesParams",
    "boosted_trees_algorithm",
    "format_boosted_trees_line",
    "noisy_rounds",
    "seconds_per_round",
]

_IMAGE = "sagetune/xgboost-curve:latest"
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
# The same shape as the MetricDefinitions SageMaker's built-in XGBoost publishes.
_TRAIN_REGEX = r".*\[[0-9]+\].*#011train-rmse:" + _NUMBER + ".*"
_VALIDATION_REGEX = r".*\[[0-9]+\].*#011validation-rmse:" + _NUMBER + ".*"

_INITIAL_GAP = 0.9  # rmse above the asymptote before the first round
_OVERFIT_ONSET = 4.0  # effective progress after which deep trees start to overfit
_OVERFIT_CEILING = 0.3  # the most overfitting can add to the validation rmse


@attrs.frozen(kw_only=True)
class BoostedTreesParams:
    """The hyperparameters that shape the curve."""

    eta: float
    max_depth: int
    subsample: float = 1.0
    colsample_bytree: float = 1.0
    min_child_weight: float = 1.0


@attrs.frozen(kw_only=True)
class BoostedTreesCurve:
    """Noise-free train/validation rmse after ``t`` rounds, with constants computed once."""

    rate: float
    validation_floor: float
    train_floor: float
    bias: float
    overfit_slope: float
    memorize_rate: float

    @classmethod
    def from_params(cls, p: BoostedTreesParams) -> BoostedTreesCurve:
        d, s, c, w = p.max_depth, p.subsample, p.colsample_bytree, p.min_child_weight
        capacity = 1.0 - math.exp(-d / 2.5)
        rate = p.eta * capacity * (0.6 + 0.4 * s) * (0.7 + 0.3 * c)
        bias = 0.18 + 0.35 * math.exp(-d / 1.8)
        variance = 0.0025 * d**1.6 / (1.0 + w / 8.0) * (0.4 + 0.6 * s) * (0.5 + 0.5 * c)
        underfit = 0.0006 * w
        penalties = 0.06 * p.eta**2 + 0.08 * (1.0 - s) ** 2 + 0.06 * (1.0 - c) ** 2
        overfit_slope = 0.0008 * max(0.0, d - 3.0) ** 1.5 / (1.0 + w / 10.0) * (0.5 + 0.5 * s)
        return cls(
            rate=rate,
            validation_floor=bias + variance + underfit + penalties,
            train_floor=0.6 * bias + underfit,
            bias=bias,
            overfit_slope=overfit_slope,
            memorize_rate=0.02 * d / (1.0 + w / 8.0),
        )

    def at(self, t: int) -> tuple[float, float]:
        """(train rmse, validation rmse) after round ``t`` (t >= 1), without noise."""
        x = self.rate * t
        validation = self.validation_floor + _INITIAL_GAP * math.exp(-x)
        if x > _OVERFIT_ONSET:
            excess = self.overfit_slope * (x - _OVERFIT_ONSET)
            validation += _OVERFIT_CEILING * (1.0 - math.exp(-excess / _OVERFIT_CEILING))
        train = (
            self.train_floor
            + _INITIAL_GAP * math.exp(-1.1 * x)
            - 0.5 * self.bias * (1.0 - math.exp(-self.memorize_rate * x))
        )
        return train, validation

    def final_validation(self, num_round: int) -> float:
        """The noise-free objective of a job that runs all ``num_round`` rounds."""
        return self.at(num_round)[1]


def format_boosted_trees_line(round_index: int, train: float, validation: float) -> str:
    """One evaluation line as XGBoost prints it (0-based round, 6 significant digits)."""
    # %-formatting: about twice as fast as an f-string here, and this runs every round.
    return "[%d]#011train-rmse:%g#011validation-rmse:%g" % (round_index, train, validation)  # noqa: UP031


_HYPERPARAMETERS = (
    HyperParameterSpec(
        name="eta",
        kind="Continuous",
        min_value="0.001",
        max_value="1",
        valid_min="0",
        scaling="Logarithmic",
        default="0.3",
        description="Step size shrinkage (learning rate).",
    ),
    HyperParameterSpec(
        name="max_depth",
        kind="Integer",
        min_value="1",
        max_value="12",
        valid_max="20",
        scaling="Linear",
        default="6",
        description="Maximum tree depth: less bias, more variance, slower rounds.",
    ),
    HyperParameterSpec(
        name="subsample",
        kind="Continuous",
        min_value="0.3",
        max_value="1",
        valid_min="0",
        min_exclusive=True,
        scaling="Linear",
        default="1",
        description="Fraction of rows sampled per tree.",
    ),
    HyperParameterSpec(
        name="colsample_bytree",
        kind="Continuous",
        min_value="0.3",
        max_value="1",
        valid_min="0",
        min_exclusive=True,
        scaling="Linear",
        default="1",
        description="Fraction of columns sampled per tree.",
    ),
    HyperParameterSpec(
        name="min_child_weight",
        kind="Continuous",
        min_value="0",
        max_value="120",
        valid_max="100000",
        scaling="Linear",
        default="1",
        description="Minimum hessian weight in a leaf: regularizes, too much underfits.",
    ),
    HyperParameterSpec(
        name="num_round",
        kind="Integer",
        min_value="1",
        max_value="1000",
        valid_max="20000",
        default="50",
        description="Number of boosting rounds (the epochs; Hyperband's resource).",
    ),
)


def boosted_trees_algorithm(
    hyperparameters: Mapping[str, str], context: AlgorithmContext
) -> LogStream:
    """Train a simulated boosted-trees regressor, one round per yielded line."""
    hps = parse_hyperparameters(hyperparameters, _HYPERPARAMETERS)
    params = BoostedTreesParams(
        eta=hps.real("eta"),
        max_depth=hps.integer("max_depth"),
        subsample=hps.real("subsample"),
        colsample_bytree=hps.real("colsample_bytree"),
        min_child_weight=hps.real("min_child_weight"),
    )
    return _rounds(hyperparameters, context, params, hps.integer("num_round"))


def seconds_per_round(params: BoostedTreesParams, context: AlgorithmContext) -> float:
    """Simulated seconds of one round (before jitter) on the job's instances."""
    return (
        (20.0 + 10.0 * params.max_depth)
        * (0.5 + 0.5 * params.subsample)
        * (0.6 + 0.4 * params.colsample_bytree)
        / instance_speedup(context.instance_type, context.instance_count, accelerated=False)
    )


def noisy_rounds(
    params: BoostedTreesParams, num_round: int, seconds: float, rng: random.Random
) -> Iterator[tuple[float, float, float]]:
    """``(seconds, train rmse, validation rmse)`` of rounds 1..num_round, with the model's
    seeded noise (a per-job offset, per-round jitter) and +-3% jitter on ``seconds``.

    Both faces of the model (this module's log format and SageMaker XGBoost's,
    :mod:`.aws_xgboost`) draw their numbers here, so they agree for a given seed.
    """
    curve = BoostedTreesCurve.from_params(params)
    normal, uniform = standard_normal_sampler(rng), rng.random
    train_offset = 0.002 * normal()
    validation_offset = 0.004 * normal()
    for t in range(1, num_round + 1):
        train, validation = curve.at(t)
        # Plain comparisons instead of max(): this loop is the hot path.
        train += train_offset + 0.001 * normal()
        train = train if train > 1e-4 else 1e-4
        validation += validation_offset + 0.0015 * normal()
        validation = validation if validation > 1e-4 else 1e-4
        yield seconds * (0.97 + 0.06 * uniform()), train, validation


def _rounds(
    raw: Mapping[str, str],
    context: AlgorithmContext,
    params: BoostedTreesParams,
    num_round: int,
) -> LogStream:
    rng = random.Random(context.seed)
    data = (
        "Train matrix has 40000 rows and 28 columns",
        "Validation matrix has 10000 rows",
    )
    yield from startup_lines(_IMAGE, raw, context, rng, data)
    rounds = noisy_rounds(params, num_round, seconds_per_round(params, context), rng)
    for index, (seconds, train, validation) in enumerate(rounds):
        yield seconds, format_boosted_trees_line(index, train, validation)


# Found by L-BFGS-B over (log eta, subsample, colsample_bytree, min_child_weight) from
# several starts for every max_depth, within the suggested ranges; the test suite checks
# that no point does better. More rounds with a smaller eta always help a little: the best
# final value is 0.22204 with num_round=50 and 0.22123 with num_round=100.
BOOSTED_TREES_ARGMIN = BoostedTreesParams(
    eta=0.006858, max_depth=7, subsample=0.93181, colsample_bytree=0.93973, min_child_weight=21.8266
)
BOOSTED_TREES_ARGMIN_ROUNDS = 1000
BOOSTED_TREES_OPTIMUM = 0.220953

BOOSTED_TREES_SPEC = AlgorithmSpec(
    name="xgboost-curve",
    image=_IMAGE,
    fn=boosted_trees_algorithm,
    description=(
        "Boosted-trees learning curve in SageMaker XGBoost's log format: one "
        "'[round]#011train-rmse:..#011validation-rmse:..' line per round, validation rmse "
        "minimized. Deep trees with many rounds overfit; eta sets the speed; seeded noise. "
        "15-140 simulated seconds per round. Bad hyperparameters (unknown, unparseable, "
        "out of range) fail the job with a ClientError FailureReason naming them."
    ),
    hyperparameters=_HYPERPARAMETERS,
    metric_definitions=(("train:rmse", _TRAIN_REGEX), ("validation:rmse", _VALIDATION_REGEX)),
    objective_metric="validation:rmse",
    objective_type="Minimize",
    optimum=BOOSTED_TREES_OPTIMUM,
    log_format="[12]#011train-rmse:0.31234#011validation-rmse:0.35678",
    builtin=True,
    epochs_hyperparameter="num_round",
)
