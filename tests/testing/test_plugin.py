"""The pytest plugin, as an application's test suite uses it (run through pytester)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import sagetune.client
import sagetune.simulator
import sagetune.testing.backends
import sagetune.testing.cassettes
import sagetune.testing.network  # noqa: F401 - all loaded before pytester snapshots sys.modules
from sagetune.errors import ResourceNotFound
from sagetune.model import shapes
from sagetune.simulator import Simulator
from sagetune.testing import NetworkBlockedError, SimulatorBackend, block_network, use_cassette
from sagetune.testing.plugin import _require

# Pytester's in-process runs drop the modules they import: numpy cannot be imported twice in
# one process, and a module imported again would bring new exception classes, so everything
# the inner runs use is imported above, once.
pytest_plugins = ["pytester"]

INI = """
[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
addopts = -p no:hypothesispytest -p no:cacheprovider
"""
# (hypothesis' plugin would import hypothesis afresh in every inner run: seconds each)

APP_TEST = """
import os

import pytest

from sagetune.errors import ResourceNotFound
from sagetune.model import shapes

NAME = os.environ.get("APP_JOB_NAME", "missing-1")


@pytest.mark.asyncio
@pytest.mark.sagetune_cassette("flow.yaml")
async def test_flow(sagetune_client, sagetune_backend, sagetune_cassette):
    assert sagetune_backend.kind == os.environ["EXPECTED_BACKEND"]
    listed = await sagetune_client.list_hyper_parameter_tuning_jobs(
        shapes.ListHyperParameterTuningJobsRequest()
    )
    assert listed.hyper_parameter_tuning_job_summaries == []
    if os.environ.get("APP_STOP_EARLY"):
        return
    with pytest.raises(ResourceNotFound):
        await sagetune_client.describe_hyper_parameter_tuning_job(
            shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=NAME)
        )
"""


@pytest.fixture
def app(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("CI", "SAGETUNE_RECORD_MODE", "APP_JOB_NAME", "APP_STOP_EARLY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXPECTED_BACKEND", "replay")
    pytester.makeini(INI)
    pytester.makepyfile(test_app=APP_TEST)
    return pytester


def flow_cassette(directory: Path) -> Path:
    """Record what APP_TEST does, with the library rather than an inner pytest run."""
    path = directory / "cassettes" / "test_app" / "flow.yaml"
    simulator = Simulator()
    backend = SimulatorBackend(simulator)

    async def flow() -> None:
        client = backend.async_client()
        await client.list_hyper_parameter_tuning_jobs(shapes.ListHyperParameterTuningJobsRequest())
        with pytest.raises(ResourceNotFound):
            await client.describe_hyper_parameter_tuning_job(
                shapes.DescribeHyperParameterTuningJobRequest(
                    hyper_parameter_tuning_job_name="missing-1"
                )
            )

    with use_cassette(path, record_mode="once", simulated_time=simulator.clock.now):
        asyncio.run(flow())
    simulator.close()
    return path


def test_a_missing_cassette_is_recorded_against_the_simulator_and_scrubbed(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPECTED_BACKEND", "simulator")

    app.runpytest_inprocess().assert_outcomes(passed=1)  # record mode once: records

    text = (app.path / "cassettes" / "test_app" / "flow.yaml").read_text()
    assert text.count("x-amz-target:") == 2
    assert "Signature=SCRUBBED" in text
    assert "Credential=SCRUBBED/" in text
    assert "SAGETUNESIMULATOR" not in text  # not even the simulator's key id is kept
    assert "X-SageTune-Simulator-Time:\n      - '1767225600.0'" in text


def test_ci_replays_by_default_without_a_simulator(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_cassette(app.path)
    monkeypatch.setenv("CI", "true")

    app.runpytest_inprocess().assert_outcomes(passed=1)  # asserts the backend is "replay"


def test_ci_without_the_cassette_says_how_to_record_it(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")

    result = app.runpytest_inprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*Cassette *flow.yaml does not exist and the record mode is 'none'*"]
    )
    result.stdout.fnmatch_lines(["*--sagetune-record-mode=once*"])


def test_a_changed_request_fails_naming_operation_cassette_and_diff(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_cassette(app.path)
    monkeypatch.setenv("APP_JOB_NAME", "missing-2")

    result = app.runpytest_inprocess("--sagetune-record-mode=none")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMismatchError: DescribeHyperParameterTuningJob is not in cassette "
            "*flow.yaml*",
            "*Closest recorded request: interaction #2 DescribeHyperParameterTuningJob*",
            '*-  "HyperParameterTuningJobName": "missing-1"',
            '*+  "HyperParameterTuningJobName": "missing-2"',
        ]
    )


def test_fewer_calls_than_recorded_fail_the_test(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_cassette(app.path)
    monkeypatch.setenv("APP_STOP_EARLY", "1")

    result = app.runpytest_inprocess("--sagetune-record-mode=none")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*1 of 2 interactions of cassette *flow.yaml were not replayed: #2 DescribeHyper*"]
    )


def test_a_failed_recording_writes_no_cassette(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPECTED_BACKEND", "not-the-backend")

    app.runpytest_inprocess("--sagetune-record-mode=once").assert_outcomes(failed=1)

    assert not (app.path / "cassettes").exists()


NETWORK_TEST = """
import socket

import pytest

from sagetune.testing import NetworkBlockedError


@pytest.mark.sagetune_cassette("empty.yaml", record_mode="none", allow_unplayed=True)
def test_replay_blocks_the_network():
    with pytest.raises(NetworkBlockedError, match="example.com"):
        socket.create_connection(("example.com", 80), timeout=1)
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match="127.0.0.1"):
        sock.connect_ex(("127.0.0.1", 9))


