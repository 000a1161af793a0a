"""SageMaker's built-in linear-learner, simulated: ``linear-learner:1`` in every region.

It takes the documented hyperparameters (``predictor_type`` required; ``epochs`` 15,
``mini_batch_size`` 1000, ``learning_rate`` / ``wd`` / ``l1`` ``auto``...; see
:func:`declarations`) and fails the job like AWS's first-party algorithms do, with a
``ClientError: ... (caused by ValidationError)``: the missing-value text is the one real
jobs show; the others (unknown name, bad value) follow the JSON-schema wording those
messages come from.

**The model.** A linear model trained by minibatch SGD for ``epochs`` epochs. Its
validation loss falls from the loss of a constant prediction (ln 2 for a binary
classifier, ln K for K classes, 1 for a regressor with normalized labels) towards a
floor (0.20, 0.25 ln K, 0.15) raised by poor settings; per epoch
``loss(t) = floor' + (initial - floor') exp(-k t)``:

- the best learning rate grows with the square root of ``mini_batch_size`` (0.01 at
  1000 for adam, the ``auto`` optimizer; sgd 0.1, rmsprop 0.005); ``u`` decades away
  from it slow learning below it (``k`` shrinks by 10**u) and raise the floor either
  side (3% of the gap per decade squared; more than 10x above also diverges a little);
- regularization ``wd + 3 l1`` best near 1e-4: less overfits slightly, more underfits
  (up to 60% of the gap at 1);
- ``auto`` learning rate / wd / l1 behave like the best value (linear-learner trains
  ``num_models`` models with different settings and keeps the best), ``use_bias=false``
  and ``normalize_data=false`` cost a little; smaller minibatches learn more per epoch.

Seeded noise on each epoch's losses. With a ``validation`` channel the job stops early
when the validation loss has not improved by ``early_stopping_tolerance`` (relative) for
``early_stopping_patience`` epochs, and the final metrics are those of the best epoch.

**The log** has the metric lines the service's MetricDefinitions read (exact, from a real
DescribeHyperParameterTuningJob): per epoch ``#quality_metric: host=algo-1, epoch=3,
train <loss>_objective <loss>=...`` (and ``validation``), ``#progress_metric``,
``#throughput_metric``; at the end the final ``train`` / ``validation`` / ``test`` lines:
the objective loss, and ``binary_classification_accuracy``, ``binary_f_1.000``,
``precision``, ``recall`` (binary), ``mse``, ``absolute_loss`` (regressor),
``multiclass_accuracy``, ``multiclass_top_k_accuracy_3``, ``macro_*`` (multiclass),
derived from the final loss (the error rate whose entropy equals the cross entropy).
The lines around them (configuration, early stopping, ``#metrics``) have the shape of
real first-party logs but their texts are illustrative. Clock times count from
``context.start_time``; the dataset is 40000 training and 10000 validation records.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable, Mapping, Sequence

import attrs

from sagetune.simulator.algorithms.aws_images import aws_image_catalog
from sagetune.simulator.algorithms.errors import HyperparameterError
from sagetune.simulator.algorithms.instances import instance_speedup
from sagetune.simulator.algorithms.noise import standard_normal_sampler
from sagetune.simulator.algorithms.spec import AlgorithmContext, AlgorithmSpec, LogStream
from sagetune.simulator.algorithms.toolkit import (
    TRUE_FALSE,
    ContainerClock,
    Declaration,
    Interval,
    Value,
    binary_entropy,
    describe,
    validate,
)

__all__ = ["FirstPartyWording", "declarations", "linear_learner_spec"]

_PREDICTORS = ("binary_classifier", "multiclass_classifier", "regressor")
_LOSSES = {
    "binary_classifier": ("logistic", "hinge_loss"),
    "multiclass_classifier": ("softmax_loss",),
    "regressor": (
        "squared_loss",
        "absolute_loss",
        "eps_insensitive_squared_loss",
        "eps_insensitive_absolute_loss",
        "quantile_loss",
        "huber_loss",
    ),
}
_OBJECTIVE_NAMES = {
    "logistic": "binary_classification_cross_entropy",
    "hinge_loss": "binary_classification_hinge",
    "softmax_loss": "multiclass_cross_entropy",
    "squared_loss": "square_loss",
}
_BEST_LEARNING_RATE = {"adam": 0.01, "sgd": 0.1, "rmsprop": 0.005}
_BEST_REGULARIZATION = 1e-4
_TRAIN_RECORDS, _VALIDATION_RECORDS = 40000, 10000


class FirstPartyWording:
    """The validation texts of AWS's first-party algorithms (JSON-schema based)."""

    suffix = " (caused by ValidationError)"

    def missing(self, name: str) -> str:
        return (
            f"No value(s) were specified for '{name}' which are required hyperparameter(s)"
            + self.suffix
        )

    def extraneous(self, name: str) -> str:
        return f"Additional hyperparameters are not allowed ('{name}' was unexpected)" + self.suffix

    def unparseable(self, declaration: Declaration, text: str) -> str:
        return f"'{text}' is not valid under any of the given schemas" + self.suffix

    def out_of_range(self, declaration: Declaration, value: Value, text: str) -> str:
        valid = declaration.valid
        if not isinstance(valid, Interval):
            return f"'{text}' is not one of {list(valid or ())}" + self.suffix
        assert isinstance(value, int | float)
        if valid.min_closed is not None and value < valid.min_closed:
            return f"{text} is less than the minimum of {valid.min_closed:g}" + self.suffix
        if valid.min_open is not None and value <= valid.min_open:
            return (
                f"{text} is less than or equal to the minimum of {valid.min_open:g}" + self.suffix
            )
        if valid.max_open is not None and value >= valid.max_open:
            return (
                f"{text} is greater than or equal to the maximum of {valid.max_open:g}"
                + self.suffix
            )
        return f"{text} is greater than the maximum of {valid.max_closed:g}" + self.suffix


