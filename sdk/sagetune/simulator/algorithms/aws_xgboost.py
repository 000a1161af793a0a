"""SageMaker's built-in XGBoost, simulated: ``sagemaker-xgboost:<version>`` and ``xgboost:1``.

A training job whose TrainingImage is one of AWS's XGBoost images (any region, any
version the SDK knows, :mod:`.aws_images`) runs this counterpart. It takes the container's
hyperparameters with their names, aliases and ranges (``hyperparameter_validation.py`` of
aws/sagemaker-xgboost-container) and fails the job the way the container does: the
sagemaker-xgboost images with sagemaker-containers' ``AlgorithmError: framework error``
around the toolkit's ``UserError`` (:class:`~.errors.FrameworkError`), the legacy
``xgboost:1`` with ``ClientError: <message>`` (its texts are the toolkit's too: the
legacy container is not public).

**One model, two faces.** The numbers come from the boosted-trees model of
:mod:`.boosted_trees` (the ``sagetune/xgboost-curve`` algorithm): per round a train and a
validation rmse from ``eta``, ``max_depth``, ``subsample``, ``colsample_bytree`` and
``min_child_weight``, with its seeded noise. Here ``lambda``, ``alpha`` and ``gamma``
regularize too: they enter the model as an effective
``min_child_weight + (lambda - 1) / 2 + alpha + 2 gamma``; ``max_depth`` 0 (no limit) and
anything above 20 count as 20. Other hyperparameters are checked and otherwise ignored.
Every metric the container can print is a monotone function of that round's rmse on the
same data set, so every objective ranks configurations alike:

- regression: ``rmse``; ``mse`` = rmse^2; ``mae`` = rmse sqrt(2/pi); ``r2`` =
  1 - (rmse / 1.2)^2 (1.2 is the rmse of predicting the mean); ``rmsle`` = rmse / 4;
  ``mape`` = rmse / 2; ``mphe`` = sqrt(1 + rmse^2) - 1; the ``*-nloglik`` metrics the
  Gaussian negative log-likelihood ln(rmse) + ln(2 pi e) / 2; ``gamma-deviance`` 2 mse;
- classification, read as a latent-variable model with correlation rho = sqrt(r2) between
  score and truth (balanced classes): ``error`` = arccos(rho) / pi; ``accuracy``,
  ``balanced_accuracy``, ``f1*``, ``precision*``, ``recall*`` and
  ``interval-regression-accuracy`` = 1 - error; ``auc`` = ``aucpr`` = ``map`` =
  ``ndcg`` = Phi(d' / sqrt 2) with d' the binormal separation of the two classes;
  ``logloss`` the binary entropy of the error; with ``num_class`` K, ``merror`` =
  2 (1 - 1/K) error and ``mlogloss`` = H(merror) + merror ln(K - 1).

**Which metrics a round prints**, as the container decides: the union of the tuning
objective's metric (``_tuning_objective_metric``, which the tuning service passes) and
``eval_metric`` (sorted), else ``eval_metric`` as given, else XGBoost's default for the
objective (``rmse`` for regression; ``logloss`` / ``mlogloss`` from XGBoost 1.3 on,
``error`` / ``merror`` before; ``map`` or ``ndcg`` for ranking...). Each line is
``[<round>]#011train-<m>:<v>#011validation-<m>:<v>`` (XGBoost's native metrics for each
data set, then the container's own such as ``accuracy`` or ``r2``; ``#011`` is the tab as
CloudWatch shows it; values with 6 significant digits), so the MetricDefinitions the
service publishes for these images (``train:<m>`` / ``validation:<m>`` with
``.*\\[[0-9]+\\].*#011validation-<m>:...``) read them. Without a ``validation`` channel
(when the simulator says which channels the job has) only ``train-`` metrics are printed.
``early_stopping_rounds`` stops once the last metric on the last data set has not
improved for that many rounds.

**Startup lines** follow real transcripts: the legacy image (``Arguments: train``,
``Running standalone xgboost training.``, DMLC's matrix lines, one ``tree pruning end``
line per round), the 0.90 / 1.0 images (``INFO:sagemaker-containers:...``) and the later
ones (``[2022-08-27:00:38:45:INFO] ...``). Their clock times count from
``context.start_time``. The dataset is 40000 x 28 for training and 10000 rows for
validation; a round takes 1/40 of the xgboost-curve face's time (0.4-3.5 s on an
ml.m5.xlarge), a small tabular dataset as in AWS's examples.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal

import attrs

from sagetune.simulator.algorithms.aws_images import aws_image_catalog
from sagetune.simulator.algorithms.boosted_trees import (
    BoostedTreesParams,
    noisy_rounds,
    seconds_per_round,
)
from sagetune.simulator.algorithms.errors import FrameworkError, HyperparameterError
from sagetune.simulator.algorithms.spec import AlgorithmContext, AlgorithmSpec, LogStream
from sagetune.simulator.algorithms.toolkit import (
    TRUE_FALSE,
    ContainerClock,
    Declaration,
    Interval,
    ToolkitWording,
    Value,
    binary_entropy,
    describe,
    validate,
)

__all__ = [
    "MAXIMIZED_METRICS",
    "MINIMIZED_METRICS",
    "XGBoostMetrics",
    "xgboost_spec",
]

MAXIMIZED_METRICS = (
    "accuracy",
    "auc",
    "aucpr",
    "balanced_accuracy",
    "f1",
    "f1_binary",
    "f1_macro",
    "map",
    "ndcg",
    "precision",
    "r2",
    "recall",
    "precision_macro",
    "precision_micro",
    "recall_macro",
    "recall_micro",
)
MINIMIZED_METRICS = (
    "aft-nloglik",
    "cox-nloglik",
    "error",
    "gamma-deviance",
    "gamma-nloglik",
    "interval-regression-accuracy",
    "logloss",
    "mae",
    "mape",
    "merror",
    "mlogloss",
    "mphe",
    "mse",
    "poisson-nloglik",
    "rmse",
    "rmsle",
    "tweedie-nloglik",
)
"""The container's metric sets (``xgb_constants.XGB_MAXIMIZE_METRICS`` / ``..MINIMIZE..``)."""

