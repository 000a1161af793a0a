"""mlp-curve: Keras-style epochs; a too-high learning rate diverges and stops training."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.simulator.algorithms import AlgorithmContext
from sagetune.simulator.algorithms.neural_net import (
    INITIAL_LOSS,
    NEURAL_NET_ARGMIN,
    NEURAL_NET_OPTIMUM_VAL_ACCURACY,
    NEURAL_NET_OPTIMUM_VAL_LOSS,
    NEURAL_NET_SPEC,
    OPTIMIZERS,
    NeuralNetCurve,
    NeuralNetParams,
    format_neural_net_line,
    val_accuracy_from_loss,
)
from sagetune.simulator.metrics import compile_metric_definitions

METRICS = compile_metric_definitions(NEURAL_NET_SPEC.metric_definitions)


def _lines(
    hyperparameters: dict[str, str], seed: int = 0, instance_type: str = "ml.m5.xlarge"
) -> list[tuple[float, str]]:
    ctx = AlgorithmContext(seed=seed, job_name="job", instance_type=instance_type)
    return list(NEURAL_NET_SPEC.fn(hyperparameters, ctx))


def _epochs(hyperparameters: dict[str, str], seed: int = 0) -> list[dict[str, float]]:
    return [
        metrics for _, line in _lines(hyperparameters, seed) if (metrics := METRICS.extract(line))
    ]


def test_each_epoch_emits_loss_val_loss_and_val_accuracy() -> None:
    epochs = _epochs({"epochs": "12"})

    assert len(epochs) == 12
    assert all(set(e) == {"loss", "val_loss", "val_accuracy"} for e in epochs)
    epoch_lines = [line for _, line in _lines({"epochs": "12"}) if line.startswith("Epoch ")]
    assert epoch_lines[2].startswith("Epoch 3/12 - ")


def test_good_learning_rate_converges_to_high_accuracy() -> None:
    epochs = _epochs({"epochs": "60", "learning_rate": "0.001", "dropout": "0.3"})

    assert epochs[0]["val_accuracy"] < 0.5
    assert epochs[-1]["val_accuracy"] > 0.95
    assert epochs[-1]["val_loss"] < 0.15
    assert epochs[-1]["loss"] < epochs[-1]["val_loss"]


@pytest.mark.parametrize(("optimizer", "learning_rate"), [("adam", "0.5"), ("sgd", "5")])
def test_too_high_learning_rate_diverges_to_nan_and_stops_training(
    optimizer: str, learning_rate: str
) -> None:
    lines = [
        line
        for _, line in _lines(
            {"epochs": "50", "optimizer": optimizer, "learning_rate": learning_rate}
        )
    ]
    epochs = [METRICS.extract(line) for line in lines if line.startswith("Epoch ")]
    losses = [e["val_loss"] for e in epochs if "val_loss" in e]

    assert len(epochs) < 50
    assert losses == sorted(losses)
    assert losses[-1] > 1000
    assert "loss: nan - val_loss: nan" in lines[-2]
    assert epochs[-1] == {"val_accuracy": pytest.approx(0.1, abs=0.03)}
    assert lines[-1].startswith("Batch 0: Invalid loss, terminating training")


def test_learning_rate_just_below_divergence_is_noisy_but_finite() -> None:
    epochs = _epochs({"epochs": "50", "optimizer": "adam", "learning_rate": "0.015"})

    assert len(epochs) == 50
    assert all(math.isfinite(e["val_loss"]) for e in epochs)


def test_tiny_learning_rate_learns_slowly() -> None:
    slow = NeuralNetCurve.from_params(NeuralNetParams(learning_rate=1e-5))
    good = NeuralNetCurve.from_params(NeuralNetParams(learning_rate=1e-3))

    assert slow.at(50)[1] > good.at(50)[1] + 1.0


def test_too_little_dropout_on_a_wide_net_overfits() -> None:
    curve = NeuralNetCurve.from_params(
        NeuralNetParams(learning_rate=1e-3, hidden_units=1024, dropout=0.0)
    )
    validation = [curve.at(t)[1] for t in range(1, 201)]
    best = validation.index(min(validation))

    assert best < 100
    assert validation[-1] > min(validation) + 0.1


def test_each_optimizer_has_its_own_best_learning_rate() -> None:
    def final(optimizer: str, lr: float) -> float:
        params = NeuralNetParams(learning_rate=lr, optimizer=optimizer)
        return NeuralNetCurve.from_params(params).at(100)[1]

    assert final("sgd", 0.1) < final("sgd", 0.001)
    assert final("adam", 0.001) < final("adam", 0.1)


def test_val_accuracy_and_val_loss_agree_on_the_documented_optimum() -> None:
    curve = NeuralNetCurve.from_params(NEURAL_NET_ARGMIN)
    final_loss = curve.at(200)[1]

    assert final_loss == pytest.approx(NEURAL_NET_OPTIMUM_VAL_LOSS, abs=1e-8)
    assert val_accuracy_from_loss(final_loss) == pytest.approx(
        NEURAL_NET_OPTIMUM_VAL_ACCURACY, abs=1e-6
    )
    assert NEURAL_NET_SPEC.optimum == NEURAL_NET_OPTIMUM_VAL_ACCURACY
    assert NEURAL_NET_SPEC.objective_type == "Maximize"


def test_no_configuration_in_the_suggested_ranges_beats_the_optimum() -> None:
    rng = random.Random(1)
    for _ in range(3000):
        params = NeuralNetParams(
            learning_rate=10 ** rng.uniform(-5, 0),
            batch_size=round(2 ** rng.uniform(4, 10)),
            optimizer=rng.choice(OPTIMIZERS),
            dropout=rng.uniform(0, 0.8),
            hidden_units=round(2 ** rng.uniform(4, 10)),
        )
        curve = NeuralNetCurve.from_params(params)
        assert curve.at(rng.randint(1, 200))[1] >= NEURAL_NET_OPTIMUM_VAL_LOSS


def test_diverged_loss_means_chance_accuracy() -> None:
    assert val_accuracy_from_loss(INITIAL_LOSS) == pytest.approx(0.1)
    assert val_accuracy_from_loss(1e6) == pytest.approx(0.1)


@given(
    epoch=st.integers(1, 20000),
    loss=st.floats(1e-6, 1e9),
    val_loss=st.floats(1e-6, 1e9),
    val_accuracy=st.floats(0, 1),
)
def test_any_formatted_epoch_round_trips_through_the_metric_definitions(
    epoch: int, loss: float, val_loss: float, val_accuracy: float
) -> None:
    line = format_neural_net_line(epoch, 20000, 42.0, loss, val_loss, val_accuracy)

    def shown(value: float) -> float:
        return float(f"{value:.4f}" if value >= 1e-3 else f"{value:.4e}")

    assert METRICS.extract(line) == {
        "loss": shown(loss),
        "val_loss": shown(val_loss),
        "val_accuracy": float(f"{val_accuracy:.4f}"),
    }


def test_val_loss_objective_alternative_is_extractable() -> None:
    alternative = compile_metric_definitions(
        [d for d in NEURAL_NET_SPEC.metric_definitions if d[0] == "val_loss"]
    )
    line = format_neural_net_line(3, 50, 41.0, 0.4321, 0.5123, 0.8123)

    assert alternative.extract(line) == {"val_loss": 0.5123}


def test_same_seed_same_log_and_times() -> None:
    hyperparameters = {"epochs": "10", "optimizer": "sgd", "learning_rate": "0.05"}

    assert _lines(hyperparameters, seed=3) == _lines(hyperparameters, seed=3)
    assert _lines(hyperparameters, seed=3) != _lines(hyperparameters, seed=4)


def test_epoch_time_depends_on_batch_size_and_instance() -> None:
    def seconds_per_epoch(batch_size: str, instance: str = "ml.m5.xlarge") -> float:
        stream = _lines({"epochs": "4", "batch_size": batch_size}, instance_type=instance)
        return sum(s for s, line in stream if line.startswith("Epoch ")) / 4

    assert 15 < seconds_per_epoch("1024") < seconds_per_epoch("128") < seconds_per_epoch("16") < 130
    assert seconds_per_epoch("128", "ml.p3.2xlarge") < seconds_per_epoch("128") / 4
