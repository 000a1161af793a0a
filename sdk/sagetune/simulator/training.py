"""The life of one training job: phases, the algorithm's log stream, metrics, stopping.

A training job goes through SageMaker's secondary statuses

    Starting -> Downloading -> Training -> Uploading -> Completed
                                  \\-> Stopping -> Stopped (StopTrainingJob, early stopping,
                                                 MaxRuntimeExceeded)
                                  \\-> Failed (the algorithm raised)

with fixed simulated durations for the phases around training; during Training the
algorithm's generator decides: each ``(seconds, line)`` it yields is one event. A
``TrainingRun`` holds what cannot be persisted (the generator and the line it yielded but
that is not due yet); after a restart it is rebuilt by replaying the lines already consumed,
which is exact because algorithms are deterministic functions of (hyperparameters, seed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sagetune.model import SecondaryStatus, TrainingJobStatus
from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmError, AlgorithmSpec
from sagetune.simulator.algorithms.spec import LogStream
from sagetune.simulator.metrics import CompiledMetrics
from sagetune.simulator.records import Phase, StatusTransition, StopReason, TrainingJobRecord

STARTING_SECONDS = 60.0
"""Launching and preparing the ML instances."""
DOWNLOADING_SECONDS = 20.0
"""Downloading input data and the training image."""
UPLOADING_SECONDS = 10.0
"""Uploading the model artifacts."""
STOPPING_SECONDS = 5.0
"""From a stop request to Stopped: algorithms cannot use SageMaker's 120 s SIGTERM grace."""

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


class TrainingRun:
    """The running part of a training job: its algorithm, metrics and deadline."""

    def __init__(
        self,
        rec: TrainingJobRecord,
        algorithm: AlgorithmSpec,
        metrics: CompiledMetrics,
        hyperparameters: Mapping[str, str],
        max_runtime: float | None,
        context: AlgorithmContext,
    ) -> None:
        self.rec = rec
        self.algorithm = algorithm
        self.metrics = metrics
        self.hyperparameters = dict(hyperparameters)
        self.max_runtime = max_runtime
        self.context = context
        self.stream: LogStream | None = None
        self.pending: str | None = None  # the next line, due at rec.next_event
        self.version = 0  # bumped on every reschedule; stale heap entries are skipped

    # -- starting and resuming

    def start(self, t: float) -> None:
        rec = self.rec
        rec.created = rec.last_modified = t
        rec.phase = Phase.STARTING
        set_secondary(rec, SecondaryStatus.STARTING, t)
        rec.next_event = t + STARTING_SECONDS

    def resume(self) -> str | None:
        """Rebuild the generator after a restart; returns a failure reason if it fails."""
        rec = self.rec
        if rec.phase is not Phase.TRAINING:
            return None
        stream = self._open()
        if isinstance(stream, str):
            return stream
        self.stream = stream
        try:
            for _ in range(rec.lines_consumed):
                next(stream)
            seconds, line = next(stream)
        except StopIteration:
            self.pending = None
            return None
        except Exception as exc:
            return _failure(exc)
        del seconds  # its due time was persisted as rec.next_event
        self.pending = line
        return None

    # -- events

    def on_event(self, t: float, sink: LineSink) -> bool:
        """Process the event due at ``t``; True when the job reached a terminal status.

        During Training an event is one log line: its metrics are extracted
        (``metrics.extract``, a pure function of the line) and handed to ``sink`` with it.
        """
        rec = self.rec
        self.version += 1
        phase = rec.phase
        if phase is _TRAINING:
            if rec.deadline_hit:
                self.begin_stop(t, StopReason.MAX_RUNTIME)
                return False
            if self.pending is not None:
                line, self.pending = self.pending, None
                number = rec.lines_consumed
                rec.lines_consumed += 1
                rec.last_modified = t
                found = self.metrics.extract(line)
                for name, value in found.items():
                    rec.final_metrics[name] = (value, t)
                sink(rec, number, t, line, found)
                if rec.phase is not _TRAINING:  # the sink stopped it (early stopping)
                    return False
            return self._fetch(t)
        if phase is Phase.STARTING:
            rec.training_start = t
            rec.phase = Phase.DOWNLOADING
            set_secondary(rec, SecondaryStatus.DOWNLOADING, t)
            rec.next_event = t + DOWNLOADING_SECONDS
            return False
        if phase is Phase.DOWNLOADING:
            rec.phase = Phase.TRAINING
            set_secondary(rec, SecondaryStatus.TRAINING, t)
            stream = self._open()
            if isinstance(stream, str):
                self.fail(t, stream)
                return True
            self.stream = stream
            return self._fetch(t)
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
            _finish(rec, TrainingJobStatus.STOPPED, secondary, t, _stop_message(reason))
            self.stream = None
            return True
        raise RuntimeError(f"training job {rec.name} has no event in phase {rec.phase}")

    def _open(self) -> LogStream | str:
        try:
            return iter(self.algorithm.fn(self.hyperparameters, self.context))
        except Exception as exc:
            return _failure(exc)

    def _deadline(self) -> float | None:
        start = self.rec.training_start
        if self.max_runtime is None or start is None:
            return None
        return start + self.max_runtime

    def _fetch(self, t: float) -> bool:
        """Pull the next line and schedule it (or the end of training); True: it failed."""
        assert self.stream is not None
        rec = self.rec
        try:
            seconds, line = next(self.stream)
        except StopIteration:
            self.stream = None
            rec.phase = Phase.UPLOADING
            set_secondary(rec, SecondaryStatus.UPLOADING, t)
            rec.next_event = t + UPLOADING_SECONDS
            return False
        except Exception as exc:
            self.fail(t, _failure(exc))
            return True
        due = t + max(0.0, float(seconds))
        deadline = self._deadline()
        if deadline is not None and due > deadline:
            due, rec.deadline_hit = deadline, True
        self.pending = line
        rec.next_event = due
        return False

    # -- ending

    def finish_training(self, t: float) -> None:
        """End training now, as if the algorithm had finished (Hyperband's MaxResource)."""
        rec = self.rec
        self.version += 1
        self.stream = None
        self.pending = None
        rec.phase = Phase.UPLOADING
        set_secondary(rec, SecondaryStatus.UPLOADING, t)
        rec.next_event = t + UPLOADING_SECONDS

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
        message = _stop_message(reason) if reason is not StopReason.USER else None
        set_secondary(rec, status, t, message)
        rec.next_event = t + STOPPING_SECONDS
        self.pending = None
        return True

    def fail(self, t: float, reason: str) -> None:
        rec = self.rec
        rec.failure_reason = reason
        failed = f"Training job failed. Reason: {reason}"
        _finish(rec, TrainingJobStatus.FAILED, SecondaryStatus.FAILED, t, failed)
        self.stream = None
        self.pending = None


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


def _stop_message(reason: StopReason) -> str:
    return STOP_MESSAGES[reason]


def context_for(rec: TrainingJobRecord) -> AlgorithmContext:
    resources = rec.request.resource_config
    instance_type = resources.instance_type if resources is not None else None
    instance_count = resources.instance_count if resources is not None else None
    return AlgorithmContext(
        seed=rec.seed,
        job_name=rec.name,
        instance_type=str(instance_type if instance_type is not None else "ml.m5.xlarge"),
        instance_count=int(instance_count if instance_count is not None else 1),
        tuning_job_name=rec.tuning_job,
    )