# XGBoost's own metrics; the others are computed by the container (feval), printed after.
_NATIVE = frozenset(
    {
        "rmse",
        "rmsle",
        "mae",
        "mape",
        "mphe",
        "logloss",
        "error",
        "merror",
        "mlogloss",
        "auc",
        "aucpr",
        "ndcg",
        "map",
        "poisson-nloglik",
        "gamma-nloglik",
        "cox-nloglik",
        "gamma-deviance",
        "tweedie-nloglik",
        "aft-nloglik",
        "interval-regression-accuracy",
    }
)
# XGBoost 0.72 (the legacy image): its metrics that the service publishes, and the rest.
_LEGACY_METRICS = ("mae", "auc", "merror", "error", "logloss", "rmse", "mlogloss", "ndcg", "map")
_LEGACY_EVAL_METRICS = (
    *_LEGACY_METRICS,
    "poisson-nloglik",
    "gamma-nloglik",
    "cox-nloglik",
    "gamma-deviance",
    "tweedie-nloglik",
)
_OBJECTIVES = (
    "binary:logistic",
    "binary:logitraw",
    "binary:hinge",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
    "reg:linear",
    "reg:squarederror",
    "reg:logistic",
    "reg:gamma",
    "reg:pseudohubererror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "survival:aft",
    "survival:cox",
)
_ALIASES = {
    "learning_rate": "eta",
    "min_split_loss": "gamma",
    "reg_lambda": "lambda",
    "reg_alpha": "alpha",
}
_MAX_CURVE_DEPTH = 20
_TIME_SCALE = 40.0  # a round here takes 1/40 of the xgboost-curve face's time


def _tunable(
    name: str,
    kind: Literal["Integer", "Continuous"],
    valid: Interval,
    default: str,
    low: float,
    high: float,
    note: str,
) -> Declaration:
    tuning = Interval(min_closed=low, max_closed=high)
    return Declaration(
        name=name, kind=kind, valid=valid, default=default, tuning=tuning, description=note
    )


