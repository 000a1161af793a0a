"""Commands that drive tuning jobs: demo, tune, describe, jobs, stop, report, validate."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
