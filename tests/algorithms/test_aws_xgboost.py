"""The XGBoost images' counterpart: the container's hyperparameters, errors, log and metrics."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmError, AlgorithmSpec
from sagetune.simulator.algorithms.aws_xgboost import (
    MAXIMIZED_METRICS,
    MINIMIZED_METRICS,
    XGBoostMetrics,
    xgboost_spec,
)
from sagetune.simulator.algorithms.boosted_trees import (
    BoostedTreesParams,
    noisy_rounds,
    seconds_per_round,
)
from sagetune.simulator.metrics import compile_metric_definitions

XGB_1_7 = xgboost_spec("sagemaker-xgboost", "1.7-1")
XGB_0_90 = xgboost_spec("sagemaker-xgboost", "0.90-1")
LEGACY = xgboost_spec("xgboost", "1")
START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
ROUND = re.compile(r"\[\d+\]#011")


def run(
    spec: AlgorithmSpec,
    hyperparameters: dict[str, str],
    *,
    seed: int = 0,
    channels: tuple[str, ...] | None = ("train", "validation"),
) -> list[tuple[float, str]]:
    context = AlgorithmContext(seed=seed, job_name="job", channels=channels, start_time=START)
    return list(spec.fn(hyperparameters, context))


def rounds(lines: list[tuple[float, str]]) -> list[str]:
    return [line for _, line in lines if ROUND.match(line)]


def failure(spec: AlgorithmSpec, hyperparameters: dict[str, str]) -> str:
    with pytest.raises(AlgorithmError) as info:
        spec.fn(hyperparameters, AlgorithmContext(seed=0, job_name="job"))
    return info.value.failure_reason


# -- hyperparameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({}, "Missing required hyperparameter: num_round"),
        ({"num_round": "10", "silent": "0"}, "Extraneous hyperparameter found: silent"),
        (
            {"num_round": "ten"},
            "Hyperparameter num_round: could not parse value (caused by ValueError)",
        ),
        (
            {"num_round": "2.5"},
            "Hyperparameter num_round: could not parse value (caused by ValueError)",
        ),
        ({"num_round": "0"}, "Hyperparameter num_round: 0 is not in [1, +inf)"),
        ({"num_round": "5", "eta": "1.5"}, "Hyperparameter eta: 1.5 is not in [0, 1]"),
        ({"num_round": "5", "learning_rate": "2"}, "Hyperparameter eta: 2.0 is not in [0, 1]"),
        ({"num_round": "5", "subsample": "0"}, "Hyperparameter subsample: 0.0 is not in (0, 1]"),
        ({"num_round": "5", "max_depth": "-1"}, "Hyperparameter max_depth: -1 is not in [0, +inf)"),
        ({"num_round": "5", "eta": "nan"}, "Hyperparameter eta: nan is not in [0, 1]"),
        (
            {"num_round": "5", "tweedie_variance_power": "2"},
            "Hyperparameter tweedie_variance_power: 2.0 is not in (1, 2)",
        ),
        (
            {"num_round": "5", "booster": "gbm"},
            "Hyperparameter booster: gbm is not in ['gbtree', 'gblinear', 'dart']",
        ),
        (
            {"num_round": "5", "objective": "multi:softmax"},
            "Require input for parameter 'num_class' for multi-classification",
        ),
        (
            {"num_round": "5", "eval_metric": "auc"},
            "Metric 'auc' can only be applied for classification and ranking problems.",
        ),
        (
            {"num_round": "5", "eval_metric": "recall@0.5"},
            "Metric 'recall@0.5' is not supported. Parameter 'eval_metric' with customized "
            "threshold should be one of these options: 'error', 'ndcg', 'map'.",
        ),
        (
            {"num_round": "5", "eval_metric": "rmse,loss"},
            "Hyperparameter eval_metric: value ['rmse', 'loss'] not in range ['accuracy', 'auc',",
        ),
    ],
)
def test_bad_hyperparameters_fail_like_the_container(
    hyperparameters: dict[str, str], message: str
) -> None:
    reason = failure(XGB_1_7, hyperparameters)

    head = "AlgorithmError: framework error: \nTraceback (most recent call last):\n  ...\n"
    assert reason.startswith(head + "sagemaker_algorithm_toolkit.exceptions.UserError: " + message)
    assert len(reason) <= 1024
    if len(reason) < 1024:
        assert reason.endswith("\n\n" + message)


def test_legacy_image_fails_with_a_client_error() -> None:
    assert failure(LEGACY, {"num_round": "5", "num_class": "3"}) == (
        "ClientError: Do not need to setup parameter 'num_class' for learning task other than "
        "multi classification."
    )
    assert failure(LEGACY, {}) == "ClientError: Missing required hyperparameter: num_round"
    assert failure(LEGACY, {"num_round": "5", "eval_metric": "r2"}).startswith(
        "ClientError: Hyperparameter eval_metric: value ['r2'] not in range"
    )


def test_documented_static_values_and_service_keys_are_accepted() -> None:
    lines = run(
        XGB_1_7,
        {
            "num_round": "3",
            "rate_drop": "0.3",
            "tweedie_variance_power": "1.4",
            "reg_alpha": "0.5",
            "min_split_loss": "1",
            "updater": "grow_colmaker,prune",
            "eval_metric": "error@0.7",
            "objective": "binary:logistic",
            "sagemaker_region": "us-east-1",
            "_tuning_objective_metric": "validation:error",
        },
    )
    assert len(rounds(lines)) == 3
    assert rounds(lines)[0].startswith("[0]#011train-error:")
    assert "#011validation-error@0.7:" in rounds(lines)[0]


def test_defaults_are_the_documented_ones_and_drive_the_model() -> None:
    # Only num_round given: eta 0.3, max_depth 6, subsample / colsample_bytree 1,
    # min_child_weight 1 (the model sees lambda 1, alpha 0, gamma 0 as no extra weight).
    context = AlgorithmContext(seed=5, job_name="job", channels=("train", "validation"))
    printed = [
        XGB_1_7_RMSE.extract(line)["validation:rmse"]
        for _, line in XGB_1_7.fn({"num_round": "8"}, context)
        if "validation:rmse" in XGB_1_7_RMSE.extract(line)
    ]
    params = BoostedTreesParams(eta=0.3, max_depth=6)
    model = noisy_rounds(params, 8, 1.0, random.Random(5))
    assert printed == [float("%g" % validation) for _, _, validation in model]  # noqa: UP031

    described = {hp.name: hp for hp in XGB_1_7.hyperparameters}
    assert described["eta"].default == "0.3"
    assert (described["eta"].min_value, described["eta"].max_value) == ("0.1", "0.5")
    assert described["num_round"].required
    assert (described["max_depth"].min_value, described["max_depth"].max_value) == ("0", "10")
    assert described["objective"].default == "reg:squarederror"
    assert "_tuning_objective_metric" not in described


def test_regularization_and_depth_map_onto_the_boosted_trees_model() -> None:
    def final(hyperparameters: dict[str, str]) -> float:
        line = rounds(run(XGB_1_7, {"num_round": "40", **hyperparameters}))[-1]
        return XGB_1_7_RMSE.extract(line)["validation:rmse"]

    same_as = {"max_depth": "6", "min_child_weight": "31"}
    regularized = {
        "max_depth": "6",
        "min_child_weight": "1",
        "lambda": "21",
        "alpha": "10",
        "gamma": "5",
    }
    assert final(regularized) == final(same_as)
    assert final({"max_depth": "0"}) == final({"max_depth": "20"}) == final({"max_depth": "64"})


# -- the log --------------------------------------------------------------------------

XGB_1_7_RMSE = compile_metric_definitions(XGB_1_7.metric_definitions)


@pytest.mark.parametrize("spec", [XGB_1_7, XGB_0_90, LEGACY], ids=lambda s: s.name)
def test_round_lines_parse_with_the_published_regexes_to_the_printed_values(
    spec: AlgorithmSpec,
) -> None:
    metrics = compile_metric_definitions(spec.metric_definitions)
    hyperparameters = {
        "num_round": "6",
        "objective": "binary:logistic",
        "eval_metric": "logloss,auc",
        "_tuning_objective_metric": "validation:error",
    }
    lines = rounds(run(spec, hyperparameters))
    assert [line.split("]")[0] for line in lines] == [f"[{i}" for i in range(6)]
    for line in lines:
        printed = {
            f"{split}:{name}": float(value)
            for split, name, value in re.findall(
                r"#011(train|validation)-([a-z0-9-]+):([0-9.e+-]+)", line
            )
        }
        assert set(printed) == {
            f"{s}:{m}" for s in ("train", "validation") for m in ("auc", "error", "logloss")
        }
        assert metrics.extract(line) == printed


def test_native_metrics_come_first_then_the_containers_own() -> None:
    line = rounds(run(XGB_1_7, {"num_round": "1", "eval_metric": "r2,rmse,mae"}))[0]
    names = re.findall(r"#011([a-z]+-[a-z0-9]+):", line)
    assert names == [
        "train-rmse",
        "train-mae",
        "validation-rmse",
        "validation-mae",
        "train-r2",
        "validation-r2",
    ]
    values = XGB_1_7_RMSE.extract(line)
    assert values["validation:mae"] == pytest.approx(values["validation:rmse"] * 0.797885, rel=2e-5)
    assert values["validation:r2"] == pytest.approx(
        1 - (values["validation:rmse"] / 1.2) ** 2, abs=2e-6
    )


def test_without_a_validation_channel_only_train_metrics_are_printed() -> None:
    lines = rounds(run(XGB_1_7, {"num_round": "3"}, channels=("train",)))
    assert all("validation-" not in line for line in lines)
    assert set(XGB_1_7_RMSE.extract(lines[0])) == {"train:rmse"}


def test_unknown_channels_are_read_as_train_and_validation() -> None:
    lines = rounds(run(XGB_1_7, {"num_round": "2"}, channels=None))
    assert set(XGB_1_7_RMSE.extract(lines[0])) == {"train:rmse", "validation:rmse"}


def test_the_tuning_objective_joins_eval_metric_and_is_announced() -> None:
    lines = [
        line
        for _, line in run(
            XGB_1_7,
            {"num_round": "2", "eval_metric": "rmse", "_tuning_objective_metric": "validation:mae"},
        )
    ]
    assert any(line.endswith("INFO] Setting up HPO optimized metric to be : mae") for line in lines)
    assert set(XGB_1_7_RMSE.extract(rounds([(0.0, line) for line in lines])[0])) == {
        "train:mae",
        "train:rmse",
        "validation:mae",
        "validation:rmse",
    }


@pytest.mark.parametrize(
    ("version", "objective", "metric"),
    [
        ("1.7-1", "binary:logistic", "logloss"),
        ("1.2-2", "binary:logistic", "error"),
        ("1.3-1", "multi:softprob", "mlogloss"),
        ("1.0-1", "multi:softmax", "merror"),
        ("3.0-5", "rank:ndcg", "ndcg"),
        ("1.5-1", "count:poisson", "poisson-nloglik"),
        ("1.5-1", "reg:squarederror", "rmse"),
    ],
)
def test_default_eval_metric_follows_the_objective_and_xgboost_version(
    version: str, objective: str, metric: str
) -> None:
    spec = xgboost_spec("sagemaker-xgboost", version)
    lines = rounds(
        run(
            spec,
            {"num_round": "1", "objective": objective, "num_class": "4"}
            if objective.startswith("multi")
            else {"num_round": "1", "objective": objective},
        )
    )
    assert lines[0].startswith(f"[0]#011train-{metric}:")


def test_start_up_lines_follow_each_images_transcripts() -> None:
    hyperparameters = {"num_round": "2", "_tuning_objective_metric": "validation:rmse"}
    modern = [line for _, line in run(XGB_1_7, hyperparameters)]
    assert modern[:3] == [
        "[2023-11-14:22:13:21:INFO] Imported framework sagemaker_xgboost_container.training",
        "[2023-11-14:22:13:21:INFO] Failed to parse hyperparameter _tuning_objective_metric "
        "value validation:rmse to Json.",
        "Returning the value itself",
    ]
    assert [line.split("INFO] ")[-1] for line in modern[3:14]] == [
        "No GPUs detected (normal if no gpus installed)",
        "Running XGBoost Sagemaker in algorithm mode",
        "Determined delimiter of CSV input is ','",
        "Determined delimiter of CSV input is ','",
        "files path: /opt/ml/input/data/train",
        "Determined delimiter of CSV input is ','",
        "files path: /opt/ml/input/data/validation",
        "Determined delimiter of CSV input is ','",
        "Single node training.",
        "Setting up HPO optimized metric to be : rmse",
        "Train matrix has 40000 rows and 28 columns",
    ]
    assert modern[14] == "[2023-11-14:22:13:23:INFO] Validation matrix has 10000 rows"

    old = [line for _, line in run(XGB_0_90, hyperparameters)]
    assert "INFO:root:Setting up HPO optimized metric to be : rmse" in old
    assert any(
        line.endswith(
            "] 10000x28 matrix with 280000 entries loaded from "
            "/opt/ml/input/data/validation?format=csv&label_column=0&delimiter=,"
        )
        for line in old
    )

    legacy = [line for _, line in run(LEGACY, hyperparameters)]
    assert legacy[:2] == [
        "Arguments: train",
        "[2023-11-14:22:13:21:INFO] Running standalone xgboost training.",
    ]
    pruning = [line for line in legacy if "updater_prune.cc:74: tree pruning end" in line]
    assert len(pruning) == 2


def test_early_stopping_stops_after_rounds_without_improvement() -> None:
    hyperparameters = {
        "num_round": "400",
        "eta": "0.5",
        "max_depth": "10",
        "min_child_weight": "0",
        "early_stopping_rounds": "5",
    }
    lines = run(XGB_0_90, hyperparameters)
    texts = [line for _, line in lines]
    printed = rounds(lines[:-1])  # the last line repeats the best round
    assert 10 < len(printed) < 400
    assert "Will train until validation-rmse hasn't improved in 5 rounds." in texts
    assert texts[-2] == "Stopping. Best iteration:"
    values = [XGB_1_7_RMSE.extract(line)["validation:rmse"] for line in printed]
    best = min(range(len(values)), key=values.__getitem__)
    assert texts[-1] == printed[best]
    assert len(printed) == best + 6

    quiet = [line for _, line in run(XGB_1_7, hyperparameters)]
    assert not any(line.startswith(("Will train", "Stopping")) for line in quiet)
    assert len(rounds([(0.0, line) for line in quiet])) == len(printed)


def test_same_seed_same_log_and_times_other_seed_other_noise() -> None:
    hyperparameters = {"num_round": "20", "objective": "binary:logistic"}
    assert run(XGB_1_7, hyperparameters, seed=3) == run(XGB_1_7, hyperparameters, seed=3)
    assert rounds(run(XGB_1_7, hyperparameters, seed=3)) != rounds(
        run(XGB_1_7, hyperparameters, seed=4)
    )


def test_rounds_take_a_fortieth_of_the_curve_faces_time() -> None:
    lines = run(XGB_1_7, {"num_round": "50", "max_depth": "4"})
    round_seconds = [seconds for seconds, line in lines if ROUND.match(line)]
    nominal = (
        seconds_per_round(
            BoostedTreesParams(eta=0.3, max_depth=4), AlgorithmContext(seed=0, job_name="j")
        )
        / 40
    )
    assert all(0.97 * nominal <= s <= 1.03 * nominal for s in round_seconds)
    assert nominal == pytest.approx(1.5)


def test_the_stream_is_lazy() -> None:
    stream = XGB_1_7.fn({"num_round": "100000000"}, AlgorithmContext(seed=0, job_name="job"))
    first_round = next(line for _, line in stream if line.startswith("[0]"))
    assert first_round.startswith("[0]#011train-rmse:")


# -- metric values ----------------------------------------------------------------------


@given(
    st.floats(min_value=0.05, max_value=1.19),
    st.floats(min_value=0.05, max_value=1.19),
    st.sampled_from(MAXIMIZED_METRICS + MINIMIZED_METRICS),
)
def test_every_metric_ranks_rounds_like_rmse(a: float, b: float, metric: str) -> None:
    better, worse = sorted((a, b))
    good, bad = XGBoostMetrics(better, 3).value(metric), XGBoostMetrics(worse, 3).value(metric)
    if metric in MAXIMIZED_METRICS or metric == "interval-regression-accuracy":
        assert good >= bad
    else:
        assert good <= bad


def test_classification_metrics_at_chance_and_at_a_good_fit() -> None:
    chance = XGBoostMetrics(1.2, num_class=4)
    assert (chance.value("auc"), chance.value("error"), chance.value("accuracy")) == (0.5, 0.5, 0.5)
    assert chance.value("logloss") == pytest.approx(0.693147, abs=1e-6)
    assert chance.value("merror") == pytest.approx(0.75)
    assert chance.value("mlogloss") == pytest.approx(1.386294, abs=1e-6)  # ln 4
    good = XGBoostMetrics(0.24)
    assert good.value("error") == pytest.approx(0.0641, abs=1e-4)
    assert good.value("auc") == pytest.approx(0.96188, abs=1e-5)
    assert good.value("r2") == pytest.approx(0.96)
    assert good.value("ndcg@5") == good.value("auc")
