"""Commands that need an optional extra say which one to install when it is missing."""

from __future__ import annotations

import importlib.util

import pytest

from sagetune.cli import main


@pytest.mark.parametrize(
    ("argv", "missing", "extra"),
    [
        (["serve", "--port", "0"], "uvicorn", "simulator"),
        (["demo"], "matplotlib", "cli"),
        (["report", "some-job", "-o", "out"], "matplotlib", "cli"),
        (["describe", "some-job"], "rich", "cli"),
        (["jobs", "some-job"], "rich", "cli"),
        (["tune", "request.yaml"], "rich", "cli"),
        (["watch", "some-job"], "rich", "cli"),
        (["list"], "rich", "cli"),
        (["training-job", "some-job"], "rich", "cli"),
        (["algorithms"], "numpy", "simulator"),
        (["init"], "numpy", "simulator"),
    ],
)
def test_a_missing_extra_is_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    missing: str,
    extra: str,
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        if name == missing or name.startswith(missing + "."):
            return None
        return real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert f"pip install 'sagetune[{extra}]'" in error
    assert missing in error