def _declarations(metric_names: Sequence[str]) -> tuple[Declaration, ...]:
    """The container's hyperparameters (``_tuning_objective_metric`` takes ``metric_names``)."""
    unit = Interval(min_open=0, max_closed=1)
    non_negative = Interval(min_closed=0)
    return (
        Declaration(
            name="num_round",
            kind="Integer",
            valid=Interval(min_closed=1),
            required=True,
            tuning=Interval(min_closed=1, max_closed=4000),
            description="Number of boosting rounds (the epochs; Hyperband's resource).",
        ),
        Declaration(
            name="csv_weights",
            kind="Integer",
            valid=Interval(min_closed=0, max_closed=1),
            default="0",
        ),
        Declaration(name="early_stopping_rounds", kind="Integer", valid=Interval(min_closed=1)),
        Declaration(
            name="booster",
            kind="Categorical",
            valid=("gbtree", "gblinear", "dart"),
            default="gbtree",
        ),
        Declaration(
            name="verbosity",
            kind="Integer",
            valid=Interval(min_closed=0, max_closed=3),
            default="1",
        ),
        Declaration(name="nthread", kind="Integer", valid=Interval(min_closed=1)),
        _tunable(
            "eta",
            "Continuous",
            Interval(min_closed=0, max_closed=1),
            "0.3",
            0.1,
            0.5,
            "Step size shrinkage (alias learning_rate).",
        ),
        _tunable(
            "gamma",
            "Continuous",
            non_negative,
            "0",
            0,
            5,
            "Minimum loss reduction to split (alias min_split_loss).",
        ),
        _tunable(
            "max_depth", "Integer", non_negative, "6", 0, 10, "Maximum tree depth (0: no limit)."
        ),
        _tunable(
            "min_child_weight",
            "Continuous",
            non_negative,
            "1",
            0,
            120,
            "Minimum hessian weight in a child.",
        ),
        _tunable(
            "max_delta_step",
            "Continuous",
            non_negative,
            "0",
            0,
            10,
            "Maximum delta step of leaf outputs.",
        ),
        _tunable(
            "subsample", "Continuous", unit, "1", 0.5, 1, "Fraction of rows sampled per tree."
        ),
        _tunable(
            "colsample_bytree", "Continuous", unit, "1", 0.5, 1, "Fraction of columns per tree."
        ),
        _tunable(
            "colsample_bylevel", "Continuous", unit, "1", 0.1, 1, "Fraction of columns per level."
        ),
        _tunable(
            "colsample_bynode", "Continuous", unit, "1", 0.1, 1, "Fraction of columns per split."
        ),
        _tunable(
            "lambda",
            "Continuous",
            non_negative,
            "1",
            0,
            1000,
            "L2 regularization (alias reg_lambda).",
        ),
        _tunable(
            "alpha",
            "Continuous",
            non_negative,
            "0",
            0,
            1000,
            "L1 regularization (alias reg_alpha).",
        ),
        Declaration(
            name="tree_method",
            kind="Categorical",
            valid=("auto", "exact", "approx", "hist", "gpu_hist"),
            default="auto",
        ),
        Declaration(
            name="sketch_eps",
            kind="Continuous",
            valid=Interval(min_open=0, max_open=1),
            default="0.03",
        ),
        Declaration(
            name="scale_pos_weight", kind="Continuous", valid=Interval(min_open=0), default="1"
        ),
        Declaration(name="updater", kind="FreeText"),
        Declaration(name="dsplit", kind="Categorical", valid=("row", "col"), default="row"),
        Declaration(
            name="refresh_leaf",
            kind="Integer",
            valid=Interval(min_closed=0, max_closed=1),
            default="1",
        ),
        Declaration(
            name="process_type", kind="Categorical", valid=("default", "update"), default="default"
        ),
        Declaration(
            name="grow_policy",
            kind="Categorical",
            valid=("depthwise", "lossguide"),
            default="depthwise",
        ),
        Declaration(name="max_leaves", kind="Integer", valid=non_negative, default="0"),
        Declaration(name="max_bin", kind="Integer", valid=non_negative, default="256"),
        Declaration(
            name="predictor",
            kind="Categorical",
            valid=("auto", "cpu_predictor", "gpu_predictor"),
            default="auto",
        ),
        Declaration(name="monotone_constraints", kind="FreeText"),
        Declaration(name="interaction_constraints", kind="FreeText"),
        Declaration(
            name="sample_type", kind="Categorical", valid=("uniform", "weighted"), default="uniform"
        ),
        Declaration(
            name="normalize_type", kind="Categorical", valid=("tree", "forest"), default="tree"
        ),
        Declaration(
            name="rate_drop",
            kind="Continuous",
            valid=Interval(min_closed=0, max_closed=1),
            default="0",
        ),
        Declaration(
            name="one_drop",
            kind="Integer",
            valid=Interval(min_closed=0, max_closed=1),
            default="0",
        ),
        Declaration(
            name="skip_drop",
            kind="Continuous",
            valid=Interval(min_closed=0, max_closed=1),
            default="0",
        ),
        Declaration(
            name="lambda_bias",
            kind="Continuous",
            valid=Interval(min_closed=0, max_closed=1),
            default="0",
        ),
        Declaration(
            name="tweedie_variance_power",
            kind="Continuous",
            valid=Interval(min_open=1, max_open=2),
            default="1.5",
        ),
        Declaration(
            name="objective", kind="Categorical", valid=_OBJECTIVES, default="reg:squarederror"
        ),
        Declaration(name="num_class", kind="Integer", valid=Interval(min_closed=2)),
        Declaration(name="base_score", kind="Continuous", valid=non_negative, default="0.5"),
        Declaration(name="_kfold", kind="Integer", valid=Interval(min_closed=2)),
        Declaration(name="_num_cv_round", kind="Integer", valid=Interval(min_closed=1)),
        Declaration(name="_tuning_objective_metric", kind="Categorical", valid=tuple(metric_names)),
        Declaration(name="eval_metric", kind="FreeText", description="Comma-separated metrics."),
        Declaration(
            name="seed",
            kind="Integer",
            valid=Interval(min_open=-(2**31), max_open=2**31 - 1),
            default="0",
        ),
        Declaration(
            name="num_parallel_tree", kind="Integer", valid=Interval(min_closed=1), default="1"
        ),
        Declaration(
            name="save_model_on_termination", kind="Categorical", valid=TRUE_FALSE, default="false"
        ),
        Declaration(
            name="aft_loss_distribution",
            kind="Categorical",
            valid=("normal", "logistic", "extreme"),
            default="normal",
        ),
        Declaration(
            name="aft_loss_distribution_scale", kind="Continuous", valid=non_negative, default="1"
        ),
        Declaration(
            name="single_precision_histogram",
            kind="Categorical",
            valid=TRUE_FALSE,
            default="false",
        ),
        Declaration(
            name="deterministic_histogram", kind="Categorical", valid=TRUE_FALSE, default="true"
        ),
        Declaration(
            name="sampling_method",
            kind="Categorical",
            valid=("uniform", "gradient_based"),
            default="uniform",
        ),
        Declaration(name="prob_buffer_row", kind="Integer", valid=Interval(min_open=1)),
    )


