"""The life of one training job: phases, the algorithm's log stream, metrics, stopping.

A training job goes through SageMaker's secondary statuses

    Starting -> Downloading -> Training -> Uploading -> Completed
                                  \\-> Stopping -> Stopped (StopTrainingJob, early stopping,
                                                 MaxRuntimeExceeded)
                                  \\-> Failed (the algorithm raised, or a metric regex
                                              overran its time budget)

with fixed simulated durations for the phases around training; during Training the
algorithm's generator decides: each ``(seconds, line)`` it yields is one event. A
``TrainingRun`` holds what cannot be persisted (the generator and the lines it yielded but
that are not due yet); after a restart it is rebuilt by replaying the lines already consumed,
which is exact because algorithms are deterministic functions of (hyperparameters, seed).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping

import attrs

from sagetune.model import SecondaryStatus, TrainingJobStatus
from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmError, AlgorithmSpec
from sagetune.simulator.algorithms.spec import LogStream
from sagetune.simulator.metrics import CompiledMetrics, MetricSearchTimeout
from sagetune.simulator.records import Phase, StatusTransition, StopReason, TrainingJobRecord

STARTING_SECONDS = 60.0
"""Launching and preparing the ML instances."""
DOWNLOADING_SECONDS = 20.0
"""Downloading input data and the training image."""
UPLOADING_SECONDS = 10.0
"""Uploading the model artifacts."""
STOPPING_SECONDS = 5.0
"""From a stop request to Stopped: algorithms cannot use SageMaker's 120 s SIGTERM grace."""

JOB_SEARCH_BUDGET = 10.0
"""Seconds one training job may spend in all searching its log lines for metrics (each
search also has its own limit, ``metrics.SEARCH_TIMEOUT``): a normal job spends
milliseconds; over this, the job fails with a ClientError FailureReason."""

MESSAGES = {
    SecondaryStatus.STARTING: "Launching requested ML instances",
    SecondaryStatus.DOWNLOADING: "Downloading input data",
    SecondaryStatus.TRAINING: "Training image download completed. Training in progress.",
    SecondaryStatus.UPLOADING: "Uploading generated training model",
    SecondaryStatus.COMPLETED: "Training job completed",
    SecondaryStatus.STOPPING: "Stopping the training job",
    SecondaryStatus.STOPPED: "Training job stopped",
    SecondaryStatus.MAX_RUNTIME_EXCEEDED: (
        "Training job runtime exceeded MaxRuntimeInSeconds provided"
    ),
}

_TRAINING = Phase.TRAINING
"""Bound once: ``on_event`` compares it per log line, and an Enum attribute lookup costs
about 75 ns on Python 3.11 (a module global about 15)."""

LineSink = Callable[[TrainingJobRecord, int, float, str, Mapping[str, float]], None]
"""(record, line number, time, line, metrics in the line) -> None."""


def set_secondary(
    rec: TrainingJobRecord, status: SecondaryStatus, t: float, message: str | None = None
) -> None:
    """Close the current secondary status at ``t`` and open ``status``."""
    if rec.transitions and rec.transitions[-1].end is None:
        rec.transitions[-1].end = t
    rec.transitions.append(
        StatusTransition(status=status, start=t, message=message or MESSAGES.get(status, status))
    )
    rec.secondary_status = status
    rec.last_modified = t


def _finish(
    rec: TrainingJobRecord,
    status: TrainingJobStatus,
    secondary: SecondaryStatus,
    t: float,
    message: str,
) -> None:
    set_secondary(rec, secondary, t, message)
    rec.transitions[-1].end = t
    rec.status = status
    rec.phase = Phase.DONE
    rec.next_event = None
    if rec.training_start is not None:
        rec.training_end = t
        rec.billable_seconds = max(0, round(t - rec.training_start))


@attrs.frozen(kw_only=True)
class NextLine:
    """One log line pulled from an algorithm, searched for metrics; or how its stream ended."""

    seconds: float = 0.0
    """How long after the previous line this one is written."""
    line: str | None = None
    """None: the stream ended here (the algorithm finished, or failed: ``failure``)."""
    found: Mapping[str, float] | str = attrs.field(factory=dict)
    """The line's metrics, or the FailureReason of a metric search over its budget."""
    failure: str | None = None
    """The algorithm raised: the job fails with this FailureReason."""

    @property
    def last(self) -> bool:
        return self.line is None


