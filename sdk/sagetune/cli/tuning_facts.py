"""What a tuning job's description and training job summaries say, read once for every command.

The progress display, the tables and the report all need the same answers: which metric is
the objective and which way is better, which hyperparameters are tuned and how their ranges
scale, what a training job's objective was, and how it ended (why a job stopped is read
from its own description, see :mod:`sagetune.cli.stop_causes`). They live here so the
three agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import attrs

from sagetune.model import shapes

if TYPE_CHECKING:
    from sagetune.cli.stop_causes import StopCause

TERMINAL_TUNING_STATUSES = frozenset({"Completed", "Failed", "Stopped", "DeleteFailed"})

ParameterKind = Literal["Continuous", "Integer", "Categorical"]


@attrs.frozen(kw_only=True)
class Objective:
    """The objective metric and its direction."""

    metric: str
    maximize: bool

    @property
    def direction(self) -> str:
        return "Maximize" if self.maximize else "Minimize"

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` is strictly better than ``b``."""
        return a > b if self.maximize else a < b


@attrs.frozen(kw_only=True)
class TunedParameter:
    """One searched hyperparameter: its kind, its scaling, its bounds or values."""

    name: str
    kind: ParameterKind
    scaling: str = "Auto"
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] = ()

    @property
    def logarithmic(self) -> bool:
        return self.scaling == "Logarithmic"


@attrs.frozen(kw_only=True)
class TrainingJobResult:
    """A training job of a tuning job, as the charts and tables need it."""

    name: str
    tuning_job: str
    status: str
    early_stopped: bool
    objective: float | None
    hyperparameters: dict[str, str]
    created: datetime
    started: datetime | None = None
    ended: datetime | None = None
    failure_reason: str | None = None
    stop_limit: str | None = None  # the limit that stopped it (MaxRuntimeExceeded, ...)

    @property
    def state(self) -> str:
        """The status a person reads: ``Stopped early`` or ``Stopped (MaxRuntimeExceeded)``
        when the service said why it stopped, else the status as it is."""
        return status_text(self.status, early=self.early_stopped, limit=self.stop_limit)

    @property
    def training_seconds(self) -> float | None:
        if self.started is None or self.ended is None:
            return None
        return (self.ended - self.started).total_seconds()


def status_text(status: str, *, early: bool, limit: str | None) -> str:
    """A training job's status as a person reads it: ``Stopped early``, ``Stopped
    (MaxRuntimeExceeded)`` when the service said which limit stopped it, else ``status``."""
    if early:
        return "Stopped early"
    if status == "Stopped" and limit:
        return f"Stopped ({limit})"
    return status


def wire_value(value: object) -> str:
    """An enum member or plain string (an enum value this model does not know) as text."""
    return str(getattr(value, "value", value))


def objective_of(description: shapes.DescribeHyperParameterTuningJobResponse) -> Objective | None:
    """The tuning job's objective (the job-wide one, else the first definition's)."""
    found = description.hyper_parameter_tuning_job_config.hyper_parameter_tuning_job_objective
    if found is None:
        for definition in description.training_job_definitions or ():
            if definition.tuning_objective is not None:
                found = definition.tuning_objective
                break
    if found is None:
        return None
    return Objective(metric=found.metric_name, maximize=wire_value(found.type) == "Maximize")


def tuned_parameters(
    description: shapes.DescribeHyperParameterTuningJobResponse,
) -> tuple[TunedParameter, ...]:
    """Every searched hyperparameter, first occurrence of a name wins (multi-definition jobs
    may repeat a name)."""
    sources: list[shapes.ParameterRanges] = []
    config_ranges = description.hyper_parameter_tuning_job_config.parameter_ranges
    if config_ranges is not None:
        sources.append(config_ranges)
    definitions: list[shapes.HyperParameterTrainingJobDefinition] = []
    if description.training_job_definition is not None:
        definitions.append(description.training_job_definition)
    definitions.extend(description.training_job_definitions or ())
    sources.extend(d.hyper_parameter_ranges for d in definitions if d.hyper_parameter_ranges)
    found: dict[str, TunedParameter] = {}
    for ranges in sources:
        for parameter in _parameters(ranges):
            found.setdefault(parameter.name, parameter)
    return tuple(found.values())


def _parameters(ranges: shapes.ParameterRanges) -> Iterable[TunedParameter]:
    for continuous in ranges.continuous_parameter_ranges or ():
        yield TunedParameter(
            name=continuous.name,
            kind="Continuous",
            scaling=wire_value(continuous.scaling_type or "Auto"),
            low=_number(continuous.min_value),
            high=_number(continuous.max_value),
        )
    for integer in ranges.integer_parameter_ranges or ():
        yield TunedParameter(
            name=integer.name,
            kind="Integer",
            scaling=wire_value(integer.scaling_type or "Auto"),
            low=_number(integer.min_value),
            high=_number(integer.max_value),
        )
    for categorical in ranges.categorical_parameter_ranges or ():
        yield TunedParameter(
            name=categorical.name, kind="Categorical", values=tuple(categorical.values)
        )