def _number(
    name: str,
    kind: str,
    valid: Interval,
    default: str | None = None,
    *,
    also: tuple[str, ...] = (),
    tuning: tuple[float, float] | None = None,
    scaling: str = "Linear",
    note: str = "",
) -> Declaration:
    return Declaration(
        name=name,
        kind="Integer" if kind == "Integer" else "Continuous",
        valid=valid,
        default=default,
        also=also,
        tuning=Interval(min_closed=tuning[0], max_closed=tuning[1]) if tuning else None,
        scaling=scaling,
        description=note,
    )


def _choice(
    name: str, values: tuple[str, ...], default: str | None = None, *, tunable: bool = False
) -> Declaration:
    return Declaration(
        name=name, kind="Categorical", valid=values, default=default, tunable=tunable
    )


@functools.cache
def declarations() -> tuple[Declaration, ...]:
    """linear-learner's documented hyperparameters (ll_hyperparameters.html)."""
    positive = Interval(min_open=0)
    non_negative = Interval(min_closed=0)
    at_least_one = Interval(min_closed=1)
    auto = ("auto",)
    return (
        Declaration(name="predictor_type", kind="Categorical", valid=_PREDICTORS, required=True),
        _number("num_classes", "Integer", Interval(min_closed=3, max_closed=1000000)),
        _number("feature_dim", "Integer", at_least_one, "auto", also=auto),
        _number(
            "epochs",
            "Integer",
            at_least_one,
            "15",
            note="Passes over the data (Hyperband's resource).",
        ),
        _number("mini_batch_size", "Integer", at_least_one, "1000", tuning=(100, 5000)),
        _number(
            "learning_rate",
            "Continuous",
            positive,
            "auto",
            also=auto,
            tuning=(1e-5, 1.0),
            scaling="Logarithmic",
        ),
        _number(
            "wd",
            "Continuous",
            non_negative,
            "auto",
            also=auto,
            tuning=(1e-7, 1.0),
            scaling="Logarithmic",
        ),
        _number(
            "l1",
            "Continuous",
            non_negative,
            "auto",
            also=auto,
            tuning=(1e-7, 1.0),
            scaling="Logarithmic",
        ),
        _choice("use_bias", TRUE_FALSE, "true", tunable=True),
        _choice("normalize_data", TRUE_FALSE, "true"),
        _choice("normalize_label", ("auto", *TRUE_FALSE), "auto"),
        _number(
            "positive_example_weight_mult",
            "Continuous",
            positive,
            "1.0",
            also=("auto", "balanced"),
            tuning=(1e-5, 1e5),
            scaling="Logarithmic",
        ),
        _choice(
            "binary_classifier_model_selection_criteria",
            (
                "accuracy",
                "f_beta",
                "precision_at_target_recall",
                "recall_at_target_precision",
                "loss_function",
            ),
            "accuracy",
        ),
        _number("target_recall", "Continuous", Interval(min_open=0, max_open=1), "0.8"),
        _number("target_precision", "Continuous", Interval(min_open=0, max_open=1), "0.8"),
        _choice(
            "loss",
            ("auto", *sorted({loss for losses in _LOSSES.values() for loss in losses})),
            "auto",
        ),
        _choice("optimizer", ("auto", "sgd", "adam", "rmsprop"), "auto"),
        _number("num_models", "Integer", at_least_one, "auto", also=auto),
        _number("early_stopping_patience", "Integer", at_least_one, "3"),
        _number("early_stopping_tolerance", "Continuous", positive, "0.001"),
        _number("accuracy_top_k", "Integer", at_least_one, "3"),
        _choice("balance_multiclass_weights", TRUE_FALSE, "false"),
        _number("beta_1", "Continuous", non_negative, "auto", also=auto),
        _number("beta_2", "Continuous", non_negative, "auto", also=auto),
        _number("bias_lr_mult", "Continuous", positive, "auto", also=auto),
        _number("bias_wd_mult", "Continuous", non_negative, "auto", also=auto),
        _number("f_beta", "Continuous", positive, "1.0"),
        _number("huber_delta", "Continuous", non_negative, "1.0"),
        _number("init_bias", "Continuous", Interval(), "0"),
        _choice("init_method", ("uniform", "normal"), "uniform"),
        _number("init_scale", "Continuous", positive, "0.07"),
        _number("init_sigma", "Continuous", positive, "0.01"),
        _number("loss_insensitivity", "Continuous", positive, "0.01"),
        _number(
            "lr_scheduler_factor", "Continuous", Interval(min_open=0, max_open=1), "auto", also=auto
        ),
        _number("lr_scheduler_minimum_lr", "Continuous", positive, "auto", also=auto),
        _number("lr_scheduler_step", "Integer", at_least_one, "auto", also=auto),
        _number("margin", "Continuous", non_negative, "1.0"),
        _number("momentum", "Continuous", Interval(min_closed=0, max_open=1), "auto", also=auto),
        _number("num_calibration_samples", "Integer", at_least_one, "10000000"),
        _number("num_point_for_scaler", "Integer", at_least_one, "10000"),
        _number("quantile", "Continuous", Interval(min_open=0, max_open=1), "0.5"),
        _choice("unbias_data", ("auto", *TRUE_FALSE), "auto"),
        _choice("unbias_label", ("auto", *TRUE_FALSE), "auto"),
        _choice("use_lr_scheduler", TRUE_FALSE, "true"),
        Declaration(
            name="_tuning_objective_metric",
            kind="Categorical",
            valid=tuple(n for n, _ in aws_image_catalog().metric_definitions("linear-learner")),
        ),
    )


