"""The report's charts, drawn with matplotlib's object API on the Agg canvas (no GUI, no
pyplot state), each a PNG of a fixed pixel size so the HTML page can lay them out.

- ``objective.png``: the objective of every training job in launch order, coloured by how it
  ended, with the best-so-far line; warm-start parents' jobs first, in grey, left of a
  separator; jobs without a value as crosses at the bottom (failed ones in the failed
  colour, others in grey).
- ``curves.png``: learning curves (the objective over training time, as CloudWatch metrics
  hold it) of every job, early-stopped ones marked where they stopped, the best job
  highlighted; a curve of one point (a one-shot algorithm) is a marker, not an invisible
  line.
- ``hyperparameters.png``: each tuned hyperparameter against the objective, log axes for
  logarithmic ranges, categories as columns.

Legends sit outside the axes and layouts are constrained, so text never overlaps the data
or itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from sagetune.cli.cloudwatch_metrics import Curve
from sagetune.cli.report_data import ReportData
from sagetune.cli.tuning_facts import TrainingJobResult, TunedParameter, parse_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
WIDTH_INCHES = 10.0
ROW_INCHES = 3.2
PARAMETER_COLUMNS = 3

COMPLETED = "#1f77b4"
STOPPED_EARLY = "#ff7f0e"
BEST = "#2ca02c"
FAILED = "#d62728"
PARENT = "#8c8c8c"
NO_VALUE = "#7f7f7f"


@attrs.frozen(kw_only=True)
class Chart:
    """A PNG written next to the report page."""

    filename: str
    title: str
    description: str
    width: int
    height: int


def hyperparameter_rows(count: int) -> int:
    return max(1, math.ceil(count / PARAMETER_COLUMNS))


def write_charts(data: ReportData, directory: Path) -> list[Chart]:
    """Draw every chart that has something to show into ``directory``."""
    charts = [_objective_chart(data, directory)]
    if data.curves_error is None:
        charts.append(_curves_chart(data, directory))
    if data.parameters:
        charts.append(_hyperparameters_chart(data, directory))
    return charts


# -- helpers ---------------------------------------------------------------------------------


def _figure(height_inches: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI, layout="constrained")


def _save(figure: Figure, directory: Path, filename: str) -> tuple[int, int]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    figure.savefig(directory / filename, dpi=DPI, format="png")  # a fixed pixel size
    width, height = canvas.get_width_height()
    return int(width), int(height)


def _metric_label(data: ReportData) -> str:
    if data.objective is None:
        return "objective"
    arrow = "higher is better" if data.objective.maximize else "lower is better"
    return f"{data.objective.metric} ({arrow})"


def _colour(job: TrainingJobResult, best: str | None) -> str:
    if job.name == best:
        return BEST
    if job.early_stopped:
        return STOPPED_EARLY
    if job.status == "Failed":
        return FAILED
    return COMPLETED


def _legend(figure: Figure, handles: list[Any]) -> None:
    """The legend right of the axes (constrained layout makes room: it never covers data)."""
    if handles:
        figure.legend(handles=handles, loc="outside right upper", frameon=False, fontsize=9)


def _handle(label: str, colour: str, *, marker: str = "o", line: bool = False) -> Any:
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        color=colour,
        marker=None if line else marker,
        linestyle="-" if line else "none",
        markersize=7,
        label=label,
    )


def _integer_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _log_x(axes: Axes) -> None:
    """A log x axis labelled at decades in plain numbers (1e-05, 0.001, 100): no minor
    ticks and no mathtext, which are most of a log axis' drawing time."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axes.set_xscale("log")
    axes.xaxis.set_major_locator(LogLocator(base=10, numticks=6))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def _no_data(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="#555555")
    axes.set_xticks([])
    axes.set_yticks([])


# -- objective per training job ---------------------------------------------------------------


