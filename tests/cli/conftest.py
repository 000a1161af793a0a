"""Fixtures for the CLI tests: run ``sagetune`` in a subprocess, serve simulators to it.

Commands run as a user runs them (``python -m sagetune ...`` in a fresh process, output
through a pipe) with an isolated AWS environment: no config files, the simulator's key in
the environment, instance metadata disabled. The simulators they talk to are served over
loopback sockets from the test process.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import attrs
import httpx
import pytest

from sagetune import AsyncSageMakerClient
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Simulator
from sagetune.simulator.server import BackgroundServer

COMMAND_TIMEOUT = 120.0


@attrs.frozen
class Result:
    """A finished command: exit code and what it printed."""

    code: int
    out: str
    err: str


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_ACCESS_KEY,
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_cli(
    *args: str | Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: str | None = None,
) -> Result:
    completed = subprocess.run(
        [sys.executable, "-m", "sagetune", *map(str, args)],
        env=dict(env),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


@attrs.frozen
class Served:
    """A simulator on a loopback port and the options that reach it."""

    url: str

    def flags(self) -> list[str]:
        return ["--endpoint-url", self.url, "--region", "us-east-1"]


@contextlib.contextmanager
def serving(simulator: Simulator) -> Iterator[Served]:
    """Serve ``simulator`` on a free loopback port from this process (uvicorn on a thread,
    as ``sagetune demo`` does): no second interpreter to start for each server."""
    with BackgroundServer(simulator) as loopback:
        yield Served(url=loopback.start())


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="session")
def env(session_dir: Path) -> dict[str, str]:
    return cli_env(session_dir)


@pytest.fixture(scope="session")
def fast_server() -> Iterator[Served]:
    """A simulator running flat out (``--time-scale max``): jobs finish in moments."""
    with serving(Simulator(time_scale="max")) as served:
        yield served


@pytest.fixture(scope="session")
def frozen_server() -> Iterator[Served]:
    """A simulator on a manual clock nobody moves: jobs stay InProgress."""
    with serving(Simulator()) as served:
        yield served


@attrs.frozen
class DemoRun:
    result: Result
    directory: Path

    @property
    def report(self) -> Path:
        return self.directory / "report"


@pytest.fixture(scope="session")
def demo_run(session_dir: Path, env: dict[str, str]) -> DemoRun:
    """``sagetune demo`` as shipped (its defaults), writing into a temporary directory."""
    directory = session_dir / "demo"
    result = run_cli("demo", "--output", directory, env=env)
    return DemoRun(result=result, directory=directory)


@pytest.fixture
def in_cli_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's environment as the subprocesses get it (for ``main()`` called here)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """An in-process simulator (manual clock) for tests that call the CLI's functions."""
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[AsyncSageMakerClient]:
    """An async client wired to ``sim`` through the in-process transport."""
    http = httpx.AsyncClient(transport=sim.async_transport())
    async with AsyncSageMakerClient(http_client=http, **sim.client_options()) as sm:
        yield sm
    await http.aclose()


@attrs.frozen
class Loopback:
    """A simulator (manual clock) served on a loopback port, and a client of it."""

    sim: Simulator
    url: str
    client: AsyncSageMakerClient


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    """For tests that reach CloudWatch too: botocore's clients need a socket, not the
    in-process transport. Tests move the clock (``sim.run_until_idle()``) between calls."""
    simulator = Simulator()
    with BackgroundServer(simulator) as server:
        url = server.start()
        options = {**simulator.client_options(), "endpoint_url": url}
        async with AsyncSageMakerClient(**options) as sm:
            yield Loopback(sim=simulator, url=url, client=sm)