# -- the metrics --------------------------------------------------------------------

_MEAN_RMSE = 1.2  # rmse of predicting the mean in the boosted-trees model's task
_TWO_OVER_PI = 2.0 / math.pi
_GAUSSIAN_ENTROPY = 0.5 * math.log(2.0 * math.pi * math.e)


class XGBoostMetrics:
    """Every metric the container prints, for one data set after one round."""

    __slots__ = ("auc", "error", "merror", "num_class", "r2", "rmse")

    def __init__(self, rmse: float, num_class: int = 2) -> None:
        self.rmse = rmse
        self.num_class = num_class
        self.r2 = r2 = 1.0 - (rmse / _MEAN_RMSE) ** 2
        rho = min(math.sqrt(r2), 0.999999) if r2 > 0.0 else 0.0
        self.error = math.acos(rho) / math.pi
        separation = 2.0 * math.sqrt(_TWO_OVER_PI) * rho / math.sqrt(1.0 - _TWO_OVER_PI * rho * rho)
        self.auc = 0.5 * (1.0 + math.erf(separation / 2.0))
        self.merror = 2.0 * (1.0 - 1.0 / num_class) * self.error

    def value(self, metric: str) -> float:
        """The value of ``metric`` (``name`` or ``name@threshold``); KeyError if unknown."""
        return _VALUES[metric.split("@", 1)[0]](self)

    def mlogloss(self) -> float:
        m = self.merror
        return binary_entropy(m) + m * math.log(max(self.num_class - 1, 1))

    def nloglik(self) -> float:
        return math.log(self.rmse) + _GAUSSIAN_ENTROPY


def _accuracy(m: XGBoostMetrics) -> float:
    return 1.0 - m.error


