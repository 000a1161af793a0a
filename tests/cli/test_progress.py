"""Live progress: what each poll shows, driven in process on the simulator's manual clock."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from sagetune import AsyncSageMakerClient
from sagetune.cli.demo import demo_request
from sagetune.cli.progress import snapshot_of, watch
from sagetune.codec import from_wire
from sagetune.model import shapes
from sagetune.simulator import Simulator

SIMULATED_SECONDS_PER_POLL = 900.0


async def _create(client: AsyncSageMakerClient, name: str, jobs: int = 6) -> None:
    request = from_wire(
        shapes.CreateHyperParameterTuningJobRequest, demo_request(name, jobs=jobs, parallel=2)
    )
    await client.create_hyper_parameter_tuning_job(request)


def _advancing(sim: Simulator) -> object:
    async def sleep(seconds: float) -> None:
        del seconds  # each poll moves simulated time instead of waiting
        sim.advance(SIMULATED_SECONDS_PER_POLL)

    return sleep


async def test_plain_progress_prints_a_line_per_change_until_the_job_ends(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    await _create(client, "progress-plain")
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)

    final = await watch(client, "progress-plain", console=console, poll=1.0, sleep=_advancing(sim))  # type: ignore[arg-type]

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(
        "[0/6] InProgress: completed 0 · stopped early 0 · stopped 0 · failed 0 · "
    )
    assert re.fullmatch(
        r"\[6/6\] Completed: completed \d · stopped early \d · stopped 0 · failed 0 · "
        r"running 0; "
        r"best val_accuracy 0\.\d+; simulated \d+:\d\d:\d\d · wall \d+:\d\d",
        lines[-1],
    ), lines[-1]
    finished = [int(re.match(r"\[(\d+)/6\]", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert finished == sorted(finished)  # never goes backwards
    assert len(set(lines)) == len(lines)  # a line only when something changed
    assert final.hyper_parameter_tuning_job_status == "Completed"
    assert final.training_job_status_counters.in_progress == 0


async def test_terminal_progress_ends_on_the_final_state(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    await _create(client, "progress-live", jobs=4)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)

    await watch(client, "progress-live", console=console, poll=1.0, sleep=_advancing(sim))  # type: ignore[arg-type]

    final_frame = out.getvalue().rsplit("Tuning job", 1)[-1]
    assert "progress-live  Completed" in final_frame
    assert "4/4 training jobs" in final_frame
    assert "running 0" in final_frame
    assert "simulated" in final_frame


async def test_snapshot_reads_counters_best_and_simulated_time(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    await _create(client, "progress-snapshot")
    sim.run_until_idle()
    description = await client.describe_hyper_parameter_tuning_job(
        shapes.DescribeHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name="progress-snapshot"
        )
    )
    end = description.hyper_parameter_tuning_end_time
    assert end is not None

    snapshot = snapshot_of(
        description, service_now=end.timestamp() + 5000, simulated=True, wall_seconds=3.0
    )

    counters = description.training_job_status_counters
    assert snapshot.finished == 6 == (counters.completed or 0) + (counters.stopped or 0)
    assert snapshot.done
    best = description.best_training_job
    assert best is not None
    assert best.final_hyper_parameter_tuning_job_objective_metric is not None
    assert snapshot.best == best.final_hyper_parameter_tuning_job_objective_metric.value
    # an ended job's time stops at its end, not at "now"
    assert snapshot.job_seconds == pytest.approx((end - description.creation_time).total_seconds())
    assert snapshot.times().endswith("· wall 0:03")


async def test_early_stops_found_after_the_description_never_make_a_negative_count(
    sim: Simulator, client: AsyncSageMakerClient
) -> None:
    """A job can stop between the poll's describe and its list of stopped jobs, so the list
    may hold more early stops than the description's Stopped counter: the line shows the
    counter's stops (the demo once printed ``stopped -1``)."""
    await _create(client, "progress-race")
    sim.run_until_idle()
    description = await client.describe_hyper_parameter_tuning_job(
        shapes.DescribeHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name="progress-race"
        )
    )
    stopped = description.training_job_status_counters.stopped or 0

    snapshot = snapshot_of(
        description,
        service_now=None,
        simulated=True,
        wall_seconds=1.0,
        stopped_early=stopped + 1,
    )

    assert snapshot.stopped_early == stopped
    assert f"stopped early {stopped} · stopped 0 · " in snapshot.counts()
