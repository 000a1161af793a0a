"""String hyperparameters are checked like SageMaker's algorithm containers check them."""

from __future__ import annotations

import pytest

from sagetune.simulator.algorithms import (
    AlgorithmContext,
    AlgorithmError,
    HyperparameterError,
    HyperParameterSpec,
    default_registry,
)
from sagetune.simulator.algorithms.hyperparameters import parse_hyperparameters

SPECS = (
    HyperParameterSpec(
        name="eta", kind="Continuous", min_value="0.001", max_value="1", valid_min="0"
    ),
    HyperParameterSpec(name="depth", kind="Integer", min_value="1", max_value="10", default="6"),
    HyperParameterSpec(
        name="subsample",
        kind="Continuous",
        min_value="0.3",
        max_value="1",
        valid_min="0",
        min_exclusive=True,
        default="1",
    ),
    HyperParameterSpec(name="opt", kind="Categorical", values=("sgd", "adam"), default="adam"),
    HyperParameterSpec(name="tag", kind="Static", default="none"),
    HyperParameterSpec(
        name="rounds", kind="Integer", min_value="1", max_value="100", required=True
    ),
)


def test_values_are_typed_and_defaults_filled_in() -> None:
    hps = parse_hyperparameters({"eta": "0.25", "rounds": "7"}, SPECS)

    assert hps.real("eta") == 0.25
    assert hps.integer("depth") == 6
    assert hps.real("subsample") == 1.0
    assert hps.choice("opt") == "adam"
    assert hps.values["tag"] == "none"
    assert hps.integer("rounds") == 7


def test_reserved_service_keys_are_ignored() -> None:
    hps = parse_hyperparameters(
        {"rounds": "3", "_tuning_objective_metric": "validation:rmse", "sagemaker_region": "x"},
        SPECS,
    )

    assert "_tuning_objective_metric" not in hps.values


def test_unknown_hyperparameter_fails_naming_it_and_listing_known_ones() -> None:
    with pytest.raises(HyperparameterError) as info:
        parse_hyperparameters({"rounds": "3", "learning-rate": "0.1"}, SPECS)

    assert info.value.message.startswith("Extraneous hyperparameter found: learning-rate")
    assert "eta" in info.value.message
    assert info.value.failure_reason.startswith("ClientError: Extraneous hyperparameter")


def test_missing_required_hyperparameter_fails() -> None:
    with pytest.raises(HyperparameterError, match="Missing required hyperparameter: rounds"):
        parse_hyperparameters({}, SPECS)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"eta": "fast"}, "Hyperparameter eta: could not parse value 'fast' as a number"),
        ({"eta": "nan"}, "Hyperparameter eta: value 'nan' is not finite"),
        ({"eta": "1_0"}, "Hyperparameter eta: could not parse value '1_0'"),
        ({"eta": "1.5"}, "Hyperparameter eta: value 1.5 not in range [0, 1]"),
        ({"depth": "2.5"}, "Hyperparameter depth: could not parse value '2.5' as an integer"),
        ({"depth": "0"}, "Hyperparameter depth: value 0 not in range [1, 10]"),
        ({"subsample": "0"}, "Hyperparameter subsample: value 0 not in range (0, 1]"),
        ({"opt": "lbfgs"}, "Hyperparameter opt: value 'lbfgs' not in [sgd, adam]"),
    ],
)
def test_bad_values_fail_with_a_message_naming_the_hyperparameter(
    raw: dict[str, str], message: str
) -> None:
    with pytest.raises(HyperparameterError) as info:
        parse_hyperparameters({"rounds": "5", **raw}, SPECS)

    assert info.value.message.startswith(message)


def test_accepted_range_is_wider_than_the_suggested_search_range() -> None:
    hps = parse_hyperparameters({"rounds": "5", "eta": "0"}, SPECS)

    assert hps.real("eta") == 0.0


def test_integral_decimals_and_whitespace_are_accepted_for_integers() -> None:
    hps = parse_hyperparameters({"rounds": " 5.0 "}, SPECS)

    assert hps.integer("rounds") == 5


def test_hyperparameter_error_is_an_algorithm_error() -> None:
    assert issubclass(HyperparameterError, AlgorithmError)
    error = AlgorithmError("boom")
    assert error.failure_reason == "AlgorithmError: boom"


@pytest.mark.parametrize(
    ("image", "hyperparameters", "message"),
    [
        ("sagetune/branin:latest", {"x1": "1"}, "Missing required hyperparameter: x2"),
        ("sagetune/branin:latest", {"x1": "11", "x2": "1"}, "value 11 not in range [-5, 10]"),
        ("sagetune/hartmann6:latest", {"x1": "0.5"}, "Missing required hyperparameter: x2"),
        ("sagetune/xgboost-curve:latest", {"eta": "2"}, "value 2 not in range [0, 1]"),
        ("sagetune/xgboost-curve:latest", {"max_depth": "deep"}, "could not parse value 'deep'"),
        ("sagetune/mlp-curve:latest", {"optimizer": "lbfgs"}, "Hyperparameter optimizer"),
        ("sagetune/mlp-curve:latest", {"learning_rate": "0"}, "value 0 not in range (0, 100]"),
        ("sagetune/mlp-curve:latest", {"epoch": "10"}, "Extraneous hyperparameter found: epoch"),
    ],
)
def test_builtin_algorithms_fail_on_bad_hyperparameters_when_called(
    image: str, hyperparameters: dict[str, str], message: str
) -> None:
    spec = default_registry().resolve(training_image=image)

    with pytest.raises(HyperparameterError) as info:
        spec.fn(hyperparameters, AlgorithmContext(seed=0, job_name="job"))

    assert message in info.value.message
