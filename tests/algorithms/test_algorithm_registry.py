"""Training jobs find their algorithm by TrainingImage or AlgorithmName."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from sagetune.simulator.algorithms import (
    BUILTIN_ALGORITHMS,
    AlgorithmContext,
    AlgorithmNotFound,
    AlgorithmRegistry,
    AlgorithmSpec,
    LogStream,
    default_registry,
)
from sagetune.simulator.metrics import compile_metric_definitions


def my_training(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
    """My own training function."""
    yield 10.0, f"score={hyperparameters.get('x', '0')};"


@pytest.mark.parametrize(
    "image",
    ["sagetune/branin:latest", "sagetune/branin", "sagetune/branin:1.0", "sagetune/branin:v2_x"],
)
def test_builtin_image_resolves_with_any_tag(image: str) -> None:
    spec = default_registry().resolve(training_image=image)

    assert spec.name == "branin"
    assert spec.builtin


@pytest.mark.parametrize(
    "name", ["xgboost-curve", "arn:aws:sagemaker:us-east-1:123456789012:algorithm/xgboost-curve"]
)
def test_builtin_resolves_by_algorithm_name_or_arn(name: str) -> None:
    assert default_registry().resolve(algorithm_name=name).name == "xgboost-curve"


def test_every_builtin_is_listed_and_resolvable_by_its_image() -> None:
    registry = default_registry()
    names = [spec.name for spec in registry.builtins()]

    assert names == ["branin", "hartmann6", "xgboost-curve", "mlp-curve", "fail", "no-metric"]
    for spec in registry.builtins():
        assert registry.resolve(training_image=spec.image) is spec
        assert spec.image == f"sagetune/{spec.name}:latest"


def test_unknown_image_error_lists_builtins_and_registered() -> None:
    registry = default_registry()
    registry.register("123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1", my_training)

    with pytest.raises(AlgorithmNotFound) as info:
        registry.resolve(training_image="sagetune/brainin:latest")

    message = str(info.value)
    assert "TrainingImage 'sagetune/brainin:latest'" in message
    assert "sagetune/branin:latest" in message
    assert "'123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1'" in message
    assert isinstance(info.value, LookupError)


def test_unknown_algorithm_name_error_names_the_field() -> None:
    with pytest.raises(AlgorithmNotFound, match=r"AlgorithmName 'nope'.*registered: none"):
        default_registry().resolve(algorithm_name="nope")


def test_registered_image_matches_exactly_only() -> None:
    registry = default_registry()
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"
    registry.register(image, my_training)

    spec = registry.resolve(training_image=image)

    assert spec.fn is my_training
    assert spec.name == image
    assert spec.description == "My own training function."
    assert not spec.builtin
    with pytest.raises(AlgorithmNotFound):
        registry.resolve(training_image=image.replace(":1", ":2"))


def test_registered_name_resolves_by_name_and_by_arn() -> None:
    registry = default_registry()
    registry.register("my-algo", my_training)

    assert registry.resolve(algorithm_name="my-algo").fn is my_training
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:algorithm/my-algo"
    assert registry.resolve(algorithm_name=arn).fn is my_training


def test_registration_with_spec_keeps_its_description_and_metrics() -> None:
    registry = AlgorithmRegistry()
    spec = AlgorithmSpec(
        name="mine",
        image="mine:latest",
        fn=my_training,
        metric_definitions=(("score", r"score=(.*?);"),),
        objective_metric="score",
        objective_type="Maximize",
    )

    stored = registry.register("mine:latest", my_training, spec=spec)

    assert registry.resolve(training_image="mine:latest") is stored
    assert stored.objective_metric == "score"
    lines = [line for _, line in stored.fn({"x": "0.7"}, AlgorithmContext(seed=1, job_name="j"))]
    assert compile_metric_definitions(stored.metric_definitions).extract(lines[0]) == {"score": 0.7}


def test_registered_key_shadows_a_builtin() -> None:
    registry = default_registry()
    registry.register("sagetune/branin:latest", my_training)

    assert registry.resolve(training_image="sagetune/branin:latest").fn is my_training
    assert registry.resolve(training_image="sagetune/branin:2").name == "branin"


def test_registering_a_key_twice_needs_replace() -> None:
    registry = default_registry()
    registry.register("my-algo", my_training)

    with pytest.raises(ValueError, match="already registered for 'my-algo'"):
        registry.register("my-algo", my_training)
    registry.register("my-algo", my_training, replace=True)
    registry.unregister("my-algo")
    assert registry.registered() == ()


def test_resolve_needs_exactly_one_of_image_and_name() -> None:
    registry = default_registry()

    with pytest.raises(ValueError, match="exactly one"):
        registry.resolve()
    with pytest.raises(ValueError, match="exactly one"):
        registry.resolve(training_image="sagetune/branin", algorithm_name="branin")


def test_default_registry_is_fresh_on_every_call() -> None:
    first = default_registry()
    first.register("my-algo", my_training)

    assert default_registry().registered() == ()
    assert [s.name for s in first.list()][-1] == "my-algo"


def test_specs_describe_themselves_as_json() -> None:
    described = [spec.to_dict() for spec in default_registry().list()]

    text = json.dumps(described)
    assert json.loads(text)[2]["objective_metric"] == "validation:rmse"
    assert described[0]["metric_definitions"] == [
        {"Name": "objective", "Regex": BUILTIN_ALGORITHMS[0].metric_definitions[0][1]}
    ]


def test_parameter_ranges_cover_tunable_hyperparameters_in_api_shape() -> None:
    spec = default_registry().resolve(training_image="sagetune/mlp-curve:latest")

    ranges = spec.parameter_ranges_wire()

    assert {"Name": "optimizer", "Values": ["sgd", "momentum", "rmsprop", "adam"]} in ranges[
        "CategoricalParameterRanges"
    ]
    assert {
        "Name": "learning_rate",
        "MinValue": "0.00001",
        "MaxValue": "1",
        "ScalingType": "Logarithmic",
    } in ranges["ContinuousParameterRanges"]
    assert spec.default_hyperparameters()["epochs"] == "50"


def test_spec_rejects_an_objective_missing_from_its_metric_definitions() -> None:
    with pytest.raises(ValueError, match="objective 'auc' is not among"):
        AlgorithmSpec(
            name="x",
            image="x",
            fn=my_training,
            metric_definitions=(("loss", "loss=(.*)"),),
            objective_metric="auc",
            objective_type="Maximize",
        )


def test_builtin_metric_definitions_compile_and_name_the_objective() -> None:
    for spec in default_registry().builtins():
        compiled = compile_metric_definitions(spec.metric_definitions)
        assert spec.objective_metric in compiled.names
