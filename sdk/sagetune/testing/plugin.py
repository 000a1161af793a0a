"""The pytest plugin registered through the ``pytest11`` entry point (no glue code needed).

``async def`` tests run with the ``testing`` extra alone: when no async plugin
(pytest-asyncio, anyio, ...) has taken an ``async def`` test, this plugin runs it with
``asyncio.run``, a fresh event loop per test. Tests that pytest-asyncio or anyio run (a
marker, ``asyncio_mode = auto``) are left to them, and so are async fixtures: an ``async
def`` fixture needs one of those plugins, and a test that gets one unrun fails saying so.

Fixtures (all function-scoped and synchronous, so they work the same under this plugin's
runner, pytest-asyncio and anyio's plugin):

- ``sagetune_simulator``: an in-process :class:`~sagetune.simulator.Simulator` (in-memory
  SQLite, manual clock); override it in a ``conftest.py`` to register your algorithms;
- ``sagetune_client`` / ``sagetune_sync_client``: an ``AsyncSageMakerClient`` /
  ``SageMakerClient`` wired to the simulator, or, when the test replays a cassette, to
  nothing at all (the cassette answers); their sleep and clock are injected, so waiters
  and retries never wait on the wall clock;
- ``sagetune_backend``: what those clients come from (``.async_client(**options)``,
  ``.sync_client(**options)`` for more clients, or other options), ``sagetune_clock`` its
  clock (``.sleeps`` lists the pauses the clients asked for);
- ``sagetune_cassette``: the active cassette (a :class:`Recording`) when the test carries
  the ``sagetune_cassette`` marker, else None; ``sagetune_cassette_dir`` where cassettes
  live, ``sagetune_record_mode`` the record mode in force.

The marker::

    @pytest.mark.sagetune_cassette("launch.yaml", record_mode=None, scrub_account_id=True,
                                   allow_playback_repeats=False, allow_unplayed=False)

Options: ``--sagetune-record-mode`` (default: ``none`` when ``CI`` is set, else ``once``;
or ``SAGETUNE_RECORD_MODE``), ``--sagetune-backend simulator|aws`` (what recording talks
to), ``--sagetune-region``, ``--sagetune-block-network`` (block sockets in every test;
replaying tests always block them), ``--sagetune-allowed-hosts``. Ini option
``sagetune_cassette_dir``.

Nothing here imports vcrpy, the client or the simulator until a fixture needs them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sagetune.testing.record_modes import (
    RECORD_MODES,
    RecordMode,
    check_record_mode,
    default_record_mode,
)

if TYPE_CHECKING:
    from vcr.cassette import Cassette

    from sagetune.client import AsyncSageMakerClient, SageMakerClient
    from sagetune.simulator import Simulator
    from sagetune.testing.backends import Backend
    from sagetune.testing.clocks import ClientClock

__all__ = ["MARKER", "Recording"]

MARKER = "sagetune_cassette"
_MARKER_OPTIONS = frozenset(
    {"path", "record_mode", "scrub_account_id", "allow_playback_repeats", "allow_unplayed"}
)
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sagetune", "sagetune record/replay of SageMaker calls")
    group.addoption(
        "--sagetune-record-mode",
        choices=RECORD_MODES,
        default=None,
        help=(
            "record mode of sagetune cassettes: none (replay only), once (record missing "
            "cassettes), new_episodes, all (re-record). Default: none when CI is set, else "
            "once (SAGETUNE_RECORD_MODE overrides)."
        ),
    )
    group.addoption(
        "--sagetune-backend",
        choices=("simulator", "aws"),
        default="simulator",
        help="what clients talk to when not replaying: the in-process simulator, or AWS",
    )
    group.addoption(
        "--sagetune-region", default=None, help="region of the aws backend (default: botocore's)"
    )
    group.addoption(
        "--sagetune-block-network",
        action="store_true",
        help="block network access in every test (replaying tests always block it)",
    )
    group.addoption(
        "--sagetune-allowed-hosts",
        default="",
        metavar="HOST[,HOST...]",
        help="hosts a blocked test may still reach (e.g. a local database: 127.0.0.1)",
    )
    parser.addini(
        "sagetune_cassette_dir",
        "directory of sagetune cassettes, relative to the rootdir "
        "(default: cassettes/<test module>/ next to each test module)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(path=None, *, record_mode=None, scrub_account_id=True, "
        "allow_playback_repeats=False, allow_unplayed=False): record SageMaker calls to a "
        "cassette, or replay them from it (sagetune's pytest plugin)",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.hookimpl
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test that no async plugin took (their hooks run first and leave
    a synchronous function behind; pytest's own would fail the test)."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    for name, value in arguments.items():
        if inspect.iscoroutine(value) or inspect.isasyncgen(value):
            if inspect.iscoroutine(value):
                value.close()  # never awaited: say why instead of warning about it
            pytest.fail(
                f"fixture {name!r} is an async fixture, which sagetune's plugin does not run: "
                "install pytest-asyncio (asyncio_mode = auto) or anyio's pytest plugin",
                pytrace=False,
            )
    import asyncio  # here: most test runs never need it

    asyncio.run(function(**arguments))
    return True


@dataclasses.dataclass  # not attrs: this module loads in every pytest run (~35 ms)
class Recording:
    """The cassette a test records to or replays from."""

    path: Path
    mode: RecordMode
    cassette: Cassette
    simulator: Simulator | None = None  # set when recording against the in-process simulator

    @property
    def replaying(self) -> bool:
        """Every request must come from the cassette (mode none, or once with a cassette)."""
        return self.cassette.write_protected

    def simulated_time(self) -> float | None:
        return None if self.simulator is None else self.simulator.clock.now()


@dataclasses.dataclass(frozen=True, kw_only=True)
class _MarkerSettings:
    path: str | None
    record_mode: RecordMode | None
    scrub_account_id: bool
    allow_playback_repeats: bool
    allow_unplayed: bool


def _marker_settings(marker: pytest.Mark) -> _MarkerSettings:
    kwargs = dict(marker.kwargs)
    unknown = set(kwargs) - _MARKER_OPTIONS
    if unknown or len(marker.args) > 1:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes a path and the options {sorted(_MARKER_OPTIONS)}; "
            f"got args {marker.args!r} and unknown options {sorted(unknown)}"
        )
    path = marker.args[0] if marker.args else kwargs.get("path")
    mode = kwargs.get("record_mode")
    try:
        record_mode = None if mode is None else check_record_mode(str(mode))
    except ValueError as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from None
    return _MarkerSettings(
        path=None if path is None else str(path),
        record_mode=record_mode,
        scrub_account_id=bool(kwargs.get("scrub_account_id", True)),
        allow_playback_repeats=bool(kwargs.get("allow_playback_repeats", False)),
        allow_unplayed=bool(kwargs.get("allow_unplayed", False)),
    )


def _allowed_hosts(config: pytest.Config) -> frozenset[str]:
    value = str(config.getoption("--sagetune-allowed-hosts") or "")
    return frozenset(host.strip() for host in value.split(",") if host.strip())


def _require(module: str, extra: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{what} needs {module}: pip install 'sagetune[{extra}]'", pytrace=False)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def sagetune_record_mode(request: pytest.FixtureRequest) -> RecordMode:
    """The record mode of this run (``--sagetune-record-mode``, else the default)."""
    option = request.config.getoption("--sagetune-record-mode")
    return check_record_mode(option) if option else default_record_mode()


@pytest.fixture
def sagetune_cassette_dir(request: pytest.FixtureRequest) -> Path:
    """Where this test's cassettes are: the ``sagetune_cassette_dir`` ini option (relative
    to the rootdir), else ``cassettes/<module>/`` next to the test module. Override it in
    a conftest to put them elsewhere."""
    configured = str(request.config.getini("sagetune_cassette_dir") or "")
    if configured:
        return Path(request.config.rootpath, configured)
    module = Path(request.node.path)
    return module.parent / "cassettes" / module.stem


@pytest.fixture
def sagetune_cassette(
    request: pytest.FixtureRequest, sagetune_record_mode: RecordMode, sagetune_cassette_dir: Path
) -> Iterator[Recording | None]:
    """The test's cassette, active for the whole test (None without the marker).

    Replaying blocks the network. After a passing test that replayed, every recorded
    interaction must have been played (unless ``allow_unplayed=True``): a missing poll is
    as much a change of behaviour as an extra one. A failing test records nothing.
    """
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        yield None
        return
    settings = _marker_settings(marker)
    _require("vcr", "testing", f"@pytest.mark.{MARKER}")
    from sagetune.testing.cassettes import cassette_path, unplayed_interactions, use_cassette
    from sagetune.testing.network import block_network
    from sagetune.testing.scrubbing import DUMMY_ACCOUNT_ID, Scrubber

    name = settings.path or re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    path = cassette_path(sagetune_cassette_dir / name)
    mode = settings.record_mode or sagetune_record_mode
    if mode == "none" and not path.is_file():
        pytest.fail(
            f"Cassette {path} does not exist and the record mode is 'none' (the default when "
            "CI is set). Record it: pytest --sagetune-record-mode=once "
            f"{request.node.nodeid}, or `sagetune cassettes record`.",
            pytrace=False,
        )
    scrubber = Scrubber(account_id=DUMMY_ACCOUNT_ID if settings.scrub_account_id else None)
    holder: list[Recording] = []
    context = use_cassette(
        path,
        record_mode=mode,
        scrubber=scrubber,
        simulated_time=lambda: holder[0].simulated_time() if holder else None,
        allow_playback_repeats=settings.allow_playback_repeats,
    )
    recording = Recording(path=path, mode=mode, cassette=context.__enter__())
    holder.append(recording)
    with ExitStack() as stack:
        if recording.replaying:
            stack.enter_context(block_network(_allowed_hosts(request.config)))
        try:
            yield recording
        finally:
            report = request.node.stash.get(_CALL_REPORT, None)
            passed = report is not None and report.passed
            if passed:
                context.__exit__(None, None, None)
            else:  # record_on_exception is off: an exception means "do not save"
                failure = RuntimeError(f"{request.node.nodeid} did not pass")
                context.__exit__(RuntimeError, failure, None)
    if passed and recording.replaying and not settings.allow_unplayed:
        unplayed = unplayed_interactions(recording.cassette)
        if unplayed:
            pytest.fail(
                f"{len(unplayed)} of {len(recording.cassette)} interactions of cassette "
                f"{path} were not replayed: {', '.join(unplayed[:10])}"
                f"{' ...' if len(unplayed) > 10 else ''}. The code made fewer calls than when "
                "it was recorded; re-record if that is intended (or mark the test "
                "allow_unplayed=True).",
                pytrace=False,
            )


@pytest.fixture
def sagetune_simulator() -> Iterator[Simulator]:
    """A fresh in-process simulator: in-memory SQLite, manual clock, default credentials."""
    _require("numpy", "simulator", "the sagetune_simulator fixture")
    from sagetune.simulator import Simulator

    simulator = Simulator()
    try:
        yield simulator
    finally:
        simulator.close()


@pytest.fixture
def sagetune_backend(
    request: pytest.FixtureRequest, sagetune_cassette: Recording | None
) -> Iterator[Backend]:
    """Where this test's clients go: the cassette alone when replaying (no simulator is
    started), else the in-process simulator (or AWS with ``--sagetune-backend aws``)."""
    from sagetune.testing.backends import AwsBackend, ReplayBackend, SimulatorBackend

    backend: Backend
    region = request.config.getoption("--sagetune-region")
    if sagetune_cassette is not None and sagetune_cassette.replaying:
        backend = ReplayBackend(region=region or "us-east-1")
    elif request.config.getoption("--sagetune-backend") == "aws":
        backend = AwsBackend(region=region)
    else:
        simulator: Simulator = request.getfixturevalue("sagetune_simulator")
        backend = SimulatorBackend(simulator)
        if sagetune_cassette is not None:
            sagetune_cassette.simulator = simulator
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def sagetune_clock(sagetune_backend: Backend) -> ClientClock:
    """The clock and sleep the backend's clients use (``.sleeps``: the pauses they took)."""
    return sagetune_backend.clock


@pytest.fixture
def sagetune_client(sagetune_backend: Backend) -> AsyncSageMakerClient:
    """An ``AsyncSageMakerClient`` for this test's backend."""
    return sagetune_backend.async_client()


@pytest.fixture
def sagetune_sync_client(sagetune_backend: Backend) -> SageMakerClient:
    """A ``SageMakerClient`` for this test's backend (closed after the test)."""
    return sagetune_backend.sync_client()


@pytest.fixture(autouse=True)
def _sagetune_activate(request: pytest.FixtureRequest) -> Iterator[None]:
    """Activate the cassette of a marked test (even one that uses no sagetune fixture),
    and the network guard under ``--sagetune-block-network``."""
    with ExitStack() as stack:
        if request.config.getoption("--sagetune-block-network"):
            from sagetune.testing.network import block_network

            stack.enter_context(block_network(_allowed_hosts(request.config)))
        if request.node.get_closest_marker(MARKER) is not None:
            request.getfixturevalue("sagetune_cassette")
        yield
