"""Importing sagetune changes nothing global: ``sys.modules`` gains the modules the import
loads and nothing else (no ``None`` placeholder, not even for a moment; no entry replaced or
removed; libraries may still register what they register, as ``typing`` does with
``typing.io``), and ``sys.path`` and ``os.environ`` are left as they were.

Each import runs in a fresh interpreter. A profile hook checks ``sys.modules`` at every
Python call during the import, so a placeholder put in and taken out again (the old
"hide ``httpx._main`` while importing httpx" trick) is caught too. The last test shows the
check catches each kind of change, on a module written to make them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

IMPORTED = [
    "sagetune",
    "sagetune.client",
    "sagetune.transport",
    "sagetune.simulator",
]
"""The imports checked, one line each."""

CHECK = textwrap.dedent(
    """
    import importlib, json, os, sys

    name = sys.argv[1]
    modules_before = dict(sys.modules)
    placeholders_before = {k for k, v in modules_before.items() if v is None}
    path_before = list(sys.path)
    environ_before = dict(os.environ)
    placeholders = set()

    def watch(frame, event, arg):
        if event == "call" and None in sys.modules.values():
            placeholders.update(k for k, v in list(sys.modules.items()) if v is None)

    sys.setprofile(watch)
    try:
        importlib.import_module(name)
    finally:
        sys.setprofile(None)

    after = dict(sys.modules)
    report = {
        "replaced_or_removed": sorted(
            k for k, v in modules_before.items() if after.get(k, ...) is not v
        ),
        "placeholders": sorted(placeholders - placeholders_before),
        "sys_path_changed": sys.path != path_before,
        "environ_changed": sorted(
            k for k in set(environ_before) | set(os.environ)
            if environ_before.get(k) != os.environ.get(k)
        ),
        "loaded": len(after) - len(modules_before),
    }
    print(json.dumps(report))
    """
)


def import_report(name: str, extra_path: Path | None = None) -> dict[str, Any]:
    """What importing ``name`` in a fresh interpreter changed (see CHECK)."""
    command = [sys.executable, "-c", CHECK, name]
    env = None
    if extra_path is not None:
        import os

        env = {
            **os.environ,
            "PYTHONPATH": f"{extra_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        }
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    report: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("name", IMPORTED)
def test_importing_changes_nothing_but_the_modules_it_loads(name: str) -> None:
    report = import_report(name)
    assert report["loaded"] > 0
    assert report["replaced_or_removed"] == []
    assert report["placeholders"] == []
    assert report["sys_path_changed"] is False
    assert report["environ_changed"] == []


def test_the_check_catches_each_kind_of_change(tmp_path: Path) -> None:
    (tmp_path / "meddler.py").write_text(
        textwrap.dedent(
            """
            import os, sys
            sys.modules["hidden_for_a_moment"] = None
            import colorsys  # the import system's calls happen while it is hidden
            del sys.modules["hidden_for_a_moment"]
            sys.modules["left_behind"] = None
            sys.modules["json"] = sys  # an entry replaced
            sys.path.append("/nowhere")
            os.environ["SAGETUNE_MEDDLED"] = "1"
            """
        )
    )
    report = import_report("meddler", extra_path=tmp_path)
    assert report["placeholders"] == ["hidden_for_a_moment", "left_behind"]
    assert report["replaced_or_removed"] == ["json"]
    assert report["sys_path_changed"] is True
    assert report["environ_changed"] == ["SAGETUNE_MEDDLED"]
