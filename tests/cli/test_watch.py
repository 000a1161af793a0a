"""``tune --wait`` and ``watch`` ride out a dropped connection: they retry with backoff for a
while, say so, and when the service stays away they say that the job keeps running and how
to watch it again."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from sagetune import AsyncSageMakerClient
from sagetune.cli.demo import demo_request
from sagetune.cli.progress import ConnectionLost, watch
from sagetune.codec import from_wire
from sagetune.config import ClientConfig
from sagetune.model import shapes
from sagetune.simulator import Simulator
from tests.cli.conftest import COMMAND_TIMEOUT, Served, run_cli, serving
from tests.cli.tcp_proxy import CuttableProxy


class FlakyNetwork(httpx.AsyncBaseTransport):
    """The in-process simulator behind a network that is up or down."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return await self.inner.handle_async_request(request)


class Timeline:
    """Virtual wall time for the watch: each sleep moves it and the simulator's clock; the
    network goes down at ``down_at`` and back up at ``up_at`` (seconds of wall time)."""

    def __init__(self, sim: Simulator, network: FlakyNetwork, down_at: float, up_at: float):
        self.sim, self.network = sim, network
        self.down_at, self.up_at = down_at, up_at
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.sim.advance(300)
        self.network.down = self.down_at <= self.now < self.up_at

    def wall(self) -> float:
        return self.now


@pytest.fixture
def network(sim: Simulator) -> FlakyNetwork:
    return FlakyNetwork(sim.async_transport())


@pytest.fixture
async def flaky_client(
    sim: Simulator, network: FlakyNetwork
) -> AsyncIterator[AsyncSageMakerClient]:
    http = httpx.AsyncClient(transport=network)
    options = sim.client_options()
    async with AsyncSageMakerClient(
        http_client=http, config=ClientConfig(max_attempts=1), **options
    ) as client:
        yield client
    await http.aclose()


async def _create(client: AsyncSageMakerClient, name: str) -> None:
    request = from_wire(
        shapes.CreateHyperParameterTuningJobRequest, demo_request(name, jobs=4, parallel=2)
    )
    await client.create_hyper_parameter_tuning_job(request)


async def test_watch_rides_out_a_dropped_connection_and_says_so(
    sim: Simulator, network: FlakyNetwork, flaky_client: AsyncSageMakerClient
) -> None:
    await _create(flaky_client, "rides-out")
    timeline = Timeline(sim, network, down_at=2.0, up_at=20.0)
    notices: list[str] = []
    out = io.StringIO()

    final = await watch(
        flaky_client,
        "rides-out",
        console=Console(file=out, force_terminal=False, width=200),
        poll=1.0,
        sleep=timeline.sleep,
        wall=timeline.wall,
        retry_for=60.0,
        notice=notices.append,
    )

    assert final.hyper_parameter_tuning_job_status == "Completed"
    assert notices[0].startswith("Lost the connection to the service (Connection failed")
    assert notices[0].endswith("; retrying for up to 1:00.")
    # down from 2 s: retried after 1, 2, 4, 8, then 15 s (the cap), back at 32 s
    assert timeline.sleeps[:7] == [1.0, 1.0, 1.0, 2.0, 4.0, 8.0, 15.0]
    assert notices[1] == "Reconnected after 0:30."
    assert len(notices) == 2


async def test_watch_gives_up_after_retry_for_seconds(
    sim: Simulator, network: FlakyNetwork, flaky_client: AsyncSageMakerClient
) -> None:
    await _create(flaky_client, "gives-up")
    timeline = Timeline(sim, network, down_at=2.0, up_at=float("inf"))
    notices: list[str] = []

    with pytest.raises(ConnectionLost) as lost:
        await watch(
            flaky_client,
            "gives-up",
            console=Console(file=io.StringIO(), force_terminal=False),
            poll=1.0,
            sleep=timeline.sleep,
            wall=timeline.wall,
            retry_for=30.0,
            notice=notices.append,
        )

    assert lost.value.seconds == 30.0
    assert str(lost.value).startswith("no answer for 0:30: Connection failed")
    assert sum(timeline.sleeps[2:]) == 30.0  # 1 + 2 + 4 + 8 + 15: capped by what is left
    assert len(notices) == 1


@pytest.fixture
def frozen_behind_proxy() -> Iterator[tuple[Served, CuttableProxy]]:
    """A simulator nobody's clock moves (jobs stay InProgress) behind a cuttable proxy."""
    with serving(Simulator()) as served:
        port = int(served.url.rsplit(":", 1)[1])
        proxy = CuttableProxy(port)
        url = proxy.start()
        try:
            yield Served(url=url), proxy
        finally:
            proxy.stop()


def test_tune_wait_that_loses_the_service_says_the_job_keeps_running_and_how_to_watch_it(
    frozen_behind_proxy: tuple[Served, CuttableProxy], env: dict[str, str], tmp_path: Path
) -> None:
    served, proxy = frozen_behind_proxy
    request = tmp_path / "request.json"
    request.write_text(json.dumps(demo_request("cli-dropped", jobs=4, parallel=2)))
    process = subprocess.Popen(
        [
            sys.executable, "-m", "sagetune", "tune", str(request), "--wait",
            "--poll", "0.2", "--retry-for", "1.5", *served.flags(),
        ],
        env={**env, "AWS_MAX_ATTEMPTS": "1"},  # the watch retries, not each call
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Created tuning job cli-dropped")
    assert process.stdout.readline().startswith("[0/4] InProgress: ")
    proxy.cut()
    _, err = process.communicate(timeout=COMMAND_TIMEOUT)

    assert process.returncode == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("Lost the connection to the service (Connection failed")
    assert lines[0].endswith("; retrying for up to 0:02.")
    flags = f"--endpoint-url {served.url} --region us-east-1"
    assert lines[-1].startswith(
        "sagetune tune: lost the connection to the service (no answer for 0:0"
    )
    assert lines[-1].endswith(
        "Tuning job cli-dropped keeps running on the service; watch it again with: "
        f"sagetune watch cli-dropped {flags} (or stop it: sagetune stop cli-dropped {flags})"
    )

    proxy.restore()
    again = run_cli("describe", "cli-dropped", *served.flags(), env=env)
    assert again.code == 0, again.err
    assert "InProgress" in again.out


def test_watch_shows_an_existing_job_to_its_end_and_its_best_jobs(
    fast_server: Served, env: dict[str, str], tmp_path: Path
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(demo_request("cli-watched", jobs=4, parallel=2)))
    created = run_cli("tune", request, *fast_server.flags(), env=env)
    assert created.code == 0, created.err

    result = run_cli("watch", "cli-watched", *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("[4/4] Completed: ")
    assert "Best training jobs (top 4 of 4)" in result.out
    assert lines[-1].startswith("Best training job: cli-watched-")