_VALUES: dict[str, Callable[[XGBoostMetrics], float]] = {
    "rmse": lambda m: m.rmse,
    "mse": lambda m: m.rmse * m.rmse,
    "mae": lambda m: m.rmse * math.sqrt(_TWO_OVER_PI),
    "r2": lambda m: m.r2,
    "rmsle": lambda m: m.rmse / 4.0,
    "mape": lambda m: m.rmse / 2.0,
    "mphe": lambda m: math.sqrt(1.0 + m.rmse * m.rmse) - 1.0,
    "gamma-deviance": lambda m: 2.0 * m.rmse * m.rmse,
    "poisson-nloglik": XGBoostMetrics.nloglik,
    "gamma-nloglik": XGBoostMetrics.nloglik,
    "tweedie-nloglik": XGBoostMetrics.nloglik,
    "cox-nloglik": XGBoostMetrics.nloglik,
    "aft-nloglik": XGBoostMetrics.nloglik,
    "error": lambda m: m.error,
    "logloss": lambda m: binary_entropy(m.error),
    "auc": lambda m: m.auc,
    "aucpr": lambda m: m.auc,
    "map": lambda m: m.auc,
    "ndcg": lambda m: m.auc,
    "merror": lambda m: m.merror,
    "mlogloss": XGBoostMetrics.mlogloss,
    **{
        name: _accuracy
        for name in (
            "accuracy",
            "balanced_accuracy",
            "f1",
            "f1_binary",
            "f1_macro",
            "precision",
            "precision_macro",
            "precision_micro",
            "recall",
            "recall_macro",
            "recall_micro",
            "interval-regression-accuracy",
        )
    },
}


# -- versions -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Flavor:
    """What differs between the XGBoost images."""

    repository: str
    version: str

    @property
    def legacy(self) -> bool:
        return self.repository == "xgboost"

    @property
    def xgboost_version(self) -> tuple[int, int]:
        """The XGBoost library inside (0.72 for the legacy image)."""
        if self.legacy:
            return (0, 72)
        major, minor = self.version.split("-")[0].split(".")
        return (int(major), int(minor))

    @property
    def log_style(self) -> str:
        if self.legacy:
            return "legacy"
        return "python-logging" if self.xgboost_version < (1, 2) else "bracketed"

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in aws_image_catalog().metric_definitions(self.repository))

    @property
    def eval_metrics(self) -> tuple[str, ...]:
        return _LEGACY_EVAL_METRICS if self.legacy else MAXIMIZED_METRICS + MINIMIZED_METRICS

    def error(self, message: str) -> HyperparameterError:
        return HyperparameterError(message) if self.legacy else FrameworkError(message)


def _default_metric(objective: str, xgboost: tuple[int, int]) -> str:
    modern = xgboost >= (1, 3)
    if objective in ("binary:logistic", "binary:logitraw"):
        return "logloss" if modern else "error"
    if objective == "binary:hinge":
        return "error"
    if objective.startswith("multi:"):
        return "mlogloss" if modern else "merror"
    return {
        "rank:ndcg": "ndcg",
        "rank:pairwise": "map",
        "rank:map": "map",
        "count:poisson": "poisson-nloglik",
        "reg:gamma": "gamma-nloglik",
        "reg:tweedie": "tweedie-nloglik",
        "reg:pseudohubererror": "mphe",
        "reg:squaredlogerror": "rmsle",
        "survival:cox": "cox-nloglik",
        "survival:aft": "aft-nloglik",
    }.get(objective, "rmse")


def _check_eval_metric(flavor: _Flavor, text: str, objective: str) -> tuple[str, ...]:
    """The container's eval_metric checks (range validator, then its objective checks)."""
    error = flavor.error
    metrics = tuple(text.split(","))
    for metric in metrics:
        if "<function" in metric:
            raise error(f"User defined evaluation metric {metric} is not supported yet.")
        if "@" in metric:
            name, threshold = (part.strip() for part in metric.split("@", 1))
            if name not in ("error", "ndcg", "map"):
                raise error(
                    f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized "
                    "threshold should be one of these options: 'error', 'ndcg', 'map'."
                )
            try:
                float(threshold)
            except ValueError:
                raise error(f"Threshold value 't' in '{name}@t' expects float input.") from None
        elif metric not in flavor.eval_metrics:
            raise error(
                f"Hyperparameter eval_metric: value {list(metrics)} not in range "
                f"{list(flavor.eval_metrics)}"
            )
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        raise error("Metric 'auc' can only be applied for classification and ranking problems.")
    if "aft-nloglik" in metrics and objective != "survival:aft":
        raise error("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")
    return metrics


@attrs.frozen(kw_only=True)
class _Setup:
    """A validated job: what it trains and prints."""

    params: BoostedTreesParams
    num_round: int
    num_class: int
    native: tuple[str, ...]
    custom: tuple[str, ...]
    early_stopping_rounds: int | None
    tuning_metric: str | None


