"""Hyperband: rungs, brackets, hand-computed stop decisions, MaxResource inference."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from sagetune.rules import infer_max_resource
from sagetune.simulator.search import (
    ContinuousDim,
    HyperbandRule,
    HyperbandStrategy,
    RandomStrategy,
    SearchSpace,
    SearchState,
)


def test_rungs_are_at_min_resource_times_powers_of_eta_below_max() -> None:
    assert HyperbandRule(min_resource=1, max_resource=81).rung_levels == (1, 3, 9, 27)
    assert HyperbandRule(min_resource=2, max_resource=30).rung_levels == (2, 6, 18)
    assert HyperbandRule(min_resource=5, max_resource=5).rung_levels == ()


def test_bracket_sizes_follow_hyperband_and_the_cycle_matches_them() -> None:
    rule = HyperbandRule(min_resource=1, max_resource=81)
    assert rule.bracket_sizes == (81, 34, 15, 8, 5)
    period = sum(rule.bracket_sizes)
    counts = Counter(rule.bracket_of(i) for i in range(period))
    assert [counts[b] for b in range(5)] == [81, 34, 15, 8, 5]
    assert [rule.bracket_of(i) for i in range(period)] == [
        rule.bracket_of(i + period) for i in range(period)
    ]
    assert rule.rungs_for(next(i for i in range(period) if rule.bracket_of(i) == 2)) == (9, 27)


# r=1, R=3: one rung at epoch 1; brackets of sizes (3, 2), cycle (0, 1, 0, 1, 0):
# jobs 0, 2, 4 decide at epoch 1, jobs 1 and 3 never stop.
RULE = HyperbandRule(min_resource=1, max_resource=3)


def test_small_rule_cycle_by_hand() -> None:
    assert RULE.bracket_sizes == (3, 2)
    assert [RULE.bracket_of(i) for i in range(5)] == [0, 1, 0, 1, 0]


def test_job_outside_the_top_third_of_its_bracket_stops_at_the_rung() -> None:
    curves = [[0.5], [0.1], [0.3], [0.0], [0.4]]  # jobs 1 and 3 are in the other bracket
    assert RULE.should_stop(4, curves)  # 0.3 is better: 1 of 3 better -> not in top third
    assert not RULE.should_stop(2, curves)  # best of its bracket
    assert RULE.should_stop(0, curves)
    assert not RULE.should_stop(1, curves)  # bracket without rungs
    assert not RULE.should_stop(3, curves)


def test_ties_favour_the_job_and_too_few_values_decide_nothing() -> None:
    assert not RULE.should_stop(4, [[0.5], [], [0.3], [], [0.3]])
    assert not RULE.should_stop(2, [[0.1], [], [0.3]])  # two values: below eta
    assert RULE.should_stop(4, [[0.5], [], [0.3], [], [math.nan]])  # NaN counts as worst


def test_decisions_happen_only_at_rung_epochs() -> None:
    rule = HyperbandRule(min_resource=1, max_resource=9)  # rungs 1, 3
    bracket0 = [i for i in range(40) if rule.bracket_of(i) == 0][:4]
    curves: list[list[float]] = [[] for _ in range(max(bracket0) + 1)]
    for rank, job in enumerate(bracket0):
        curves[job] = [float(rank)] * 2  # two epochs: no rung at epoch 2
    assert not rule.should_stop(bracket0[-1], curves)
    curves[bracket0[-1]] = [3.0]  # at rung 1: 3 of 4 values better -> stop
    assert rule.should_stop(bracket0[-1], curves)


def test_top_one_over_eta_with_more_jobs() -> None:
    rule = HyperbandRule(min_resource=1, max_resource=3)
    jobs = [i for i in range(30) if rule.bracket_of(i) == 0][:6]
    curves: list[list[float]] = [[] for _ in range(max(jobs) + 1)]
    for value, job in enumerate(jobs):
        curves[job] = [float(value)]
    # Six values: continue while fewer than 6 / 3 = 2 are better (ranks 0 and 1).
    assert [rule.should_stop(job, curves) for job in jobs] == [
        False,
        False,
        True,
        True,
        True,
        True,
    ]


def test_every_job_may_run_to_max_resource() -> None:
    assert HyperbandRule(min_resource=1, max_resource=27).max_epochs(5) == 27


def test_invalid_resources_are_rejected() -> None:
    with pytest.raises(ValueError, match="must not exceed"):
        HyperbandRule(min_resource=10, max_resource=3)
    with pytest.raises(ValueError, match="at least 1"):
        HyperbandRule(min_resource=0, max_resource=3)


@pytest.mark.parametrize(
    ("static", "expected"),
    [
        ({"epochs": "50"}, 50),
        ({"num_epochs": "12", "lr": "0.1"}, 12),
        ({"n-epochs": "7.0"}, 7),
        ({"numepochs": "3", "n_epochs": "9"}, 3),  # documented key order
        ({"epochs": "ten", "n_epochs": "9"}, 9),  # unparsable value: next key
        ({"epochs": "2.5"}, None),
        ({"epochs": "0"}, None),
        ({"Epochs": "5"}, None),  # key names are exact
        ({}, None),
    ],
)
def test_max_resource_inferred_from_static_hyperparameters(
    static: dict[str, str], expected: int | None
) -> None:
    assert infer_max_resource(static) == expected


def test_hyperband_configurations_are_random_draws_of_their_own_stream() -> None:
    space = SearchSpace(dims=(ContinuousDim(name="x", low=0.0, high=1.0),))
    states = [SearchState(space=space, seed=5, issued=i) for i in range(5)]
    hyperband = [HyperbandStrategy().suggest(s) for s in states]
    assert hyperband == [HyperbandStrategy().suggest(s) for s in states]
    assert hyperband != [RandomStrategy().suggest(s) for s in states]
