"""Live progress of a tuning job: poll its description, show what it has done so far.

On a terminal: a rich live display (a bar of finished training jobs, how many completed,
stopped early, failed and are running, the best objective so far, elapsed simulated and wall
time). Elsewhere (a pipe, CI logs): one plain line each time any of that changes.

One ``DescribeHyperParameterTuningJob`` per poll carries everything but the simulated clock,
which a sagetune simulator reports through ``SageTuneSimulator.GetClock``, and the early
stops among the stopped jobs, which only the training jobs' own descriptions tell
(:class:`~sagetune.cli.stop_causes.StopTally` describes each stopped job once); against AWS
the elapsed time shown is the job's age on the wall clock.

Watching rides out a lost connection: the client retries each call a few times, and when
a poll still gets no answer (or a 5xx, or throttling) the watch keeps retrying with
backoff for ``retry_for`` seconds, saying so on standard error, before it gives up with
:class:`ConnectionLost` (the job itself keeps running on the service).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import attrs

from sagetune.cli import simulator_calls
from sagetune.cli.connection import RETRY_FOR
from sagetune.cli.stop_causes import StopTally
from sagetune.cli.tuning_facts import (
    TERMINAL_TUNING_STATUSES,
    JobCounts,
    early_stopping_on,
    format_duration,
    format_value,
    objective_of,
    wire_value,
)
from sagetune.errors import ServiceError, ThrottlingException, TransportError
from sagetune.model import shapes

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from sagetune.client import AsyncSageMakerClient

T = TypeVar("T")

MAX_BACKOFF = 15.0
"""The longest pause between two attempts to reconnect."""


@attrs.frozen(kw_only=True)
class ProgressSnapshot:
    """What one poll tells about a tuning job."""

    name: str
    status: str
    total: int
    completed: int
    stopped: int
    failed: int
    running: int
    stopped_early: int
    early_stopping: bool
    metric: str | None
    best: float | None
    job_seconds: float | None  # since the job was created, on the service's clock
    simulated: bool  # job_seconds is simulated time (a sagetune simulator)
    wall_seconds: float  # since we started watching

    @property
    def finished(self) -> int:
        return self.completed + self.stopped + self.failed

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_TUNING_STATUSES

    def counts(self) -> str:
        return JobCounts(
            completed=self.completed,
            stopped=self.stopped,
            failed=self.failed,
            running=self.running,
            stopped_early=self.stopped_early,
        ).text(early_stopping=self.early_stopping)

    def best_text(self) -> str:
        metric = self.metric or "objective"
        return f"best {metric} {format_value(self.best)}"

    def times(self) -> str:
        clock = "simulated" if self.simulated else "job time"
        return f"{clock} {format_duration(self.job_seconds)} · wall {format_duration(self.wall_seconds)}"

    def plain_line(self) -> str:
        """The non-terminal form: one line per change."""
        return (
            f"[{self.finished}/{self.total}] {self.status}: {self.counts()}; "
            f"{self.best_text()}; {self.times()}"
        )

    def key(self) -> tuple[object, ...]:
        """What must change for a new plain line to be worth printing."""
        return (
            self.status,
            self.completed,
            self.stopped,
            self.stopped_early,
            self.failed,
            self.running,
            self.best,
        )


def snapshot_of(
    description: shapes.DescribeHyperParameterTuningJobResponse,
    *,
    service_now: float | None,
    simulated: bool,
    wall_seconds: float,
    stopped_early: int = 0,
) -> ProgressSnapshot:
    """Summarize one description (``service_now``: the service's clock, epoch seconds;
    ``stopped_early``: how many of its stopped jobs were stopped early)."""
    counts = JobCounts.of(description)
    limit = description.hyper_parameter_tuning_job_config.resource_limits
    started = counts.completed + counts.stopped + counts.failed + counts.running
    total = max(limit.max_number_of_training_jobs or 0, started)
    objective = objective_of(description)
    best_summary = description.best_training_job
    best = None
    if best_summary is not None:
        metric = best_summary.final_hyper_parameter_tuning_job_objective_metric
        if metric is not None and isinstance(metric.value, int | float):
            best = float(metric.value)
    job_seconds = None
    if service_now is not None:
        end = description.hyper_parameter_tuning_end_time
        until = end.timestamp() if end is not None else service_now
        job_seconds = max(0.0, until - description.creation_time.timestamp())
    return ProgressSnapshot(
        name=description.hyper_parameter_tuning_job_name,
        status=wire_value(description.hyper_parameter_tuning_job_status),
        total=total,
        completed=counts.completed,
        stopped=counts.stopped,
        failed=counts.failed,
        running=counts.running,
        # the stopped jobs are listed after the description: one may have stopped between
        stopped_early=min(stopped_early, counts.stopped),
        early_stopping=early_stopping_on(description),
        metric=objective.metric if objective else None,
        best=best,
        job_seconds=job_seconds,
        simulated=simulated,
        wall_seconds=wall_seconds,
    )


def render(snapshot: ProgressSnapshot) -> RenderableType:
    """The terminal form: title, bar, counts, times."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    bar = Table.grid(padding=(0, 1))
    bar.add_row(
        ProgressBar(total=max(snapshot.total, 1), completed=snapshot.finished, width=40),
        Text(f"{snapshot.finished}/{snapshot.total} training jobs"),
    )
    title = Text.assemble(
        ("Tuning job ", "bold"), (snapshot.name, "bold cyan"), "  ", (snapshot.status, "yellow")
    )
    return Group(
        title,
        bar,
        Text(f"{snapshot.counts()} · {snapshot.best_text()}"),
        Text(snapshot.times(), style="dim"),
    )


