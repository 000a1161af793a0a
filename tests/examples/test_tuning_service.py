"""The example tuning service, tested three ways: against the in-process simulator, by
replaying its cassette (offline, no simulator), and by verifying that cassette against a
fresh simulator with ``sagetune cassettes verify``."""

from __future__ import annotations

import pytest

from examples.tuning_service import TuningOutcome, TuningService, TuningSpec
from sagetune import AsyncSageMakerClient
from sagetune.cli import main
from sagetune.testing import Backend, ClientClock, Recording
from tests.examples.conftest import CASSETTES

SPEC = TuningSpec(name="example-1")
CASSETTE = "tuning_service.yaml"


def service(client: AsyncSageMakerClient) -> TuningService:
    return TuningService(
        client,
        role_arn="arn:aws:iam::123456789012:role/SageMakerRole",
        output_path="s3://example-bucket/tuning/",
    )


def assert_sound(outcome: TuningOutcome, clock: ClientClock) -> None:
    assert outcome.status == "Completed"
    assert len(outcome.objectives) == SPEC.max_jobs
    assert outcome.best_objective == min(outcome.objectives.values())
    assert outcome.best_training_job in outcome.objectives
    assert set(outcome.best_hyperparameters) == {"eta", "max_depth"}
    assert clock.sleeps == [30.0] * (outcome.polls - 1)  # polled on the injected clock


async def test_service_tunes_against_the_in_process_simulator(
    sagetune_client: AsyncSageMakerClient, sagetune_clock: ClientClock
) -> None:
    outcome = await service(sagetune_client).tune(SPEC)

    assert_sound(outcome, sagetune_clock)
    assert sagetune_clock.now() - 1767225600.0 == 30.0 * (outcome.polls - 1)


@pytest.mark.sagetune_cassette(CASSETTE)
async def test_service_replays_its_cassette(
    sagetune_client: AsyncSageMakerClient,
    sagetune_clock: ClientClock,
    sagetune_cassette: Recording,
    sagetune_backend: Backend,
) -> None:
    outcome = await service(sagetune_client).tune(SPEC)

    assert_sound(outcome, sagetune_clock)
    # Replaying (always in CI) starts no simulator: the cassette answers every request.
    assert sagetune_backend.kind == ("replay" if sagetune_cassette.replaying else "simulator")


def test_service_cassette_verifies_against_the_simulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["cassettes", "verify", str(CASSETTES / CASSETTE)])

    output = capsys.readouterr().out
    assert code == 0, output
    assert f"{CASSETTE}: OK" in output
