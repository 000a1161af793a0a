"""``python -m examples.tuning_service``: run the service once against the in-process simulator."""

from __future__ import annotations

import asyncio

from examples.tuning_service.service import TuningService, TuningSpec
from sagetune.simulator import Simulator
from sagetune.testing import SimulatorBackend


async def main() -> None:
    with Simulator() as simulator:
        client = SimulatorBackend(simulator).async_client()
        service = TuningService(
            client,
            role_arn="arn:aws:iam::123456789012:role/SageMakerRole",
            output_path="s3://example-bucket/tuning/",
        )
        outcome = await service.tune(TuningSpec(name="example-1"))
    print(f"{outcome.name}: {outcome.status} after {outcome.polls} polls (simulated time)")
    print(f"best: {outcome.best_training_job} rmse={outcome.best_objective}")
    print(f"      {outcome.best_hyperparameters}")


if __name__ == "__main__":
    asyncio.run(main())
