"""What the job commands print: a tuning job's summary and tables of its training jobs.

Pure functions from the SDK's response objects (and :mod:`sagetune.cli.tuning_facts`) to
rich renderables, so the commands only fetch and print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sagetune.cli.tuning_facts import (
    JobCounts,
    Objective,
    TrainingJobResult,
    TunedParameter,
    auto_early_stopping,
    early_stopping_on,
    format_duration,
    format_hyperparameter,
    format_value,
    objective_of,
    parse_value,
    ranked,
    status_text,
    tuned_parameters,
    wire_value,
)
from sagetune.model import shapes

if TYPE_CHECKING:
    from rich.table import Table

SORT_KEYS = ("objective", "name", "created", "status", "time")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def times_text(
    created: datetime, ended: datetime | None, *, simulated_now: float | None = None
) -> str:
    """When a job was created and ended. On a simulator (``simulated_now``: its clock)
    the times are simulated, so they are shown as durations on that clock, not as dates
    that would look real."""
    if simulated_now is not None:
        age = format_duration(simulated_now - created.timestamp())
        text = f"simulated clock: created {age} ago"
        if ended is not None:
            return text + f", ended after {format_duration((ended - created).total_seconds())}"
        return text + f", running for {age}"
    text = f"created {_when(created)}"
    if ended is not None:
        elapsed = (ended - created).total_seconds()
        text += f", ended {_when(ended)} (after {format_duration(elapsed)})"
    return text


def summary_rows(
    description: shapes.DescribeHyperParameterTuningJobResponse,
    *,
    completion_reason: str | None = None,
    stopped_early: int = 0,
    simulated_now: float | None = None,
) -> list[tuple[str, str]]:
    """(label, text) lines of ``sagetune describe``; ``stopped_early``: how many stopped
    training jobs were stopped early (see :mod:`sagetune.cli.stop_causes`),
    ``simulated_now``: the simulator's clock when the service is a simulator."""
    config = description.hyper_parameter_tuning_job_config
    objective = objective_of(description)
    status = wire_value(description.hyper_parameter_tuning_job_status)
    if completion_reason:
        status += f" ({completion_reason})"
    rows = [
        ("Tuning job", description.hyper_parameter_tuning_job_name),
        ("ARN", description.hyper_parameter_tuning_job_arn),
        ("Status", status),
    ]
    strategy = wire_value(config.strategy)
    early = "on" if auto_early_stopping(description) else "off"
    seed = f", random seed {config.random_seed}" if config.random_seed is not None else ""
    rows.append(("Strategy", f"{strategy}, early stopping {early}{seed}"))
    if objective is not None:
        rows.append(("Objective", f"{objective.direction} {objective.metric}"))
    limits = config.resource_limits
    limit_text = f"{limits.max_number_of_training_jobs or '?'} training jobs, "
    limit_text += f"{limits.max_parallel_training_jobs} in parallel"
    if limits.max_runtime_in_seconds:
        limit_text += f", at most {format_duration(limits.max_runtime_in_seconds)}"
    rows.append(("Limits", limit_text))
    parameters = tuned_parameters(description)
    if parameters:
        rows.append(("Tuned", ", ".join(_describe_parameter(p) for p in parameters)))
    counts = JobCounts.of(description, stopped_early=stopped_early)
    rows.append(("Training jobs", counts.text(early_stopping=early_stopping_on(description))))
    times = times_text(
        description.creation_time,
        description.hyper_parameter_tuning_end_time,
        simulated_now=simulated_now,
    )
    rows.append(("Time", times))
    warm = description.warm_start_config
    if warm is not None:
        parents = ", ".join(
            p.hyper_parameter_tuning_job_name or "?"
            for p in warm.parent_hyper_parameter_tuning_jobs
        )
        rows.append(("Warm start", f"{wire_value(warm.warm_start_type)} from {parents}"))
    for label, best in (
        ("Best job", description.best_training_job),
        ("Overall best", description.overall_best_training_job),
    ):
        if best is None:
            continue
        metric = best.final_hyper_parameter_tuning_job_objective_metric
        value = f"{metric.metric_name} {format_value(metric.value)}" if metric else "no objective"
        where = f" (of {best.tuning_job_name})" if label == "Overall best" else ""
        rows.append((label, f"{best.training_job_name}{where}: {value}"))
        rows.append(("", _hyperparameter_text(best.tuned_hyper_parameters or {})))
    if description.failure_reason:
        rows.append(("Failure", description.failure_reason))
    return rows


def _describe_parameter(parameter: TunedParameter) -> str:
    if parameter.kind == "Categorical":
        return f"{parameter.name} {{{', '.join(parameter.values)}}}"
    scale = " log" if parameter.logarithmic else ""
    low, high = format_value(parameter.low), format_value(parameter.high)
    return f"{parameter.name} [{low}, {high}]{scale}"


