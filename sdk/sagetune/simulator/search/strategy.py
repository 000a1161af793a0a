"""The interface the engine calls, and a factory from the service's strategy names."""

from __future__ import annotations

from typing import Literal, Protocol

from .bayesian import BayesianStrategy
from .grid import GridStrategy
from .history import SearchState
from .hyperband import HyperbandStrategy
from .random import RandomStrategy

StrategyName = Literal["Bayesian", "Random", "Grid", "Hyperband"]


class Strategy(Protocol):
    """Picks one configuration; must be a pure function of the state (see ``history``)."""

    def suggest(self, state: SearchState) -> dict[str, str]: ...


def make_strategy(name: StrategyName) -> Strategy:
    """The strategy for HyperParameterTuningJobConfig.Strategy.

    Hyperband's stopping decisions live in ``HyperbandRule``, built by the engine from
    HyperbandStrategyConfig.
    """
    if name == "Bayesian":
        return BayesianStrategy()
    if name == "Random":
        return RandomStrategy()
    if name == "Grid":
        return GridStrategy()
    if name == "Hyperband":
        return HyperbandStrategy()
    raise ValueError(f"unknown tuning strategy {name!r}")
