"""A tiny async service that launches a SageMaker tuning job and waits for its result.

It is the kind of code sagetune's testing tools are for: it only needs an
``AsyncSageMakerClient``, so its tests give it one wired to the in-process simulator, or
one that replays a cassette (tests/examples/test_tuning_service.py shows all three ways).
"""

from examples.tuning_service.service import TuningOutcome, TuningService, TuningSpec

__all__ = ["TuningOutcome", "TuningService", "TuningSpec"]
