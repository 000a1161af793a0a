"""``mlp-curve``: a neural-network learning curve in Keras' log format.

One line per epoch, like Keras' ``verbose=2`` output::

    Epoch 3/50 - 41s - loss: 0.4321 - val_loss: 0.5123 - val_accuracy: 0.8123

The task is a 10-class classification (loss starts at ln 10 = 2.3026, chance accuracy
0.1). Each optimizer has a best learning rate that grows with the square root of the
batch size (adam/rmsprop 1e-3, momentum 2e-2, sgd 1e-1 at batch 128); let ``u`` be the
distance from it in decades. Below it training is slower (the rate shrinks with
10**u); either side the final loss is worse (quadratic in ``u``). Every net has a best
dropout that grows with its width; less dropout overfits (validation loss rises after
convergence), more underfits; narrow nets underfit; large batches generalize a little
worse. Then ``val_accuracy = 0.1 + 0.9 * (1 - val_loss / ln 10)`` (clamped), so both
objectives rank configurations alike.

Divergence: a learning rate more than 10x (sgd, momentum) or 20x (adam, rmsprop) above
the best makes the loss grow exponentially at chance accuracy; just below that it is
noisy. Once the loss passes 1e5 the epoch prints ``loss: nan - val_loss: nan`` - which
the metric regexes deliberately do not match (and extraction drops NaN anyway) - and
training stops with Keras' TerminateOnNaN message, so the job completes early. Its last
parseable ``val_loss`` is huge and its ``val_accuracy`` about 0.1, so either objective
sees a bad job.

Objectives: ``val_accuracy`` (Maximize, the spec's default; noise-free optimum 0.980457)
or ``val_loss`` (Minimize; optimum 0.05). Both are emitted every epoch. Seeded noise: a
per-job offset (std 0.005 on the loss) and per-epoch jitter (std 0.004 on the loss, 0.0015
on the accuracy). Simulated time per epoch: about 15-130 s on the reference CPU instance,
more for small batches and wide nets, much less on GPU instances.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

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
    "NEURAL_NET_ARGMIN",
    "NEURAL_NET_OPTIMUM_VAL_ACCURACY",
    "NEURAL_NET_OPTIMUM_VAL_LOSS",
    "NEURAL_NET_SPEC",
    "NeuralNetCurve",
    "NeuralNetParams",
    "format_neural_net_line",
    "neural_net_algorithm",
    "val_accuracy_from_loss",
]

_IMAGE = "sagetune/mlp-curve:latest"
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"

INITIAL_LOSS = math.log(10.0)
_MIN_LOSS = 0.05
_NAN_THRESHOLD = 1e5
_OVERFIT_CEILING = 0.6
_BEST_LEARNING_RATE = {"sgd": 0.1, "momentum": 0.02, "rmsprop": 0.001, "adam": 0.001}
_DIVERGENCE_DECADES = {"sgd": 1.0, "momentum": 1.0, "rmsprop": 1.3, "adam": 1.3}
_OPTIMIZER_PENALTY = {"adam": 0.0, "rmsprop": 0.005, "momentum": 0.002, "sgd": 0.015}
OPTIMIZERS = tuple(_BEST_LEARNING_RATE)


def val_accuracy_from_loss(val_loss: float) -> float:
    """Validation accuracy implied by a validation loss (chance 0.1 at and above ln 10)."""
    share = 1.0 - val_loss / INITIAL_LOSS
    return 0.1 + 0.9 * (0.0 if share < 0.0 else (1.0 if share > 1.0 else share))


@attrs.frozen(kw_only=True)
class NeuralNetParams:
    """The hyperparameters that shape the curve."""

    learning_rate: float
    batch_size: int = 128
    optimizer: str = "adam"
    dropout: float = 0.2
    hidden_units: int = 256


@attrs.frozen(kw_only=True)
class NeuralNetCurve:
    """Noise-free losses after ``t`` epochs, with constants computed once per job."""

    rate: float
    validation_floor: float
    train_floor: float
    overfit_slope: float
    diverges: bool
    divergence_growth: float
    instability: float

    @classmethod
    def from_params(cls, p: NeuralNetParams) -> NeuralNetCurve:
        best_lr = _BEST_LEARNING_RATE[p.optimizer] * math.sqrt(p.batch_size / 128.0)
        u = math.log10(p.learning_rate / best_lr)
        limit = _DIVERGENCE_DECADES[p.optimizer]
        best_dropout = 0.15 + 0.35 * math.sqrt(p.hidden_units / 1024.0)
        floor = (
            _MIN_LOSS
            + (0.02 if u < 0 else 0.06) * u * u
            + _OPTIMIZER_PENALTY[p.optimizer]
            + 0.5 * (p.dropout - best_dropout) ** 2
            + 0.25 * math.exp(-p.hidden_units / 48.0)
            + 0.0025 * math.log2(p.batch_size / 64.0) ** 2
        )
        rate = 0.35 * 10.0 ** min(u, 0.0) * (1.0 - 0.5 * p.dropout) * (128.0 / p.batch_size) ** 0.25
        overfit = (
            0.004
            * math.sqrt(p.hidden_units / 256.0)
            * max(0.0, best_dropout - p.dropout)
            / best_dropout
        )
        return cls(
            rate=rate,
            validation_floor=floor,
            train_floor=floor * (0.55 + 0.45 * p.dropout),
            overfit_slope=overfit,
            diverges=u > limit,
            divergence_growth=0.6 + 2.0 * (u - limit),
            instability=1.0 + 10.0 * max(0.0, u - limit + 0.5),
        )

    def at(self, t: int) -> tuple[float, float]:
        """(training loss, validation loss) after epoch ``t`` (t >= 1), without noise."""
        if self.diverges:
            loss = INITIAL_LOSS * math.exp(min(700.0, self.divergence_growth * t))
            return loss, loss * 1.05
        x = self.rate * t
        decay = math.exp(-x)
        overfit = 0.0
        if x > 3.0:
            excess = self.overfit_slope * (x - 3.0)
            overfit = _OVERFIT_CEILING * (1.0 - math.exp(-excess / _OVERFIT_CEILING))
        validation = self.validation_floor + (INITIAL_LOSS - self.validation_floor) * decay
        train = self.train_floor * (1.0 - 0.5 * overfit / _OVERFIT_CEILING) + (
            INITIAL_LOSS - self.train_floor
        ) * math.exp(-1.2 * x)
        return train, validation + overfit


def _keras_number(value: float) -> str:
    """A value the way Keras' progress bar prints it."""
    if value >= 1e-3:  # the common case first (NaN compares False)
        return "%.4f" % value  # noqa: UP031
    if value != value:
        return "nan"
    return "%.4f" % value if value <= -1e-3 else "%.4e" % value  # noqa: UP031


