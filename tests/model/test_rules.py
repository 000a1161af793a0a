"""The tuning API's cross-field rules (``sagetune.rules``): each one failing and passing."""

from __future__ import annotations

import pytest

from sagetune.errors import ValidationError, Violation
from sagetune.model import (
    AlgorithmSpecification,
    CategoricalParameterRange,
    ContinuousParameterRange,
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    DescribeHyperParameterTuningJobRequest,
    HyperbandStrategyConfig,
    HyperParameterAlgorithmSpecification,
    HyperParameterTuningJobStrategyConfig,
    IntegerParameterRange,
    OutputDataConfig,
    ParameterRanges,
    ResourceConfig,
    ResourceLimits,
    StoppingCondition,
)
from sagetune.rules import check_rules, infer_max_resource, rule_violations
from tests.model.sample_requests import (
    IMAGE,
    ROLE_ARN,
    config,
    definition,
    objective,
    ranges,
    tuning_job,
)

CONFIG = "hyperParameterTuningJobConfig"
RANGES = f"{CONFIG}.parameterRanges"


def hyperband(
    min_resource: int | None = 1, max_resource: int | None = 27
) -> HyperParameterTuningJobStrategyConfig:
    return HyperParameterTuningJobStrategyConfig(
        hyperband_strategy_config=HyperbandStrategyConfig(
            min_resource=min_resource, max_resource=max_resource
        )
    )


def categorical(name: str, *values: str) -> CategoricalParameterRange:
    return CategoricalParameterRange(name=name, values=list(values))


def integer(name: str, low: str, high: str, scaling: str | None = None) -> IntegerParameterRange:
    return IntegerParameterRange(name=name, min_value=low, max_value=high, scaling_type=scaling)


def continuous(
    name: str, low: str, high: str, scaling: str | None = None
) -> ContinuousParameterRange:
    return ContinuousParameterRange(name=name, min_value=low, max_value=high, scaling_type=scaling)


def with_ranges(
    integer: list[IntegerParameterRange] | None = None,
    continuous: list[ContinuousParameterRange] | None = None,
    categorical: list[CategoricalParameterRange] | None = None,
) -> CreateHyperParameterTuningJobRequest:
    parameter_ranges = ranges(integer, continuous, categorical)
    return tuning_job(hyper_parameter_tuning_job_config=config(parameter_ranges=parameter_ranges))


def test_a_valid_tuning_job_breaks_no_rule() -> None:
    assert rule_violations(tuning_job()) == []
    check_rules(tuning_job())


def test_operations_without_cross_field_rules_have_none() -> None:
    assert (
        rule_violations(DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="j"))
        == []
    )


def test_check_rules_raises_every_violation_in_the_service_wording() -> None:
    request = tuning_job(training_job_definition=None)
    with pytest.raises(ValidationError) as caught:
        check_rules(request)
    assert str(caught.value) == (
        "1 validation error detected: Value null at 'trainingJobDefinition' failed to satisfy "
        "constraint: Exactly one of TrainingJobDefinition and TrainingJobDefinitions must be "
        "provided"
    )


def test_exactly_one_kind_of_training_job_definition() -> None:
    both = tuning_job(training_job_definitions=[definition(definition_name="a")])
    assert Violation(
        "trainingJobDefinition",
        None,
        "Exactly one of TrainingJobDefinition and TrainingJobDefinitions must be provided",
    ) in rule_violations(both)


def test_hyperband_forbids_automatic_early_stopping() -> None:
    rule = Violation(
        f"{CONFIG}.trainingJobEarlyStoppingType",
        "Auto",
        "The Hyperband strategy has its own early stopping: TrainingJobEarlyStoppingType must be Off",
    )
    failing = config(
        strategy="Hyperband", strategy_config=hyperband(), training_job_early_stopping_type="Auto"
    )
    assert rule_violations(tuning_job(hyper_parameter_tuning_job_config=failing)) == [rule]
    passing = config(
        strategy="Hyperband", strategy_config=hyperband(), training_job_early_stopping_type="Off"
    )
    assert rule_violations(tuning_job(hyper_parameter_tuning_job_config=passing)) == []