@attrs.frozen(kw_only=True)
class FetchedLines:
    """What ``TrainingRun.fetch_lines`` gave: the lines, and the stream to go on from."""

    stream: LogStream | None
    lines: tuple[NextLine, ...]


class TrainingRun:
    """The running part of a training job: its algorithm, metrics and deadline.

    Pulling log lines out of the algorithm and searching them for metrics is the long part
    of a training job (user code and user regexes), so it is separate from the events:
    ``fetch_lines`` (work, done without the simulator's lock) and ``add_lines`` (applies its
    result). Lines may be read ahead of their events (``ahead``): algorithms are
    deterministic, so when they are read changes nothing. A job whose next line has not
    been read yet (``awaiting``) has no next event.
    """

    def __init__(
        self,
        rec: TrainingJobRecord,
        algorithm: AlgorithmSpec,
        metrics: CompiledMetrics,
        hyperparameters: Mapping[str, str],
        max_runtime: float | None,
    ) -> None:
        self.rec = rec
        self.algorithm = algorithm
        self.metrics = metrics
        self.hyperparameters = dict(hyperparameters)
        self.max_runtime = max_runtime
        self.stream: LogStream | None = None
        self.pending: tuple[str, Mapping[str, float] | str] | None = None
        """The next line and its metrics (or a metric failure), due at rec.next_event."""
        self.ahead: deque[NextLine] = deque()  # read after ``pending``, not yet scheduled
        self.stream_read = False  # the stream's end is in ``ahead`` (or was taken from it)
        self.awaiting = False  # no next event until a line is read (asked for at asked_at)
        self.asked_at = 0.0
        self.keep_due = False  # after a restart: the awaited line's due time is persisted
        self.replay = 0  # lines to skip at the next read (consumed before a restart)
        self.epoch = 0  # bumped when the stream is dropped: reads started before are stale
        self.version = 0  # bumped on every reschedule; stale heap entries are skipped
        self.search_seconds = 0.0  # spent searching lines for metrics (since the last start)

    # -- starting and resuming

    def start(self, t: float) -> None:
        rec = self.rec
        rec.created = rec.last_modified = t
        rec.phase = Phase.STARTING
        set_secondary(rec, SecondaryStatus.STARTING, t)
        rec.next_event = t + STARTING_SECONDS

    def resume(self) -> None:
        """After a restart: a job in Training reads its stream again, replaying the lines
        it had consumed; its next event waits for that (``awaiting``)."""
        rec = self.rec
        if rec.phase is not _TRAINING:
            return
        self.replay = rec.lines_consumed
        self.keep_due = rec.next_event is not None
        self._await(rec.last_modified)

    # -- reading the log stream

    def lines_wanted(self, read_ahead: int) -> int:
        """How many lines to read now: one if awaited, plus up to ``read_ahead`` ahead."""
        if self.rec.phase is not _TRAINING or self.stream_read:
            return 0
        return (1 if self.awaiting else 0) + max(0, read_ahead - len(self.ahead))

    def fetch_lines(self, count: int, skip: int = 0) -> FetchedLines:
        """Open the algorithm's stream if needed, skip ``skip`` lines (a replay after a
        restart), read up to ``count`` lines and search them for metrics.

        The long part of a training job, meant to run without the simulator's lock: it
        changes nothing but the stream (which nothing else reads meanwhile) and
        ``search_seconds``; ``add_lines`` applies the result.
        """
        stream = self.stream
        try:
            if stream is None:
                stream = iter(self.algorithm.fn(self.hyperparameters, context_for(self.rec)))
            for _ in range(skip):
                next(stream)
        except Exception as exc:  # StopIteration too: fewer lines than were consumed
            return FetchedLines(stream=None, lines=(NextLine(failure=_failure(exc)),))
        lines = []
        for _ in range(count):
            item = self._read(stream)
            lines.append(item)
            if item.last:
                return FetchedLines(stream=None, lines=tuple(lines))
        return FetchedLines(stream=stream, lines=tuple(lines))

    def _read(self, stream: LogStream) -> NextLine:
        try:
            seconds, line = next(stream)
            seconds = float(seconds)
            if not isinstance(line, str) or not math.isfinite(seconds):
                raise TypeError(
                    "an algorithm yields (seconds, line) with finite seconds and a str "
                    f"line, got ({seconds!r}, {type(line).__name__})"
                )
        except StopIteration:
            return NextLine()
        except Exception as exc:
            return NextLine(failure=_failure(exc))
        return NextLine(seconds=max(0.0, seconds), line=line, found=self._search(line))

    def _search(self, line: str) -> Mapping[str, float] | str:
        """The metrics of ``line``, or the FailureReason when searching took too long."""
        started = time.perf_counter()
        try:
            found = self.metrics.extract(line)
        except MetricSearchTimeout as exc:
            return f"ClientError: {exc}"
        finally:
            self.search_seconds += time.perf_counter() - started
        if self.search_seconds > JOB_SEARCH_BUDGET:
            return (
                f"ClientError: searching this job's log lines with its MetricDefinitions "
                f"took more than {JOB_SEARCH_BUDGET:g} s in all"
            )
        return found

    def add_lines(self, fetched: FetchedLines) -> bool:
        """Apply ``fetch_lines``'s result; if the job was awaiting a line, it goes on as of
        when it asked. True when that made the job fail."""
        self.stream = fetched.stream
        self.replay = 0
        self.ahead.extend(fetched.lines)
        if fetched.stream is None:
            self.stream_read = True
        if self.awaiting and self.ahead:
            return self._next_line(self.asked_at)
        return False

    def _await(self, t: float) -> None:
        self.awaiting = True
        self.asked_at = t
        if not self.keep_due:
            self.rec.next_event = None

    def _next_line(self, t: float) -> bool:
        """Make the first line read ahead the pending one, due after its delay from ``t``
        (or end training, or fail, where the stream ended); True when the job failed."""
        rec = self.rec
        item = self.ahead.popleft()
        self.awaiting = False
        keep_due, self.keep_due = self.keep_due, False
        if item.failure is not None:
            self.fail(t, item.failure)
            return True
        if item.line is None:
            self._end_training(t)
            return False
        self.pending = (item.line, item.found)
        if keep_due:
            return False
        due = t + item.seconds
        deadline = self._deadline()
        if deadline is not None and due > deadline:
            due, rec.deadline_hit = deadline, True
        rec.next_event = due
        return False

    # -- events

    def on_event(self, t: float, sink: LineSink) -> bool:
        """Process the event due at ``t``; True when the job reached a terminal status.

        During Training an event is one log line: it is handed to ``sink`` with the
        metrics found in it, and the line read after it becomes the pending one (if none
        is read yet, the job is ``awaiting``).
        """
        rec = self.rec
        self.version += 1
        phase = rec.phase
        if phase is _TRAINING:
            if rec.deadline_hit:
                self.begin_stop(t, StopReason.MAX_RUNTIME)
                return False
            pending, self.pending = self.pending, None
            if pending is None:  # the stream ended right at a restart
                self._end_training(t)
                return False
            line, found = pending
            number = rec.lines_consumed
            rec.lines_consumed += 1
            rec.last_modified = t
            if isinstance(found, str):  # a metric search over its budget
                sink(rec, number, t, line, {})
                self.fail(t, found)
                return True
            for name, value in found.items():
                rec.final_metrics[name] = (value, t)
            sink(rec, number, t, line, found)
            if rec.phase is not _TRAINING:  # the sink stopped it (early stopping)
                return False
            if self.ahead:
                return self._next_line(t)
            self._await(t)
            return False
        if phase is Phase.STARTING:
            rec.training_start = t
            rec.phase = Phase.DOWNLOADING
            set_secondary(rec, SecondaryStatus.DOWNLOADING, t)
            rec.next_event = t + DOWNLOADING_SECONDS
            return False
        if phase is Phase.DOWNLOADING:
            rec.phase = Phase.TRAINING
            set_secondary(rec, SecondaryStatus.TRAINING, t)
            self._await(t)  # the first line (the stream opens with it)
            return False
        if phase is Phase.UPLOADING:
            completed = SecondaryStatus.COMPLETED
            _finish(rec, TrainingJobStatus.COMPLETED, completed, t, MESSAGES[completed])
            return True
        if phase is Phase.STOPPING:
            reason = rec.stop_reason or StopReason.USER
            secondary = (
                SecondaryStatus.MAX_RUNTIME_EXCEEDED
                if reason is StopReason.MAX_RUNTIME
                else SecondaryStatus.STOPPED
            )
            _finish(rec, TrainingJobStatus.STOPPED, secondary, t, STOP_MESSAGES[reason])
            self._drop_stream()
            return True
        raise RuntimeError(f"training job {rec.name} has no event in phase {rec.phase}")

    def _deadline(self) -> float | None:
        start = self.rec.training_start
        if self.max_runtime is None or start is None:
            return None
        return start + self.max_runtime

    def _drop_stream(self) -> None:
        """Forget the stream and what was read ahead (reads under way become stale)."""
        self.epoch += 1
        self.stream = None
        self.pending = None
        self.ahead.clear()
        self.awaiting = False
        self.keep_due = False

    def _end_training(self, t: float) -> None:
        rec = self.rec
        self._drop_stream()
        rec.phase = Phase.UPLOADING
        set_secondary(rec, SecondaryStatus.UPLOADING, t)
        rec.next_event = t + UPLOADING_SECONDS

    # -- ending

    def finish_training(self, t: float) -> None:
        """End training now, as if the algorithm had finished (Hyperband's MaxResource)."""
        self.version += 1
        self._end_training(t)

    def begin_stop(self, t: float, reason: StopReason) -> bool:
        """Start stopping (StopTrainingJob, early stopping, runtime limit, tuning job)."""
        rec = self.rec
        if rec.phase is Phase.DONE or rec.phase is Phase.STOPPING:
            return False
        self.version += 1
        rec.status = TrainingJobStatus.STOPPING
        rec.stop_reason = reason
        rec.phase = Phase.STOPPING
        status = (
            SecondaryStatus.MAX_RUNTIME_EXCEEDED
            if reason is StopReason.MAX_RUNTIME
            else SecondaryStatus.STOPPING
        )
        message = STOP_MESSAGES[reason] if reason is not StopReason.USER else None
        set_secondary(rec, status, t, message)
        rec.next_event = t + STOPPING_SECONDS
        self._drop_stream()
        return True

    def fail(self, t: float, reason: str) -> None:
        self.version += 1
        rec = self.rec
        rec.failure_reason = reason
        failed = f"Training job failed. Reason: {reason}"
        _finish(rec, TrainingJobStatus.FAILED, SecondaryStatus.FAILED, t, failed)
        self._drop_stream()


