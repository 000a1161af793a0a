"""What the report's charts draw, read from the matplotlib figures: one-point learning curves
are visible points, and jobs without an objective value are told apart by how they ended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sagetune.cli.report_charts import FAILED, NO_VALUE, draw_curves, draw_objective
from sagetune.cli.report_data import ReportData, collect
from sagetune.codec import from_wire
from sagetune.model import shapes
from tests.cli.conftest import Loopback

REQUESTS = Path(__file__).resolve().parents[2] / "examples" / "requests"


async def _report_data(served: Loopback, algorithm: str, **static: str) -> ReportData:
    document: dict[str, Any] = yaml.safe_load((REQUESTS / f"{algorithm}.yaml").read_text())
    limits = document["HyperParameterTuningJobConfig"]["ResourceLimits"]
    limits.update(MaxNumberOfTrainingJobs=4, MaxParallelTrainingJobs=1)
    document["TrainingJobDefinition"].setdefault("StaticHyperParameters", {}).update(static)
    request = from_wire(shapes.CreateHyperParameterTuningJobRequest, document)
    await served.client.create_hyper_parameter_tuning_job(request)
    served.sim.run_until_idle()
    return await collect(served.client, request.hyper_parameter_tuning_job_name)


def _legend(figure: Figure) -> dict[str, str]:
    """Legend label -> its colour."""
    [legend] = figure.legends
    return {
        text.get_text(): str(handle.get_color())
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
        if isinstance(handle, Line2D)
    }


async def test_one_epoch_learning_curves_are_drawn_as_points(
    loopback: Loopback,
) -> None:
    data = await _report_data(loopback, "branin")  # one-shot: one value per job
    assert data.curves
    assert all(len(curve.values) == 1 for curve in data.curves.values())

    [axes] = draw_curves(data).axes

    curves = [line for line in axes.get_lines() if np.size(line.get_xdata()) == 1]
    assert len(curves) == 4
    assert all(line.get_marker() not in (None, "", "None", " ") for line in curves)


async def test_failed_jobs_are_drawn_in_the_failed_colour_and_named_failed(
    loopback: Loopback,
) -> None:
    data = await _report_data(loopback, "fail", fail_at_epoch="1")  # no value at all
    assert [job.status for job in data.jobs] == ["Failed"] * 3  # then the tuning job fails

    legend = _legend(draw_objective(data))

    assert legend == {"failed (no objective value)": FAILED}


async def test_completed_jobs_without_a_value_are_not_called_failed(
    loopback: Loopback,
) -> None:
    data = await _report_data(loopback, "no-metric")
    assert {job.status for job in data.jobs} == {"Completed"}

    legend = _legend(draw_objective(data))

    assert legend == {"no objective value": NO_VALUE}
