"""The example applications' cassettes live in ``cassettes/examples/``."""

from __future__ import annotations

from pathlib import Path

import pytest

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "examples"


@pytest.fixture
def sagetune_cassette_dir() -> Path:
    return CASSETTES