# -- the model ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Task:
    predictor: str
    classes: int
    objective: str  # <name>_objective in the log
    initial: float
    floor: float
    f_beta: float
    top_k: int
    positive_weight: float


@attrs.frozen(kw_only=True)
class _Plan:
    task: _Task
    epochs: int
    floor: float  # the floor raised by the settings
    rate: float  # per epoch
    seconds_per_epoch: float
    patience: int
    tolerance: float


def _setup(raw: Mapping[str, str], context: AlgorithmContext) -> _Plan:
    """Validate (raising the algorithm's ClientError) and work out the job's curve."""
    wording = FirstPartyWording()
    values = validate(raw, declarations(), wording=wording, error=HyperparameterError)
    predictor = str(values["predictor_type"])
    if predictor == "multiclass_classifier" and "num_classes" not in values:
        raise HyperparameterError(wording.missing("num_classes"))
    loss = str(values.get("loss", "auto"))
    if loss == "auto":
        loss = _LOSSES[predictor][0]
    elif loss not in _LOSSES[predictor]:
        raise HyperparameterError(
            f"Loss function '{loss}' is not supported for predictor_type '{predictor}'; "
            f"use one of {list(_LOSSES[predictor])}" + wording.suffix
        )
    classes = int(_get(values, "num_classes", 2))
    initial, floor = {
        "binary_classifier": (math.log(2.0), 0.20),
        "multiclass_classifier": (math.log(classes), 0.25 * math.log(classes)),
        "regressor": (1.0, 0.15),
    }[predictor]
    weight = values.get("positive_example_weight_mult", 1.0)
    task = _Task(
        predictor=predictor,
        classes=classes,
        objective=_OBJECTIVE_NAMES.get(loss, loss),
        initial=initial,
        floor=floor,
        f_beta=_get(values, "f_beta", 1.0),
        top_k=int(_get(values, "accuracy_top_k", 3)),
        positive_weight=float(weight) if isinstance(weight, float | int) else 1.0,
    )
    batch = int(_get(values, "mini_batch_size", 1000))
    optimizer = str(values.get("optimizer", "auto"))
    best_rate = _BEST_LEARNING_RATE.get(optimizer, _BEST_LEARNING_RATE["adam"]) * math.sqrt(
        batch / 1000.0
    )
    auto_penalty = 0.0
    rate_value = values.get("learning_rate", "auto")
    if isinstance(rate_value, float | int):
        decades = math.log10(rate_value / best_rate)
    else:
        decades, auto_penalty = 0.0, 0.002
    penalty = 0.03 * decades * decades + (0.5 * (decades - 1.0) if decades > 1.0 else 0.0)
    wd, l1 = values.get("wd", "auto"), values.get("l1", "auto")
    if isinstance(wd, float | int) or isinstance(l1, float | int):
        strength = (float(wd) if isinstance(wd, float | int) else 0.0) + 3.0 * (
            float(l1) if isinstance(l1, float | int) else 0.0
        )
    else:
        strength, auto_penalty = _BEST_REGULARIZATION, auto_penalty + 0.002
    shortfall = min(0.0, math.log10(max(strength, 1e-9) / _BEST_REGULARIZATION))
    penalty += 0.004 * shortfall * shortfall
    if strength > _BEST_REGULARIZATION:
        penalty += 0.6 * (1.0 - math.exp(-5.0 * (strength - _BEST_REGULARIZATION)))
    penalty += auto_penalty
    penalty += 0.03 if values.get("use_bias", "true") == "false" else 0.0
    normalized = values.get("normalize_data", "true") == "true"
    penalty += 0.0 if normalized else 0.02
    if predictor == "binary_classifier":
        penalty += 0.01 * math.log10(task.positive_weight) ** 2
    rate = 0.6 * 10.0 ** min(decades, 0.0) * (1000.0 / batch) ** 0.3 * (1.0 if normalized else 0.6)
    throughput = (
        30000.0
        * (batch / 1000.0) ** 0.3
        * instance_speedup(context.instance_type, context.instance_count, accelerated=True)
    )
    return _Plan(
        task=task,
        epochs=int(_get(values, "epochs", 15)),
        floor=floor + (initial - floor) * min(penalty, 1.5),
        rate=rate,
        seconds_per_epoch=_TRAIN_RECORDS / throughput + 0.5,
        patience=int(_get(values, "early_stopping_patience", 3)),
        tolerance=_get(values, "early_stopping_tolerance", 0.001),
    )


