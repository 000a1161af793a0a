"""What the simulator answers besides SageMaker: CloudWatch Logs, CloudWatch metrics, and
its own operations.

``Extensions`` holds the CloudWatch Logs operations (``logs``), the CloudWatch metric
operations (``metrics``) and answers the simulator's own operations
(``X-Amz-Target: SageTuneSimulator.<Op>``, AWS JSON 1.1 signed for ``sagemaker``). Their
members are checked like SageMaker's (ValidationException naming each member; unknown
members refused):

- ``GetTuningJobCompletionReason`` ``{"HyperParameterTuningJobName"}`` ->
  ``{"CompletionReason"}``: which criterion ended the job (MaxNumberOfTrainingJobs,
  MaxRuntimeInSeconds, TargetObjectiveMetricValue, BestObjectiveNotImproving,
  ConvergenceDetected; null while running, or when it was stopped or failed), which the
  service's TuningJobCompletionDetails cannot say;
- ``GetClock`` ``{}`` -> ``{"Now", "Kind", "NextEventTime"}`` and ``AdvanceClock``
  ``{"Seconds"}`` (manual clocks only; a finite number from 0 to ten years, and the clock
  must stay before the year 9000) -> ``{"Now"}``: drive the clock of a served simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sagetune.errors import ValidationException
from sagetune.simulator.clock import ManualClock
from sagetune.simulator.cloudwatch import CloudWatchMetrics
from sagetune.simulator.engine import Engine
from sagetune.simulator.logs import CloudWatchLogs
from sagetune.simulator.members import Double, Invalid, String, Structure, coral_message, read
from sagetune.simulator.store import Store

__all__ = ["MAX_ADVANCE_SECONDS", "SIMULATOR_TARGET_PREFIX", "Extensions"]

SIMULATOR_TARGET_PREFIX = "SageTuneSimulator"
MAX_ADVANCE_SECONDS = 10 * 365 * 86400
"""The most one AdvanceClock may move the clock: far beyond any tuning job's life."""
LATEST_TIME = datetime(9000, 1, 1, tzinfo=UTC).timestamp()
"""The clock stays before this, so every time the simulator answers is a valid date."""

_REQUESTS = {
    "GetTuningJobCompletionReason": Structure(
        {"HyperParameterTuningJobName": String(1, 32)},
        required=("HyperParameterTuningJobName",),
        closed=True,
    ),
    "GetClock": Structure({}, closed=True),
    "AdvanceClock": Structure(
        {"Seconds": Double(0, MAX_ADVANCE_SECONDS)}, required=("Seconds",), closed=True
    ),
}


class Extensions:
    """CloudWatch Logs, CloudWatch metrics and the simulator's own operations, over one
    engine and its store."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.logs = CloudWatchLogs(engine, store)
        self.metrics = CloudWatchMetrics(engine, store)
        self._handlers: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "GetTuningJobCompletionReason": self.get_tuning_job_completion_reason,
            "GetClock": self.get_clock,
            "AdvanceClock": self.advance_clock,
        }

    def call(self, operation: str, data: dict[str, Any]) -> dict[str, Any]:
        """Answer the simulator operation ``operation``; ValidationException when unknown
        or when its members are wrong."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise ValidationException(
                f"Unknown simulator operation {operation[:64]!r}; "
                f"known: {', '.join(self._handlers)}."
            )
        try:
            request = read(_REQUESTS[operation], data)
        except Invalid as invalid:
            raise ValidationException(coral_message(invalid.problems)) from None
        return handler(request)

    def get_tuning_job_completion_reason(self, request: dict[str, Any]) -> dict[str, Any]:
        rec = self.engine.tuning_job(request["HyperParameterTuningJobName"])
        if rec is None:
            raise ValidationException("Requested resource not found.")
        return {
            "HyperParameterTuningJobName": rec.name,
            "HyperParameterTuningJobStatus": rec.status,
            "CompletionReason": rec.completion_reason,
        }

    def get_clock(self, request: dict[str, Any]) -> dict[str, Any]:
        del request
        return {
            "Now": self.engine.now,
            "Kind": type(self.engine.clock).__name__,
            "NextEventTime": self.engine.next_event_time(),
        }

    def advance_clock(self, request: dict[str, Any]) -> dict[str, Any]:
        clock = self.engine.clock
        if not isinstance(clock, ManualClock):
            raise ValidationException(
                f"AdvanceClock needs a manual clock; this simulator runs a {type(clock).__name__}."
            )
        seconds: float = request["Seconds"]
        if clock.now() + seconds >= LATEST_TIME:
            raise ValidationException(
                f"AdvanceClock by {seconds:g} s would take the clock past the year 9000; "
                "the simulator's clock stays before it."
            )
        clock.advance(seconds)
        self.engine.advance()
        return {"Now": self.engine.now}
