"""What the simulator knows about each job: plain mutable records, persisted by ``store``.

The engine mutates records of live jobs and marks them dirty; the store writes every dirty
record, the buffered log lines and metric points, and the simulated time in one
transaction. Responses are built from records by ``service``.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.define(kw_only=True)
class StatusTransition:
    """One entry of SecondaryStatusTransitions."""

    status: str
    start: float
    end: float | None = None
    message: str = ""

    def to_json(self) -> list[Any]:
        return [self.status, self.start, self.end, self.message]

    @classmethod
    def from_json(cls, data: list[Any]) -> StatusTransition:
        return cls(status=data[0], start=data[1], end=data[2], message=data[3])


@attrs.define(kw_only=True)
class TrainingJobRecord:
    """A training job: its request, where it is in its life, and what it reported."""

    name: str
    seq: int  # creation order across the simulator: deterministic tie-breaks
    arn: str
    spec: dict[str, Any]  # wire form of the CreateTrainingJob request it runs
    tuning_job: str | None = None
    launch_index: int | None = None  # within its tuning job, 0-based
    definition_name: str | None = None
    tuned: dict[str, str] = attrs.Factory(dict)  # the tuned hyperparameters only
    seed: int = 0
    status: str = "InProgress"
    secondary_status: str = "Starting"
    transitions: list[StatusTransition] = attrs.Factory(list)
    created: float = 0.0
    last_modified: float = 0.0
    training_start: float | None = None
    training_end: float | None = None
    phase: str = "Starting"  # Starting, Downloading, Training, Uploading, Stopping, Done
    next_event: float | None = None
    deadline_hit: bool = False  # the next event is the MaxRuntimeInSeconds deadline
    lines_consumed: int = 0
    objective_status: str | None = None  # Pending, Succeeded, Failed (tuning jobs only)
    final_objective: float | None = None  # last objective value, in the user's direction
    epochs: int = 0  # objective values reported so far
    final_metrics: dict[str, tuple[float, float]] = attrs.Factory(dict)  # name -> (value, t)
    failure_reason: str | None = None
    stop_reason: str | None = None  # user, early-stopping, hyperband, max-runtime, tuning-job
    billable_seconds: int | None = None

    @property
    def terminal(self) -> bool:
        return self.status in ("Completed", "Failed", "Stopped")

    @property
    def stopped_early(self) -> bool:
        """Cut short by the tuning job (median rule or Hyperband), not by the user."""
        return self.stop_reason in ("early-stopping", "hyperband")


@attrs.define(kw_only=True)
class TuningJobRecord:
    """A tuning job: its request, status, and how it ended."""

    name: str
    seq: int
    arn: str
    request: dict[str, Any]  # wire form of the CreateHyperParameterTuningJob request
    status: str = "InProgress"
    created: float = 0.0
    last_modified: float = 0.0
    ended: float | None = None
    failure_reason: str | None = None
    launched: int = 0
    completion_reason: str | None = None  # which criterion ended it (see engine)
    converged_at: float | None = None
    not_improving: int | None = None  # training jobs without improvement at the end
    stop_requested: float | None = None

    @property
    def terminal(self) -> bool:
        return self.status in ("Completed", "Failed", "Stopped")