def _objective_chart(data: ReportData, directory: Path) -> Chart:
    width, height = _save(draw_objective(data), directory, "objective.png")
    return Chart(
        filename="objective.png",
        title="Objective per training job",
        description=(
            "Each training job's final objective in launch order; the line is the best value "
            "found so far."
            + (
                " Warm-start parents' jobs come first, left of the dashed line."
                if data.parent_jobs
                else ""
            )
        ),
        width=width,
        height=height,
    )


def draw_objective(data: ReportData) -> Figure:
    """The objective chart's figure."""
    figure = _figure(5.0)
    axes = figure.add_subplot()
    metric = _metric_label(data)
    ordered = [*data.parent_jobs, *data.jobs]
    best = data.best_job
    handles: list[Any] = []
    axes.set_title(f"Objective per training job, in launch order: {data.name}", fontsize=12)
    axes.set_xlabel("training job (launch order)")
    axes.set_ylabel(metric)
    scored = [(i, job) for i, job in enumerate(ordered, 1) if job.objective is not None]
    if not scored:
        _no_data(axes, "No training job has reported the objective metric.")
    else:
        groups: dict[str, list[tuple[int, float]]] = {}
        parents = {job.name for job in data.parent_jobs}
        for i, job in scored:
            key = "parent" if job.name in parents else _colour(job, best)
            groups.setdefault(key, []).append((i, job.objective or 0.0))
        labels = {
            COMPLETED: "completed",
            STOPPED_EARLY: "stopped early",
            BEST: "best training job",
            FAILED: "failed",
            "parent": "warm-start parent's job",
        }
        for key in (COMPLETED, STOPPED_EARLY, FAILED, "parent", BEST):
            points = groups.get(key)
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            if key == "parent":
                axes.scatter(xs, ys, facecolors="none", edgecolors=PARENT, s=36, zorder=3)
                handles.append(_handle(labels[key], PARENT))
            else:
                size = 110 if key == BEST else 36
                marker = "*" if key == BEST else "o"
                axes.scatter(xs, ys, color=key, s=size, marker=marker, zorder=4)
                handles.append(_handle(labels[key], key, marker=marker))
        running_best: list[tuple[int, float]] = []
        current: float | None = None
        for i, job in scored:
            value = job.objective or 0.0
            if current is None or (
                data.objective is not None and data.objective.better(value, current)
            ):
                current = value
            running_best.append((i, current))
        xs, ys = zip(*running_best, strict=True)
        axes.step(xs, ys, where="post", color=BEST, linewidth=1.5, alpha=0.8, zorder=2)
        handles.append(_handle("best so far", BEST, line=True))
    unscored = [(i, job) for i, job in enumerate(ordered, 1) if job.objective is None]
    for failed, colour, label in (
        (True, FAILED, "failed (no objective value)"),
        (False, NO_VALUE, "no objective value"),
    ):
        crosses = [i for i, job in unscored if (job.status == "Failed") == failed]
        if not crosses:
            continue
        axes.scatter(
            crosses,
            [0.02] * len(crosses),
            transform=axes.get_xaxis_transform(),
            marker="x",
            color=colour,
            s=40,
            zorder=4,
            clip_on=False,
        )
        handles.append(_handle(label, colour, marker="x"))
    if data.parent_jobs:
        axes.axvline(len(data.parent_jobs) + 0.5, color=PARENT, linestyle="--", linewidth=1)
    if ordered:
        axes.set_xlim(0.3, len(ordered) + 0.7)
        axes.xaxis.set_major_locator(_integer_ticks())
    axes.grid(True, alpha=0.3)
    _legend(figure, handles)
    return figure


# -- learning curves ------------------------------------------------------------------------