def test_strategy_config_only_with_hyperband() -> None:
    request = tuning_job(hyper_parameter_tuning_job_config=config(strategy_config=hyperband()))
    assert rule_violations(request) == [
        Violation(
            f"{CONFIG}.strategyConfig",
            "Bayesian",
            "StrategyConfig may be provided only with the Hyperband strategy",
        )
    ]


def test_multi_algorithm_jobs_keep_ranges_in_each_definition() -> None:
    definitions = [
        definition(
            definition_name="a",
            hyper_parameter_ranges=ranges(continuous=[continuous("lr", "0.1", "1")]),
        ),
        definition(
            definition_name="b",
            hyper_parameter_ranges=ranges(continuous=[continuous("lr", "0.1", "1")]),
        ),
    ]
    shared = tuning_job(training_job_definition=None, training_job_definitions=definitions)
    assert rule_violations(shared) == [
        Violation(
            RANGES,
            None,
            "With TrainingJobDefinitions, give each definition its own HyperParameterRanges",
        )
    ]
    own = tuning_job(
        training_job_definition=None,
        training_job_definitions=definitions,
        hyper_parameter_tuning_job_config=config(parameter_ranges=None),
    )
    assert rule_violations(own) == []


def test_multi_algorithm_definitions_need_unique_names() -> None:
    definitions = [definition(), definition(definition_name="a"), definition(definition_name="a")]
    request = tuning_job(
        training_job_definition=None,
        training_job_definitions=definitions,
        hyper_parameter_tuning_job_config=config(parameter_ranges=None),
    )
    assert rule_violations(request) == [
        Violation(
            "trainingJobDefinitions.1.member.definitionName",
            None,
            "Every definition of a multi-algorithm job needs a name",
        ),
        Violation(
            "trainingJobDefinitions.3.member.definitionName", "a", "Definition names must be unique"
        ),
    ]


def test_an_objective_is_required_somewhere() -> None:
    missing = tuning_job(
        hyper_parameter_tuning_job_config=config(hyper_parameter_tuning_job_objective=None)
    )
    assert rule_violations(missing) == [
        Violation(
            "trainingJobDefinition.tuningObjective",
            None,
            "An objective is required: set HyperParameterTuningJobObjective on the config or "
            "TuningObjective on every training job definition",
        )
    ]
    per_definition = tuning_job(
        hyper_parameter_tuning_job_config=config(hyper_parameter_tuning_job_objective=None),
        training_job_definition=definition(tuning_objective=objective()),
    )
    assert rule_violations(per_definition) == []


def test_the_objective_metric_must_be_defined() -> None:
    request = tuning_job(training_job_definition=definition(metrics=("train:loss", "val:acc")))
    assert rule_violations(request) == [
        Violation(
            "trainingJobDefinition.algorithmSpecification.metricDefinitions",
            "validation:loss",
            "The objective metric 'validation:loss' must be defined in MetricDefinitions "
            "(defined: train:loss, val:acc)",
        )
    ]


def test_an_algorithm_resource_brings_its_own_metrics() -> None:
    spec = HyperParameterAlgorithmSpecification(
        algorithm_name="my-algorithm", training_input_mode="File"
    )
    request = tuning_job(training_job_definition=definition(algorithm_specification=spec))
    assert rule_violations(request) == []


def test_exactly_one_of_training_image_and_algorithm_name() -> None:
    both = HyperParameterAlgorithmSpecification(
        training_image=IMAGE, algorithm_name="my-algorithm", training_input_mode="File"
    )
    neither = HyperParameterAlgorithmSpecification(training_input_mode="File")
    rule = "Exactly one of TrainingImage and AlgorithmName must be provided"
    path = "trainingJobDefinition.algorithmSpecification"
    for spec in (both, neither):
        found = rule_violations(
            tuning_job(training_job_definition=definition(algorithm_specification=spec))
        )
        assert Violation(path, None, rule) in found


def test_at_most_thirty_hyperparameters_are_searched() -> None:
    # Each list may hold 30 (a model trait); the rule counts the three lists together.
    integers = [integer(f"i{i}", "0", "9") for i in range(20)]
    floats = [continuous(f"c{i}", "0", "1") for i in range(11)]
    assert rule_violations(with_ranges(integer=integers, continuous=floats)) == [
        Violation(
            RANGES,
            31,
            "At most 30 hyperparameters can be searched (integer, continuous and categorical "
            "ranges together)",
        )
    ]
    assert rule_violations(with_ranges(integer=integers, continuous=floats[:10])) == []