def _hyperparameter_text(values: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in values.items())


def summary_table(rows: Sequence[tuple[str, str]]) -> Table:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in rows:
        grid.add_row(label, text)
    return grid


def sort_jobs(
    results: Sequence[TrainingJobResult],
    objective: Objective | None,
    key: str,
    *,
    reverse: bool = False,
) -> list[TrainingJobResult]:
    """Order training jobs by ``key``: objective (best first), name, created, status, time
    (training seconds) or a hyperparameter's name (numbers numerically). Jobs without the
    value go last either way."""
    if key == "objective":
        ordered = ranked(results, objective)
        with_value = [r for r in ordered if r.objective is not None]
        without = [r for r in ordered if r.objective is None]
        return (with_value[::-1] if reverse else with_value) + without
    getters: dict[str, Callable[[TrainingJobResult], Any]] = {
        "name": lambda r: r.name,
        "created": lambda r: r.created,
        "status": lambda r: r.state,
        "time": lambda r: r.training_seconds,
    }
    getter = getters.get(key)
    if getter is None:

        def getter(r: TrainingJobResult) -> Any:
            text = r.hyperparameters.get(key)
            if text is None:
                return None
            number = parse_value(text)
            return (0, number, "") if number is not None else (1, 0.0, text)

    present = [r for r in results if getter(r) is not None]
    missing = [r for r in results if getter(r) is None]
    present.sort(key=getter, reverse=reverse)
    return present + missing


