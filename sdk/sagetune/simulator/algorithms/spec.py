"""What an algorithm is: the calling convention, its context and its self-description.

An algorithm is a function ``fn(hyperparameters, context) -> LogStream``. The
hyperparameters arrive exactly as the service passes them to a container: a mapping of
strings (SageMaker adds reserved keys such as ``_tuning_objective_metric``; algorithms
ignore keys starting with ``_`` or ``sagemaker_``). The returned iterator yields
``(simulated_seconds, log_line)`` pairs: ``simulated_seconds`` (>= 0) is the simulated
time that passes *before* the line is written. The simulator may stop consuming the
iterator at any point (StopTrainingJob, early stopping, a Hyperband rung), so iterative
algorithms yield one epoch at a time and must not do work ahead of what they yield.

All randomness comes from ``context.seed``: the same (hyperparameters, seed) give the same
lines and the same times, in any process.

Errors: an algorithm raises :class:`~sagetune.simulator.algorithms.errors.AlgorithmError`
to fail its job, either when called (the built-ins validate their hyperparameters there)
or while being iterated; callers must handle both.

:class:`AlgorithmSpec` describes an algorithm for people and tools (``sagetune algorithms
--json``): its hyperparameters, the MetricDefinitions a user should send, the objective
and, for the synthetic functions, the best achievable value so that benchmarks can report
regret.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Literal

import attrs

__all__ = [
    "AlgorithmContext",
    "AlgorithmFn",
    "AlgorithmSpec",
    "HyperParameterKind",
    "HyperParameterSpec",
    "LogStream",
    "ObjectiveType",
    "missing_metric_message",
]

LogStream = Iterator[tuple[float, str]]
"""``(simulated seconds before the line, the line)`` pairs, in order."""

HyperParameterKind = Literal["Continuous", "Integer", "Categorical", "Static"]
ObjectiveType = Literal["Minimize", "Maximize"]


@attrs.frozen(kw_only=True)
class AlgorithmContext:
    """What a training job tells its algorithm besides the hyperparameters.

    ``seed`` is deterministic per training job (the simulator derives it from the tuning
    job's RandomSeed and the training job's index); every random draw of an algorithm
    comes from it. ``instance_type`` and ``instance_count`` come from the job's
    ResourceConfig; the built-in curve algorithms run faster (in simulated time) on
    bigger or accelerated instances. ``channels`` are the ChannelNames of the job's
    InputDataConfig (None: not said; algorithms then assume ``train`` and
    ``validation``). ``start_time`` is the simulated time (epoch seconds) at which the
    algorithm starts, for algorithms whose lines print clock times (None: 0).
    """

    seed: int
    job_name: str
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = 1
    tuning_job_name: str | None = None
    channels: tuple[str, ...] | None = None
    start_time: float | None = None


AlgorithmFn = Callable[[Mapping[str, str], AlgorithmContext], LogStream]


def _check_number(kind: HyperParameterKind, field: str, value: str | None) -> None:
    if value is None:
        return
    try:
        number = float(value) if kind == "Continuous" else int(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a valid {kind} value") from None
    if not math.isfinite(number):
        raise ValueError(f"{field} {value!r} must be finite")


@attrs.frozen(kw_only=True)
class HyperParameterSpec:
    """One hyperparameter an algorithm accepts, in the terms of SageMaker's ranges.

    ``kind`` is the value type: ``Continuous`` and ``Integer`` are numbers within
    [``min_value``, ``max_value``] (the range a tuning job should search, as strings, the
    way ParameterRanges carry them); ``Categorical`` is one of ``values``; ``Static`` is
    free text that is passed through. ``tunable`` is False for values that are meant to
    be static hyperparameters (noise levels, failure injection). ``scaling`` is the
    ScalingType to use when tuning (``Linear``, ``Logarithmic``, ``ReverseLogarithmic``).
    ``default`` is used when the hyperparameter is absent (``None`` with ``required``
    means the job fails without it).

    ``valid_min`` / ``valid_max`` widen the accepted values beyond the suggested search
    range (e.g. XGBoost accepts any eta in [0, 1] but a search should use [0.001, 1]);
    they default to the search range.
    """

    name: str
    kind: HyperParameterKind
    min_value: str | None = None
    max_value: str | None = None
    values: tuple[str, ...] = ()
    scaling: str | None = None
    default: str | None = None
    description: str = ""
    tunable: bool = True
    required: bool = False
    valid_min: str | None = None
    valid_max: str | None = None
    min_exclusive: bool = False

    def __attrs_post_init__(self) -> None:
        if self.kind in ("Continuous", "Integer"):
            if self.min_value is None or self.max_value is None:
                raise ValueError(f"hyperparameter {self.name!r}: {self.kind} needs a range")
            for field in ("min_value", "max_value", "valid_min", "valid_max", "default"):
                _check_number(
                    self.kind, f"hyperparameter {self.name!r} {field}", getattr(self, field)
                )
            if float(self.min_value) > float(self.max_value):
                raise ValueError(f"hyperparameter {self.name!r}: min_value > max_value")
        elif self.kind == "Categorical":
            if not self.values:
                raise ValueError(f"hyperparameter {self.name!r}: Categorical needs values")
            if self.default is not None and self.default not in self.values:
                raise ValueError(f"hyperparameter {self.name!r}: default not among values")
        if self.scaling not in (None, "Linear", "Logarithmic", "ReverseLogarithmic", "Auto"):
            raise ValueError(f"hyperparameter {self.name!r}: unknown scaling {self.scaling!r}")

    @property
    def accepted_min(self) -> str | None:
        """The smallest value the algorithm accepts (not only the suggested search bound)."""
        return self.valid_min if self.valid_min is not None else self.min_value

    @property
    def accepted_max(self) -> str | None:
        """The largest value the algorithm accepts."""
        return self.valid_max if self.valid_max is not None else self.max_value

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly description (for ``sagetune algorithms --json`` and docs)."""
        out: dict[str, object] = {"name": self.name, "kind": self.kind, "tunable": self.tunable}
        if self.min_value is not None:
            out["min_value"] = self.min_value
            out["max_value"] = self.max_value
        if self.values:
            out["values"] = list(self.values)
        if self.scaling is not None:
            out["scaling"] = self.scaling
        if self.default is not None:
            out["default"] = self.default
        if self.required:
            out["required"] = True
        out["description"] = self.description
        return out


