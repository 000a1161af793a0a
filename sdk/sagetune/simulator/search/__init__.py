"""The simulator's tuning intelligence: search strategies, the GP surrogate, early stopping.

Pure numpy/scipy code with no dependency on the rest of sagetune: the engine translates a
tuning request into these types (values as the service's strings, objectives in minimize
form) and asks for one configuration at a time, or for one stop decision at a time.
"""

from .bayesian import BayesianStrategy, default_initial_design
from .gp import GaussianProcess, KernelParams, fit_gp, log_expected_improvement
from .grid import GridStrategy, grid_point, grid_size
from .history import SearchState, Trial, WarmStart, WarmStartKind
from .hyperband import (
    ETA,
    HyperbandRule,
    HyperbandStrategy,
)
from .median_stopping import (
    median_of_running_averages,
    median_rule_should_stop,
    median_rule_stops,
    running_averages,
)
from .random import RandomStrategy
from .space import (
    CategoricalDim,
    ContinuousDim,
    Dim,
    IntegerDim,
    ParamError,
    Scaling,
    SearchSpace,
    format_float,
    resolve_scaling,
)
from .strategy import Strategy, StrategyName, make_strategy

__all__ = [
    "ETA",
    "BayesianStrategy",
    "CategoricalDim",
    "ContinuousDim",
    "Dim",
    "GaussianProcess",
    "GridStrategy",
    "HyperbandRule",
    "HyperbandStrategy",
    "IntegerDim",
    "KernelParams",
    "ParamError",
    "RandomStrategy",
    "Scaling",
    "SearchSpace",
    "SearchState",
    "Strategy",
    "StrategyName",
    "Trial",
    "WarmStart",
    "WarmStartKind",
    "default_initial_design",
    "fit_gp",
    "format_float",
    "grid_point",
    "grid_size",
    "log_expected_improvement",
    "make_strategy",
    "median_of_running_averages",
    "median_rule_should_stop",
    "median_rule_stops",
    "resolve_scaling",
    "running_averages",
]