def _light_table(title: str | None) -> Table:
    """The listing tables' look: light rules and two spaces between columns."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def jobs_table(
    results: Sequence[TrainingJobResult],
    objective: Objective | None,
    parameters: Sequence[TunedParameter],
    *,
    title: str | None = None,
    best: str | None = None,
    width: int | None = None,
) -> Table:
    """One row per training job: name, status, objective, each tuned hyperparameter, and
    training time. A column per hyperparameter when they fit in ``width`` characters, else
    one wrapped ``name=value`` column (nothing is cut off)."""
    metric = objective.metric if objective is not None else "Objective"
    names = [p.name for p in parameters]
    for result in results:  # hyperparameters tuned but not declared (multi-definition jobs)
        for hp in result.hyperparameters:
            if hp not in names:
                names.append(hp)
    fixed_headers = ["#", "Training job", "Status", metric]
    rows: list[tuple[list[str], list[str], str]] = []
    for i, result in enumerate(results, 1):
        status = result.state
        if result.failure_reason and result.status == "Failed":
            status = f"Failed: {result.failure_reason[:40]}"
        fixed = [str(i), result.name, status, format_value(result.objective)]
        values = [format_hyperparameter(result.hyperparameters.get(n)) for n in names]
        rows.append((fixed, values, format_duration(result.training_seconds)))

    def widest(header: str, cells: Sequence[str]) -> int:
        return max([len(header), *map(len, cells)])

    headers = [*fixed_headers, *names, "Time"]
    columns = [
        *([r[0][c] for r in rows] for c in range(len(fixed_headers))),
        *([r[1][c] for r in rows] for c in range(len(names))),
        [r[2] for r in rows],
    ]
    widths = [widest(h, cells) for h, cells in zip(headers, columns, strict=True)]
    spread = width is None or sum(widths) + 2 * len(widths) <= width
    # Narrower still: drop the rank and the time to leave the hyperparameters some room.
    rest = sum(widths[:4]) + widths[-1] + 2 * 6
    terse = width is not None and not spread and width - rest < 26

    table = _light_table(title)
    if not terse:
        table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Training job", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column(metric, justify="right", no_wrap=True)
    if spread:
        for name in names:
            table.add_column(name, justify="right", no_wrap=True)
    else:
        table.add_column("Hyperparameters", overflow="fold", ratio=1)
    if not terse:
        table.add_column("Time", justify="right", no_wrap=True)
    for (fixed, values, time), result in zip(rows, results, strict=True):
        style = "bold green" if best is not None and result.name == best else None
        if spread:
            hyperparameters = values
        else:
            pairs = (f"{n}={v}" for n, v in zip(names, values, strict=True) if v != "-")
            hyperparameters = [" ".join(pairs)]
        if terse:
            table.add_row(*fixed[1:], *hyperparameters, style=style)
        else:
            table.add_row(*fixed, *hyperparameters, time, style=style)
    return table


def job_record(result: TrainingJobResult) -> dict[str, Any]:
    """A training job as JSON for ``sagetune jobs --json``."""
    return {
        "TrainingJobName": result.name,
        "TuningJobName": result.tuning_job,
        "TrainingJobStatus": result.status,
        "StoppedEarly": result.early_stopped,
        "StopLimit": result.stop_limit,
        "FinalObjectiveValue": result.objective,
        "TunedHyperParameters": result.hyperparameters,
        "CreationTime": result.created.timestamp(),
        "TrainingSeconds": result.training_seconds,
        "FailureReason": result.failure_reason,
    }


def best_job_line(
    description: shapes.DescribeHyperParameterTuningJobResponse,
) -> str:
    """``Best training job: NAME (metric value)``, or why there is none."""
    best = description.best_training_job
    if best is None:
        return "No best training job: no training job reported the objective metric."
    metric = best.final_hyper_parameter_tuning_job_objective_metric
    value = f" ({metric.metric_name} {format_value(metric.value)})" if metric else ""
    return f"Best training job: {best.training_job_name}{value}"


def tuning_jobs_table(
    summaries: Sequence[shapes.HyperParameterTuningJobSummary],
    *,
    simulated_now: float | None = None,
    title: str | None = None,
) -> Table:
    """``sagetune list``: one row per tuning job. On a simulator (``simulated_now``) times
    are ages on its clock, not dates."""
    table = _light_table(title)
    table.add_column("Tuning job", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Strategy", no_wrap=True)
    table.add_column("Training jobs", no_wrap=True)
    table.add_column(
        "Created (simulated)" if simulated_now is not None else "Created", no_wrap=True
    )
    table.add_column("Ran", justify="right", no_wrap=True)
    for summary in summaries:
        counts = JobCounts.of_counters(summary.training_job_status_counters)
        limits = summary.resource_limits
        total = limits.max_number_of_training_jobs if limits is not None else None
        done = counts.completed + counts.stopped + counts.failed
        jobs = f"{done}/{total or '?'}: {counts.completed} completed"
        if counts.stopped:
            jobs += f", {counts.stopped} stopped"
        if counts.failed:
            jobs += f", {counts.failed} failed"
        if counts.running:
            jobs += f", {counts.running} running"
        created = summary.creation_time
        if simulated_now is not None:
            when = f"{format_duration(simulated_now - created.timestamp())} ago"
        else:
            when = created.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        end = summary.hyper_parameter_tuning_end_time
        if end is not None:
            ran = format_duration((end - created).total_seconds())
        elif simulated_now is not None:
            ran = format_duration(simulated_now - created.timestamp())
        else:
            ran = format_duration((datetime.now(UTC) - created).total_seconds())
        table.add_row(
            summary.hyper_parameter_tuning_job_name,
            wire_value(summary.hyper_parameter_tuning_job_status),
            wire_value(summary.strategy),
            jobs,
            when,
            ran,
        )
    return table


def training_job_rows(
    description: shapes.DescribeTrainingJobResponse, *, simulated_now: float | None = None
) -> list[tuple[str, str]]:
    """(label, text) lines of ``sagetune training-job``: the history's times are offsets
    from the job's creation, so they read the same on AWS and on a simulator."""
    from sagetune.cli.stop_causes import stop_cause

    status = wire_value(description.training_job_status)
    secondary = wire_value(description.secondary_status)
    cause = stop_cause(description)
    shown = status_text(status, early=cause.early, limit=cause.limit)
    if shown == status and secondary not in ("", status):
        shown = f"{status} ({secondary})"
    rows = [
        ("Training job", description.training_job_name),
        ("ARN", description.training_job_arn),
    ]
    if description.tuning_job_arn:
        rows.append(("Tuning job", description.tuning_job_arn.rsplit("/", 1)[-1]))
    rows.append(("Status", shown))
    if description.failure_reason:
        rows.append(("Failure", description.failure_reason))
    created = description.creation_time
    times = times_text(created, description.training_end_time, simulated_now=simulated_now)
    billable = description.billable_time_in_seconds
    if billable is not None:
        times += f"; billable {format_duration(billable)}"
    rows.append(("Time", times))
    metrics = [
        f"{m.metric_name} {format_value(m.value)}"
        for m in description.final_metric_data_list or ()
        if m.metric_name is not None
    ]
    if metrics:
        rows.append(("Final metrics", " · ".join(metrics)))
    hyperparameters = {
        k: v for k, v in (description.hyper_parameters or {}).items() if not k.startswith("_")
    }
    if hyperparameters:
        rows.append(("Hyperparameters", _hyperparameter_text(hyperparameters)))
    transitions = description.secondary_status_transitions or ()
    offsets = ["+" + format_duration((t.start_time - created).total_seconds()) for t in transitions]
    width = max(map(len, offsets), default=0)
    for i, (offset, transition) in enumerate(zip(offsets, transitions, strict=True)):
        text = f"{offset.rjust(width)}  {wire_value(transition.status)}"
        if transition.status_message:
            text += f": {transition.status_message}"
        rows.append(("History" if i == 0 else "", text))
    return rows
