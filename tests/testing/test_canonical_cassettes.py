"""The canonical scenarios, replayed offline from ``cassettes/`` by both clients.

The async tests record their cassette when it is missing (record mode ``once``, the local
default) or when re-recording (``sagetune cassettes record``); in CI (record mode ``none``)
every test here replays, with no simulator, no network and no credentials.
"""

from __future__ import annotations

import asyncio

import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.testing import ClientClock, Recording, ReplayBackend, block_network, use_cassette
from tests.testing.conftest import CASSETTES
from tests.testing.scenarios import BAYESIAN, SCENARIOS, Scenario, run_async, run_sync


def recorded(scenario: Scenario, **options: object) -> object:
    return pytest.param(
        scenario,
        id=scenario.name,
        marks=pytest.mark.sagetune_cassette(f"{scenario.name}.yaml", **options),
    )


@pytest.mark.parametrize("scenario", [recorded(s) for s in SCENARIOS])
async def test_scenario_replays_with_the_async_client(
    scenario: Scenario, sagetune_client: AsyncSageMakerClient, sagetune_clock: ClientClock
) -> None:
    scenario.check(await run_async(sagetune_client, sagetune_clock, scenario.steps))


@pytest.mark.parametrize("scenario", [recorded(s, record_mode="none") for s in SCENARIOS])
def test_scenario_replays_with_the_sync_client(
    scenario: Scenario,
    sagetune_sync_client: SageMakerClient,
    sagetune_clock: ClientClock,
    sagetune_cassette: Recording,
) -> None:
    assert sagetune_cassette.replaying
    scenario.check(run_sync(sagetune_sync_client, sagetune_clock, scenario.steps))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_async_and_sync_clients_read_the_same_outcomes_from_a_cassette(
    scenario: Scenario,
) -> None:
    path = CASSETTES / f"{scenario.name}.yaml"
    async_backend, sync_backend = ReplayBackend(), ReplayBackend()
    with block_network(), use_cassette(path):
        from_async = asyncio.run(
            run_async(async_backend.async_client(), async_backend.clock, scenario.steps)
        )
    with block_network(), use_cassette(path):
        from_sync = run_sync(sync_backend.sync_client(), sync_backend.clock, scenario.steps)
    sync_backend.close()

    assert from_async == from_sync
    assert async_backend.clock.sleeps == sync_backend.clock.sleeps


@pytest.mark.sagetune_cassette(f"{BAYESIAN.name}.yaml", record_mode="none")
async def test_a_recorded_forty_poll_wait_replays_on_a_virtual_clock(
    sagetune_client: AsyncSageMakerClient,
    sagetune_clock: ClientClock,
    sagetune_cassette: Recording,
) -> None:
    polls = sum(
        request.headers["X-Amz-Target"] == "SageMaker.DescribeHyperParameterTuningJob"
        for request in sagetune_cassette.cassette.requests
    )
    start = sagetune_clock.now()

    await run_async(sagetune_client, sagetune_clock, BAYESIAN.steps)

    assert polls >= 30
    assert sagetune_clock.sleeps == [30] * (polls - 1)  # the waiter's delay, once per InProgress
    assert sagetune_clock.now() - start == 30 * (polls - 1)
    assert sagetune_cassette.cassette.all_played