@attrs.frozen(kw_only=True)
class AlgorithmSpec:
    """An algorithm together with what a user needs to tune it.

    ``metric_definitions`` are (Name, Regex) pairs to put in the training job's
    MetricDefinitions; ``objective_metric`` / ``objective_type`` the
    HyperParameterTuningJobObjective to use; ``optimum`` the best achievable objective
    value within the suggested ranges (None when unknown). ``log_format`` is one example
    line, for docs. ``epochs_hyperparameter`` names the hyperparameter that counts epochs
    (rounds) for iterative algorithms, the resource Hyperband allocates.

    ``predefined_metrics`` is True for AWS's built-in algorithms: the service publishes
    their ``metric_definitions`` itself, so a request needs no MetricDefinitions
    (:meth:`service_metric_definitions` is what the service fills in).
    """

    name: str
    image: str
    fn: AlgorithmFn = attrs.field(eq=False, repr=False)
    description: str = ""
    hyperparameters: tuple[HyperParameterSpec, ...] = ()
    metric_definitions: tuple[tuple[str, str], ...] = ()
    objective_metric: str | None = None
    objective_type: ObjectiveType | None = None
    optimum: float | None = None
    log_format: str = ""
    epochs_hyperparameter: str | None = None
    builtin: bool = False
    predefined_metrics: bool = False

    def __attrs_post_init__(self) -> None:
        names = [hp.name for hp in self.hyperparameters]
        if len(set(names)) != len(names):
            raise ValueError(f"algorithm {self.name!r}: duplicate hyperparameter names")
        if (self.objective_metric is None) != (self.objective_type is None):
            raise ValueError(
                f"algorithm {self.name!r}: give objective_metric and objective_type together"
            )
        metric_names = {name for name, _ in self.metric_definitions}
        if self.objective_metric is not None and self.objective_metric not in metric_names:
            raise ValueError(
                f"algorithm {self.name!r}: objective {self.objective_metric!r} is not among "
                f"its metric_definitions {sorted(metric_names)}"
            )
        if self.epochs_hyperparameter is not None and self.epochs_hyperparameter not in names:
            raise ValueError(
                f"algorithm {self.name!r}: epochs_hyperparameter "
                f"{self.epochs_hyperparameter!r} is not one of its hyperparameters"
            )

    def hyperparameter(self, name: str) -> HyperParameterSpec:
        """The spec of hyperparameter ``name`` (KeyError naming the known ones)."""
        for hp in self.hyperparameters:
            if hp.name == name:
                return hp
        known = ", ".join(hp.name for hp in self.hyperparameters)
        raise KeyError(f"algorithm {self.name!r} has no hyperparameter {name!r} (has: {known})")

    def metric_definitions_wire(self) -> list[dict[str, str]]:
        """MetricDefinitions as the API takes them: ``[{"Name": ..., "Regex": ...}]``."""
        return [{"Name": name, "Regex": regex} for name, regex in self.metric_definitions]

    def service_metric_definitions(
        self, objective_metric: str | None = None
    ) -> list[dict[str, str]]:
        """The MetricDefinitions the service fills in when a request has none.

        AWS's built-in algorithms (``predefined_metrics``): their whole list, and for a
        tuning job's training job definition (``objective_metric`` given) one more entry
        ``{"Name": "ObjectiveMetric", "Regex": <the objective's regex>}``, as
        DescribeHyperParameterTuningJob shows. Raises ValueError with the service's
        ValidationException text when the algorithm publishes no metrics, or none of
        that name.
        """
        if not self.predefined_metrics:
            if objective_metric is not None:
                raise ValueError(missing_metric_message())
            return []
        wire = self.metric_definitions_wire()
        if objective_metric is not None:
            regex = dict(self.metric_definitions).get(objective_metric)
            if regex is None:
                raise ValueError(missing_metric_message())
            wire.append({"Name": "ObjectiveMetric", "Regex": regex})
        return wire

    def parameter_ranges_wire(self) -> dict[str, list[dict[str, object]]]:
        """ParameterRanges (API shape) covering every tunable hyperparameter's suggested range."""
        ranges: dict[str, list[dict[str, object]]] = {
            "IntegerParameterRanges": [],
            "ContinuousParameterRanges": [],
            "CategoricalParameterRanges": [],
        }
        for hp in self.hyperparameters:
            if not hp.tunable:
                continue
            if hp.kind == "Categorical":
                ranges["CategoricalParameterRanges"].append(
                    {"Name": hp.name, "Values": list(hp.values)}
                )
            elif hp.kind in ("Continuous", "Integer"):
                item: dict[str, object] = {
                    "Name": hp.name,
                    "MinValue": hp.min_value,
                    "MaxValue": hp.max_value,
                }
                if hp.scaling is not None:
                    item["ScalingType"] = hp.scaling
                ranges[f"{hp.kind}ParameterRanges"].append(item)
        return ranges

    def default_hyperparameters(self) -> dict[str, str]:
        """Every hyperparameter that has a default, with that default (as strings)."""
        return {hp.name: hp.default for hp in self.hyperparameters if hp.default is not None}

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly description (everything except the function)."""
        return {
            "name": self.name,
            "image": self.image,
            "builtin": self.builtin,
            "description": self.description,
            "hyperparameters": [hp.to_dict() for hp in self.hyperparameters],
            "metric_definitions": self.metric_definitions_wire(),
            "objective_metric": self.objective_metric,
            "objective_type": self.objective_type,
            "optimum": self.optimum,
            "log_format": self.log_format,
            "epochs_hyperparameter": self.epochs_hyperparameter,
            "predefined_metrics": self.predefined_metrics,
        }


def missing_metric_message() -> str:
    """The service's ValidationException text for a tuning objective that is not defined."""
    return (
        "A metric is required for this hyperparameter tuning job objective. "
        "Provide a metric in the metric definitions."
    )