def test_hyperparameter_names_are_unique_across_range_kinds() -> None:
    found = rule_violations(
        with_ranges(
            integer=[integer("depth", "1", "5")], categorical=[categorical("depth", "a", "b")]
        )
    )
    assert found == [
        Violation(
            f"{RANGES}.categoricalParameterRanges.1.member.name",
            "depth",
            "Hyperparameter names must be unique",
        )
    ]


def test_a_tuned_hyperparameter_is_not_also_static() -> None:
    request = tuning_job(training_job_definition=definition(static_hyper_parameters={"lr": "0.1"}))
    assert rule_violations(request) == [
        Violation(
            f"{RANGES}.continuousParameterRanges.1.member.name",
            "lr",
            "A tuned hyperparameter must not also be a static hyperparameter",
        )
    ]


def test_range_bounds_must_parse_as_their_kind() -> None:
    found = rule_violations(
        with_ranges(
            integer=[integer("depth", "1.5", "ten")], continuous=[continuous("lr", "nan", "1")]
        )
    )
    base = f"{RANGES}"
    assert found == [
        Violation(
            f"{base}.integerParameterRanges.1.member.minValue", "1.5", "MinValue must be an integer"
        ),
        Violation(
            f"{base}.integerParameterRanges.1.member.maxValue", "ten", "MaxValue must be an integer"
        ),
        Violation(
            f"{base}.continuousParameterRanges.1.member.minValue",
            "nan",
            "MinValue must be a number",
        ),
    ]
    assert (
        rule_violations(
            with_ranges(
                integer=[integer("depth", "1", "10")], continuous=[continuous("lr", "1e-4", "1")]
            )
        )
        == []
    )


def test_min_value_must_not_exceed_max_value() -> None:
    found = rule_violations(with_ranges(continuous=[continuous("lr", "0.5", "0.1")]))
    assert found == [
        Violation(
            f"{RANGES}.continuousParameterRanges.1.member.minValue",
            "0.5",
            "MinValue must be less than or equal to MaxValue (0.1)",
        )
    ]
    assert rule_violations(with_ranges(continuous=[continuous("lr", "0.5", "0.5")])) == []


def test_logarithmic_scaling_needs_positive_values() -> None:
    found = rule_violations(with_ranges(integer=[integer("n", "0", "100", "Logarithmic")]))
    assert found == [
        Violation(
            f"{RANGES}.integerParameterRanges.1.member.minValue",
            "0",
            "Logarithmic scaling works only for ranges whose values are all greater than 0",
        )
    ]
    assert rule_violations(with_ranges(integer=[integer("n", "1", "100", "Logarithmic")])) == []


def test_reverse_logarithmic_scaling_is_continuous_only() -> None:
    found = rule_violations(with_ranges(integer=[integer("n", "0", "1", "ReverseLogarithmic")]))
    assert found == [
        Violation(
            f"{RANGES}.integerParameterRanges.1.member.scalingType",
            "ReverseLogarithmic",
            "ReverseLogarithmic scaling works only for continuous ranges",
        )
    ]


@pytest.mark.parametrize(
    ("low", "high", "ok"), [("0", "0.99", True), ("0.5", "1", False), ("-0.1", "0.5", False)]
)
def test_reverse_logarithmic_scaling_needs_values_in_zero_to_one(
    low: str, high: str, ok: bool
) -> None:
    found = rule_violations(
        with_ranges(continuous=[continuous("momentum", low, high, "ReverseLogarithmic")])
    )
    expected = Violation(
        f"{RANGES}.continuousParameterRanges.1.member.scalingType",
        "ReverseLogarithmic",
        "ReverseLogarithmic scaling works only for ranges entirely within 0 <= x < 1.0",
    )
    assert found == ([] if ok else [expected])


def grid(
    parameter_ranges: ParameterRanges, max_jobs: int | None = 4
) -> CreateHyperParameterTuningJobRequest:
    return tuning_job(
        hyper_parameter_tuning_job_config=config(
            strategy="Grid",
            parameter_ranges=parameter_ranges,
            resource_limits=ResourceLimits(
                max_number_of_training_jobs=max_jobs, max_parallel_training_jobs=2
            ),
        )
    )