@pytest.mark.sagetune_cassette("empty.yaml", record_mode="none", allow_unplayed=True)
def test_allowed_hosts_stay_reachable(pytestconfig):
    if pytestconfig.getoption("--sagetune-allowed-hosts") == "127.0.0.1":
        with socket.socket() as sock:
            sock.settimeout(1)
            assert isinstance(sock.connect_ex(("127.0.0.1", 9)), int)


def test_unmarked_tests_are_not_blocked():
    with socket.socket() as sock:
        sock.settimeout(1)
        assert isinstance(sock.connect_ex(("127.0.0.1", 9)), int)  # the OS answers, not sagetune
"""


def test_replaying_tests_cannot_reach_the_network(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_network=NETWORK_TEST)
    empty = pytester.path / "cassettes" / "test_network" / "empty.yaml"
    empty.parent.mkdir(parents=True)
    empty.write_text("interactions: []\nversion: 1\n")

    pytester.runpytest_inprocess().assert_outcomes(passed=3)
    result = pytester.runpytest_inprocess("--sagetune-allowed-hosts=127.0.0.1")
    result.assert_outcomes(passed=2, failed=1)  # the first test expects 127.0.0.1 blocked
    result.stdout.fnmatch_lines(["*test_replay_blocks_the_network*"])


def test_block_network_blocks_lookups_and_connections_until_it_exits() -> None:
    original = socket.getaddrinfo
    with block_network(allowed_hosts={"localhost"}):
        with pytest.raises(NetworkBlockedError, match=r"aws\.amazon\.com:443"):
            socket.getaddrinfo("aws.amazon.com", 443)
        with socket.socket() as sock, pytest.raises(NetworkBlockedError):
            sock.connect(("192.0.2.1", 443))
        assert socket.getaddrinfo("localhost", 80)
        with block_network():  # nested: still blocked afterwards
            pass
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("aws.amazon.com", 443)
    assert socket.getaddrinfo is original


def test_a_blocked_connection_is_not_retried_as_a_connection_failure() -> None:
    assert not issubclass(NetworkBlockedError, OSError)


ANYIO_TEST = """
import pytest

from sagetune.errors import ResourceNotFound
from sagetune.model import shapes


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.sagetune_cassette("flow.yaml")
async def test_replay_under_anyio(sagetune_client, sagetune_backend):
    assert sagetune_backend.kind == "replay"
    listed = await sagetune_client.list_hyper_parameter_tuning_jobs(
        shapes.ListHyperParameterTuningJobsRequest()
    )
    assert listed.hyper_parameter_tuning_job_summaries == []
    with pytest.raises(ResourceNotFound):
        await sagetune_client.describe_hyper_parameter_tuning_job(
            shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="missing-1")
        )


@pytest.mark.anyio
async def test_simulator_under_anyio(sagetune_client, sagetune_clock, sagetune_backend):
    assert sagetune_backend.kind == "simulator"
    await sagetune_clock.sleep(60)
    assert sagetune_backend.simulator.clock.now() - 1767225600.0 == 60
"""


def test_the_fixtures_work_under_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_app=ANYIO_TEST)
    flow_cassette(pytester.path)

    pytester.runpytest_inprocess("--sagetune-record-mode=none").assert_outcomes(passed=2)


def test_marker_options_are_checked(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.sagetune_cassette("x.yaml", record_mode="sometimes")
        def test_x():
            pass
        """
    )

    result = pytester.runpytest_inprocess()

    assert result.ret != 0
    result.stdout.fnmatch_lines(["*record mode must be one of none, once, new_episodes, all*"])


def test_a_missing_extra_is_named() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"pip install 'sagetune\[testing\]'"):
        _require("sagetune_no_such_module", "testing", "the sagetune_cassette marker")


def test_the_plugin_is_registered_through_its_entry_point(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("sagetune")

    assert plugin is not None
    assert plugin.__name__ == "sagetune.testing.plugin"


def test_loading_the_plugin_imports_neither_vcrpy_nor_the_simulator() -> None:
    """Every pytest run of a project with sagetune installed loads the plugin, with or
    without the ``testing`` extra: it must stay cheap and must not need vcrpy."""
    probe = (
        "import sys, sagetune.testing.plugin; "
        "print(sorted(m for m in ('vcr', 'numpy', 'sagetune.client', 'sagetune.simulator') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )

    assert result.stdout.strip() == "[]"


PLAIN_INI = """
[pytest]
addopts = -p no:asyncio -p no:anyio -p no:hypothesispytest -p no:cacheprovider
"""
# (the testing extra alone: neither pytest-asyncio nor anyio's plugin)

ASYNC_TEST = """
import pytest

from sagetune.model import shapes


@pytest.fixture
async def an_async_fixture():
    return 1


async def test_runs_without_an_async_plugin(sagetune_client):
    listed = await sagetune_client.list_hyper_parameter_tuning_jobs(
        shapes.ListHyperParameterTuningJobsRequest()
    )
    assert listed.hyper_parameter_tuning_job_summaries == []


async def test_an_async_fixture_needs_an_async_plugin(an_async_fixture):
    pass
"""


def test_async_tests_run_with_the_plugin_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CI", "SAGETUNE_RECORD_MODE"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeini(PLAIN_INI)
    pytester.makepyfile(test_async=ASYNC_TEST)

    result = pytester.runpytest_inprocess()

    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 1
    # pytest >= 8.4 refuses an unhandled async fixture itself; older ones hand the test a
    # coroutine, which the plugin refuses: either way it fails, naming the async fixture
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 1
    text = result.stdout.str()
    assert "async fixture" in text
    assert "'an_async_fixture'" in text
