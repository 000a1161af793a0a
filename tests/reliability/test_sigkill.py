"""SIGKILL ``sagetune serve --db`` a few times, often during a create (``kill_rounds``):
nothing acknowledged is lost, nothing is half created, no process (the suggestion worker
included) outlives the kill, and after the last restart every job runs to completion.
Many more rounds: ``bench/sigkill_rounds.py`` (figures in the README)."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.kill_rounds import run_rounds

ROUNDS = 3


def test_sigkill_rounds_lose_nothing_and_leave_nothing_behind(tmp_path: Path) -> None:
    report = run_rounds(tmp_path / "simulator.sqlite", ROUNDS, seed=12)

    assert report.rounds == ROUNDS
    assert len(report.acknowledged) >= 2 * ROUNDS
    assert report.lost == []
    assert report.half_created == []
    assert report.survivors == 0
    assert report.unfinished == []
    assert report.clean