def _get(values: Mapping[str, Value], name: str, default: float) -> float:
    value = values.get(name, default)
    return float(value) if isinstance(value, int | float) else default


def _solve(target: float, function: Callable[[float], float], high: float) -> float:
    """The x in [0, high] where the increasing ``function`` reaches ``target`` (bisection)."""
    low = 0.0
    for _ in range(40):
        middle = (low + high) / 2.0
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def _final_metrics(task: _Task, loss: float) -> list[tuple[str, str, float]]:
    """``(name, <loss>|<score>, value)`` of the final quality lines for one channel."""
    lines = [(f"{task.objective}_objective", "loss", loss)]
    if task.predictor == "regressor":
        return [*lines, ("mse", "loss", loss), ("absolute_loss", "loss", 0.8 * math.sqrt(loss))]
    if task.predictor == "binary_classifier":
        error = _solve(min(loss, math.log(2.0)), binary_entropy, 0.5)
        shift = 0.5 * math.tanh(math.log10(task.positive_weight))
        precision, recall = 1.0 - error * (1.0 + shift), 1.0 - error * (1.0 - shift)
        beta2 = task.f_beta * task.f_beta
        f_beta = (1.0 + beta2) * precision * recall / (beta2 * precision + recall)
        return [
            *lines,
            ("binary_classification_accuracy", "score", 1.0 - error),
            (f"binary_f_{task.f_beta:.3f}", "score", f_beta),
            ("precision", "score", precision),
            ("recall", "score", recall),
        ]
    k = task.classes

    def fano(m: float) -> float:
        return binary_entropy(m) + m * math.log(k - 1)

    merror = _solve(min(loss, math.log(k)), fano, 1.0 - 1.0 / k)
    top_k = 1.0 - merror * max(0.0, 1.0 - (task.top_k - 1) / (k - 1))
    return [
        *lines,
        ("multiclass_accuracy", "score", 1.0 - merror),
        (f"multiclass_top_k_accuracy_{task.top_k}", "score", top_k),
        ("dcg", "score", 1.0 - 0.5 * merror),
        (f"macro_f_{task.f_beta:.3f}", "score", 1.0 - merror),
        ("macro_precision", "score", 1.0 - merror),
        ("macro_recall", "score", 1.0 - merror),
    ]


