"""Bayesian strategy: reproducible, spreads parallel jobs, beats random, honours types."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.simulator.search import (
    BayesianStrategy,
    CategoricalDim,
    ContinuousDim,
    IntegerDim,
    RandomStrategy,
    SearchSpace,
    SearchState,
    Strategy,
    Trial,
    WarmStart,
    default_initial_design,
    make_strategy,
)
from tests.search.objectives import BRANIN_MINIMUM, branin

Objective = Callable[[Mapping[str, str]], float]


def branin_of(params: Mapping[str, str]) -> float:
    return branin(float(params["a"]), float(params["b"]))


def run(
    strategy: Strategy,
    space: SearchSpace,
    objective: Objective,
    *,
    seed: int,
    n: int,
    warm_start: WarmStart | None = None,
) -> list[Trial]:
    trials: list[Trial] = []
    for i in range(n):
        state = SearchState(
            space=space, seed=seed, trials=tuple(trials), issued=i, warm_start=warm_start
        )
        params = strategy.suggest(state)
        trials.append(Trial(params=params, value=objective(params)))
    return trials


def best_value(trials: list[Trial]) -> float:
    values = [t.value for t in trials if t.value is not None]
    return min(values)


def random_trials(space: SearchSpace, objective: Objective, n: int, seed: int) -> list[Trial]:
    return run(RandomStrategy(), space, objective, seed=seed, n=n)


def unit(space: SearchSpace, params: Mapping[str, str]) -> np.ndarray:
    return space.encode(params)


def test_same_state_gives_the_same_suggestion(branin_space: SearchSpace) -> None:
    trials = tuple(random_trials(branin_space, branin_of, 12, seed=1))
    pending = ({"a": "1.0", "b": "2.0"},)
    state = SearchState(space=branin_space, seed=9, trials=trials, pending=pending, issued=13)
    first = BayesianStrategy().suggest(state)
    assert BayesianStrategy().suggest(state) == first
    other_seed = SearchState(space=branin_space, seed=10, trials=trials, pending=pending, issued=13)
    assert BayesianStrategy().suggest(other_seed) != first


def test_initial_design_is_a_seeded_space_filling_sequence(branin_space: SearchSpace) -> None:
    n_init = default_initial_design(2)
    assert n_init == 4
    points = run(BayesianStrategy(), branin_space, branin_of, seed=3, n=n_init)
    again = run(BayesianStrategy(), branin_space, lambda p: 0.0, seed=3, n=n_init)
    assert [t.params for t in points] == [t.params for t in again]  # values not used yet
    cells = {tuple((unit(branin_space, t.params) * 2).astype(int)) for t in points}
    assert len(cells) == 4  # Sobol: one point in each quadrant


def test_parallel_pending_suggestions_are_distinct_and_spread(branin_space: SearchSpace) -> None:
    trials = tuple(random_trials(branin_space, branin_of, 15, seed=0))
    pending: list[dict[str, str]] = []
    for k in range(6):
        state = SearchState(
            space=branin_space, seed=0, trials=trials, pending=tuple(pending), issued=15 + k
        )
        pending.append(BayesianStrategy().suggest(state))
    points = np.array([unit(branin_space, p) for p in pending])
    gaps = [np.linalg.norm(p - q) for p, q in itertools.combinations(points, 2)]
    assert min(gaps) > 0.05  # in the unit square: no two parallel jobs on the same spot


def test_beats_random_search_on_branin_after_30_evaluations(branin_space: SearchSpace) -> None:
    seeds = range(4)
    bayes = [
        best_value(run(BayesianStrategy(), branin_space, branin_of, seed=s, n=30)) for s in seeds
    ]
    rand = [best_value(random_trials(branin_space, branin_of, 30, s)) for s in seeds]
    bayes_regret = float(np.median(bayes)) - BRANIN_MINIMUM
    random_regret = float(np.median(rand)) - BRANIN_MINIMUM
    assert bayes_regret < 0.05
    assert bayes_regret < random_regret / 10


def test_integer_and_categorical_values_are_valid_and_exploited(mixed_space: SearchSpace) -> None:
    def objective(p: Mapping[str, str]) -> float:
        lr_term = (math.log10(float(p["lr"])) + 3) ** 2
        return lr_term + abs(int(p["layers"]) - 5) + (0.0 if p["optimizer"] == "adam" else 2.0)

    trials = run(BayesianStrategy(), mixed_space, objective, seed=2, n=24)
    for t in trials:
        assert 1e-5 <= float(t.params["lr"]) <= 1e-1
        assert t.params["layers"] in {str(n) for n in range(1, 9)}
        assert t.params["optimizer"] in ("sgd", "adam", "rmsprop")
    best = min(trials, key=lambda t: t.value or 0.0)
    assert best.params["optimizer"] == "adam"
    assert best.params["layers"] in ("4", "5", "6")
    assert best_value(trials) < 1.5


def test_small_discrete_space_is_covered_without_repeats() -> None:
    space = SearchSpace(
        dims=(
            CategoricalDim(name="c", values=("a", "b", "c")),
            IntegerDim(name="n", low=1, high=4, scaling="Linear"),
        )
    )
    trials = run(BayesianStrategy(), space, lambda p: float(p["n"]) * 0.1, seed=0, n=12)
    assert len({(t.params["c"], t.params["n"]) for t in trials}) == 12


def test_failed_configuration_is_not_suggested_again(branin_space: SearchSpace) -> None:
    trials = tuple(random_trials(branin_space, branin_of, 10, seed=4))
    state = SearchState(space=branin_space, seed=4, trials=trials, issued=10)
    choice = BayesianStrategy().suggest(state)
    failed = (*trials, Trial(params=choice, value=None))
    after = BayesianStrategy().suggest(
        SearchState(space=branin_space, seed=4, trials=failed, issued=11)
    )
    gap = np.linalg.norm(unit(branin_space, after) - unit(branin_space, choice))
    assert gap > 0.05  # treated as the worst value seen: the region lost its appeal


def test_all_failed_trials_still_give_a_valid_suggestion(branin_space: SearchSpace) -> None:
    trials = tuple(
        Trial(params=t.params, value=None)
        for t in random_trials(branin_space, branin_of, 8, seed=5)
    )
    params = BayesianStrategy().suggest(
        SearchState(space=branin_space, seed=5, trials=trials, issued=8)
    )
    assert -5 <= float(params["a"]) <= 10
    assert 0 <= float(params["b"]) <= 15
    assert params not in [t.params for t in trials]


def _parents(
    space: SearchSpace, transform: Callable[[float], float]
) -> tuple[tuple[Trial, ...], ...]:
    return tuple(
        tuple(
            Trial(params=t.params, value=transform(t.value or 0.0))
            for t in random_trials(space, branin_of, 40, seed=100 + k)
        )
        for k in range(2)
    )


def test_identical_warm_start_uses_parents_from_the_first_suggestion(
    branin_space: SearchSpace,
) -> None:
    warm = WarmStart(kind="IdenticalDataAndAlgorithm", parents=_parents(branin_space, float))
    trials = run(BayesianStrategy(), branin_space, branin_of, seed=0, n=4, warm_start=warm)
    assert best_value(trials) - BRANIN_MINIMUM < 0.2
    cold = run(BayesianStrategy(), branin_space, branin_of, seed=0, n=4)
    assert best_value(cold) - BRANIN_MINIMUM > 1.0  # the initial design


def test_transfer_learning_trusts_parents_ordering_not_their_scale(
    branin_space: SearchSpace,
) -> None:
    # The parents optimized a related objective on another scale: 100 log(f) + 7.
    warm = WarmStart(
        kind="TransferLearning", parents=_parents(branin_space, lambda v: 100 * math.log(v) + 7)
    )
    trials = run(BayesianStrategy(), branin_space, branin_of, seed=0, n=6, warm_start=warm)
    assert best_value(trials) - BRANIN_MINIMUM < 0.5


def test_warm_start_parent_trials_that_do_not_fit_the_space_are_ignored(
    mixed_space: SearchSpace,
) -> None:
    parents = (
        (
            Trial(params={"lr": "0.01", "layers": "3", "optimizer": "adagrad"}, value=1.0),
            Trial(params={"lr": "0.5", "layers": "12", "optimizer": "adam"}, value=0.5),
            Trial(params={"lr": "0.001", "layers": "2", "optimizer": "sgd"}, value=None),
            Trial(params={"layers": "2", "optimizer": "sgd"}, value=3.0),
        ),
    )
    for kind in ("IdenticalDataAndAlgorithm", "TransferLearning"):
        warm = WarmStart(kind=kind, parents=parents)
        params = BayesianStrategy().suggest(
            SearchState(space=mixed_space, seed=0, issued=0, warm_start=warm)
        )
        assert 1e-5 <= float(params["lr"]) <= 1e-1
        assert 1 <= int(params["layers"]) <= 8


def test_factory_maps_service_strategy_names() -> None:
    assert isinstance(make_strategy("Bayesian"), BayesianStrategy)
    assert isinstance(make_strategy("Random"), RandomStrategy)
    with pytest.raises(ValueError, match="unknown tuning strategy"):
        make_strategy("Annealing")  # type: ignore[arg-type]


@st.composite
def spaces_and_values(draw: st.DrawFn) -> tuple[SearchSpace, list[float | None], int]:
    dims: list[ContinuousDim | IntegerDim | CategoricalDim] = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["c", "i", "k"]))
        if kind == "c":
            low = draw(st.floats(1e-4, 10.0))
            dims.append(ContinuousDim(name=f"d{i}", low=low, high=low * draw(st.floats(1, 1e4))))
        elif kind == "i":
            low_int = draw(st.integers(1, 50))
            dims.append(
                IntegerDim(name=f"d{i}", low=low_int, high=low_int + draw(st.integers(0, 500)))
            )
        else:
            dims.append(
                CategoricalDim(name=f"d{i}", values=tuple("abcdefg"[: draw(st.integers(1, 7))]))
            )
    values = draw(st.lists(st.one_of(st.none(), st.floats(-1e3, 1e3)), min_size=12, max_size=12))
    return SearchSpace(dims=tuple(dims)), values, draw(st.integers(0, 2**31))


@settings(max_examples=15, deadline=None)
@given(case=spaces_and_values())
def test_suggestions_are_always_valid_configurations(
    case: tuple[SearchSpace, list[float | None], int],
) -> None:
    space, values, seed = case
    trials = tuple(
        Trial(
            params=RandomStrategy().suggest(SearchState(space=space, seed=seed, issued=i)), value=v
        )
        for i, v in enumerate(values)
    )
    pending = (RandomStrategy().suggest(SearchState(space=space, seed=seed, issued=99)),)
    params = BayesianStrategy().suggest(
        SearchState(space=space, seed=seed, trials=trials, pending=pending, issued=13)
    )
    assert set(params) == set(space.names)
    features = space.encode(params)
    numeric = ~space.categorical_mask
    assert np.all(features[numeric] >= -1e-9)
    assert np.all(features[numeric] <= 1 + 1e-9)
    again = space.decode(features)
    for dim in space.dims:
        if isinstance(dim, ContinuousDim):
            assert float(again[dim.name]) == pytest.approx(float(params[dim.name]), rel=1e-12)
        else:
            assert again[dim.name] == params[dim.name]


def test_an_early_stopped_trial_is_believed_like_a_pending_job(branin_space: SearchSpace) -> None:
    trials = random_trials(branin_space, branin_of, 12, seed=4)
    # The best configuration so far, stopped early at a poor intermediate value.
    best = min(trials, key=lambda t: t.value if t.value is not None else math.inf)
    rest = tuple(t for t in trials if t is not best)
    stopped = Trial(params=best.params, value=250.0, stopped_early=True)
    as_stopped = SearchState(space=branin_space, seed=2, trials=(*rest, stopped), issued=12)
    as_pending = SearchState(
        space=branin_space, seed=2, trials=rest, pending=(best.params,), issued=12
    )
    observed = SearchState(
        space=branin_space,
        seed=2,
        trials=(*rest, Trial(params=best.params, value=250.0)),
        issued=12,
    )
    suggestion = BayesianStrategy().suggest(as_stopped)
    assert suggestion == BayesianStrategy().suggest(as_pending)
    assert suggestion != BayesianStrategy().suggest(observed)  # the value is not observed
