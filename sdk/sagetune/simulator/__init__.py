"""A reference SageMaker tuning service that really runs training jobs, on a simulated clock.

    from sagetune.simulator import Simulator
    sim = Simulator()                      # in-memory SQLite, manual clock
    sim.register_algorithm("my-image", my_training_function)
    httpx.AsyncClient(transport=sim.async_transport())   # or `sagetune serve`

See the README's "Simulator" section for its algorithms, clock, persistence and limits.
"""

from sagetune.simulator.algorithms import (
    AlgorithmContext,
    AlgorithmError,
    AlgorithmFn,
    AlgorithmRegistry,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
    default_registry,
)
from sagetune.simulator.clock import Clock, EventClock, ManualClock, ScaledClock
from sagetune.simulator.server import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CREDENTIALS,
    DEFAULT_REGION,
    DEFAULT_SECRET_ACCESS_KEY,
    ENDPOINT_URL,
    Simulator,
    serve,
)

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_CREDENTIALS",
    "DEFAULT_REGION",
    "DEFAULT_SECRET_ACCESS_KEY",
    "ENDPOINT_URL",
    "AlgorithmContext",
    "AlgorithmError",
    "AlgorithmFn",
    "AlgorithmRegistry",
    "AlgorithmSpec",
    "Clock",
    "EventClock",
    "HyperParameterSpec",
    "LogStream",
    "ManualClock",
    "ScaledClock",
    "Simulator",
    "default_registry",
    "serve",
]