def _failure(exc: BaseException) -> str:
    if isinstance(exc, AlgorithmError):
        return exc.failure_reason
    return f"AlgorithmError: {type(exc).__name__}: {exc}"


STOP_MESSAGES = {
    StopReason.USER: MESSAGES[SecondaryStatus.STOPPED],
    StopReason.EARLY_STOPPING: "Training job stopped early by hyperparameter tuning (median rule)",
    StopReason.HYPERBAND: "Training job stopped early by the Hyperband strategy",
    StopReason.MAX_RUNTIME: MESSAGES[SecondaryStatus.MAX_RUNTIME_EXCEEDED],
    StopReason.TUNING_JOB: "Training job stopped because its hyperparameter tuning job ended",
}


def context_for(rec: TrainingJobRecord) -> AlgorithmContext:
    """What the job tells its algorithm, read when the algorithm starts (after Downloading):
    its instance, its input channels, and the simulated time its container starts at (the
    same after a restart, so a replayed stream prints the same lines)."""
    request = rec.request
    resources = request.resource_config
    instance_type = resources.instance_type if resources is not None else None
    instance_count = resources.instance_count if resources is not None else None
    channels = tuple(c.channel_name for c in request.input_data_config or ()) or None
    start = rec.training_start
    return AlgorithmContext(
        seed=rec.seed,
        job_name=rec.name,
        instance_type=str(instance_type if instance_type is not None else "ml.m5.xlarge"),
        instance_count=int(instance_count if instance_count is not None else 1),
        tuning_job_name=rec.tuning_job,
        channels=channels,
        start_time=start + DOWNLOADING_SECONDS if start is not None else None,
    )