class ConnectionLost(Exception):
    """The service did not answer for ``seconds`` (the job keeps running there)."""

    def __init__(self, seconds: float, cause: BaseException) -> None:
        super().__init__(f"no answer for {format_duration(seconds)}: {first_line(cause)}")
        self.seconds = seconds


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def transient(error: BaseException) -> bool:
    """A failure that waiting may cure: no answer, a 5xx, throttling."""
    if isinstance(error, TransportError | ThrottlingException):
        return True
    return isinstance(error, ServiceError) and (error.status_code or 0) >= 500


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@attrs.define
class Reconnecting:
    """Run calls, riding out a lost connection: retry with backoff (1, 2, 4 ... 15 s) for
    up to ``retry_for`` seconds of ``wall`` time, telling ``notice`` when the connection
    is lost and when it is back; then raise :class:`ConnectionLost`. With ``retry_for``
    0 the first error is raised as it is."""

    retry_for: float = RETRY_FOR
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    wall: Callable[[], float] = time.monotonic
    notice: Callable[[str], None] = _to_stderr

    async def call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        lost_at: float | None = None
        delay = 1.0
        while True:
            try:
                result = await attempt()
            except (TransportError, ServiceError) as exc:
                if not transient(exc) or self.retry_for <= 0:
                    raise
                now = self.wall()
                if lost_at is None:
                    lost_at = now
                    self.notice(
                        f"Lost the connection to the service ({first_line(exc)}); "
                        f"retrying for up to {format_duration(self.retry_for)}."
                    )
                waited = now - lost_at
                if waited >= self.retry_for:
                    raise ConnectionLost(waited, exc) from exc
                await self.sleep(min(delay, self.retry_for - waited))
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            if lost_at is not None:
                self.notice(f"Reconnected after {format_duration(self.wall() - lost_at)}.")
            return result


async def watch(
    client: AsyncSageMakerClient,
    name: str,
    *,
    console: Console,
    poll: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    wall: Callable[[], float] = time.monotonic,
    retry_for: float = RETRY_FOR,
    notice: Callable[[str], None] = _to_stderr,
) -> shapes.DescribeHyperParameterTuningJobResponse:
    """Show progress until the tuning job ends; returns its last description.

    ``poll``: seconds between polls (default 0.5 against a simulator, 10 against AWS);
    ``retry_for``: seconds to keep trying when the service stops answering, after which
    :class:`ConnectionLost` is raised; ``notice`` receives the lines about that.
    """
    from rich.live import Live

    request = shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
    started = wall()
    calls = Reconnecting(retry_for=retry_for, sleep=sleep, wall=wall, notice=notice)
    probe = await calls.call(lambda: simulator_calls.clock(client))
    simulated = probe is not None
    interval = poll if poll is not None else (0.5 if simulated else 10.0)
    tally = StopTally()

    async def read() -> tuple[shapes.DescribeHyperParameterTuningJobResponse, ProgressSnapshot]:
        description = await client.describe_hyper_parameter_tuning_job(request)
        service_now = time.time()
        if simulated:
            sim_clock = await simulator_calls.clock(client)
            service_now = sim_clock.now if sim_clock is not None else service_now
        early = 0
        if early_stopping_on(description):
            early = await tally.early_stops(client, description)
        snapshot = snapshot_of(
            description,
            service_now=service_now,
            simulated=simulated,
            wall_seconds=wall() - started,
            stopped_early=early,
        )
        return description, snapshot

    async def poll_once() -> tuple[
        shapes.DescribeHyperParameterTuningJobResponse, ProgressSnapshot
    ]:
        return await calls.call(read)

    description, snapshot = await poll_once()
    if not console.is_terminal:
        last_key = snapshot.key()
        console.print(snapshot.plain_line(), highlight=False, soft_wrap=True)
        while not snapshot.done:
            await sleep(interval)
            description, snapshot = await poll_once()
            if snapshot.key() != last_key:
                last_key = snapshot.key()
                console.print(snapshot.plain_line(), highlight=False, soft_wrap=True)
        return description
    with Live(render(snapshot), console=console, refresh_per_second=4, transient=False) as live:
        while not snapshot.done:
            await sleep(interval)
            description, snapshot = await poll_once()
            live.update(render(snapshot))
    return description
