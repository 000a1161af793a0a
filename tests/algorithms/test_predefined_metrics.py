"""What the service fills in for AWS's built-in algorithms, and their calling contract."""

from __future__ import annotations

import math

import pytest

from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmSpec, default_registry
from sagetune.simulator.algorithms.aws_images import aws_image_catalog
from sagetune.simulator.algorithms.aws_linear_learner import linear_learner_spec
from sagetune.simulator.algorithms.aws_xgboost import xgboost_spec
from sagetune.simulator.algorithms.boosted_trees import BOOSTED_TREES_SPEC
from sagetune.simulator.algorithms.spec import missing_metric_message
from sagetune.simulator.algorithms.toolkit import Interval
from sagetune.simulator.metrics import compile_metric_definitions

AWS_ALGORITHMS = default_registry().aws_algorithms()
MINIMAL = {"num_round": "4", "epochs": "4", "predictor_type": "binary_classifier"}


def minimal(spec: AlgorithmSpec) -> dict[str, str]:
    names = {hp.name for hp in spec.hyperparameters}
    return {k: v for k, v in MINIMAL.items() if k in names}


def test_xgboost_publishes_its_list_and_the_objective_metric_for_tuning() -> None:
    spec = xgboost_spec("sagemaker-xgboost", "1.7-1")
    published = aws_image_catalog().metric_definitions("sagemaker-xgboost")

    standalone = spec.service_metric_definitions()
    assert standalone == [{"Name": n, "Regex": r} for n, r in published]
    tuning = spec.service_metric_definitions("validation:auc")
    assert tuning[:-1] == standalone
    assert tuning[-1] == {
        "Name": "ObjectiveMetric",
        "Regex": r".*\[[0-9]+\].*#011validation-auc:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    }


def test_linear_learner_objective_metric_is_its_published_regex() -> None:
    last = linear_learner_spec().service_metric_definitions("validation:objective_loss")[-1]
    assert last == {
        "Name": "ObjectiveMetric",
        "Regex": r"#quality_metric: host=\S+, epoch=\S+, validation \S+_objective <loss>=(\S+)",
    }


def test_an_objective_the_algorithm_does_not_publish_is_the_services_validation_error() -> None:
    with pytest.raises(ValueError, match=r"^A metric is required for this hyperparameter tuning"):
        xgboost_spec("xgboost", "1").service_metric_definitions("validation:r2")
    assert missing_metric_message() == (
        "A metric is required for this hyperparameter tuning job objective. "
        "Provide a metric in the metric definitions."
    )


def test_other_algorithms_publish_nothing() -> None:
    assert not BOOSTED_TREES_SPEC.predefined_metrics
    assert BOOSTED_TREES_SPEC.service_metric_definitions() == []
    with pytest.raises(ValueError, match="A metric is required"):
        BOOSTED_TREES_SPEC.service_metric_definitions("validation:rmse")


@pytest.mark.parametrize("spec", AWS_ALGORITHMS, ids=lambda spec: spec.name)
def test_aws_counterparts_keep_the_calling_contract(spec: AlgorithmSpec) -> None:
    objective = spec.objective_metric
    assert objective is not None
    hyperparameters = {**minimal(spec), "_tuning_objective_metric": objective}

    def run(seed: int) -> list[tuple[float, str]]:
        context = AlgorithmContext(seed=seed, job_name="job", start_time=1.7e9)
        return list(spec.fn(hyperparameters, context))

    lines = run(1)
    assert lines == run(1)
    assert all(isinstance(s, float) and math.isfinite(s) and s >= 0 for s, _ in lines)
    assert all("\n" not in line for _, line in lines)
    metrics = compile_metric_definitions(spec.metric_definitions)
    objectives = [v for _, line in lines if (v := metrics.extract(line).get(objective)) is not None]
    assert len(objectives) >= 4
    assert spec.to_dict()["predefined_metrics"] is True
    assert spec.epochs_hyperparameter in {hp.name for hp in spec.hyperparameters}


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (Interval(min_closed=0, max_closed=1), "[0, 1]"),
        (Interval(min_open=0, max_closed=1), "(0, 1]"),
        (Interval(min_closed=1), "[1, +inf)"),
        (Interval(min_open=1, max_open=2), "(1, 2)"),
        (Interval(min_closed=0.5), "[0.5, +inf)"),
        (Interval(), "(-inf, +inf)"),
    ],
)
def test_intervals_print_like_the_toolkit(interval: Interval, text: str) -> None:
    assert str(interval) == text
