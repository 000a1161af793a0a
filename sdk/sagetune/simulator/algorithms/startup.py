"""The log lines a training container writes before its first epoch.

Real SageMaker training logs start with the container announcing itself, the resolved
hyperparameters and the data it loads; these lines also carry simulated time (a few
seconds each), so that a job's first metric does not appear at its start time. Nothing
here matches the built-in algorithms' metric regexes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping

from sagetune.simulator.algorithms.spec import AlgorithmContext

__all__ = ["startup_lines"]


def startup_lines(
    image: str,
    hyperparameters: Mapping[str, str],
    context: AlgorithmContext,
    rng: random.Random,
    data_lines: tuple[str, ...] = (),
) -> Iterator[tuple[float, str]]:
    """Yield the container start-up lines (about 5-15 simulated seconds in all)."""
    yield 1.0 + rng.random(), f"sagetune training container {image} starting"
    yield (
        0.2 + 0.3 * rng.random(),
        f"Job {context.job_name}: {context.instance_count} x {context.instance_type}",
    )
    shown = {key: hyperparameters[key] for key in sorted(hyperparameters)}
    yield 0.1, f"Hyperparameters: {json.dumps(shown, sort_keys=True)}"
    yield 2.0 + 3.0 * rng.random(), "Downloading input data from /opt/ml/input/data"
    for line in data_lines:
        yield 0.5 + 2.0 * rng.random(), line