def format_neural_net_line(
    epoch: int, epochs: int, seconds: float, loss: float, val_loss: float, val_accuracy: float
) -> str:
    """One epoch line as Keras prints it with verbose=2."""
    # %-formatting: about twice as fast as an f-string here, and this runs every epoch.
    return "Epoch %d/%d - %.0fs - loss: %s - val_loss: %s - val_accuracy: %.4f" % (  # noqa: UP031
        epoch,
        epochs,
        seconds,
        _keras_number(loss),
        _keras_number(val_loss),
        val_accuracy,
    )


_HYPERPARAMETERS = (
    HyperParameterSpec(
        name="learning_rate",
        kind="Continuous",
        min_value="0.00001",
        max_value="1",
        valid_max="100",
        min_exclusive=True,
        valid_min="0",
        scaling="Logarithmic",
        default="0.001",
        description="Step size; too high diverges (loss grows to nan).",
    ),
    HyperParameterSpec(
        name="batch_size",
        kind="Integer",
        min_value="16",
        max_value="1024",
        valid_min="1",
        valid_max="65536",
        scaling="Logarithmic",
        default="128",
        description="Examples per step: larger allows a larger learning rate, runs faster.",
    ),
    HyperParameterSpec(
        name="optimizer",
        kind="Categorical",
        values=OPTIMIZERS,
        default="adam",
        description="Optimizer; each has its own best learning rate.",
    ),
    HyperParameterSpec(
        name="dropout",
        kind="Continuous",
        min_value="0",
        max_value="0.8",
        valid_max="0.99",
        scaling="Linear",
        default="0.2",
        description="Dropout rate; the best value grows with hidden_units.",
    ),
    HyperParameterSpec(
        name="hidden_units",
        kind="Integer",
        min_value="16",
        max_value="1024",
        valid_min="1",
        valid_max="8192",
        scaling="Logarithmic",
        default="256",
        description="Width of the hidden layers: narrow nets underfit, wide ones need dropout.",
    ),
    HyperParameterSpec(
        name="epochs",
        kind="Integer",
        min_value="1",
        max_value="200",
        valid_max="20000",
        default="50",
        description="Number of epochs (Hyperband's resource).",
    ),
)


