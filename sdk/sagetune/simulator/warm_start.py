"""Warm start: the documented rules for parent tuning jobs, and the parents' observations.

Rules (checked at CreateHyperParameterTuningJob, ValidationException unless noted):

- 1 to 5 parents (the model's list limit), each an existing tuning job in a terminal status
  (Completed, Stopped or Failed);
- the same objective metric (name and type) as every parent;
- the same hyperparameter names (tunable + static) and total count, each with the same type
  (Integer, Continuous, Categorical; a static one may become tunable and vice versa);
- at most 10 changes: a tunable hyperparameter made static counts as the number of its
  categorical values (1 for numeric ranges), a changed static value counts as 2, and a
  static hyperparameter made tunable counts as 1 (the docs are silent on that direction);
- IdenticalDataAndAlgorithm: the same training image (or algorithm) and input data;
- the parents' training jobs plus this job's MaxNumberOfTrainingJobs must fit the limit of
  training jobs per tuning job (ResourceLimitExceeded otherwise);
- not recursive: only the parents' own training jobs are used, not their parents'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sagetune.errors import ValidationException
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobObjectiveType,
    HyperParameterTuningJobWarmStartType,
    ObjectiveStatus,
    ParameterRanges,
    ResourceLimitExceeded,
)
from sagetune.rules import objective_of, ranges_of, training_job_definitions
from sagetune.simulator.records import TrainingJobRecord, TuningJobRecord
from sagetune.simulator.search import Trial, WarmStart
from sagetune.simulator.tuning import training_job_limit

MAX_CHANGES = 10


class Jobs(Protocol):
    """The engine's queries the warm-start rules read."""

    def tuning_job(self, name: str) -> TuningJobRecord | None: ...

    def training_jobs_of(self, tuning_name: str) -> Sequence[TrainingJobRecord]: ...


def _hyperparameters(
    definition: HyperParameterTrainingJobDefinition, ranges: ParameterRanges | None
) -> dict[str, tuple[str, Any]]:
    """name -> (kind, detail): kind Integer/Continuous/Categorical/Static."""
    found: dict[str, tuple[str, Any]] = {}
    for name, value in (definition.static_hyper_parameters or {}).items():
        found[name] = ("Static", value)
    if ranges is not None:
        for r in ranges.integer_parameter_ranges or []:
            found[r.name] = ("Integer", None)
        for c in ranges.continuous_parameter_ranges or []:
            found[c.name] = ("Continuous", None)
        for g in ranges.categorical_parameter_ranges or []:
            found[g.name] = ("Categorical", tuple(g.values))
    return found


def check_warm_start(jobs: Jobs, request: CreateHyperParameterTuningJobRequest) -> None:
    """Enforce the warm-start rules (``request`` as stored, like its parents' requests)."""
    config = request.warm_start_config
    if config is None:
        return
    child_config = request.hyper_parameter_tuning_job_config
    child_def = training_job_definitions(request)[0]
    child_objective = objective_of(child_config, child_def)
    child_hps = _hyperparameters(child_def, ranges_of(child_config, child_def))
    parent_jobs = 0
    for parent in config.parent_hyper_parameter_tuning_jobs:
        name = parent.hyper_parameter_tuning_job_name or ""
        rec = jobs.tuning_job(name)
        if rec is None:
            raise ValidationException(
                f"Parent hyperparameter tuning job {name} does not exist (warm start needs "
                "existing parents)."
            )
        if not rec.terminal:
            raise ValidationException(
                f"Parent hyperparameter tuning job {name} is in status {rec.status}; warm "
                "start needs parents that are Completed, Stopped or Failed."
            )
        parent_request = rec.request
        parent_config = parent_request.hyper_parameter_tuning_job_config
        parent_def = training_job_definitions(parent_request)[0]
        objective = objective_of(parent_config, parent_def)
        if (
            objective is None
            or child_objective is None
            or objective.metric_name != child_objective.metric_name
            or objective.type != child_objective.type
        ):
            raise ValidationException(
                f"The objective metric of this tuning job must be the same as the objective "
                f"of parent {name} ({objective.type if objective else '?'} "
                f"{objective.metric_name if objective else '?'})."
            )
        parent_hps = _hyperparameters(parent_def, ranges_of(parent_config, parent_def))
        _check_hyperparameters(name, parent_hps, child_hps)
        if (
            config.warm_start_type
            == HyperParameterTuningJobWarmStartType.IDENTICAL_DATA_AND_ALGORITHM
        ):
            _check_identical(name, parent_def, child_def)
        parent_jobs += len(jobs.training_jobs_of(name))
    limit = child_config.resource_limits.max_number_of_training_jobs or 0
    cap = training_job_limit(str(child_config.strategy))
    if parent_jobs + limit > cap:
        raise ResourceLimitExceeded(
            f"The training jobs of the parent tuning jobs ({parent_jobs}) plus "
            f"MaxNumberOfTrainingJobs ({limit}) exceed the limit of {cap} training jobs per "
            "tuning job."
        )


