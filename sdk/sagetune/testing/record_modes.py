"""Record modes (vcrpy's) and which one applies when none is asked for.

Kept apart from :mod:`sagetune.testing.cassettes` so that the pytest plugin can offer its
options without importing vcrpy (the plugin is loaded in every pytest run of every project
that has sagetune installed, with or without the ``testing`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

__all__ = ["RECORD_MODES", "RecordMode", "check_record_mode", "default_record_mode"]

RecordMode = Literal["none", "once", "new_episodes", "all"]
RECORD_MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all")


def check_record_mode(mode: str) -> RecordMode:
    """``mode`` if it is a record mode; raises ``ValueError`` naming the valid ones."""
    if mode not in RECORD_MODES:
        raise ValueError(f"record mode must be one of {', '.join(RECORD_MODES)}; got {mode!r}")
    return mode


def default_record_mode(environ: Mapping[str, str] | None = None) -> RecordMode:
    """``SAGETUNE_RECORD_MODE`` if set; else ``none`` in CI (``CI`` set and not false) and
    ``once`` elsewhere (record a missing cassette, replay an existing one)."""
    env = os.environ if environ is None else environ
    explicit = env.get("SAGETUNE_RECORD_MODE", "").strip().lower()
    if explicit:
        return check_record_mode(explicit)
    ci = env.get("CI", "").strip().lower()
    return "once" if ci in ("", "0", "false", "no") else "none"