def neural_net_algorithm(
    hyperparameters: Mapping[str, str], context: AlgorithmContext
) -> LogStream:
    """Train a simulated MLP classifier, one epoch per yielded line."""
    hps = parse_hyperparameters(hyperparameters, _HYPERPARAMETERS)
    params = NeuralNetParams(
        learning_rate=hps.real("learning_rate"),
        batch_size=hps.integer("batch_size"),
        optimizer=hps.choice("optimizer"),
        dropout=hps.real("dropout"),
        hidden_units=hps.integer("hidden_units"),
    )
    seconds = (
        45.0
        * (128.0 / params.batch_size) ** 0.3
        * (0.5 + 0.5 * math.sqrt(params.hidden_units / 256.0))
        / instance_speedup(context.instance_type, context.instance_count, accelerated=True)
    )
    curve = NeuralNetCurve.from_params(params)
    return _epochs(hyperparameters, context, curve, hps.integer("epochs"), seconds)


def _epochs(
    raw: Mapping[str, str],
    context: AlgorithmContext,
    curve: NeuralNetCurve,
    epochs: int,
    seconds_per_epoch: float,
) -> LogStream:
    rng = random.Random(context.seed)
    data = ("Found 50000 training and 10000 validation examples in 10 classes",)
    yield from startup_lines(_IMAGE, raw, context, rng, data)
    normal, uniform = standard_normal_sampler(rng), rng.random
    spread = 0.004 * curve.instability
    offset = 0.005 * normal()
    for t in range(1, epochs + 1):
        seconds = seconds_per_epoch * (0.97 + 0.06 * uniform())
        train, validation = curve.at(t)
        if curve.diverges:
            accuracy = 0.1 + 0.005 * normal()  # within [0.08, 0.12]: no clamping needed
            if validation > _NAN_THRESHOLD:
                nan = math.nan
                yield seconds, format_neural_net_line(t, epochs, seconds, nan, nan, accuracy)
                yield 0.0, f"Batch 0: Invalid loss, terminating training at epoch {t}"
                return
        else:
            # Plain comparisons instead of min()/max(): this loop is the hot path.
            train += spread * normal()
            train = train if train > 1e-4 else 1e-4
            validation += offset + spread * normal()
            validation = validation if validation > 1e-4 else 1e-4
            accuracy = val_accuracy_from_loss(validation) + 0.0015 * normal()
            accuracy = 0.0 if accuracy < 0.0 else (1.0 if accuracy > 1.0 else accuracy)
        yield seconds, format_neural_net_line(t, epochs, seconds, train, validation, accuracy)


# Every penalty term is zero here and the transient is negligible after 200 epochs; only
# the narrow-net term (0.25 exp(-1024/48) ~ 1e-10) remains, so these are exact optima.
NEURAL_NET_ARGMIN = NeuralNetParams(
    learning_rate=0.001 * math.sqrt(64 / 128),
    batch_size=64,
    optimizer="adam",
    dropout=0.5,
    hidden_units=1024,
)
NEURAL_NET_OPTIMUM_VAL_LOSS = 0.05
NEURAL_NET_OPTIMUM_VAL_ACCURACY = 0.980457

_METRICS = (
    ("loss", r" - loss: " + _NUMBER),
    ("val_loss", r"val_loss: " + _NUMBER),
    ("val_accuracy", r"val_accuracy: " + _NUMBER),
)

NEURAL_NET_SPEC = AlgorithmSpec(
    name="mlp-curve",
    image=_IMAGE,
    fn=neural_net_algorithm,
    description=(
        "Neural-network learning curve in Keras' log format: one 'Epoch t/T - loss - "
        "val_loss - val_accuracy' line per epoch. Objective val_accuracy (Maximize, "
        "optimum 0.980457) or val_loss (Minimize, optimum 0.05). A learning rate far above "
        "the optimizer's best diverges: the loss grows, then prints nan (not matched by "
        "the metric regexes) and training stops early. 15-130 simulated seconds per epoch "
        "on CPU, less on GPU instances. Bad hyperparameters fail the job with a "
        "ClientError FailureReason naming them."
    ),
    hyperparameters=_HYPERPARAMETERS,
    metric_definitions=_METRICS,
    objective_metric="val_accuracy",
    objective_type="Maximize",
    optimum=NEURAL_NET_OPTIMUM_VAL_ACCURACY,
    log_format="Epoch 3/50 - 41s - loss: 0.4321 - val_loss: 0.5123 - val_accuracy: 0.8123",
    builtin=True,
    epochs_hyperparameter="epochs",
)
