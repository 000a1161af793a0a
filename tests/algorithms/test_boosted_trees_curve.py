"""xgboost-curve: XGBoost-style logs whose validation rmse behaves like boosting's."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.simulator.algorithms import AlgorithmContext
from sagetune.simulator.algorithms.boosted_trees import (
    BOOSTED_TREES_ARGMIN,
    BOOSTED_TREES_ARGMIN_ROUNDS,
    BOOSTED_TREES_OPTIMUM,
    BOOSTED_TREES_SPEC,
    BoostedTreesCurve,
    BoostedTreesParams,
    format_boosted_trees_line,
)
from sagetune.simulator.metrics import compile_metric_definitions

METRICS = compile_metric_definitions(BOOSTED_TREES_SPEC.metric_definitions)


def _run(
    hyperparameters: dict[str, str], seed: int = 0, instance_type: str = "ml.m5.xlarge"
) -> list[tuple[float, str]]:
    ctx = AlgorithmContext(seed=seed, job_name="job", instance_type=instance_type)
    return list(BOOSTED_TREES_SPEC.fn(hyperparameters, ctx))


def _validation_curve(hyperparameters: dict[str, str], seed: int = 0) -> list[float]:
    return [
        metrics["validation:rmse"]
        for _, line in _run(hyperparameters, seed)
        if "validation:rmse" in (metrics := METRICS.extract(line))
    ]


def test_every_round_emits_train_and_validation_rmse_in_xgboost_format() -> None:
    lines = [line for _, line in _run({"num_round": "20"})]
    rounds = [line for line in lines if METRICS.extract(line)]

    assert len(rounds) == 20
    assert rounds[0].startswith("[0]#011train-rmse:")
    assert rounds[-1].startswith("[19]#011train-rmse:")
    assert all(set(METRICS.extract(line)) == {"train:rmse", "validation:rmse"} for line in rounds)


def test_extracted_values_are_exactly_the_printed_numbers() -> None:
    for _, line in _run({"num_round": "10", "max_depth": "4"}):
        extracted = METRICS.extract(line)
        if extracted:
            train_text = line.split("train-rmse:")[1].split("#011")[0]
            validation_text = line.split("validation-rmse:")[1]
            assert extracted == {
                "train:rmse": float(train_text),
                "validation:rmse": float(validation_text),
            }


@given(
    round_index=st.integers(0, 20000),
    train=st.floats(1e-6, 1e6),
    validation=st.floats(1e-6, 1e6),
)
def test_any_formatted_round_round_trips_through_the_metric_definitions(
    round_index: int, train: float, validation: float
) -> None:
    line = format_boosted_trees_line(round_index, train, validation)

    assert METRICS.extract(line) == {
        "train:rmse": float(f"{train:.6g}"),
        "validation:rmse": float(f"{validation:.6g}"),
    }


def test_same_seed_same_log_and_times_different_seed_different_noise() -> None:
    hyperparameters = {"num_round": "15", "eta": "0.2"}

    assert _run(hyperparameters, seed=11) == _run(hyperparameters, seed=11)
    assert _validation_curve(hyperparameters, seed=11) != _validation_curve(
        hyperparameters, seed=12
    )


def test_validation_rmse_falls_while_the_model_learns() -> None:
    curve = _validation_curve({"num_round": "30", "eta": "0.3", "max_depth": "4"})

    assert curve[0] > 0.8
    assert curve[-1] < 0.3
    assert curve[-1] < curve[9] < curve[0]


def test_deep_trees_with_many_rounds_overfit() -> None:
    curve = BoostedTreesCurve.from_params(
        BoostedTreesParams(eta=0.3, max_depth=12, min_child_weight=0.0)
    )
    validation = [curve.at(t)[1] for t in range(1, 501)]
    train = [curve.at(t)[0] for t in range(1, 501)]
    best_round = validation.index(min(validation))

    assert 5 < best_round < 50
    assert validation[-1] > min(validation) + 0.1
    assert train[-1] < train[best_round]


def test_shallow_trees_do_not_overfit() -> None:
    curve = BoostedTreesCurve.from_params(BoostedTreesParams(eta=0.3, max_depth=3))
    validation = [curve.at(t)[1] for t in range(1, 1001)]

    assert validation == sorted(validation, reverse=True)


def test_small_eta_learns_slowly() -> None:
    slow = BoostedTreesCurve.from_params(BoostedTreesParams(eta=0.01, max_depth=6))
    fast = BoostedTreesCurve.from_params(BoostedTreesParams(eta=0.3, max_depth=6))

    assert slow.final_validation(50) > fast.final_validation(50) + 0.3


def test_documented_optimum_is_reached_at_the_documented_point() -> None:
    curve = BoostedTreesCurve.from_params(BOOSTED_TREES_ARGMIN)

    assert curve.final_validation(BOOSTED_TREES_ARGMIN_ROUNDS) == pytest.approx(
        BOOSTED_TREES_OPTIMUM, abs=1e-6
    )
    assert BOOSTED_TREES_SPEC.optimum == BOOSTED_TREES_OPTIMUM


def test_no_configuration_in_the_suggested_ranges_beats_the_optimum() -> None:
    rng = random.Random(0)
    best = 1.0
    for _ in range(3000):
        params = BoostedTreesParams(
            eta=10 ** rng.uniform(-3, 0),
            max_depth=rng.randint(1, 12),
            subsample=rng.uniform(0.3, 1),
            colsample_bytree=rng.uniform(0.3, 1),
            min_child_weight=rng.uniform(0, 120),
        )
        best = min(
            best, BoostedTreesCurve.from_params(params).final_validation(rng.randint(1, 1000))
        )

    assert BOOSTED_TREES_OPTIMUM - 1e-6 <= best < BOOSTED_TREES_OPTIMUM + 0.05


def test_local_search_around_the_optimum_finds_nothing_better() -> None:
    scipy_optimize = pytest.importorskip("scipy.optimize")
    a = BOOSTED_TREES_ARGMIN

    def objective(v: list[float]) -> float:
        params = BoostedTreesParams(
            eta=10 ** v[0],
            max_depth=a.max_depth,
            subsample=v[1],
            colsample_bytree=v[2],
            min_child_weight=v[3],
        )
        return BoostedTreesCurve.from_params(params).final_validation(1000)

    for start in ([-1.5, 0.7, 0.7, 5.0], [-2.5, 1.0, 0.4, 60.0]):
        result = scipy_optimize.minimize(
            objective, start, bounds=[(-3, 0), (0.3, 1), (0.3, 1), (0, 120)], method="L-BFGS-B"
        )
        assert result.fun >= BOOSTED_TREES_OPTIMUM - 1e-5


def test_seconds_per_round_grow_with_depth_and_shrink_on_bigger_instances() -> None:
    def seconds(depth: str, instance: str = "ml.m5.xlarge") -> float:
        stream = _run({"num_round": "5", "max_depth": depth}, instance_type=instance)
        return sum(s for s, line in stream if "#011" in line) / 5

    assert 25 < seconds("1") < seconds("6") < seconds("12") < 140
    assert seconds("6", "ml.m5.4xlarge") < seconds("6") / 2


def test_stream_is_lazy_one_round_at_a_time() -> None:
    stream = BOOSTED_TREES_SPEC.fn({"num_round": "20000"}, AlgorithmContext(seed=0, job_name="j"))

    first = [next(stream) for _ in range(20)]

    assert first[-1][1].startswith("[13]#011")
