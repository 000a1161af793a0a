"""linear-learner's counterpart: first-party errors, #quality_metric lines, a sensible curve."""

from __future__ import annotations

import math

import pytest

from sagetune.simulator.algorithms import AlgorithmContext, AlgorithmError
from sagetune.simulator.algorithms.aws_linear_learner import linear_learner_spec
from sagetune.simulator.metrics import compile_metric_definitions

SPEC = linear_learner_spec()
METRICS = compile_metric_definitions(SPEC.metric_definitions)
START = 1_700_000_000.0


def run(
    hyperparameters: dict[str, str],
    *,
    seed: int = 0,
    channels: tuple[str, ...] | None = ("train", "validation"),
) -> list[str]:
    context = AlgorithmContext(seed=seed, job_name="job", channels=channels, start_time=START)
    return [line for _, line in SPEC.fn(hyperparameters, context)]


def reported(lines: list[str]) -> list[tuple[str, float]]:
    return METRICS.extract_lines(lines)


def last(lines: list[str], metric: str) -> float:
    return [value for name, value in reported(lines) if name == metric][-1]


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        (
            {},
            "No value(s) were specified for 'predictor_type' which are required hyperparameter(s)",
        ),
        (
            {"predictor_type": "multiclass_classifier"},
            "No value(s) were specified for 'num_classes' which are required hyperparameter(s)",
        ),
        (
            {"predictor_type": "classifier"},
            "'classifier' is not one of ['binary_classifier', 'multiclass_classifier', 'regressor']",
        ),
        ({"predictor_type": "regressor", "epochs": "0"}, "0 is less than the minimum of 1"),
        (
            {"predictor_type": "regressor", "learning_rate": "fast"},
            "'fast' is not valid under any of the given schemas",
        ),
        (
            {"predictor_type": "regressor", "learning_rate": "0"},
            "0 is less than or equal to the minimum of 0",
        ),
        (
            {"predictor_type": "regressor", "target_recall": "1"},
            "1 is greater than or equal to the maximum of 1",
        ),
        (
            {"predictor_type": "regressor", "silent": "1"},
            "Additional hyperparameters are not allowed ('silent' was unexpected)",
        ),
        (
            {"predictor_type": "regressor", "loss": "logistic"},
            "Loss function 'logistic' is not supported for predictor_type 'regressor'",
        ),
    ],
)
def test_bad_hyperparameters_fail_with_a_first_party_client_error(
    hyperparameters: dict[str, str], message: str
) -> None:
    with pytest.raises(AlgorithmError) as info:
        SPEC.fn(hyperparameters, AlgorithmContext(seed=0, job_name="job"))
    reason = info.value.failure_reason
    assert reason.startswith("ClientError: " + message)
    assert reason.endswith(" (caused by ValidationError)")


def test_auto_and_documented_defaults_are_accepted() -> None:
    lines = run(
        {
            "predictor_type": "binary_classifier",
            "learning_rate": "auto",
            "wd": "auto",
            "positive_example_weight_mult": "balanced",
            "feature_dim": "auto",
            "epochs": "2",
            "sagemaker_region": "us-east-1",
            "_tuning_objective_metric": "validation:binary_f_beta",
        }
    )
    defaults = next(line for line in lines if "Reading default configuration" in line)
    assert "'epochs': '15'" in defaults
    assert "'mini_batch_size': '1000'" in defaults
    assert "'learning_rate': 'auto'" in defaults
    described = {hp.name: hp for hp in SPEC.hyperparameters}
    assert described["predictor_type"].required
    assert (described["wd"].min_value, described["wd"].max_value, described["wd"].scaling) == (
        "1e-07",
        "1",
        "Logarithmic",
    )
    assert described["use_bias"].tunable


