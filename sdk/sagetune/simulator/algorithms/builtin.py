"""The algorithms every simulator has, addressed as ``sagetune/<name>:latest``."""

from __future__ import annotations

from sagetune.simulator.algorithms.benchmark_functions import BRANIN_SPEC, HARTMANN6_SPEC
from sagetune.simulator.algorithms.boosted_trees import BOOSTED_TREES_SPEC
from sagetune.simulator.algorithms.faults import FAIL_SPEC, NO_METRIC_SPEC
from sagetune.simulator.algorithms.neural_net import NEURAL_NET_SPEC
from sagetune.simulator.algorithms.spec import AlgorithmSpec

__all__ = ["BUILTIN_ALGORITHMS"]

BUILTIN_ALGORITHMS: tuple[AlgorithmSpec, ...] = (
    BRANIN_SPEC,
    HARTMANN6_SPEC,
    BOOSTED_TREES_SPEC,
    NEURAL_NET_SPEC,
    FAIL_SPEC,
    NO_METRIC_SPEC,
)