def _number(text: object) -> float | None:
    try:
        value = float(str(text))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_value(text: str) -> float | None:
    """A hyperparameter value as a number (None when it is not one)."""
    return _number(text.strip().strip('"'))


def auto_early_stopping(description: shapes.DescribeHyperParameterTuningJobResponse) -> bool:
    """Whether the tuning job uses the median rule (``TrainingJobEarlyStoppingType: Auto``)."""
    config = description.hyper_parameter_tuning_job_config
    return wire_value(config.training_job_early_stopping_type or "Off") == "Auto"


def early_stopping_on(description: shapes.DescribeHyperParameterTuningJobResponse) -> bool:
    """Whether the tuning job stops training jobs early: the median rule or the Hyperband
    strategy's own rungs."""
    strategy = description.hyper_parameter_tuning_job_config.strategy
    return auto_early_stopping(description) or wire_value(strategy) == "Hyperband"


@attrs.frozen(kw_only=True)
class JobCounts:
    """The training jobs of a tuning job by how they stand (failed: retryable or not;
    stopped: every stop, of which ``stopped_early`` by the tuning job's early stopping)."""

    completed: int
    stopped: int
    failed: int
    running: int
    stopped_early: int = 0

    @classmethod
    def of(
        cls,
        description: shapes.DescribeHyperParameterTuningJobResponse,
        *,
        stopped_early: int = 0,
    ) -> JobCounts:
        return cls.of_counters(
            description.training_job_status_counters, stopped_early=stopped_early
        )

    @classmethod
    def of_counters(
        cls, counters: shapes.TrainingJobStatusCounters, *, stopped_early: int = 0
    ) -> JobCounts:
        """From the counters a Describe answer or a ListHyperParameterTuningJobs summary holds."""
        return cls(
            completed=counters.completed or 0,
            stopped=counters.stopped or 0,
            failed=(counters.retryable_error or 0) + (counters.non_retryable_error or 0),
            running=counters.in_progress or 0,
            stopped_early=stopped_early,
        )

    def text(self, *, early_stopping: bool) -> str:
        """``completed 4 · stopped early 2 · stopped 1 · failed 0 · running 0``; the early
        count only for tuning jobs that stop jobs early."""
        stopped = f"stopped {self.stopped - self.stopped_early}"
        if early_stopping:
            stopped = f"stopped early {self.stopped_early} · " + stopped
        return (
            f"completed {self.completed} · {stopped} · "
            f"failed {self.failed} · running {self.running}"
        )


def training_job_result(
    summary: shapes.HyperParameterTrainingJobSummary, cause: StopCause | None = None
) -> TrainingJobResult:
    """Read one summary; ``cause``: why it stopped, from its own description (a ``Stopped``
    job without one is a plain ``Stopped``, never an early stop)."""
    status = wire_value(summary.training_job_status)
    metric = summary.final_hyper_parameter_tuning_job_objective_metric
    value = metric.value if metric is not None else None
    stopped = status == "Stopped" and cause is not None
    return TrainingJobResult(
        name=summary.training_job_name,
        tuning_job=summary.tuning_job_name or "",
        status=status,
        early_stopped=stopped and cause is not None and cause.early,
        stop_limit=cause.limit if stopped and cause is not None else None,
        objective=float(value) if isinstance(value, int | float) else None,
        hyperparameters=dict(summary.tuned_hyper_parameters or {}),
        created=summary.creation_time,
        started=summary.training_start_time,
        ended=summary.training_end_time,
        failure_reason=summary.failure_reason,
    )


def results_of(
    summaries: Iterable[shapes.HyperParameterTrainingJobSummary],
    causes: Mapping[str, StopCause],
) -> list[TrainingJobResult]:
    """The summaries of one tuning job as results, in launch order; ``causes``: why its
    stopped jobs stopped, by training job name."""
    results = [training_job_result(s, causes.get(s.training_job_name)) for s in summaries]
    results.sort(key=lambda r: (r.created, r.name))
    return results


def ranked(
    results: Sequence[TrainingJobResult], objective: Objective | None
) -> list[TrainingJobResult]:
    """Best first; jobs without an objective value last, in launch order."""
    scored: list[tuple[float, TrainingJobResult]] = []
    unscored: list[TrainingJobResult] = []
    sign = -1.0 if objective is not None and objective.maximize else 1.0
    for result in results:
        if result.objective is None or math.isnan(result.objective):
            unscored.append(result)
        else:
            scored.append((sign * result.objective, result))
    scored.sort(key=lambda pair: pair[0])
    return [result for _, result in scored] + unscored


def format_value(value: float | None) -> str:
    """An objective or metric value, short but exact enough to compare."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.6g}"


def format_hyperparameter(text: str | None) -> str:
    """A hyperparameter value for a table cell: integers and words as they are, other
    numbers to 4 significant digits."""
    if text is None:
        return "-"
    number = parse_value(text)
    if number is None or text.strip().lstrip("-").isdigit():
        return text
    return f"{number:.4g}"


def format_duration(seconds: float | None) -> str:
    """``1:02:03`` style (hours only when needed)."""
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
