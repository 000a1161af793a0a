"""Fixtures for the client tests: an isolated AWS environment and a raw socket server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.aws_double import RawServer


@pytest.fixture(autouse=True)
def isolated_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS_* variable and no ~/.aws file leaks in; instance metadata is never asked.

    Returns the directory where a test may write its own config/credentials files.
    """
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    """A loopback HTTP/1.1 server whose answers the test scripts (reset, hang, respond)."""
    server = RawServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