def test_grid_searches_categorical_ranges_only() -> None:
    found = rule_violations(grid(ranges(continuous=[continuous("lr", "0", "1")])))
    assert found == [
        Violation(RANGES, None, "The Grid strategy needs at least one categorical range")
    ]
    mixed = ranges(
        continuous=[continuous("lr", "0", "1")], categorical=[categorical("a", "x", "y")]
    )
    assert rule_violations(grid(mixed, max_jobs=2)) == [
        Violation(RANGES, None, "The Grid strategy searches categorical ranges only")
    ]


def test_grid_needs_enough_combinations_for_the_job_count() -> None:
    two_by_two = ranges(categorical=[categorical("a", "x", "y"), categorical("b", "1", "2")])
    assert rule_violations(grid(two_by_two, max_jobs=4)) == []
    assert rule_violations(grid(two_by_two, max_jobs=None)) == []
    assert rule_violations(grid(two_by_two, max_jobs=5)) == [
        Violation(
            f"{CONFIG}.resourceLimits.maxNumberOfTrainingJobs",
            5,
            "Not enough combinations for the Grid strategy: the categorical ranges give 4, fewer "
            "than MaxNumberOfTrainingJobs",
        )
    ]


def hyperband_job(
    strategy_config: HyperParameterTuningJobStrategyConfig | None,
    static: dict[str, str] | None = None,
) -> CreateHyperParameterTuningJobRequest:
    return tuning_job(
        hyper_parameter_tuning_job_config=config(
            strategy="Hyperband", strategy_config=strategy_config
        ),
        training_job_definition=definition(static_hyper_parameters=static),
    )


HYPERBAND = f"{CONFIG}.strategyConfig.hyperbandStrategyConfig"


def test_hyperband_max_resource_is_given_or_inferred_from_epochs() -> None:
    assert rule_violations(hyperband_job(hyperband(max_resource=None), {"epochs": "30"})) == []
    assert rule_violations(hyperband_job(None, {"num_epochs": "30"})) == []
    assert rule_violations(hyperband_job(hyperband(max_resource=None), {"depth": "3"})) == [
        Violation(
            f"{HYPERBAND}.maxResource",
            None,
            "MaxResource is required for Hyperband unless a static hyperparameter names the "
            "epochs (epochs, numepochs, n-epochs, n_epochs, num_epochs)",
        )
    ]


def test_hyperband_max_resource_is_at_most_20000() -> None:
    assert rule_violations(hyperband_job(hyperband(max_resource=20000))) == []
    assert rule_violations(hyperband_job(hyperband(max_resource=20001))) == [
        Violation(f"{HYPERBAND}.maxResource", 20001, "MaxResource must be at most 20000")
    ]


def test_hyperband_min_resource_does_not_exceed_max_resource() -> None:
    assert rule_violations(hyperband_job(hyperband(min_resource=30, max_resource=27))) == [
        Violation(f"{HYPERBAND}.minResource", 30, "MinResource must not exceed MaxResource")
    ]


@pytest.mark.parametrize(
    ("static", "expected"),
    [
        ({"epochs": "50"}, 50),
        ({"n-epochs": "7"}, 7),
        ({"epochs": "0"}, None),
        ({"epochs": "many"}, None),
        ({}, None),
    ],
)
def test_max_resource_inferred_from_an_epochs_hyperparameter(
    static: dict[str, str], expected: int | None
) -> None:
    assert infer_max_resource(static) == expected


def training_job(spec: AlgorithmSpecification) -> CreateTrainingJobRequest:
    return CreateTrainingJobRequest(
        training_job_name="train-1",
        algorithm_specification=spec,
        role_arn=ROLE_ARN,
        output_data_config=OutputDataConfig(s3_output_path="s3://bucket/out/"),
        resource_config=ResourceConfig(
            instance_type="ml.m5.large", instance_count=1, volume_size_in_gb=10
        ),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=600),
    )


def test_a_training_job_names_exactly_one_algorithm() -> None:
    rule = Violation(
        "algorithmSpecification",
        None,
        "Exactly one of TrainingImage and AlgorithmName must be provided",
    )
    neither = training_job(AlgorithmSpecification(training_input_mode="File"))
    assert rule_violations(neither) == [rule]
    image = training_job(AlgorithmSpecification(training_image=IMAGE, training_input_mode="File"))
    assert rule_violations(image) == []
