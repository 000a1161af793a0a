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
from typing import Any

from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmError, AlgorithmSpec
from sagetune.simulator.algorithms.spec import LogStream
from sagetune.simulator.metrics import CompiledMetrics
from sagetune.simulator.records import StatusTransition, TrainingJobRecord

STARTING_SECONDS = 60.0
"""Launching and preparing the ML instances."""
DOWNLOADING_SECONDS = 20.0
"""Downloading input data and the training image."""
UPLOADING_SECONDS = 10.0
"""Uploading the model artifacts."""
STOPPING_SECONDS = 5.0
"""From a stop request to Stopped: algorithms cannot use SageMaker's 120 s SIGTERM grace."""

MESSAGES = {
    "Starting": "Launching requested ML instances",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "Training job runtime exceeded MaxRuntimeInSeconds provided",
}

LineSink = Callable[[TrainingJobRecord, int, float, str, Mapping[str, float]], None]
"""(record, line number, time, line, metrics in the line) -> None."""


def set_secondary(
    rec: TrainingJobRecord, status: str, t: float, message: str | None = None
) -> None:
    """Close the current secondary status at ``t`` and open ``status``."""
    if rec.transitions and rec.transitions[-1].end is None:
        rec.transitions[-1].end = t
    rec.transitions.append(
        StatusTransition(status=status, start=t, message=message or MESSAGES.get(status, status))
    )
    rec.secondary_status = status
    rec.last_modified = t


def _finish(rec: TrainingJobRecord, status: str, secondary: str, t: float, message: str) -> None:
    set_secondary(rec, secondary, t, message)
    rec.transitions[-1].end = t
    rec.status = status
    rec.phase = "Done"
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
        rec.phase = "Starting"
        set_secondary(rec, "Starting", t)
        rec.next_event = t + STARTING_SECONDS

    def resume(self) -> str | None:
        """Rebuild the generator after a restart; returns a failure reason if it fails."""
        rec = self.rec
        if rec.phase != "Training":
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

    def on_event(self, t: float, sink: LineSink) -> str | None:
        """Process the event due at ``t``. Returns what happened when the phase ends:
        ``"completed"``, ``"stopped"``, ``"max-runtime"``, ``"failed: <reason>"``, or None."""
        rec = self.rec
        self.version += 1
        if rec.phase == "Starting":
            rec.training_start = t
            rec.phase = "Downloading"
            set_secondary(rec, "Downloading", t)
            rec.next_event = t + DOWNLOADING_SECONDS
            return None
        if rec.phase == "Downloading":
            rec.phase = "Training"
            set_secondary(rec, "Training", t)
            stream = self._open()
            if isinstance(stream, str):
                return self.fail(t, stream)
            self.stream = stream
            return self._fetch(t)
        if rec.phase == "Training":
            if rec.deadline_hit:
                self.begin_stop(t, "max-runtime")
                return None
            if self.pending is not None:
                line, self.pending = self.pending, None
                number = rec.lines_consumed
                rec.lines_consumed += 1
                rec.last_modified = t
                found = self.metrics.extract(line)
                for name, value in found.items():
                    rec.final_metrics[name] = (value, t)
                sink(rec, number, t, line, found)
                if rec.phase != "Training":  # the sink stopped it (early stopping)
                    return None
            return self._fetch(t)
        if rec.phase == "Uploading":
            _finish(rec, "Completed", "Completed", t, MESSAGES["Completed"])
            return "completed"
        if rec.phase == "Stopping":
            reason = rec.stop_reason or "user"
            secondary = "MaxRuntimeExceeded" if reason == "max-runtime" else "Stopped"
            message = _stop_message(reason)
            _finish(rec, "Stopped", secondary, t, message)
            self.stream = None
            return "stopped"
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

    def _fetch(self, t: float) -> str | None:
        """Pull the next line and schedule it (or the end of training)."""
        assert self.stream is not None
        rec = self.rec
        try:
            seconds, line = next(self.stream)
        except StopIteration:
            self.stream = None
            rec.phase = "Uploading"
            set_secondary(rec, "Uploading", t)
            rec.next_event = t + UPLOADING_SECONDS
            return None
        except Exception as exc:
            return self.fail(t, _failure(exc))
        due = t + max(0.0, float(seconds))
        deadline = self._deadline()
        if deadline is not None and due > deadline:
            due, rec.deadline_hit = deadline, True
        self.pending = line
        rec.next_event = due
        return None

    # -- ending

    def finish_training(self, t: float) -> None:
        """End training now, as if the algorithm had finished (Hyperband's MaxResource)."""
        rec = self.rec
        self.version += 1
        self.stream = None
        self.pending = None
        rec.phase = "Uploading"
        set_secondary(rec, "Uploading", t)
        rec.next_event = t + UPLOADING_SECONDS

    def begin_stop(self, t: float, reason: str) -> bool:
        """Start stopping (StopTrainingJob, early stopping, runtime limit, tuning job)."""
        rec = self.rec
        if rec.phase in ("Done", "Stopping"):
            return False
        self.version += 1
        rec.status = "Stopping"
        rec.stop_reason = reason
        rec.phase = "Stopping"
        status = "MaxRuntimeExceeded" if reason == "max-runtime" else "Stopping"
        set_secondary(rec, status, t, _stop_message(reason) if reason != "user" else None)
        rec.next_event = t + STOPPING_SECONDS
        self.pending = None
        return True

    def fail(self, t: float, reason: str) -> str:
        rec = self.rec
        rec.failure_reason = reason
        _finish(rec, "Failed", "Failed", t, f"Training job failed. Reason: {reason}")
        self.stream = None
        self.pending = None
        return f"failed: {reason}"


def _failure(exc: BaseException) -> str:
    if isinstance(exc, AlgorithmError):
        return exc.failure_reason
    return f"AlgorithmError: {type(exc).__name__}: {exc}"


def _stop_message(reason: str) -> str:
    return {
        "user": MESSAGES["Stopped"],
        "early-stopping": "Training job stopped early by hyperparameter tuning (median rule)",
        "hyperband": "Training job stopped early by the Hyperband strategy",
        "max-runtime": MESSAGES["MaxRuntimeExceeded"],
        "tuning-job": "Training job stopped because its hyperparameter tuning job ended",
    }.get(reason, MESSAGES["Stopped"])


def context_for(rec: TrainingJobRecord, spec: Mapping[str, Any]) -> AlgorithmContext:
    resources = spec.get("ResourceConfig") or {}
    return AlgorithmContext(
        seed=rec.seed,
        job_name=rec.name,
        instance_type=str(resources.get("InstanceType", "ml.m5.xlarge")),
        instance_count=int(resources.get("InstanceCount", 1)),
        tuning_job_name=rec.tuning_job,
    )