# -- the log --------------------------------------------------------------------------


def _train(raw: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    plan = _setup(raw, context)  # raises here, before any line: the job fails at once
    return _log(plan, raw, context)


def _log(plan: _Plan, raw: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    rng = random.Random(context.seed)
    normal = standard_normal_sampler(rng)
    clock = ContainerClock(context.start_time)
    step = clock.advance
    pid = 139_000_000_000_000 + rng.randrange(10**12)
    channels = context.channels if context.channels is not None else ("train", "validation")
    has_validation = "validation" in channels
    task = plan.task

    def info(message: str) -> str:
        return f"[{clock.stamp('%m/%d/%Y %H:%M:%S')} INFO {pid}] {message}"

    defaults = {d.name: d.default for d in declarations() if d.default is not None}
    given = {k: v for k, v in raw.items() if not k.startswith("sagemaker_")}
    resources = "/opt/amazon/lib/python3.8/site-packages/algorithm/resources/default-input.json"
    yield step(1.0 + rng.random()), "Docker entrypoint called with argument(s): train"
    yield step(0.1), "Running default environment configuration script"
    yield (
        step(1.0 + rng.random()),
        info(f"Reading default configuration from {resources}: {defaults}"),
    )
    yield (
        step(0.0),
        info(
            "Merging with provided configuration from /opt/ml/input/config/hyperparameters.json: "
            f"{given}"
        ),
    )
    yield step(0.0), info(f"Final configuration: {defaults | given}")
    yield step(0.1), info("Using default worker.")
    yield step(0.1), info("Checkpoint loading and saving are disabled.")
    yield (
        step(2.0 + 2.0 * rng.random()),
        info(f"Scaling model computed with parameters: {json.dumps({'records': 10000})}"),
    )
    gap = task.initial - plan.floor
    offset = 0.002 * (task.initial - task.floor) * normal()
    yield (
        step(0.5),
        info(
            f"#quality_metric: host=algo-1, epoch=0, batch=0 train {task.objective}_objective "
            f"<loss>=({task.initial!r})"
        ),
    )
    best_loss, best_epoch, losses = math.inf, -1, (task.initial, task.initial)
    for epoch in range(plan.epochs):
        fraction = math.exp(-plan.rate * (epoch + 1))
        jitter = 0.0015 * (task.initial - task.floor)
        validation = max(1e-6, plan.floor + gap * fraction + offset + jitter * normal())
        train = max(1e-6, validation - 0.02 * (task.initial - task.floor) * (1.0 - fraction))
        seconds = plan.seconds_per_epoch * (0.95 + 0.1 * rng.random())
        yield (
            step(seconds),
            info(
                f"#quality_metric: host=algo-1, epoch={epoch}, train {task.objective}_objective "
                f"<loss>={train:.12g}"
            ),
        )
        watched = validation if has_validation else train
        if has_validation:
            yield (
                step(0.2),
                info(
                    f"#quality_metric: host=algo-1, epoch={epoch}, validation "
                    f"{task.objective}_objective <loss>={validation:.12g}"
                ),
            )
        yield (
            step(0.0),
            info(
                f"#early_stopping_criteria_metric: host=algo-1, epoch={epoch}, "
                f"criteria={task.objective}_objective, value={watched:.12g}"
            ),
        )
        improved = watched < best_loss * (1.0 - plan.tolerance)
        if watched < best_loss:
            best_loss, losses = watched, (train, validation)
        if improved:
            best_epoch = epoch
            yield step(0.0), info(f"Epoch {epoch}: Loss improved. Updating best model")
        else:
            waited = epoch - best_epoch
            yield step(0.0), info(f"Epoch {epoch}: Loss has not improved for {waited} epochs.")
        percent = 100.0 * (epoch + 1) / plan.epochs
        yield step(0.0), info(f"#progress_metric: host=algo-1, completed {percent:g} % of epochs")
        records = _TRAIN_RECORDS * (epoch + 1)
        yield (
            step(0.0),
            "#metrics "
            + json.dumps(
                {
                    "StartTime": round(clock.now - seconds, 3),
                    "EndTime": round(clock.now, 3),
                    "Dimensions": {
                        "Algorithm": "Linear Learner",
                        "Host": "algo-1",
                        "Operation": "training",
                        "epoch": epoch,
                        "Meta": "training_data_iter",
                    },
                    "Metrics": {
                        "Total Records Seen": {
                            "sum": records,
                            "count": 1,
                            "min": records,
                            "max": records,
                        }
                    },
                }
            ),
        )
        yield (
            step(0.0),
            info(
                f"#throughput_metric: host=algo-1, train throughput={_TRAIN_RECORDS / seconds:.12g} "
                "records/second"
            ),
        )
        if has_validation and epoch - best_epoch >= plan.patience:
            yield step(0.0), info("Early stop condition met. Stopping training.")
            break
    finals = [("train", losses[0])]
    if has_validation:
        finals.append(("validation", losses[1]))
    if "test" in channels:
        finals.append(("test", losses[1] + 0.003 * (task.initial - task.floor) * abs(normal())))
    for channel, loss in finals:
        for name, kind, value in _final_metrics(task, loss):
            yield (
                step(0.3),
                info(f"#quality_metric: host=algo-1, {channel} {name} <{kind}>={value:.12g}"),
            )


# -- the spec -------------------------------------------------------------------------


def _described(items: Sequence[Declaration]) -> tuple[Declaration, ...]:
    return tuple(d for d in items if not d.name.startswith("_"))


@functools.cache
def linear_learner_spec(repository: str = "linear-learner", version: str = "1") -> AlgorithmSpec:
    """The simulated algorithm of AWS's ``linear-learner`` images."""
    catalog = aws_image_catalog()
    example = catalog.example_uri(repository, version)
    return AlgorithmSpec(
        name=f"{repository}:{version}",
        image=example,
        fn=_train,
        description=(
            "AWS's built-in linear-learner (every region): its hyperparameters, validation "
            "errors and #quality_metric log lines, a linear model's SGD learning curve. The "
            "service publishes its metrics: no MetricDefinitions needed."
        ),
        hyperparameters=tuple(describe(d) for d in _described(declarations())),
        metric_definitions=catalog.metric_definitions(repository),
        objective_metric="validation:objective_loss",
        objective_type="Minimize",
        log_format=(
            "[03/28/2020 12:14:33 INFO 140313123456768] #quality_metric: host=algo-1, epoch=3, "
            "validation binary_classification_cross_entropy_objective <loss>=0.2314"
        ),
        epochs_hyperparameter="epochs",
        builtin=True,
        predefined_metrics=True,
    )
