"""The requests the simulator keeps: one seam they all pass, the service's defaults, and what a
training job inherits.

- ``stored_request``: every request the simulator stores passes through it once, before
  anything reads it: CreateHyperParameterTuningJob and CreateTrainingJob requests as they
  arrive (``service``), the training requests a tuning job builds (``training_request``), and
  every request read back from the database (``engine.load``: a request stored by an earlier
  version gets the members added since). It applies ``SERVICE_DEFAULTS``.
- ``SERVICE_DEFAULTS``: the one table of members the service fills in when a request left
  them out, and of the members it derives (docs/fidelity.md says where each row comes from).
  Each row names a member by its wire path; a row fills the member only when it is absent,
  so applying the table twice changes nothing.
- ``INHERITED_MEMBERS``: the members a tuning job's training job takes from its training job
  definition; ``training_request`` builds that request. ``DESCRIBED_MEMBERS`` is what
  DescribeTrainingJob echoes of any training request, and ``described_training_members``
  adds the members DescribeTrainingJob derives from it.
- ``request_to_wire`` / ``request_from_wire``: the wire form, which exists only in the store.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

import attrs

from sagetune.codec import from_wire, to_wire
from sagetune.model import (
    AlgorithmSpecification,
    CompressionType,
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    DescribeTrainingJobResponse,
    HyperParameterAlgorithmSpecification,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobConfig,
    HyperParameterTuningResourceConfig,
    MetricDefinition,
    ModelArtifacts,
    OutputCompressionType,
    ProfilingStatus,
    RecordWrapper,
    ResourceConfig,
    StoppingCondition,
    TrainingJobEarlyStoppingType,
)
from sagetune.rules import objective_of
from sagetune.shape_base import Shape, build_unchecked, replace_unchecked
from sagetune.simulator.algorithms import AlgorithmNotFound, AlgorithmRegistry

StoredRequest = TypeVar(
    "StoredRequest", CreateHyperParameterTuningJobRequest, CreateTrainingJobRequest
)
S = TypeVar("S")

TUNING_OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"
"""The static hyperparameter SageMaker adds to every training job definition of a tuning job
(the objective metric's name, a plain string), so every training job it launches has it."""

DEFAULT_MAX_RUNTIME_IN_SECONDS = 86400
"""StoppingCondition.MaxRuntimeInSeconds when left out: "The default value is 1 day"."""

INHERITED_MEMBERS = (
    "algorithm_specification",
    "role_arn",
    "input_data_config",
    "vpc_config",
    "output_data_config",
    "resource_config",
    "stopping_condition",
    "enable_network_isolation",
    "enable_inter_container_traffic_encryption",
    "enable_managed_spot_training",
    "checkpoint_config",
    "retry_strategy",
    "environment",
)
"""Members of a HyperParameterTrainingJobDefinition that each training job it launches has in
its CreateTrainingJobRequest (same names; the definition's HyperParameterAlgorithmSpecification
becomes an AlgorithmSpecification with the same members). Its hyperparameters are the
definition's static ones (with the objective's name: ``SERVICE_DEFAULTS``) plus the tuned ones."""

DESCRIBED_MEMBERS = tuple(
    attribute
    for wire, attribute in CreateTrainingJobRequest._MEMBERS.items()
    if wire in DescribeTrainingJobResponse._MEMBERS and attribute != "training_job_name"
)
"""Members of a training job's request that DescribeTrainingJob answers with: every member
CreateTrainingJob takes that DescribeTrainingJob also has (all but Tags and
SessionChainingConfig), as stored."""


# -- the defaults table


class Scope(StrEnum):
    """What a row of ``SERVICE_DEFAULTS`` applies to (its path starts there)."""

    TUNING_JOB = "tuning job"
    """A CreateHyperParameterTuningJob request."""
    DEFINITION = "training job definition"
    """Each HyperParameterTrainingJobDefinition of a tuning job (TrainingJobDefinition or
    every item of TrainingJobDefinitions)."""
    TRAINING_JOB = "training job"
    """Every CreateTrainingJob request: a training job of its own and each one a tuning job
    launches."""
    LAUNCHED = "training job launched by a tuning job"
    """A training request built from a definition (before the TRAINING_JOB rows)."""
    DESCRIBED = "DescribeTrainingJob"
    """A member only DescribeTrainingJob has, derived from the stored training request."""


@attrs.frozen(kw_only=True)
class Context:
    """What a derived value may read."""

    root: Any
    """The object the row's path starts from (a request or a definition)."""
    config: HyperParameterTuningJobConfig | None = None
    """The tuning job's config (DEFINITION rows)."""
    definition: HyperParameterTrainingJobDefinition | None = None
    """The definition (DEFINITION and LAUNCHED rows)."""
    algorithms: AlgorithmRegistry | None = None
    """Where built-in algorithms' metric definitions are looked up (None: they are not)."""


@attrs.frozen(kw_only=True)
class Derived:
    """A value computed from the request (None: nothing to fill)."""

    fn: Callable[[Context], Any]
    says: str
    """How the value is derived, for docs/fidelity.md."""


@attrs.frozen(kw_only=True)
class Default:
    """One member the service fills in when the request left it out."""

    scope: Scope
    path: str
    """Wire names from the scope's object, dot-separated; ``Name[]`` is every item of the list
    ``Name``; a step into a map is a key. A structure on the way that is absent is not
    created (nothing to fill in it); a map is (``StaticHyperParameters``)."""
    value: Any
    """The value, or a ``Derived``."""
    evidence: str
    """Where the service is seen to do this (codes of docs/fidelity.md)."""
    steps: tuple[str, ...] = attrs.field(init=False)

    @steps.default
    def _steps(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    def value_in(self, context: Context) -> Any:
        return self.value.fn(context) if isinstance(self.value, Derived) else self.value


def _objective_name(context: Context) -> str | None:
    assert context.config is not None
    assert context.definition is not None
    objective = objective_of(context.config, context.definition)
    return objective.metric_name if objective is not None else None


def builtin_metric_definitions(
    algorithms: AlgorithmRegistry | None,
    training_image: str | None,
    objective_metric: str | None = None,
) -> list[MetricDefinition] | None:
    """THE HOOK for AWS's built-in algorithm images: the MetricDefinitions the service fills
    in for a training image whose algorithm publishes its own metrics, or None (a custom
    image: the request's MetricDefinitions, if any, are all there is).

    Asks the algorithm registry: an algorithm marked ``predefined_metrics`` gets
    ``AlgorithmSpec.service_metric_definitions(objective_metric)`` (its published list; for
    a tuning job's definition, ``objective_metric`` given, then ``ObjectiveMetric`` with the
    objective's regex). An objective it does not publish fills nothing: the service refuses
    the tuning job then (``service``).
    """
    if algorithms is None or training_image is None:
        return None
    try:
        algorithm = algorithms.resolve(training_image=training_image)
    except (AlgorithmNotFound, ValueError):
        return None  # the service's algorithm check says why
    if not algorithm.predefined_metrics:
        return None
    try:
        published = algorithm.service_metric_definitions(objective_metric)
    except ValueError:
        return None
    return [MetricDefinition(name=m["Name"], regex=m["Regex"]) for m in published]


def _builtin_metrics(context: Context) -> list[MetricDefinition] | None:
    spec = context.root.algorithm_specification
    image = spec.training_image if spec is not None else None
    return builtin_metric_definitions(context.algorithms, image)


def _builtin_metrics_and_objective(context: Context) -> list[MetricDefinition] | None:
    image = context.root.algorithm_specification.training_image
    return builtin_metric_definitions(context.algorithms, image, _objective_name(context))


def resource_config_of(
    tuning: HyperParameterTuningResourceConfig, *, instance_configs: bool
) -> ResourceConfig | None:
    """The ResourceConfig a training job runs on under a HyperParameterTuningResourceConfig:
    its instance type, count and volume; with ``instance_configs``, the first of its
    InstanceConfigs (the simulator runs every job on that one)."""
    if tuning.instance_configs and not instance_configs:
        return None
    source = tuning.instance_configs[0] if tuning.instance_configs else tuning
    if source.instance_type is None:
        return None
    return build_unchecked(
        ResourceConfig,
        {
            "instance_type": source.instance_type,
            "instance_count": source.instance_count,
            "volume_size_in_gb": source.volume_size_in_gb,
            "volume_kms_key_id": tuning.volume_kms_key_id,
        },
    )


def _definition_resource_config(context: Context) -> ResourceConfig | None:
    tuning = context.root.hyper_parameter_tuning_resource_config
    return None if tuning is None else resource_config_of(tuning, instance_configs=False)


def _launched_resource_config(context: Context) -> ResourceConfig | None:
    assert context.definition is not None
    tuning = context.definition.hyper_parameter_tuning_resource_config
    return None if tuning is None else resource_config_of(tuning, instance_configs=True)


def _channel_input_mode(context: Context) -> Any:
    return context.root.algorithm_specification.training_input_mode


def _model_artifacts(context: Context) -> ModelArtifacts:
    request: CreateTrainingJobRequest = context.root
    output = request.output_data_config
    path = output.s3_output_path if output is not None else None
    path = path if path is not None else "s3://sagetune-simulator/"
    return ModelArtifacts(
        s3_model_artifacts=f"{path.rstrip('/')}/{request.training_job_name}/output/model.tar.gz"
    )


def _profiling_status(context: Context) -> ProfilingStatus:
    profiler = context.root.profiler_config
    if profiler is not None and not profiler.disable_profiler:
        return ProfilingStatus.ENABLED
    return ProfilingStatus.DISABLED


SERVICE_DEFAULTS: tuple[Default, ...] = (
    # -- CreateHyperParameterTuningJob
    Default(
        scope=Scope.TUNING_JOB,
        path="HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
        value=TrainingJobEarlyStoppingType.OFF,
        evidence="M (enum doc: Off is the default); S v2 tuner.py:1552 (attach), issue 11",
    ),
    *(
        Default(
            scope=Scope.TUNING_JOB,
            path=f"HyperParameterTuningJobConfig.ParameterRanges.{kind}ParameterRanges",
            value=[],
            evidence="I; S v2 tuner.py:1597-1605 reads all three lists (SDK v3 sends only "
            "non-empty ones)",
        )
        for kind in ("Integer", "Continuous", "Categorical")
    ),
    # -- each training job definition of a tuning job
    *(
        Default(
            scope=Scope.DEFINITION,
            path=f"HyperParameterRanges.{kind}ParameterRanges",
            value=[],
            evidence="I (as ParameterRanges, for multi-definition jobs); S v2 tuner.py:1271",
        )
        for kind in ("Integer", "Continuous", "Categorical")
    ),
    Default(
        scope=Scope.DEFINITION,
        path=f"StaticHyperParameters.{TUNING_OBJECTIVE_HYPERPARAMETER}",
        value=Derived(fn=_objective_name, says="the definition's objective metric name"),
        evidence="S v2 tuner.py:1520 (del without a check); K; R2; R3 (training jobs have it)",
    ),
    *(
        Default(scope=Scope.DEFINITION, path=member, value=False, evidence="K late_initialize")
        for member in (
            "EnableNetworkIsolation",
            "EnableInterContainerTrafficEncryption",
            "EnableManagedSpotTraining",
        )
    ),
    Default(
        scope=Scope.DEFINITION,
        path="AlgorithmSpecification.MetricDefinitions",
        value=Derived(
            fn=_builtin_metrics_and_objective,
            says="an AWS built-in algorithm image's published metrics, then ObjectiveMetric "
            "with the objective's regex (builtin_metric_definitions)",
        ),
        evidence="R2, K (built-in images); S v2 tuner.py:1581, analytics.py:425",
    ),
    Default(
        scope=Scope.DEFINITION,
        path="InputDataConfig[].CompressionType",
        value=CompressionType.NONE,
        evidence="K",
    ),
    Default(
        scope=Scope.DEFINITION,
        path="InputDataConfig[].RecordWrapperType",
        value=RecordWrapper.NONE,
        evidence="K (custom_delta.go: the default RecordWrapperType is None)",
    ),
    Default(
        scope=Scope.DEFINITION,
        path="InputDataConfig[].InputMode",
        value=Derived(fn=_channel_input_mode, says="AlgorithmSpecification.TrainingInputMode"),
        evidence="K (tuning job describe fixture)",
    ),
    Default(
        scope=Scope.DEFINITION,
        path="ResourceConfig",
        value=Derived(
            fn=_definition_resource_config,
            says="HyperParameterTuningResourceConfig's InstanceType, InstanceCount, "
            "VolumeSizeInGB, VolumeKmsKeyId (not with InstanceConfigs)",
        ),
        evidence="I; S v2 attach reads it (estimator.py:2022 via tuner.py:1535) although v2 "
        "sends only HyperParameterTuningResourceConfig",
    ),
    Default(
        scope=Scope.DEFINITION,
        path="StoppingCondition.MaxRuntimeInSeconds",
        value=DEFAULT_MAX_RUNTIME_IN_SECONDS,
        evidence="M doc (1 day); S v2 estimator.py:2025 reads it on attach",
    ),
    # -- a training job a tuning job launches (then the training job rows)
    Default(
        scope=Scope.LAUNCHED,
        path="ResourceConfig",
        value=Derived(
            fn=_launched_resource_config,
            says="the definition's HyperParameterTuningResourceConfig (with InstanceConfigs: "
            "the first)",
        ),
        evidence="M (DescribeTrainingJob); S v2 estimator.py:2022, session.py:9277",
    ),
    # -- every training job
    Default(
        scope=Scope.TRAINING_JOB,
        path="OutputDataConfig.KmsKeyId",
        value="",
        evidence="R1; K late_initialize; S v2 estimator.py:2029",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="OutputDataConfig.CompressionType",
        value=OutputCompressionType.GZIP,
        evidence="R1; M doc",
    ),
    *(
        Default(
            scope=Scope.TRAINING_JOB, path=member, value=False, evidence="R1; K late_initialize"
        )
        for member in (
            "EnableNetworkIsolation",
            "EnableInterContainerTrafficEncryption",
            "EnableManagedSpotTraining",
        )
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="AlgorithmSpecification.EnableSageMakerMetricsTimeSeries",
        value=False,
        evidence="R1; K late_initialize",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="AlgorithmSpecification.MetricDefinitions",
        value=Derived(
            fn=_builtin_metrics,
            says="an AWS built-in algorithm image's published metrics (builtin_metric_definitions)",
        ),
        evidence="R1 (27 for sagemaker-xgboost); S v2 analytics.py:425",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="InputDataConfig[].CompressionType",
        value=CompressionType.NONE,
        evidence="R1; K",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="InputDataConfig[].RecordWrapperType",
        value=RecordWrapper.NONE,
        evidence="R1; K",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="StoppingCondition",
        value=StoppingCondition(max_runtime_in_seconds=DEFAULT_MAX_RUNTIME_IN_SECONDS),
        evidence="M (required in DescribeTrainingJob; doc: 1 day)",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="StoppingCondition.MaxRuntimeInSeconds",
        value=DEFAULT_MAX_RUNTIME_IN_SECONDS,
        evidence="M doc; K; S v2 estimator.py:2025",
    ),
    Default(
        scope=Scope.TRAINING_JOB,
        path="ProfilerConfig.ProfilingIntervalInMilliseconds",
        value=500,
        evidence="R1",
    ),
    # -- DescribeTrainingJob's own members
    Default(
        scope=Scope.DESCRIBED,
        path="ModelArtifacts",
        value=Derived(
            fn=_model_artifacts,
            says="<OutputDataConfig.S3OutputPath>/<TrainingJobName>/output/model.tar.gz",
        ),
        evidence="R1; M (required); S v2 estimator.py:1961",
    ),
    Default(
        scope=Scope.DESCRIBED,
        path="ProfilingStatus",
        value=Derived(
            fn=_profiling_status,
            says="Enabled with a ProfilerConfig that does not disable the profiler, else Disabled",
        ),
        evidence="R1; K",
    ),
)
"""Every member the service fills in or derives (applied scope by scope, in one walk of each
object: ``_apply``)."""

_ROWS: dict[Scope, tuple[Default, ...]] = {
    scope: tuple(row for row in SERVICE_DEFAULTS if row.scope is scope) for scope in Scope
}


# -- applying the table


def stored_request(
    request: StoredRequest, algorithms: AlgorithmRegistry | None = None
) -> StoredRequest:
    """The form in which the simulator keeps ``request`` (and answers Describe with): the
    request with ``SERVICE_DEFAULTS`` applied. ``algorithms`` answers which training images
    are built-in algorithms with predefined metrics (None: no such lookup).

    Idempotent: a stored request passes through unchanged.
    """
    if isinstance(request, CreateTrainingJobRequest):
        return _apply(
            _TREES[Scope.TRAINING_JOB], request, Context(root=request, algorithms=algorithms)
        )
    config = request.hyper_parameter_tuning_job_config
    request = _apply(
        _TREES[Scope.TUNING_JOB], request, Context(root=request, algorithms=algorithms)
    )

    def definition(d: HyperParameterTrainingJobDefinition) -> HyperParameterTrainingJobDefinition:
        context = Context(root=d, config=config, definition=d, algorithms=algorithms)
        return _apply(_TREES[Scope.DEFINITION], d, context)

    if request.training_job_definition is not None:
        single = definition(request.training_job_definition)
        if single is not request.training_job_definition:
            request = replace_unchecked(request, {"training_job_definition": single})
    if request.training_job_definitions is not None:
        many = [definition(d) for d in request.training_job_definitions]
        if any(a is not b for a, b in zip(many, request.training_job_definitions, strict=True)):
            request = replace_unchecked(request, {"training_job_definitions": many})
    return request


def training_request(
    definition: HyperParameterTrainingJobDefinition,
    *,
    name: str,
    hyperparameters: Mapping[str, str],
) -> CreateTrainingJobRequest:
    """The request of one training job a tuning job launches from ``definition`` (stored).

    Not validated again: the definition was, and the service's own training jobs are not held
    to CreateTrainingJob's limits (100 static + 30 tuned hyperparameters + the objective's
    name may exceed its 100).
    """
    members: dict[str, Any] = {member: getattr(definition, member) for member in INHERITED_MEMBERS}
    members["algorithm_specification"] = _algorithm(definition.algorithm_specification)
    members["training_job_name"] = name
    members["hyper_parameters"] = dict(hyperparameters)
    request = build_unchecked(CreateTrainingJobRequest, members)
    request = _apply(_TREES[Scope.LAUNCHED], request, Context(root=request, definition=definition))
    return stored_request(request)


def described_training_members(request: CreateTrainingJobRequest) -> dict[str, Any]:
    """DescribeTrainingJob's members that come from the stored training request: the echoed
    ones (``DESCRIBED_MEMBERS``) and the derived ones (``Scope.DESCRIBED`` rows), by
    attribute name."""
    members = {member: getattr(request, member) for member in DESCRIBED_MEMBERS}
    context = Context(root=request)
    for row in _ROWS[Scope.DESCRIBED]:
        (step,) = row.steps
        members[_attribute(DescribeTrainingJobResponse, step)] = row.value_in(context)
    return members


def _algorithm(spec: HyperParameterAlgorithmSpecification) -> AlgorithmSpecification:
    return build_unchecked(
        AlgorithmSpecification,
        {
            "training_image": spec.training_image,
            "training_input_mode": spec.training_input_mode,
            "algorithm_name": spec.algorithm_name,
            "metric_definitions": spec.metric_definitions,
        },
    )


@attrs.frozen(kw_only=True)
class _Member:
    """The rows of one scope as a tree: what fills a member, and the rows inside it."""

    fill: Default | None = None
    inner: dict[str, _Member] = attrs.Factory(dict)


def _tree(rows: Sequence[Default]) -> dict[str, _Member]:
    root: dict[str, _Member] = {}
    for row in rows:
        level = root
        for i, step in enumerate(row.steps):
            if step not in level:
                level[step] = _Member()
            if i == len(row.steps) - 1:
                assert level[step].fill is None, f"two rows fill {row.path}"
                level[step] = attrs.evolve(level[step], fill=row)
            level = level[step].inner
    return root


_TREES = {scope: _tree(rows) for scope, rows in _ROWS.items()}


def _apply(tree: Mapping[str, _Member], root: S, context: Context) -> S:
    """``root`` with every row of ``tree`` filled in, in one walk that copies each changed
    object once (the same object when nothing was missing). Derived values read
    ``context.root`` as it was before: no row depends on what another fills."""
    filled: S = _fill(root, tree, context)
    return filled


def _fill(node: Any, members: Mapping[str, _Member], context: Context) -> Any:
    if isinstance(node, dict):  # a map: the steps are keys, and rows fill them
        added = {}
        for key, member in members.items():
            if key not in node and member.fill is not None:
                value = member.fill.value_in(context)
                if value is not None:
                    added[key] = value
        return {**node, **added} if added else node
    changes: dict[str, Any] = {}
    cls = type(node)
    for step, member in members.items():
        if step.endswith("[]"):  # every item of a list
            attribute = _attribute(cls, step[:-2])
            items = getattr(node, attribute)
            if items is not None:
                done = [_fill(item, member.inner, context) for item in items]
                if any(a is not b for a, b in zip(done, items, strict=True)):
                    changes[attribute] = done
            continue
        attribute = _attribute(cls, step)
        current = getattr(node, attribute)
        if current is None and member.fill is not None:
            current = member.fill.value_in(context)
            if current is not None:
                changes[attribute] = current
        if member.inner:
            if current is None and _is_map(cls, attribute):
                current = {}  # a map is created for the keys the rows fill
            if current is not None:
                done = _fill(current, member.inner, context)
                if done is not current or attribute in changes:
                    changes[attribute] = done
    return replace_unchecked(node, changes) if changes else node


def _attribute(cls: type[Shape], wire: str) -> str:
    return cls._MEMBERS[wire]


_MAPS: dict[tuple[type[Any], str], bool] = {}


def _is_map(cls: type[Any], attribute: str) -> bool:
    found = _MAPS.get((cls, attribute))
    if found is None:
        tp = typing.get_type_hints(cls)[attribute]
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        found = _MAPS[cls, attribute] = typing.get_origin(tp) is dict
    return found


# -- the stored (wire) form


def request_to_wire(
    request: CreateHyperParameterTuningJobRequest | CreateTrainingJobRequest,
) -> dict[str, Any]:
    """The wire form of a stored request (what the store writes)."""
    return to_wire(request)


def request_from_wire(cls: type[StoredRequest], data: Mapping[str, Any]) -> StoredRequest:
    """A stored request read back: structured like a response (leniently), not validated
    again (the simulator accepted or built it once; a restart must not judge it anew)."""
    return from_wire(cls, data, validate=False)