def _setup(flavor: _Flavor, raw: Mapping[str, str]) -> _Setup:
    """Validate like the container (raising its error) and decide what the job prints."""
    values = validate(
        raw,
        _declarations_of(flavor),
        wording=ToolkitWording(),
        error=flavor.error,
        aliases=_ALIASES,
    )
    objective = str(values.get("objective", "reg:linear" if flavor.legacy else "reg:squarederror"))
    num_class = values.get("num_class")
    if objective.startswith("multi:") and num_class is None:
        raise flavor.error("Require input for parameter 'num_class' for multi-classification")
    if flavor.legacy and num_class is not None and not objective.startswith("multi:"):
        raise flavor.error(
            "Do not need to setup parameter 'num_class' for learning task other than "
            "multi classification."
        )
    given = values.get("eval_metric")
    eval_metric = _check_eval_metric(flavor, str(given), objective) if given is not None else None
    tuning_param = values.get("_tuning_objective_metric")
    tuning = str(tuning_param).split(":", 1)[1].split(",") if tuning_param is not None else None
    if tuning and eval_metric:
        names = sorted(set(tuning) | set(eval_metric))
    else:
        names = list(tuning or eval_metric or [_default_metric(objective, flavor.xgboost_version)])
    depth = int(_number(values, "max_depth", 6))
    regularization = (
        (_number(values, "lambda", 1.0) - 1.0) / 2.0
        + _number(values, "alpha", 0.0)
        + 2.0 * _number(values, "gamma", 0.0)
    )
    params = BoostedTreesParams(
        eta=_number(values, "eta", 0.3),
        max_depth=_MAX_CURVE_DEPTH if depth == 0 else min(depth, _MAX_CURVE_DEPTH),
        subsample=_number(values, "subsample", 1.0),
        colsample_bytree=_number(values, "colsample_bytree", 1.0),
        min_child_weight=max(0.0, _number(values, "min_child_weight", 1.0) + regularization),
    )
    stopping = values.get("early_stopping_rounds")
    return _Setup(
        params=params,
        num_round=int(_number(values, "num_round", 1)),
        num_class=int(num_class) if isinstance(num_class, int) else 2,
        native=tuple(n for n in names if n.split("@", 1)[0] in _NATIVE),
        custom=tuple(n for n in names if n.split("@", 1)[0] not in _NATIVE),
        early_stopping_rounds=stopping if isinstance(stopping, int) else None,
        tuning_metric=",".join(tuning) if tuning else None,
    )


def _number(values: Mapping[str, Value], name: str, default: float) -> float:
    value = values.get(name, default)
    assert isinstance(value, int | float), name
    return float(value)


@functools.cache
def _declarations_of(flavor: _Flavor) -> tuple[Declaration, ...]:
    return _declarations(flavor.metric_names)


# -- the log --------------------------------------------------------------------------