def _check_hyperparameters(
    parent: str, before: dict[str, tuple[str, Any]], after: dict[str, tuple[str, Any]]
) -> None:
    if set(before) != set(after):
        missing = sorted(set(before) - set(after))
        added = sorted(set(after) - set(before))
        raise ValidationException(
            f"Warm start needs the same hyperparameters (tunable and static) as parent "
            f"{parent}: missing {missing or 'none'}, added {added or 'none'}."
        )
    changes = 0
    for name, (kind, detail) in after.items():
        old_kind, old_detail = before[name]
        if old_kind != "Static" and kind != "Static" and old_kind != kind:
            raise ValidationException(
                f"The type of hyperparameter {name} changed from {old_kind} to {kind}; warm "
                f"start with parent {parent} needs the same types."
            )
        if old_kind != "Static" and kind == "Static":
            changes += len(old_detail) if old_kind == "Categorical" else 1
        elif old_kind == "Static" and kind == "Static" and old_detail != detail:
            changes += 2
        elif old_kind == "Static" and kind != "Static":
            changes += 1
    if changes > MAX_CHANGES:
        raise ValidationException(
            f"Warm start allows at most {MAX_CHANGES} changes of tunable to static "
            f"hyperparameters and static values; this job makes {changes} against parent "
            f"{parent}."
        )


def _check_identical(
    parent: str,
    before: HyperParameterTrainingJobDefinition,
    after: HyperParameterTrainingJobDefinition,
) -> None:
    old, new = before.algorithm_specification, after.algorithm_specification
    if (old.training_image, old.algorithm_name) != (new.training_image, new.algorithm_name):
        raise ValidationException(
            f"IdenticalDataAndAlgorithm warm start needs the same training image as parent "
            f"{parent}; use TransferLearning to change it."
        )
    if before.input_data_config != after.input_data_config:
        raise ValidationException(
            f"IdenticalDataAndAlgorithm warm start needs the same input data as parent "
            f"{parent}; use TransferLearning to change it."
        )


def parent_trials(
    request: CreateHyperParameterTuningJobRequest,
    parent_jobs: Mapping[str, Sequence[TrainingJobRecord]],
) -> dict[str | None, WarmStart] | None:
    """The parents' finished training jobs as observations (minimize form), not recursive.

    ``parent_jobs``: each parent's training jobs, by parent name.
    """
    config = request.warm_start_config
    if config is None:
        return None
    child_def = training_job_definitions(request)[0]
    objective = objective_of(request.hyper_parameter_tuning_job_config, child_def)
    minimize = objective is None or objective.type == HyperParameterTuningJobObjectiveType.MINIMIZE
    parents: list[tuple[Trial, ...]] = []
    for parent in config.parent_hyper_parameter_tuning_jobs:
        trials = []
        for job in parent_jobs.get(parent.hyper_parameter_tuning_job_name or "", ()):
            if not job.terminal:
                continue
            value = (
                job.final_objective if job.objective_status == ObjectiveStatus.SUCCEEDED else None
            )
            if value is not None and not minimize:
                value = -value
            trials.append(Trial(params=dict(job.tuned), value=value))
        parents.append(tuple(trials))
    return {None: WarmStart(kind=str(config.warm_start_type), parents=tuple(parents))}  # type: ignore[arg-type]
