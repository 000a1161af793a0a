"""Bayesian search learns from early-stopped jobs: their curves, and the rule that stopped them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sagetune.simulator.search import (
    BayesianStrategy,
    ContinuousDim,
    SearchSpace,
    SearchState,
    Trial,
)
from sagetune.simulator.search.curves import curve_rows, ladder
from sagetune.simulator.search.survival import check_epochs, margins, survival_model

EPOCHS = 10
CLIFF = 0.8  # learning rates at or above it diverge


@pytest.fixture
def space() -> SearchSpace:
    return SearchSpace(
        dims=(
            ContinuousDim(name="lr", low=0.0, high=1.0, scaling="Linear"),
            ContinuousDim(name="w", low=0.0, high=1.0, scaling="Linear"),
        )
    )


def final_loss(lr: float, w: float) -> float:
    """Better with a larger rate up to the cliff: the good side alone points over the edge."""
    return 0.1 + 0.8 * (1.0 - lr) + 0.2 * (w - 0.5) ** 2


def curve(lr: float, w: float, epochs: int = EPOCHS) -> list[float]:
    if lr >= CLIFF:
        return [2.0] * epochs  # diverged: chance level from the start
    end = final_loss(lr, w)
    return [end + (2.0 - end) * math.exp(-0.5 * t) for t in range(1, epochs + 1)]


def params(lr: float, w: float) -> dict[str, str]:
    return {"lr": repr(lr), "w": repr(w)}


FINISHED = [(0.1, 0.2), (0.3, 0.8), (0.5, 0.4), (0.6, 0.6), (0.7, 0.3), (0.75, 0.7), (0.2, 0.5)]
BEST_FINISHED = FINISHED[3:6]
STOPPED = [(0.85, 0.5), (0.9, 0.2), (0.95, 0.8), (0.88, 0.65)]


def trials(with_curves: bool) -> tuple[Trial, ...]:
    done = [
        Trial(
            params=params(lr, w),
            value=final_loss(lr, w),
            curve=curve(lr, w) if with_curves else (),
        )
        for lr, w in FINISHED
    ]
    cut = [
        Trial(
            params=params(lr, w),
            value=2.0,
            stopped_early=True,
            curve=curve(lr, w, 2) if with_curves else (),
        )
        for lr, w in STOPPED
    ]
    return (*done, *cut)


def test_ladder_and_check_epochs() -> None:
    assert ladder(1) == []
    assert ladder(4) == [2]
    assert ladder(30) == [2, 4, 8, 16]
    assert ladder(32) == [2, 4, 8, 16]
    assert check_epochs(1) == []
    assert check_epochs(2) == [2]
    assert check_epochs(30) == [2, 4, 8, 16, 30]


def test_curve_values_are_read_off_the_finished_jobs_finals_at_the_same_rank() -> None:
    # Epoch 2 (the only ladder epoch below 4): finished peers 0.6, 0.8, 0.7 with finals
    # 0.3, 0.5, 0.4. Mid-rank quantiles: 1/6, 5/6, 3/6 -> finals 0.3333, 0.4667, 0.4; the
    # stopped job's 0.95 is behind every peer: quantile 1, the worst final, 0.5.
    given = (
        Trial(params={}, value=0.3, curve=(0.9, 0.6, 0.4, 0.3)),
        Trial(params={}, value=0.5, curve=(0.95, 0.8, 0.6, 0.5)),
        Trial(params={}, value=0.4, curve=(0.9, 0.7, 0.5, 0.4)),
        Trial(params={}, value=0.95, stopped_early=True, curve=(1.0, 0.95)),
    )
    rows = curve_rows(given)
    assert rows is not None
    assert rows.trial.tolist() == [3, 0, 1, 2]  # stopped trials' rows first
    np.testing.assert_allclose(rows.value, [0.5, 0.3 + 0.1 / 3, 0.5 - 0.1 / 3, 0.4])
    np.testing.assert_allclose(rows.fidelity, [0.5] * 4)  # log 2 / log 4


def test_no_curve_rows_without_an_early_stopped_trial_with_a_curve() -> None:
    finished = tuple(Trial(params={}, value=v, curve=(1.0, 0.5, v)) for v in (0.2, 0.3, 0.4))
    assert curve_rows(finished) is None
    no_curve = Trial(params={}, value=0.9, stopped_early=True)
    assert curve_rows((*finished, no_curve)) is None


def test_margins_measure_the_distance_to_the_median_rule_threshold() -> None:
    # Epoch 2, all four: running averages 0.75, 0.8, 0.85, 1.0 -> threshold 0.825; values
    # 0.5, 0.6, 0.7, 1.0, interquartile range 0.775 - 0.575 = 0.2. Epoch 4, the three that
    # reached it: threshold 0.625 (running averages 0.55, 0.625, 0.7), range 0.45 - 0.35.
    spread2, spread4 = 0.2 / 1.349, 0.1 / 1.349
    found = margins([[1, 0.5, 0.4, 0.3], [1, 0.6, 0.5, 0.4], [1, 0.7, 0.6, 0.5], [1, 1.0]])
    expected = [
        max((0.5 - 0.825) / spread2, max(-4.0, (0.3 - 0.625) / spread4)),
        max((0.6 - 0.825) / spread2, (0.4 - 0.625) / spread4),
        max((0.7 - 0.825) / spread2, (0.5 - 0.625) / spread4),
        (1.0 - 0.825) / spread2,
    ]
    np.testing.assert_allclose(found, expected)
    assert found[3] > 0 > found[2]  # stopped: behind the threshold; finished: ahead of it


def test_survival_is_unlikely_where_jobs_were_stopped(space: SearchSpace) -> None:
    survival = survival_model(space, trials(with_curves=True))
    assert survival is not None
    stopped = space.encode_many([params(lr, w) for lr, w in STOPPED])[0]
    finished = space.encode_many([params(lr, w) for lr, w in BEST_FINISHED])[0]
    assert np.all(np.exp(survival.log_probability(stopped)) < 0.2)
    assert np.all(np.exp(survival.log_probability(finished)) > 0.8)
    assert survival_model(space, trials(with_curves=False)) is None


def test_survival_gradient_matches_finite_differences(space: SearchSpace) -> None:
    survival = survival_model(space, trials(with_curves=True))
    assert survival is not None
    xs = np.array([[0.78, 0.4], [0.5, 0.5], [0.9, 0.9]])
    _, grad = survival.log_probability_with_gradient(xs)
    step = 1e-6
    for j in range(2):
        shift = np.zeros_like(xs)
        shift[:, j] = step
        numeric = (survival.log_probability(xs + shift) - survival.log_probability(xs - shift)) / (
            2 * step
        )
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-4, atol=1e-6)


def test_a_region_of_stopped_jobs_is_avoided(space: SearchSpace) -> None:
    # The finished jobs improve up to the cliff, so a model of them alone points past it;
    # the jobs there diverged and were stopped at epoch 2.
    state = SearchState(space=space, seed=3, trials=trials(with_curves=True), issued=11)
    suggestion = BayesianStrategy().suggest(state)
    assert float(suggestion["lr"]) < CLIFF
    # Without their curves (believed, as before) the search goes over the edge.
    blind = SearchState(space=space, seed=3, trials=trials(with_curves=False), issued=11)
    assert float(BayesianStrategy().suggest(blind)["lr"]) >= CLIFF


def test_suggestions_with_stopped_trials_are_reproducible(space: SearchSpace) -> None:
    def state() -> SearchState:
        return SearchState(
            space=space,
            seed=5,
            trials=trials(with_curves=True),
            pending=(params(0.65, 0.5),),
            issued=12,
        )

    assert BayesianStrategy().suggest(state()) == BayesianStrategy().suggest(state())