def _curves_chart(data: ReportData, directory: Path) -> Chart:
    width, height = _save(draw_curves(data), directory, "curves.png")
    periods = sorted({curve.period for curve in data.curves.values()})
    return Chart(
        filename="curves.png",
        title="Learning curves",
        description=(
            "The objective metric of every training job as CloudWatch metrics hold it"
            + (f", averaged over {_periods_text(periods)}" if periods else "")
            + ", against the time since the job's training started; early-stopped jobs end "
            "where the median rule stopped them."
        ),
        width=width,
        height=height,
    )


def _periods_text(periods: Sequence[int]) -> str:
    """``1-second periods``, or several, with why they differ."""
    if len(periods) == 1:
        return f"{periods[0]}-second periods"
    listed = ", ".join(f"{p} s" for p in periods[:-1]) + f" and {periods[-1]} s"
    return (
        f"periods of {listed} (the finest CloudWatch keeps for each job's age: 1 s for 3 hours, "
        "then 60 s for 15 days)"
    )


def _time_unit(curves: Iterable[Curve]) -> tuple[float, str]:
    """Seconds per unit of the x axis, and its name, for the longest curve."""
    longest = max((curve.seconds[-1] for curve in curves if curve.seconds), default=0.0)
    if longest <= 180:
        return 1.0, "seconds"
    if longest <= 3 * 3600:
        return 60.0, "minutes"
    return 3600.0, "hours"


def _point_marker(curve: Curve) -> dict[str, Any]:
    """A curve of one point has no line to draw: show its point."""
    return {"marker": "o", "markersize": 4} if len(curve) == 1 else {}


def draw_curves(data: ReportData) -> Figure:
    """The learning curves' figure."""
    figure = _figure(5.0)
    axes = figure.add_subplot()
    scale, unit = _time_unit(data.curves.values())
    axes.set_title(f"Learning curves: {data.name}", fontsize=12)
    axes.set_xlabel(f"training time ({unit})")
    axes.set_ylabel(_metric_label(data))
    handles: list[Any] = []
    best = data.best_job
    shown = False
    seen: set[str] = set()

    def xs(curve: Curve) -> list[float]:
        return [seconds / scale for seconds in curve.seconds]

    for job in data.parent_jobs:
        curve = data.curves.get(job.name)
        if curve:
            axes.plot(
                xs(curve),
                curve.values,
                color=PARENT,
                linestyle=":",
                linewidth=0.9,
                alpha=0.7,
                **_point_marker(curve),
            )
            shown = True
            seen.add("parent")
    best_curve: Curve | None = None
    for job in data.jobs:
        curve = data.curves.get(job.name)
        if not curve:
            continue
        shown = True
        if job.name == best:
            best_curve = curve
            continue
        colour = _colour(job, None)
        axes.plot(
            xs(curve), curve.values, color=colour, linewidth=1.0, alpha=0.55, **_point_marker(curve)
        )
        seen.add(colour)
        if job.early_stopped:
            axes.scatter(
                xs(curve)[-1:], curve.values[-1:], marker="x", color=STOPPED_EARLY, s=36, zorder=4
            )
    if best_curve is not None:
        star: dict[str, Any] = {"marker": "*", "markersize": 12} if len(best_curve) == 1 else {}
        axes.plot(xs(best_curve), best_curve.values, color=BEST, linewidth=2.5, zorder=5, **star)
        seen.add(BEST)
    if not shown:
        _no_data(axes, "No values of the objective metric were found in CloudWatch metrics.")
    for key, label, marker in (
        (COMPLETED, "completed", None),
        (STOPPED_EARLY, "stopped early (x: where it stopped)", "x"),
        (FAILED, "failed", None),
        (BEST, "best training job", None),
        ("parent", "warm-start parent's job", None),
    ):
        if key in seen:
            colour = PARENT if key == "parent" else key
            handle = _handle(label, colour, line=marker is None, marker=marker or "o")
            if marker is not None:
                handle.set_linestyle("-")
            if key == "parent":
                handle.set_linestyle(":")
            handles.append(handle)
    axes.grid(True, alpha=0.3)
    _legend(figure, handles)
    return figure


