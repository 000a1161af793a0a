"""The project's cassettes live in ``cassettes/`` at the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


@pytest.fixture
def sagetune_cassette_dir() -> Path:
    return CASSETTES
