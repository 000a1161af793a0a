"""``sagetune cassettes ...``: verify and re-record record/replay cassettes."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
