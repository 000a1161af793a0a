"""What the simulator knows about each job: plain mutable records, persisted by ``store``.

A record holds the job's typed request (as stored: see ``requests.stored_request``), its tags
(AddTags and DeleteTags change them; the request keeps what Create was given), where the job
is in its life, and what it reported. Statuses are the service's own enums, and each
kind of job has one set of terminal statuses. The engine mutates records of live jobs and
marks them dirty; the store writes every dirty record, the buffered log lines and metric
points, and the simulated time in one transaction. Responses are built from records by
``service``.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterTuningJobStatus,
    ObjectiveStatus,
    SecondaryStatus,
    TrainingJobStatus,
)

TRAINING_TERMINAL = frozenset(
    {TrainingJobStatus.COMPLETED, TrainingJobStatus.FAILED, TrainingJobStatus.STOPPED}
)
"""A training job in one of these statuses never changes again."""

TUNING_TERMINAL = frozenset(
    {
        HyperParameterTuningJobStatus.COMPLETED,
        HyperParameterTuningJobStatus.FAILED,
        HyperParameterTuningJobStatus.STOPPED,
    }
)
"""A tuning job in one of these statuses never changes again (it may be deleted)."""


class Phase(StrEnum):
    """Where a training job's next event takes it (the simulator's own, not the service's)."""

    STARTING = "Starting"
    DOWNLOADING = "Downloading"
    TRAINING = "Training"
    UPLOADING = "Uploading"
    STOPPING = "Stopping"
    DONE = "Done"


class StopReason(StrEnum):
    """Why a training job is stopping."""

    USER = "user"  # StopTrainingJob
    EARLY_STOPPING = "early-stopping"  # the median rule of TrainingJobEarlyStoppingType Auto
    HYPERBAND = "hyperband"  # a Hyperband rung
    MAX_RUNTIME = "max-runtime"  # StoppingCondition.MaxRuntimeInSeconds
    TUNING_JOB = "tuning-job"  # its tuning job ended or was stopped


EARLY_STOP_REASONS = frozenset({StopReason.EARLY_STOPPING, StopReason.HYPERBAND})
"""Cut short by the tuning job's own decision, not by the user or a limit."""


class CompletionReason(StrEnum):
    """Which criterion ended a tuning job that Completed (``GetTuningJobCompletionReason``)."""

    MAX_NUMBER_OF_TRAINING_JOBS = "MaxNumberOfTrainingJobs"
    MAX_RUNTIME_IN_SECONDS = "MaxRuntimeInSeconds"
    TARGET_OBJECTIVE_METRIC_VALUE = "TargetObjectiveMetricValue"
    BEST_OBJECTIVE_NOT_IMPROVING = "BestObjectiveNotImproving"
    CONVERGENCE_DETECTED = "ConvergenceDetected"


@attrs.define(kw_only=True)
class StatusTransition:
    """One entry of SecondaryStatusTransitions."""

    status: SecondaryStatus
    start: float
    end: float | None = None
    message: str = ""


@attrs.define(kw_only=True)
class TrainingJobRecord:
    """A training job: its request, where it is in its life, and what it reported."""

    name: str
    seq: int  # creation order across the simulator: deterministic tie-breaks
    arn: str
    request: CreateTrainingJobRequest  # what it runs (for a tuning job's: built by requests)
    tags: dict[str, str] = attrs.Factory(dict)  # key -> value, in the order they were added
    tuning_job: str | None = None
    launch_index: int | None = None  # within its tuning job, 0-based
    definition_name: str | None = None
    tuned: dict[str, str] = attrs.Factory(dict)  # the tuned hyperparameters only
    seed: int = 0
    status: TrainingJobStatus = TrainingJobStatus.IN_PROGRESS
    secondary_status: SecondaryStatus = SecondaryStatus.STARTING
    transitions: list[StatusTransition] = attrs.Factory(list)
    created: float = 0.0
    last_modified: float = 0.0
    training_start: float | None = None
    training_end: float | None = None
    phase: Phase = Phase.STARTING
    next_event: float | None = None
    deadline_hit: bool = False  # the next event is the MaxRuntimeInSeconds deadline
    lines_consumed: int = 0
    objective_status: ObjectiveStatus | None = None  # tuning jobs' training jobs only
    final_objective: float | None = None  # last objective value, in the user's direction
    epochs: int = 0  # objective values reported so far
    final_metrics: dict[str, tuple[float, float]] = attrs.Factory(dict)  # name -> (value, t)
    failure_reason: str | None = None
    stop_reason: StopReason | None = None
    billable_seconds: int | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TRAINING_TERMINAL

    @property
    def stopped_early(self) -> bool:
        """Cut short by the tuning job (median rule or Hyperband), not by the user."""
        return self.stop_reason in EARLY_STOP_REASONS


@attrs.define(kw_only=True)
class TuningJobRecord:
    """A tuning job: its request, status, and how it ended."""

    name: str
    seq: int
    arn: str
    request: CreateHyperParameterTuningJobRequest
    tags: dict[str, str] = attrs.Factory(dict)  # key -> value, in the order they were added
    status: HyperParameterTuningJobStatus = HyperParameterTuningJobStatus.IN_PROGRESS
    created: float = 0.0
    last_modified: float = 0.0
    ended: float | None = None
    failure_reason: str | None = None
    launched: int = 0
    completion_reason: CompletionReason | None = None  # None while running, stopped, failed
    converged_at: float | None = None
    not_improving: int | None = None  # training jobs without improvement at the end
    stop_requested: float | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TUNING_TERMINAL
