"""The SageMaker operations the simulator serves, on typed requests and responses.

Each operation takes the generated request object (already validated by the model and the
cross-field rules) and returns the generated response object; errors are the service's own
(``ResourceInUse``, ``ResourceNotFound``, ``ResourceLimitExceeded``, ``ValidationException``)
with messages shaped like the service's. Requests are kept in their stored form
(``requests.stored_request``: the service's defaults filled in), so Describe and List answer
with the members the service returns; docs/fidelity.md says how each answer was decided.

Tags (AddTags, ListTags, DeleteTags) belong to tuning jobs and training jobs, named by ARN
(case-insensitively: ARNs carry the name in lower case). A tuning job's training jobs get its
tags as they are when each is launched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sagetune.errors import ValidationException
from sagetune.model import (
    AddTagsInput,
    AddTagsOutput,
    CreateHyperParameterTuningJobRequest,
    CreateHyperParameterTuningJobResponse,
    CreateTrainingJobRequest,
    CreateTrainingJobResponse,
    DeleteHyperParameterTuningJobRequest,
    DeleteHyperParameterTuningJobResponse,
    DeleteTagsInput,
    DeleteTagsOutput,
    DescribeHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobResponse,
    DescribeTrainingJobRequest,
    DescribeTrainingJobResponse,
    FinalHyperParameterTuningJobObjectiveMetric,
    HyperParameterTrainingJobDefinition,
    HyperParameterTrainingJobSummary,
    HyperParameterTuningJobCompletionDetails,
    HyperParameterTuningJobConfig,
    HyperParameterTuningJobConsumedResources,
    HyperParameterTuningJobObjectiveType,
    HyperParameterTuningJobStatus,
    HyperParameterTuningJobSummary,
    HyperParameterTuningJobWarmStartType,
    ListHyperParameterTuningJobsRequest,
    ListHyperParameterTuningJobsResponse,
    ListTagsInput,
    ListTagsOutput,
    ListTrainingJobsForHyperParameterTuningJobRequest,
    ListTrainingJobsForHyperParameterTuningJobResponse,
    ListTrainingJobsRequest,
    ListTrainingJobsResponse,
    MetricData,
    ObjectiveStatus,
    ObjectiveStatusCounters,
    ResourceInUse,
    ResourceLimitExceeded,
    ResourceNotFound,
    SecondaryStatusTransition,
    StopHyperParameterTuningJobRequest,
    StopHyperParameterTuningJobResponse,
    StopTrainingJobRequest,
    StopTrainingJobResponse,
    Tag,
    TrainingJobStatus,
    TrainingJobStatusCounters,
    TrainingJobSummary,
)
from sagetune.rules import objective_of, training_job_definitions
from sagetune.simulator.algorithms import AlgorithmNotFound
from sagetune.simulator.algorithms.spec import missing_metric_message
from sagetune.simulator.engine import Engine
from sagetune.simulator.metrics import MetricDefinitionError, compile_metric_definitions
from sagetune.simulator.records import StopReason, TrainingJobRecord, TuningJobRecord
from sagetune.simulator.requests import (
    TUNING_OBJECTIVE_HYPERPARAMETER,
    described_training_members,
    stored_request,
)
from sagetune.simulator.warm_start import check_warm_start

T = TypeVar("T")

DEFAULT_MAX_RESULTS = 10
DEFAULT_CONCURRENT_TUNING_JOBS = 100
MAX_TAGS = 50
"""User tags per resource (the AWS tagging convention; SageMaker's TagList holds at most 50)."""
DEFAULT_TAGS_PAGE = 50
"""ListTags' page size when MaxResults is left out: undocumented; 50 is the smallest allowed
MaxResults and the only one SDK v2 sends."""
RESERVED_TAG_PREFIX = "aws:"


def _dt(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, tz=UTC)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


class Service:
    """The operations, over one engine."""

    def __init__(
        self, engine: Engine, *, max_concurrent_tuning_jobs: int = DEFAULT_CONCURRENT_TUNING_JOBS
    ) -> None:
        self.engine = engine
        self.max_concurrent_tuning_jobs = max_concurrent_tuning_jobs

    # -- tuning jobs

    def create_hyper_parameter_tuning_job(
        self, request: CreateHyperParameterTuningJobRequest
    ) -> CreateHyperParameterTuningJobResponse:
        engine = self.engine
        tags = _tags_to_add(request.tags or [])
        request = stored_request(request, engine.algorithms)
        name = request.hyper_parameter_tuning_job_name
        if engine.tuning_job(name) is not None:
            raise ResourceInUse(
                f"Hyperparameter tuning job with name {name} already exists. "
                "Please choose a different name."
            )
        running = sum(1 for r in engine.tuning_jobs() if not r.terminal)
        if running >= self.max_concurrent_tuning_jobs:
            raise ResourceLimitExceeded(
                "The account-level service limit 'Number of concurrent hyperparameter tuning "
                f"jobs' is {self.max_concurrent_tuning_jobs} Jobs, with current utilization of "
                f"{running} Jobs and a request delta of 1 Jobs. Please use AWS Service Quotas "
                "to request an increase for this quota."
            )
        config = request.hyper_parameter_tuning_job_config
        for definition in training_job_definitions(request):
            algo = definition.algorithm_specification
            self._check_algorithm(algo.training_image, algo.algorithm_name, algo.metric_definitions)
            _check_objective_defined(config, definition)
        check_warm_start(engine, request)
        rec = engine.create_tuning_job(request, tags)
        return CreateHyperParameterTuningJobResponse(hyper_parameter_tuning_job_arn=rec.arn)

    def _check_algorithm(
        self,
        image: str | None,
        algorithm_name: str | None,
        metric_definitions: Sequence[Any] | None,
    ) -> None:
        try:
            self.engine.algorithms.resolve(training_image=image, algorithm_name=algorithm_name)
        except (AlgorithmNotFound, ValueError) as exc:
            raise ValidationException(str(exc)) from None
        try:
            compile_metric_definitions((m.name, m.regex) for m in metric_definitions or [])
        except MetricDefinitionError as exc:
            raise ValidationException(str(exc)) from None

    def _tuning_record(self, name: str) -> TuningJobRecord:
        rec = self.engine.tuning_job(name)
        if rec is None:
            raise ResourceNotFound(f"Amazon SageMaker can't find a tuning job with name {name}")
        return rec

    def describe_hyper_parameter_tuning_job(
        self, request: DescribeHyperParameterTuningJobRequest
    ) -> DescribeHyperParameterTuningJobResponse:
        rec = self._tuning_record(request.hyper_parameter_tuning_job_name)
        create = rec.request
        jobs = self.engine.training_jobs_of(rec.name)
        best = self._best(rec, jobs)
        overall = None
        warm = create.warm_start_config
        identical = HyperParameterTuningJobWarmStartType.IDENTICAL_DATA_AND_ALGORITHM
        if warm is not None and warm.warm_start_type == identical:
            family = list(jobs)
            parents = self.engine.parent_training_jobs(rec.name)
            for parent in warm.parent_hyper_parameter_tuning_jobs:
                family.extend(parents.get(parent.hyper_parameter_tuning_job_name or "", ()))
            overall = self._best(rec, family)
        end = rec.ended if rec.ended is not None else self.engine.now
        completion = None
        if rec.terminal or rec.completion_reason is not None:
            completion = HyperParameterTuningJobCompletionDetails(
                number_of_training_jobs_objective_not_improving=rec.not_improving,
                convergence_detected_time=_dt(rec.converged_at),
            )
        return DescribeHyperParameterTuningJobResponse(
            hyper_parameter_tuning_job_name=rec.name,
            hyper_parameter_tuning_job_arn=rec.arn,
            hyper_parameter_tuning_job_config=create.hyper_parameter_tuning_job_config,
            training_job_definition=create.training_job_definition,
            training_job_definitions=create.training_job_definitions,
            hyper_parameter_tuning_job_status=rec.status,
            creation_time=_dt(rec.created),  # type: ignore[arg-type]
            hyper_parameter_tuning_end_time=_dt(rec.ended),
            last_modified_time=_dt(rec.last_modified),
            training_job_status_counters=_status_counters(jobs),
            objective_status_counters=_objective_counters(jobs),
            best_training_job=(
                self._summary(best, tuning_job_name=False) if best is not None else None
            ),
            overall_best_training_job=self._summary(overall) if overall is not None else None,
            warm_start_config=warm,
            autotune=create.autotune,
            failure_reason=rec.failure_reason,
            tuning_job_completion_details=completion,
            consumed_resources=HyperParameterTuningJobConsumedResources(
                runtime_in_seconds=max(0, round(end - rec.created))
            ),
        )

    def _objective(self, rec: TuningJobRecord, job: TrainingJobRecord) -> tuple[str, bool]:
        """(metric name, minimize?) of a training job of this tuning job or of a parent."""
        create = rec.request
        minimize = HyperParameterTuningJobObjectiveType.MINIMIZE
        definitions = training_job_definitions(create)
        for d in definitions:
            if job.definition_name is None or d.definition_name == job.definition_name:
                objective = objective_of(create.hyper_parameter_tuning_job_config, d)
                assert objective is not None
                return objective.metric_name, objective.type == minimize
        objective = create.hyper_parameter_tuning_job_config.hyper_parameter_tuning_job_objective
        assert objective is not None
        return objective.metric_name, objective.type == minimize

    def _best(
        self, rec: TuningJobRecord, jobs: Sequence[TrainingJobRecord]
    ) -> TrainingJobRecord | None:
        best: TrainingJobRecord | None = None
        best_key = 0.0
        for job in jobs:
            if (
                not job.terminal
                or job.objective_status != ObjectiveStatus.SUCCEEDED
                or job.final_objective is None
            ):
                continue
            _, minimize = self._objective(rec, job)
            key = job.final_objective if minimize else -job.final_objective
            if best is None or key < best_key:
                best, best_key = job, key
        return best

    def _summary(
        self, job: TrainingJobRecord, *, tuning_job_name: bool = True
    ) -> HyperParameterTrainingJobSummary:
        """A training job as a tuning job's answers show it. The objective metric has no
        Type (real answers have none); ``tuning_job_name=False``: without TuningJobName (as
        in a real BestTrainingJob)."""
        final = None
        tuning = self.engine.tuning_job(job.tuning_job or "")
        if job.final_objective is not None and job.objective_status == ObjectiveStatus.SUCCEEDED:
            metric = self._objective(tuning, job)[0] if tuning is not None else self._metric_of(job)
            final = FinalHyperParameterTuningJobObjectiveMetric(
                metric_name=metric, value=job.final_objective
            )
        return HyperParameterTrainingJobSummary(
            training_job_definition_name=job.definition_name,
            training_job_name=job.name,
            training_job_arn=job.arn,
            tuning_job_name=job.tuning_job if tuning_job_name else None,
            creation_time=_dt(job.created),  # type: ignore[arg-type]
            training_start_time=_dt(job.training_start),
            training_end_time=_dt(job.training_end),
            training_job_status=job.status,
            tuned_hyper_parameters=dict(job.tuned),
            failure_reason=job.failure_reason,
            final_hyper_parameter_tuning_job_objective_metric=final,
            objective_status=job.objective_status,
        )

    def _metric_of(self, job: TrainingJobRecord) -> str:
        hyperparameters = job.request.hyper_parameters or {}
        return str(hyperparameters.get(TUNING_OBJECTIVE_HYPERPARAMETER, ""))

    def list_hyper_parameter_tuning_jobs(
        self, request: ListHyperParameterTuningJobsRequest
    ) -> ListHyperParameterTuningJobsResponse:
        page, token = _listing(self.engine.tuning_jobs(), request, "Name", "tuning")
        return ListHyperParameterTuningJobsResponse(
            hyper_parameter_tuning_job_summaries=[self._tuning_summary(r) for r in page],
            next_token=token,
        )

    def _tuning_summary(self, rec: TuningJobRecord) -> HyperParameterTuningJobSummary:
        config = rec.request.hyper_parameter_tuning_job_config
        jobs = self.engine.training_jobs_of(rec.name)
        return HyperParameterTuningJobSummary(
            hyper_parameter_tuning_job_name=rec.name,
            hyper_parameter_tuning_job_arn=rec.arn,
            hyper_parameter_tuning_job_status=rec.status,
            strategy=config.strategy,
            creation_time=_dt(rec.created),  # type: ignore[arg-type]
            hyper_parameter_tuning_end_time=_dt(rec.ended),
            last_modified_time=_dt(rec.last_modified),
            training_job_status_counters=_status_counters(jobs),
            objective_status_counters=_objective_counters(jobs),
            resource_limits=config.resource_limits,
        )

    def stop_hyper_parameter_tuning_job(
        self, request: StopHyperParameterTuningJobRequest
    ) -> StopHyperParameterTuningJobResponse:
        rec = self._tuning_record(request.hyper_parameter_tuning_job_name)
        if rec.status != HyperParameterTuningJobStatus.IN_PROGRESS:
            raise ValidationException(
                f"The request was rejected because the hyperparameter tuning job is in status "
                f"{rec.status}."
            )
        self.engine.stop_tuning_job(rec.name)
        return StopHyperParameterTuningJobResponse()

    def delete_hyper_parameter_tuning_job(
        self, request: DeleteHyperParameterTuningJobRequest
    ) -> DeleteHyperParameterTuningJobResponse:
        rec = self._tuning_record(request.hyper_parameter_tuning_job_name)
        if not rec.terminal:
            raise ValidationException(
                f"Cannot delete hyperparameter tuning job {rec.name} in status {rec.status}: "
                "stop it first (StopHyperParameterTuningJob) and wait until it is Stopped."
            )
        self.engine.delete_tuning_job(rec.name)
        return DeleteHyperParameterTuningJobResponse()

    def list_training_jobs_for_hyper_parameter_tuning_job(
        self, request: ListTrainingJobsForHyperParameterTuningJobRequest
    ) -> ListTrainingJobsForHyperParameterTuningJobResponse:
        rec = self._tuning_record(request.hyper_parameter_tuning_job_name)
        jobs = [
            j
            for j in self.engine.training_jobs_of(rec.name)
            if request.status_equals is None or j.status == request.status_equals
        ]
        sort_by = str(request.sort_by or "Name")
        if sort_by == "FinalObjectiveMetricValue":
            # As documented: jobs that did not return an objective metric are not listed.
            jobs = [j for j in jobs if j.final_objective is not None]
            minimize = self._objective(rec, jobs[0])[1] if jobs else True
            jobs.sort(key=lambda j: ((j.final_objective or 0.0) * (1 if minimize else -1), j.seq))
        else:
            key = _sort_key(sort_by)
            jobs.sort(key=lambda j: (key(j.name, j.created, j.status), j.seq))
        if request.sort_order == "Descending":
            jobs.reverse()
        page, token = _page(jobs, request.next_token, request.max_results, rec.name)
        return ListTrainingJobsForHyperParameterTuningJobResponse(
            training_job_summaries=[self._summary(j) for j in page], next_token=token
        )

    # -- training jobs

    def create_training_job(self, request: CreateTrainingJobRequest) -> CreateTrainingJobResponse:
        tags = _tags_to_add(request.tags or [])
        request = stored_request(request, self.engine.algorithms)
        name = request.training_job_name
        if self.engine.training_job(name) is not None:
            raise ResourceInUse(
                f"Training job names must be unique within an AWS account and region, and a "
                f"training job with this name already exists ({self.engine.arn('training-job', name)})"
            )
        algo = request.algorithm_specification
        self._check_algorithm(
            algo.training_image if algo else None,
            algo.algorithm_name if algo else None,
            algo.metric_definitions if algo else None,
        )
        rec = self.engine.create_training_job(request, tags)
        return CreateTrainingJobResponse(training_job_arn=rec.arn)

    def _training_record(self, name: str) -> TrainingJobRecord:
        rec = self.engine.training_job(name)
        if rec is None:
            raise ValidationException("Requested resource not found.")
        return rec

    def describe_training_job(
        self, request: DescribeTrainingJobRequest
    ) -> DescribeTrainingJobResponse:
        rec = self._training_record(request.training_job_name)
        tuning = self.engine.tuning_job(rec.tuning_job or "")
        end = rec.training_end
        training_seconds = None
        if rec.training_start is not None and end is not None:
            training_seconds = max(0, round(end - rec.training_start))
        return DescribeTrainingJobResponse(
            **{
                **described_training_members(rec.request),
                "training_job_name": rec.name,
                "training_job_arn": rec.arn,
                "tuning_job_arn": tuning.arn
                if tuning is not None
                else (
                    self.engine.arn("hyper-parameter-tuning-job", rec.tuning_job)
                    if rec.tuning_job
                    else None
                ),
                "training_job_status": rec.status,
                "secondary_status": rec.secondary_status,
                "failure_reason": rec.failure_reason,
                "creation_time": _dt(rec.created),
                "training_start_time": _dt(rec.training_start),
                "training_end_time": _dt(rec.training_end),
                "last_modified_time": _dt(rec.last_modified),
                "secondary_status_transitions": [
                    SecondaryStatusTransition(
                        status=tr.status,
                        start_time=_dt(tr.start),  # type: ignore[arg-type]
                        end_time=_dt(tr.end),
                        status_message=tr.message,
                    )
                    for tr in rec.transitions
                ],
                "final_metric_data_list": [
                    MetricData(metric_name=name, value=value, timestamp=_dt(t))
                    for name, (value, t) in rec.final_metrics.items()
                ]
                or None,
                "training_time_in_seconds": training_seconds,
                "billable_time_in_seconds": rec.billable_seconds,
            }
        )

    def list_training_jobs(self, request: ListTrainingJobsRequest) -> ListTrainingJobsResponse:
        page, token = _listing(self.engine.training_jobs(), request, "CreationTime", "training")
        return ListTrainingJobsResponse(
            training_job_summaries=[
                TrainingJobSummary(
                    training_job_name=j.name,
                    training_job_arn=j.arn,
                    creation_time=_dt(j.created),  # type: ignore[arg-type]
                    training_end_time=_dt(j.training_end),
                    last_modified_time=_dt(j.last_modified),
                    training_job_status=j.status,
                )
                for j in page
            ],
            next_token=token,
        )

    def stop_training_job(self, request: StopTrainingJobRequest) -> StopTrainingJobResponse:
        rec = self.engine.training_job(request.training_job_name)
        if rec is None:
            raise ResourceNotFound(f"Training job {request.training_job_name} does not exist.")
        if rec.status != TrainingJobStatus.IN_PROGRESS:
            raise ValidationException(
                f"The request was rejected because the training job is in status {rec.status}."
            )
        self.engine.stop_training_job(rec.name, StopReason.USER)
        return StopTrainingJobResponse()

    # -- tags

    def _tagged(self, arn: str) -> TuningJobRecord | TrainingJobRecord:
        rec = self.engine.resource(arn.lower())
        if rec is None:
            # AWS answers ValidationException for a missing or deleted resource (wording not
            # captured: this text is the simulator's own).
            raise ValidationException(
                f"Resource {arn} does not exist. (The simulator holds hyperparameter tuning "
                "jobs and training jobs.)"
            )
        return rec

    def add_tags(self, request: AddTagsInput) -> AddTagsOutput:
        rec = self._tagged(request.resource_arn)
        added = _tags_to_add(request.tags)
        tags = {**rec.tags, **added}  # an existing key keeps its place and takes the new value
        if len(tags) > MAX_TAGS:
            # Code and wording unverified (AWS's tagging convention; not captured for SageMaker).
            raise ValidationException(
                f"Exceeded the maximum number of tags ({MAX_TAGS}) for resource "
                f"{request.resource_arn}: it has {len(rec.tags)} and the request adds "
                f"{len(tags) - len(rec.tags)} new keys."
            )
        self.engine.set_tags(rec, tags)
        # The answer lists the tags the request added (the model: "a list of tags associated
        # with the SageMaker resource"; unverified whether AWS lists all of them instead).
        return AddTagsOutput(tags=[Tag(key=k, value=v) for k, v in added.items()])

    def list_tags(self, request: ListTagsInput) -> ListTagsOutput:
        rec = self._tagged(request.resource_arn)
        tags = [Tag(key=k, value=v) for k, v in rec.tags.items()]
        page, token = _page(
            tags, request.next_token, request.max_results or DEFAULT_TAGS_PAGE, f"tags:{rec.arn}"
        )
        return ListTagsOutput(tags=page, next_token=token)

    def delete_tags(self, request: DeleteTagsInput) -> DeleteTagsOutput:
        rec = self._tagged(request.resource_arn)
        keys = set(request.tag_keys)
        for key in request.tag_keys:
            _check_tag_key(key)
        # A key the resource does not have is no error (AWS's convention for tag APIs;
        # unverified for SageMaker).
        self.engine.set_tags(rec, {k: v for k, v in rec.tags.items() if k not in keys})
        return DeleteTagsOutput()

    # -- dispatch

    def operations(self) -> dict[str, Callable[[Any], Any]]:
        """Operation name -> implementation."""
        return {
            "CreateHyperParameterTuningJob": self.create_hyper_parameter_tuning_job,
            "DescribeHyperParameterTuningJob": self.describe_hyper_parameter_tuning_job,
            "ListHyperParameterTuningJobs": self.list_hyper_parameter_tuning_jobs,
            "StopHyperParameterTuningJob": self.stop_hyper_parameter_tuning_job,
            "DeleteHyperParameterTuningJob": self.delete_hyper_parameter_tuning_job,
            "ListTrainingJobsForHyperParameterTuningJob": (
                self.list_training_jobs_for_hyper_parameter_tuning_job
            ),
            "CreateTrainingJob": self.create_training_job,
            "DescribeTrainingJob": self.describe_training_job,
            "ListTrainingJobs": self.list_training_jobs,
            "StopTrainingJob": self.stop_training_job,
            "AddTags": self.add_tags,
            "ListTags": self.list_tags,
            "DeleteTags": self.delete_tags,
        }


def _check_tag_key(key: str) -> None:
    if key.lower().startswith(RESERVED_TAG_PREFIX):
        # AWS reserves the prefix in any case; the wording is the simulator's own.
        raise ValidationException(
            f"Tag key '{key}' is invalid: keys starting with '{RESERVED_TAG_PREFIX}' (in any "
            "case) are reserved for AWS use; users cannot add, edit or delete them."
        )


def _tags_to_add(tags: Sequence[Tag]) -> dict[str, str]:
    """Tags a request gives (Create*, AddTags), checked: no reserved key, each key once."""
    found: dict[str, str] = {}
    for tag in tags:
        _check_tag_key(tag.key)
        if tag.key in found:
            # AWS: "Use each key only once for each resource"; the code is unverified.
            raise ValidationException(
                f"Tag keys must be unique: '{tag.key}' appears more than once in the request."
            )
        found[tag.key] = tag.value
    return found


def _check_objective_defined(
    config: HyperParameterTuningJobConfig, definition: HyperParameterTrainingJobDefinition
) -> None:
    """A training image's stored MetricDefinitions must define the objective (as the rules
    layer checks for the ones a request gives: not for Grid). When a request left them out,
    only an AWS built-in algorithm's image has them (``requests.builtin_metric_definitions``);
    any other image, or an objective the image does not publish, is the service's error."""
    algo = definition.algorithm_specification
    objective = objective_of(config, definition)
    if algo.training_image is None or objective is None or config.strategy == "Grid":
        return
    if objective.metric_name not in {m.name for m in algo.metric_definitions or []}:
        raise ValidationException(missing_metric_message())


def _status_counters(jobs: Sequence[TrainingJobRecord]) -> TrainingJobStatusCounters:
    counts = dict.fromkeys(TrainingJobStatus, 0)
    for job in jobs:
        counts[job.status] += 1
    return TrainingJobStatusCounters(
        completed=counts[TrainingJobStatus.COMPLETED],
        in_progress=counts[TrainingJobStatus.IN_PROGRESS] + counts[TrainingJobStatus.STOPPING],
        retryable_error=0,
        non_retryable_error=counts[TrainingJobStatus.FAILED],
        stopped=counts[TrainingJobStatus.STOPPED],
    )


def _objective_counters(jobs: Sequence[TrainingJobRecord]) -> ObjectiveStatusCounters:
    counts = dict.fromkeys(ObjectiveStatus, 0)
    for job in jobs:
        counts[job.objective_status or ObjectiveStatus.PENDING] += 1
    return ObjectiveStatusCounters(
        succeeded=counts[ObjectiveStatus.SUCCEEDED],
        pending=counts[ObjectiveStatus.PENDING],
        failed=counts[ObjectiveStatus.FAILED],
    )


class _ListRequest(Protocol):
    """The filter, sort and paging members both list-all operations share."""

    @property
    def name_contains(self) -> str | None: ...
    @property
    def status_equals(self) -> Any: ...
    @property
    def creation_time_after(self) -> datetime | None: ...
    @property
    def creation_time_before(self) -> datetime | None: ...
    @property
    def last_modified_time_after(self) -> datetime | None: ...
    @property
    def last_modified_time_before(self) -> datetime | None: ...
    @property
    def sort_by(self) -> Any: ...
    @property
    def sort_order(self) -> Any: ...
    @property
    def next_token(self) -> str | None: ...
    @property
    def max_results(self) -> int | None: ...


R = TypeVar("R", TuningJobRecord, TrainingJobRecord)


def _listing(
    records: Iterable[R], request: _ListRequest, default_sort: str, scope: str
) -> tuple[list[R], str | None]:
    """Filter, sort and page records the way the service's List* operations do."""
    needle = request.name_contains.lower() if request.name_contains is not None else None
    bounds = [
        (_epoch(request.creation_time_after), "created", 1),
        (_epoch(request.creation_time_before), "created", -1),
        (_epoch(request.last_modified_time_after), "last_modified", 1),
        (_epoch(request.last_modified_time_before), "last_modified", -1),
    ]
    active = [(limit, field, sign) for limit, field, sign in bounds if limit is not None]
    found = [
        r
        for r in records
        if (needle is None or needle in r.name.lower())
        and (request.status_equals is None or r.status == request.status_equals)
        and all((getattr(r, field) - limit) * sign > 0 for limit, field, sign in active)
    ]
    key = _sort_key(str(request.sort_by or default_sort))
    found.sort(key=lambda r: (key(r.name, r.created, r.status), r.seq))
    if request.sort_order == "Descending":
        found.reverse()
    return _page(found, request.next_token, request.max_results, scope)


def _sort_key(sort_by: str) -> Callable[[str, float, str], Any]:
    if sort_by == "CreationTime":
        return lambda name, created, status: created
    if sort_by == "Status":
        return lambda name, created, status: status
    return lambda name, created, status: name


def _page(
    items: Sequence[T], token: str | None, max_results: int | None, scope: str
) -> tuple[list[T], str | None]:
    """One page and the token of the next (an opaque, checked offset)."""
    offset = 0
    if token is not None:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
            offset = int(data["offset"])
            if data["scope"] != scope or offset < 0:
                raise ValueError(token)
        except (ValueError, KeyError, TypeError, UnicodeError):
            raise ValidationException(
                "Invalid pagination token: pass the NextToken of the previous response of "
                "the same request."
            ) from None
    size = max_results or DEFAULT_MAX_RESULTS
    page = list(items[offset : offset + size])
    following = offset + size
    if following >= len(items):
        return page, None
    raw = json.dumps({"scope": scope, "offset": following}).encode("ascii")
    return page, base64.urlsafe_b64encode(raw).decode("ascii")