def test_every_epoch_reports_the_objective_loss_through_the_published_regexes() -> None:
    lines = run(
        {"predictor_type": "binary_classifier", "epochs": "6", "early_stopping_patience": "10"}
    )
    per_epoch = [
        line
        for line in lines
        if "#quality_metric: host=algo-1, epoch=" in line and "batch=" not in line
    ]
    assert len(per_epoch) == 12
    validation = [value for name, value in reported(lines) if name == "validation:objective_loss"]
    printed = [float(line.rsplit("<loss>=", 1)[1]) for line in per_epoch if " validation " in line]
    assert validation == printed
    assert len(validation) == 6
    assert validation[0] < math.log(2)
    assert validation[-1] < validation[0]
    progress = [value for name, value in reported(lines) if name == "train:progress"]
    assert progress == pytest.approx([100 * k / 6 for k in range(1, 7)], abs=1e-3)
    assert all(value > 0 for name, value in reported(lines) if name == "train:throughput")


def test_final_binary_metrics_follow_the_best_validation_loss() -> None:
    lines = run(
        {"predictor_type": "binary_classifier", "epochs": "10"},
        channels=("train", "validation", "test"),
    )
    values = dict(reported(lines))
    final_loss = values["validation:objective_loss:final"]
    assert final_loss == min(v for n, v in reported(lines) if n == "validation:objective_loss")
    accuracy = values["validation:binary_classification_accuracy"]
    error = 1 - accuracy
    entropy = -(error * math.log(error) + accuracy * math.log(accuracy))
    assert entropy == pytest.approx(final_loss, rel=1e-6)
    assert values["validation:binary_f_beta"] == pytest.approx(accuracy)
    assert {
        "test:objective_loss",
        "test:recall",
        "test:precision",
        "train:objective_loss:final",
    } <= set(values)
    assert (
        next(line for line in lines if "validation binary_f_" in line)
        .split("#quality_metric: ")[1]
        .startswith("host=algo-1, validation binary_f_1.000 <score>=")
    )


def test_regressor_and_multiclass_print_their_own_metrics() -> None:
    regressor = dict(reported(run({"predictor_type": "regressor", "epochs": "3"})))
    assert regressor["validation:mse"] == regressor["validation:objective_loss:final"]
    assert regressor["validation:absolute_loss"] == pytest.approx(
        0.8 * math.sqrt(regressor["validation:mse"])
    )

    multi = dict(
        reported(
            run({"predictor_type": "multiclass_classifier", "num_classes": "5", "epochs": "3"})
        )
    )
    assert 0.2 < multi["validation:multiclass_accuracy"] < 1
    assert multi["validation:multiclass_top_k_accuracy"] >= multi["validation:multiclass_accuracy"]
    assert multi["validation:objective_loss:final"] < math.log(5)


def test_settings_far_from_the_best_end_worse() -> None:
    def final(**settings: str) -> float:
        lines = run({"predictor_type": "binary_classifier", "epochs": "15", **settings})
        return last(lines, "validation:objective_loss:final")

    good = final(learning_rate="0.01", wd="0.0001")
    assert good < final(learning_rate="0.00001", wd="0.0001")  # too slow
    assert good < final(learning_rate="1", wd="0.0001")  # too large
    assert good < final(learning_rate="0.01", wd="1")  # far too much regularization
    assert final() == pytest.approx(good, abs=0.01)  # auto picks about the best


def test_early_stopping_needs_a_validation_channel() -> None:
    settings = {"predictor_type": "binary_classifier", "epochs": "200", "learning_rate": "0.05"}
    stopped = run(settings)
    # the early stop, then the final lines: 5 for train, 5 for validation
    assert stopped[-11].endswith("] Early stop condition met. Stopping training.")
    epochs = [n for n, _ in reported(stopped) if n == "train:objective_loss"]
    assert len(epochs) < 200
    full = run(settings, channels=("train",))
    assert len([n for n, _ in reported(full) if n == "train:objective_loss"]) == 200
    assert not any(n.startswith("validation:") for n, _ in reported(full))


def test_same_seed_same_log_other_seed_other_noise() -> None:
    settings = {"predictor_type": "regressor", "epochs": "4"}
    assert run(settings, seed=1) == run(settings, seed=1)
    assert reported(run(settings, seed=1)) != reported(run(settings, seed=2))


def test_clock_times_count_from_the_start_time() -> None:
    lines = run({"predictor_type": "regressor", "epochs": "1"})
    assert lines[0] == "Docker entrypoint called with argument(s): train"
    assert lines[2].startswith("[11/14/2023 22:13:2")
