"""The tuning API's documented cross-field rules: what the model's traits cannot say.

The model checks each member on its own (each shape's ``_violations``, generated into
``sagetune.model.shapes``); this layer checks members against each other, following the
SageMaker documentation on tuning jobs (see the project's reference notes): numeric ranges
that parse and are ordered, scaling types that fit their range, the 30-range limit, Grid
and Hyperband constraints, the objective metric among the MetricDefinitions, one kind of
training job definition, and the like.

The client runs it before sending (``validate_rules=False`` opts out); the simulator runs it
on every create request. Rules that need stored state (warm-start parents, name reuse) are
the simulator's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

from sagetune.errors import ValidationError, Violation
from sagetune.model import (
    ContinuousParameterRange,
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobConfig,
    HyperParameterTuningJobObjective,
    IntegerParameterRange,
    ParameterRanges,
)

MAX_TUNED_HYPERPARAMETERS = 30
HYPERBAND_MAX_RESOURCE = 20000
EPOCH_HYPERPARAMETERS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")


def training_job_definitions(
    request: CreateHyperParameterTuningJobRequest,
) -> list[HyperParameterTrainingJobDefinition]:
    """The request's training job definitions: TrainingJobDefinition, or each of
    TrainingJobDefinitions (multi-algorithm jobs)."""
    if request.training_job_definition is not None:
        return [request.training_job_definition]
    return list(request.training_job_definitions or [])


def objective_of(
    config: HyperParameterTuningJobConfig, definition: HyperParameterTrainingJobDefinition
) -> HyperParameterTuningJobObjective | None:
    """A definition's objective: its own TuningObjective, else the tuning job config's."""
    return definition.tuning_objective or config.hyper_parameter_tuning_job_objective


def ranges_of(
    config: HyperParameterTuningJobConfig, definition: HyperParameterTrainingJobDefinition
) -> ParameterRanges | None:
    """A definition's ranges: its own HyperParameterRanges, else the tuning job config's."""
    return definition.hyper_parameter_ranges or config.parameter_ranges


def rule_violations(request: object) -> list[Violation]:
    """Every cross-field rule ``request`` breaks (empty for operations without such rules)."""
    if isinstance(request, CreateHyperParameterTuningJobRequest):
        return list(_tuning_job(request))
    if isinstance(request, CreateTrainingJobRequest):
        return list(_training_job(request))
    return []


def check_rules(request: object) -> None:
    """Raise ``ValidationError`` listing every cross-field rule ``request`` breaks."""
    found = rule_violations(request)
    if found:
        raise ValidationError(found)


def _tuning_job(req: CreateHyperParameterTuningJobRequest) -> Iterator[Violation]:
    config = req.hyper_parameter_tuning_job_config
    single, multiple = req.training_job_definition, req.training_job_definitions
    if (single is None) == (multiple is None):
        yield Violation(
            "trainingJobDefinition",
            None,
            "Exactly one of TrainingJobDefinition and TrainingJobDefinitions must be provided",
        )
    definitions: list[tuple[str, HyperParameterTrainingJobDefinition]] = []
    if single is not None:
        definitions.append(("trainingJobDefinition", single))
    for i, definition in enumerate(multiple or [], 1):
        definitions.append((f"trainingJobDefinitions.{i}.member", definition))

    strategy = config.strategy
    early_stopping = config.training_job_early_stopping_type
    if strategy == "Hyperband" and early_stopping not in (None, "Off"):
        yield Violation(
            "hyperParameterTuningJobConfig.trainingJobEarlyStoppingType",
            early_stopping,
            "The Hyperband strategy has its own early stopping: TrainingJobEarlyStoppingType "
            "must be Off",
        )
    if config.strategy_config is not None and strategy != "Hyperband":
        yield Violation(
            "hyperParameterTuningJobConfig.strategyConfig",
            strategy,
            "StrategyConfig may be provided only with the Hyperband strategy",
        )
    if config.parameter_ranges is not None and multiple is not None:
        yield Violation(
            "hyperParameterTuningJobConfig.parameterRanges",
            None,
            "With TrainingJobDefinitions, give each definition its own HyperParameterRanges",
        )

    if multiple is not None:
        yield from _definition_names(multiple)
    for path, definition in definitions:
        ranges = ranges_of(config, definition)
        ranges_path = (
            f"{path}.hyperParameterRanges"
            if definition.hyper_parameter_ranges is not None
            else "hyperParameterTuningJobConfig.parameterRanges"
        )
        objective = objective_of(config, definition)
        if objective is None:
            yield Violation(
                f"{path}.tuningObjective",
                None,
                "An objective is required: set HyperParameterTuningJobObjective on the config "
                "or TuningObjective on every training job definition",
            )
        elif strategy != "Grid":  # an unknown strategy is the model's error; this still holds
            yield from _objective_in_metrics(path, definition, objective)
        if ranges is not None:
            yield from _ranges(ranges_path, ranges, definition.static_hyper_parameters or {})
        yield from _algorithm(f"{path}.algorithmSpecification", definition)
        if strategy == "Grid":
            yield from _grid(
                ranges_path, ranges, config.resource_limits.max_number_of_training_jobs
            )
        if strategy == "Hyperband":
            yield from _hyperband(config.strategy_config, definition)


def _definition_names(
    definitions: Sequence[HyperParameterTrainingJobDefinition],
) -> Iterator[Violation]:
    seen: set[str] = set()
    for i, definition in enumerate(definitions, 1):
        name = definition.definition_name
        path = f"trainingJobDefinitions.{i}.member.definitionName"
        if name is None:
            yield Violation(path, None, "Every definition of a multi-algorithm job needs a name")
        elif name in seen:
            yield Violation(path, name, "Definition names must be unique")
        else:
            seen.add(name)


def _objective_in_metrics(
    path: str,
    definition: HyperParameterTrainingJobDefinition,
    objective: HyperParameterTuningJobObjective,
) -> Iterator[Violation]:
    spec = definition.algorithm_specification
    if spec.training_image is None:
        return  # an algorithm resource brings its own metric definitions
    if not spec.metric_definitions:
        # The service decides: AWS's built-in algorithm images publish their own metrics
        # (a request from AWS's documentation has none); any other image is refused there.
        return
    names = [m.name for m in spec.metric_definitions]
    if objective.metric_name not in names:
        yield Violation(
            f"{path}.algorithmSpecification.metricDefinitions",
            objective.metric_name,
            f"The objective metric {objective.metric_name!r} must be defined in "
            f"MetricDefinitions (defined: {', '.join(names) or 'none'})",
        )


def _algorithm(path: str, definition: HyperParameterTrainingJobDefinition) -> Iterator[Violation]:
    spec = definition.algorithm_specification
    if (spec.training_image is None) == (spec.algorithm_name is None):
        yield Violation(
            path, None, "Exactly one of TrainingImage and AlgorithmName must be provided"
        )


def _ranges(path: str, ranges: ParameterRanges, static: dict[str, str]) -> Iterator[Violation]:
    integer = ranges.integer_parameter_ranges or []
    continuous = ranges.continuous_parameter_ranges or []
    categorical = ranges.categorical_parameter_ranges or []
    total = len(integer) + len(continuous) + len(categorical)
    if total > MAX_TUNED_HYPERPARAMETERS:
        yield Violation(
            path,
            total,
            f"At most {MAX_TUNED_HYPERPARAMETERS} hyperparameters can be searched "
            "(integer, continuous and categorical ranges together)",
        )
    names: set[str] = set()
    kinds = (
        ("integerParameterRanges", [r.name for r in integer]),
        ("continuousParameterRanges", [r.name for r in continuous]),
        ("categoricalParameterRanges", [r.name for r in categorical]),
    )
    for list_name, range_names in kinds:
        for i, name in enumerate(range_names, 1):
            name_path = f"{path}.{list_name}.{i}.member.name"
            if name in names:
                yield Violation(name_path, name, "Hyperparameter names must be unique")
            names.add(name)
            if name in static:
                yield Violation(
                    name_path,
                    name,
                    "A tuned hyperparameter must not also be a static hyperparameter",
                )
    for i, irange in enumerate(integer, 1):
        yield from _numeric_range(
            f"{path}.integerParameterRanges.{i}.member", irange, is_integer=True
        )
    for i, crange in enumerate(continuous, 1):
        yield from _numeric_range(
            f"{path}.continuousParameterRanges.{i}.member", crange, is_integer=False
        )


def _parse(text: str, is_integer: bool) -> float | None:
    try:
        value = float(int(text)) if is_integer else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numeric_range(
    path: str, rng: IntegerParameterRange | ContinuousParameterRange, *, is_integer: bool
) -> Iterator[Violation]:
    min_text, max_text, scaling = rng.min_value, rng.max_value, rng.scaling_type
    kind = "an integer" if is_integer else "a number"
    low, high = _parse(min_text, is_integer), _parse(max_text, is_integer)
    if low is None:
        yield Violation(f"{path}.minValue", min_text, f"MinValue must be {kind}")
    if high is None:
        yield Violation(f"{path}.maxValue", max_text, f"MaxValue must be {kind}")
    if low is None or high is None:
        return
    if low > high:
        yield Violation(
            f"{path}.minValue",
            min_text,
            f"MinValue must be less than or equal to MaxValue ({max_text})",
        )
    if scaling == "Logarithmic" and low <= 0:
        yield Violation(
            f"{path}.minValue",
            min_text,
            "Logarithmic scaling works only for ranges whose values are all greater than 0",
        )
    if scaling == "ReverseLogarithmic":
        if is_integer:
            yield Violation(
                f"{path}.scalingType",
                scaling,
                "ReverseLogarithmic scaling works only for continuous ranges",
            )
        elif low < 0 or high >= 1:
            yield Violation(
                f"{path}.scalingType",
                scaling,
                "ReverseLogarithmic scaling works only for ranges entirely within 0 <= x < 1.0",
            )


def _grid(path: str, ranges: ParameterRanges | None, max_jobs: int | None) -> Iterator[Violation]:
    if ranges is None or not ranges.categorical_parameter_ranges:
        yield Violation(path, None, "The Grid strategy needs at least one categorical range")
        return
    if ranges.integer_parameter_ranges or ranges.continuous_parameter_ranges:
        yield Violation(path, None, "The Grid strategy searches categorical ranges only")
    combinations = math.prod(len(r.values) for r in ranges.categorical_parameter_ranges)
    if max_jobs is not None and max_jobs > combinations:
        yield Violation(
            "hyperParameterTuningJobConfig.resourceLimits.maxNumberOfTrainingJobs",
            max_jobs,
            f"Not enough combinations for the Grid strategy: the categorical ranges give "
            f"{combinations}, fewer than MaxNumberOfTrainingJobs",
        )


def _hyperband(
    strategy_config: object, definition: HyperParameterTrainingJobDefinition
) -> Iterator[Violation]:
    config = getattr(strategy_config, "hyperband_strategy_config", None)
    path = "hyperParameterTuningJobConfig.strategyConfig.hyperbandStrategyConfig"
    min_resource = getattr(config, "min_resource", None)
    max_resource = getattr(config, "max_resource", None)
    if max_resource is None:
        if infer_max_resource(definition.static_hyper_parameters or {}) is None:
            yield Violation(
                f"{path}.maxResource",
                None,
                "MaxResource is required for Hyperband unless a static hyperparameter "
                f"names the epochs ({', '.join(EPOCH_HYPERPARAMETERS)})",
            )
    elif max_resource > HYPERBAND_MAX_RESOURCE:
        yield Violation(
            f"{path}.maxResource",
            max_resource,
            f"MaxResource must be at most {HYPERBAND_MAX_RESOURCE}",
        )
    if min_resource is not None and max_resource is not None and min_resource > max_resource:
        yield Violation(
            f"{path}.minResource", min_resource, "MinResource must not exceed MaxResource"
        )


def infer_max_resource(static: Mapping[str, str]) -> int | None:
    """Hyperband's MaxResource from an epochs-like static hyperparameter, as documented:
    the first of ``epochs, numepochs, n-epochs, n_epochs, num_epochs`` (exact names, in that
    order) whose value is a positive whole number ("30" or "30.0"); else None."""
    for key in EPOCH_HYPERPARAMETERS:
        text = static.get(key)
        if text is None:
            continue
        try:
            value = float(text)
        except ValueError:
            continue
        if math.isfinite(value) and value >= 1 and value == math.floor(value):
            return int(value)
    return None


def _training_job(req: CreateTrainingJobRequest) -> Iterator[Violation]:
    spec = req.algorithm_specification
    if spec is not None and (spec.training_image is None) == (spec.algorithm_name is None):
        yield Violation(
            "algorithmSpecification",
            None,
            "Exactly one of TrainingImage and AlgorithmName must be provided",
        )
