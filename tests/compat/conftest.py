"""Fixtures of the compatibility suite: the client environments and the served simulators.

The client environments are built on first use (minutes, once; then reused while their
pinned requirement files are unchanged, see ``envs.py``). Under CI (``CI`` set) a client
environment that cannot be built fails the tests that need it; elsewhere too, unless
``SAGETUNE_COMPAT=skip`` asks to skip the suite (refused under CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.compat.envs import ENVS, ClientEnv, EnvUnavailable
from tests.compat.served import Served


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def client_env(name: str) -> ClientEnv:
    env = ENVS[name]
    if os.environ.get("SAGETUNE_COMPAT", "").strip().lower() == "skip":
        if running_under_ci():
            pytest.fail("SAGETUNE_COMPAT=skip is refused under CI: the suite must run there.")
        pytest.skip("SAGETUNE_COMPAT=skip")
    try:
        env.ensure()
    except EnvUnavailable as error:
        hint = (
            "" if running_under_ci() else "\n(set SAGETUNE_COMPAT=skip to skip this suite locally)"
        )
        pytest.fail(f"cannot build {env.directory.name}: {error}{hint}", pytrace=False)
    return env


@pytest.fixture(scope="session")
def v2_env() -> ClientEnv:
    """SageMaker Python SDK v2, sagemaker-core 1.x, AWS CLI v1, boto3."""
    return client_env("v2")


@pytest.fixture(scope="session")
def v3_env() -> ClientEnv:
    """SageMaker Python SDK v3's sagemaker-train (and sagemaker-core 2.x)."""
    return client_env("v3")


@pytest.fixture(scope="session")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``sagetune serve --time-scale max``: tuning jobs run to their end in moments."""
    served = Served("max", tmp_path_factory.mktemp("serve-max"))
    yield served
    served.close()


@pytest.fixture(scope="module")
def manual_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``sagetune serve --time-scale manual``: jobs move only when a test advances the clock."""
    served = Served("manual", tmp_path_factory.mktemp("serve-manual"))
    yield served
    served.close()
