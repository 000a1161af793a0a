"""Training algorithms the simulator runs: the calling convention, built-ins and registry.

A training job's TrainingImage (``sagetune/<name>:latest`` for the built-ins, AWS's
published images of XGBoost and linear-learner for their simulated counterparts, any exact
string for your own) or AlgorithmName picks an algorithm from an
:class:`AlgorithmRegistry`; the algorithm turns string hyperparameters and an
:class:`AlgorithmContext` into ``(simulated_seconds, log_line)`` pairs, and the simulator
extracts metrics from the lines with the job's MetricDefinitions
(:mod:`sagetune.simulator.metrics`).
"""

from __future__ import annotations

from sagetune.simulator.algorithms.builtin import BUILTIN_ALGORITHMS
from sagetune.simulator.algorithms.errors import AlgorithmError, HyperparameterError
from sagetune.simulator.algorithms.registry import (
    AlgorithmNotFound,
    AlgorithmRegistry,
    default_registry,
)
from sagetune.simulator.algorithms.spec import (
    AlgorithmContext,
    AlgorithmFn,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
)

__all__ = [
    "BUILTIN_ALGORITHMS",
    "AlgorithmContext",
    "AlgorithmError",
    "AlgorithmFn",
    "AlgorithmNotFound",
    "AlgorithmRegistry",
    "AlgorithmSpec",
    "HyperParameterSpec",
    "HyperparameterError",
    "LogStream",
    "default_registry",
]
