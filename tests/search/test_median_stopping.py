"""The documented median stopping rule, against hand-computed cases."""

from __future__ import annotations

import math

import pytest

from sagetune.simulator.search import median_of_running_averages, median_rule_should_stop

# Running averages at epoch 2: A (1.0+0.8)/2 = 0.9, B (2.0+1.0)/2 = 1.5, C (1.5+1.5)/2 = 1.5
# -> median 1.5. At epoch 3 only A (0.8) and B (1.3) reached it.
A = [1.0, 0.8, 0.6]
B = [2.0, 1.0, 0.9]
C = [1.5, 1.5]
EARLIER = [A, B, C]


def test_median_of_running_averages_by_hand() -> None:
    assert median_of_running_averages(EARLIER, 2) == pytest.approx(1.5)
    assert median_of_running_averages(EARLIER, 3) == pytest.approx((0.8 + 1.3) / 2)
    assert median_of_running_averages(EARLIER, 4) is None


def test_job_worse_than_median_of_running_averages_stops() -> None:
    assert median_rule_should_stop([9.0, 1.6], EARLIER)


def test_job_equal_to_the_median_continues() -> None:
    assert not median_rule_should_stop([9.0, 1.5], EARLIER)


def test_job_better_than_the_median_continues_even_if_its_own_average_is_worse() -> None:
    # The rule compares the job's value at this epoch, not its running average.
    assert not median_rule_should_stop([9.0, 1.4], EARLIER)


def test_maximize_reverses_the_direction() -> None:
    assert median_rule_should_stop([0.0, 1.4], EARLIER, minimize=False)
    assert not median_rule_should_stop([0.0, 1.6], EARLIER, minimize=False)
    assert not median_rule_should_stop([0.0, 1.5], EARLIER, minimize=False)


def test_only_jobs_that_reached_the_epoch_count_towards_the_minimum() -> None:
    # At epoch 3 only A and B count: two earlier jobs are fewer than the default three.
    assert not median_rule_should_stop([9.0, 9.0, 5.0], EARLIER)
    # With two allowed, median (0.8 + 1.3) / 2 = 1.05: 1.1 is worse, 1.0 is not.
    assert median_rule_should_stop([9.0, 9.0, 1.1], EARLIER, min_earlier_jobs=2)
    assert not median_rule_should_stop([9.0, 9.0, 1.0], EARLIER, min_earlier_jobs=2)


def test_no_decision_before_the_minimum_epoch() -> None:
    # Epoch 1: running averages 1.0, 2.0, 1.5 -> median 1.5.
    assert not median_rule_should_stop([1.7], EARLIER)
    assert median_rule_should_stop([1.7], EARLIER, min_epochs=1)
    assert not median_rule_should_stop([], EARLIER, min_epochs=0)


def test_even_number_of_earlier_jobs_uses_the_mean_of_the_middle_two() -> None:
    earlier = [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [10.0, 10.0]]  # median (2 + 3) / 2
    assert median_rule_should_stop([0.0, 2.6], earlier)
    assert not median_rule_should_stop([0.0, 2.5], earlier)


def test_non_finite_values_count_as_worst() -> None:
    assert median_rule_should_stop([1.0, math.nan], EARLIER)
    assert median_rule_should_stop([1.0, math.nan], EARLIER, minimize=False)
    # A diverged earlier job has an infinite running average: it raises the median.
    diverged = [[1.0, math.inf], [1.0, math.inf], [1.0, 1.0]]
    assert not median_rule_should_stop([0.0, 50.0], diverged)