# -- hyperparameters against the objective ----------------------------------------------------


def _hyperparameters_chart(data: ReportData, directory: Path) -> Chart:
    count = len(data.parameters)
    rows = hyperparameter_rows(count)
    figure = _figure(ROW_INCHES * rows)
    figure.suptitle(f"Tuned hyperparameters against the objective: {data.name}", fontsize=12)
    grid = figure.add_gridspec(rows, PARAMETER_COLUMNS)
    metric = data.objective.metric if data.objective is not None else "objective"
    best = data.best_job
    parents = {job.name for job in data.parent_jobs}
    handles: list[Any] = []
    seen: set[str] = set()
    for index, parameter in enumerate(data.parameters):
        axes = figure.add_subplot(grid[index // PARAMETER_COLUMNS, index % PARAMETER_COLUMNS])
        for key in _parameter_panel(
            axes, parameter, [*data.parent_jobs, *data.jobs], parents, best
        ):
            seen.add(key)
        axes.set_xlabel(parameter.name + (" (log scale)" if parameter.logarithmic else ""))
        if index % PARAMETER_COLUMNS == 0:
            axes.set_ylabel(metric)
        axes.grid(True, alpha=0.3)
    for key, label, marker in (
        (COMPLETED, "completed", "o"),
        (STOPPED_EARLY, "stopped early", "o"),
        (BEST, "best training job", "*"),
        ("parent", "warm-start parent's job", "o"),
    ):
        if key in seen:
            handles.append(_handle(label, PARENT if key == "parent" else key, marker=marker))
    if handles:
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncols=len(handles),
            frameon=False,
            fontsize=9,
        )
    width, height = _save(figure, directory, "hyperparameters.png")
    return Chart(
        filename="hyperparameters.png",
        title="Hyperparameters against the objective",
        description=(
            "Each tuned hyperparameter's value in every training job against its final "
            "objective; logarithmic ranges on log axes."
        ),
        width=width,
        height=height,
    )


def _parameter_panel(
    axes: Axes,
    parameter: TunedParameter,
    jobs: Sequence[TrainingJobResult],
    parents: set[str],
    best: str | None,
) -> set[str]:
    """Scatter one hyperparameter; returns the legend keys used."""
    used: set[str] = set()
    categories = list(parameter.values)
    points: list[tuple[float, float, str]] = []
    for job in jobs:
        text = job.hyperparameters.get(parameter.name)
        if text is None or job.objective is None:
            continue
        if parameter.kind == "Categorical":
            value = text.strip().strip('"')
            if value not in categories:
                categories.append(value)
            x = float(categories.index(value))
        else:
            number = parse_value(text)
            if number is None or (parameter.logarithmic and number <= 0):
                continue
            x = number
        key = "parent" if job.name in parents else _colour(job, best)
        points.append((x, job.objective, key))
    for key in (COMPLETED, STOPPED_EARLY, FAILED, "parent", BEST):
        chosen = [(x, y) for x, y, k in points if k == key]
        if not chosen:
            continue
        used.add(key)
        xs, ys = zip(*chosen, strict=True)
        if key == "parent":
            axes.scatter(xs, ys, facecolors="none", edgecolors=PARENT, s=24, zorder=3)
        elif key == BEST:
            axes.scatter(xs, ys, color=BEST, marker="*", s=110, zorder=5)
        else:
            axes.scatter(xs, ys, color=key, s=24, alpha=0.8, zorder=4)
    if parameter.kind == "Categorical":
        axes.set_xticks(range(len(categories)))
        rotate = max(map(len, categories)) * len(categories) > 24
        axes.set_xticklabels(
            categories, rotation=30 if rotate else 0, ha="right" if rotate else "center"
        )
        axes.set_xlim(-0.5, len(categories) - 0.5)
    elif parameter.logarithmic:
        _log_x(axes)
    if not points:
        _no_data(axes, "no values yet")
    return used