def _unparsed_json(raw: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """Hyperparameters sagemaker-containers cannot read as JSON (it logs each one)."""
    for key, value in raw.items():
        try:
            json.loads(value)
        except ValueError:
            yield key, value


def _has_validation(context: AlgorithmContext) -> bool:
    return context.channels is None or "validation" in context.channels


def _round_line(index: int, setup: _Setup, datasets: Sequence[tuple[str, XGBoostMetrics]]) -> str:
    parts = [f"[{index}]"]
    for group in (setup.native, setup.custom):
        for name, metrics in datasets:
            for metric in group:
                parts.append("#011%s-%s:%g" % (name, metric, metrics.value(metric)))  # noqa: UP031
    return "".join(parts)


def _startup(
    flavor: _Flavor,
    setup: _Setup,
    raw: Mapping[str, str],
    context: AlgorithmContext,
    clock: ContainerClock,
    rng: random.Random,
) -> LogStream:
    """The lines before the first round, in the image's style."""
    matrices = [("train", 40000)] + ([("validation", 10000)] if _has_validation(context) else [])
    if flavor.log_style == "legacy":
        return _legacy_startup(matrices, clock, rng)
    if flavor.log_style == "python-logging":
        return _python_logging_startup(setup, raw, context, matrices, clock, rng)
    return _bracketed_startup(setup, raw, context, matrices, clock, rng)


def _dmlc_matrix(clock: ContainerClock, channel: str, rows: int) -> str:
    source = f"/opt/ml/input/data/{channel}?format=csv&label_column=0&delimiter=,"
    return (
        f"[{clock.stamp('%H:%M:%S')}] {rows}x28 matrix with {rows * 28} entries "
        f"loaded from {source}"
    )


def _legacy_startup(
    matrices: Sequence[tuple[str, int]], clock: ContainerClock, rng: random.Random
) -> LogStream:
    def info(message: str) -> str:
        return f"[{clock.stamp('%Y-%m-%d:%H:%M:%S')}:INFO] {message}"

    yield clock.advance(0.5 + rng.random()), "Arguments: train"
    yield clock.advance(0.2), info("Running standalone xgboost training.")
    yield (
        clock.advance(0.1),
        info(
            "File size need to be processed in the node: 5.18mb. "
            "Available memory size in the node: 8597.63mb"
        ),
    )
    for channel, rows in matrices:
        yield (
            clock.advance(0.2 + 0.3 * rng.random()),
            info("Determined delimiter of CSV input is ','"),
        )
        yield (
            clock.advance(0.1),
            f"[{clock.stamp('%H:%M:%S')}] S3DistributionType set as FullyReplicated",
        )
        yield clock.advance(0.3 + 0.5 * rng.random()), _dmlc_matrix(clock, channel, rows)


def _python_logging_startup(
    setup: _Setup,
    raw: Mapping[str, str],
    context: AlgorithmContext,
    matrices: Sequence[tuple[str, int]],
    clock: ContainerClock,
    rng: random.Random,
) -> LogStream:
    containers, root = "INFO:sagemaker-containers:", "INFO:root:"
    yield (
        clock.advance(1.0 + rng.random()),
        f"[{clock.stamp('%Y-%m-%d:%H:%M:%S')}:INFO] Imported framework "
        "sagemaker_xgboost_container.training",
    )
    for key, value in _unparsed_json(raw):
        yield (
            clock.advance(0.0),
            f"{containers}Failed to parse hyperparameter {key} value {value} to Json.",
        )
        yield clock.advance(0.0), "Returning the value itself"
    yield clock.advance(0.1), f"{containers}No GPUs detected (normal if no gpus installed)"
    yield (
        clock.advance(0.1),
        "INFO:sagemaker_xgboost_container.training:Running XGBoost Sagemaker in algorithm mode",
    )
    for channel, rows in matrices:
        yield clock.advance(0.5 + rng.random()), f"{root}Determined delimiter of CSV input is ','"
        yield clock.advance(1.0 + 2.0 * rng.random()), _dmlc_matrix(clock, channel, rows)
    yield clock.advance(0.1), f"{root}{_training_mode(context.instance_count)}"
    if setup.tuning_metric is not None:
        yield (
            clock.advance(0.0),
            f"{root}Setting up HPO optimized metric to be : {setup.tuning_metric}",
        )
    yield clock.advance(0.1), f"{root}Train matrix has 40000 rows"
    if len(matrices) > 1:
        yield clock.advance(0.0), f"{root}Validation matrix has 10000 rows"


def _bracketed_startup(
    setup: _Setup,
    raw: Mapping[str, str],
    context: AlgorithmContext,
    matrices: Sequence[tuple[str, int]],
    clock: ContainerClock,
    rng: random.Random,
) -> LogStream:
    def info(message: str) -> str:
        return f"[{clock.stamp('%Y-%m-%d:%H:%M:%S')}:INFO] {message}"

    yield (
        clock.advance(1.0 + rng.random()),
        info("Imported framework sagemaker_xgboost_container.training"),
    )
    for key, value in _unparsed_json(raw):
        yield (
            clock.advance(0.0),
            info(f"Failed to parse hyperparameter {key} value {value} to Json."),
        )
        yield clock.advance(0.0), "Returning the value itself"
    yield clock.advance(0.1), info("No GPUs detected (normal if no gpus installed)")
    yield clock.advance(0.1), info("Running XGBoost Sagemaker in algorithm mode")
    yield clock.advance(0.1), info("Determined delimiter of CSV input is ','")
    for channel, _ in matrices:
        yield clock.advance(0.1), info("Determined delimiter of CSV input is ','")
        yield (
            clock.advance(0.2 + 0.4 * rng.random()),
            info(f"files path: /opt/ml/input/data/{channel}"),
        )
    yield clock.advance(0.1), info("Determined delimiter of CSV input is ','")
    yield clock.advance(0.0), info(_training_mode(context.instance_count))
    if setup.tuning_metric is not None:
        yield (
            clock.advance(0.0),
            info(f"Setting up HPO optimized metric to be : {setup.tuning_metric}"),
        )
    yield clock.advance(0.1), info("Train matrix has 40000 rows and 28 columns")
    if len(matrices) > 1:
        yield clock.advance(0.0), info("Validation matrix has 10000 rows")


def _training_mode(hosts: int) -> str:
    if hosts <= 1:
        return "Single node training."
    names = [f"algo-{i}" for i in range(1, hosts + 1)]
    return f"Distributed node training with {hosts} hosts: {names}"


def _train(flavor: _Flavor, raw: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    setup = _setup(flavor, raw)  # raises here, before any line: the job fails at once
    return _log(flavor, setup, raw, context)


def _log(
    flavor: _Flavor, setup: _Setup, raw: Mapping[str, str], context: AlgorithmContext
) -> LogStream:
    # The rounds draw from their own generator, seeded like the xgboost-curve face's
    # model: the numbers do not depend on how many start-up lines a version prints.
    clock = ContainerClock(context.start_time)
    yield from _startup(flavor, setup, raw, context, clock, random.Random(f"log:{context.seed}"))
    names = ("train", "validation") if _has_validation(context) else ("train",)
    watched = (setup.native + setup.custom)[-1]
    maximize = watched.split("@", 1)[0] in MAXIMIZED_METRICS
    verbose_stopping = flavor.log_style != "bracketed"
    if setup.early_stopping_rounds is not None and verbose_stopping:
        yield (
            clock.advance(0.0),
            (
                f"Will train until {names[-1]}-{watched} hasn't improved in "
                f"{setup.early_stopping_rounds} rounds."
            ),
        )
    seconds = seconds_per_round(setup.params, context) / _TIME_SCALE
    best: tuple[float, int, str] | None = None
    leaves = 2 ** (setup.params.max_depth + 1) - 2
    rounds = noisy_rounds(setup.params, setup.num_round, seconds, random.Random(context.seed))
    for index, (elapsed, train, validation) in enumerate(rounds):
        rmse = {"train": train, "validation": validation}
        datasets = [(n, XGBoostMetrics(rmse=rmse[n], num_class=setup.num_class)) for n in names]
        line = _round_line(index, setup, datasets)
        if flavor.legacy:
            yield (
                clock.advance(elapsed),
                (
                    f"[{clock.stamp('%H:%M:%S')}] src/tree/updater_prune.cc:74: tree pruning end, "
                    f"1 roots, {min(leaves, 126) - 2 * (index % 3)} extra nodes, 0 pruned nodes, "
                    f"max_depth={setup.params.max_depth}"
                ),
            )
            yield clock.advance(0.0), line
        else:
            yield clock.advance(elapsed), line
        if setup.early_stopping_rounds is None:
            continue
        score = datasets[-1][1].value(watched)
        if best is None or (score > best[0] if maximize else score < best[0]):
            best = (score, index, line)
        elif index - best[1] >= setup.early_stopping_rounds:
            if verbose_stopping:
                yield clock.advance(0.0), "Stopping. Best iteration:"
                yield clock.advance(0.0), best[2]
            return


# -- specs ----------------------------------------------------------------------------


@functools.cache
def xgboost_spec(repository: str, version: str) -> AlgorithmSpec:
    """The simulated algorithm of one XGBoost image (``sagemaker-xgboost`` / ``xgboost``)."""
    flavor = _Flavor(repository=repository, version=version)
    catalog = aws_image_catalog()
    example = catalog.example_uri(repository, version)
    declarations = _declarations_of(flavor)

    def run(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
        return _train(flavor, hyperparameters, context)

    run.__doc__ = f"SageMaker XGBoost {version} ({repository}), simulated."
    sample = "[12]#011train-rmse:0.31234#011validation-rmse:0.35678"
    return AlgorithmSpec(
        name=f"{repository}:{version}",
        image=example,
        fn=run,
        description=(
            f"AWS's built-in XGBoost ({repository}:{version}, every region): the container's "
            "hyperparameters, validation errors and log lines, numbers from the "
            "xgboost-curve model. The service publishes its metrics: no MetricDefinitions "
            "needed."
        ),
        hyperparameters=tuple(describe(d) for d in declarations if not d.name.startswith("_")),
        metric_definitions=catalog.metric_definitions(repository),
        objective_metric="validation:rmse",
        objective_type="Minimize",
        log_format=sample,
        epochs_hyperparameter="num_round",
        builtin=True,
        predefined_metrics=True,
    )
