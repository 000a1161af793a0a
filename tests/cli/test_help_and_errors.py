"""What every command says about itself (``--help``) and about what went wrong: one line,
``--debug`` anywhere, a stop that has nothing to stop, simulated times that look simulated."""

from __future__ import annotations

import argparse
import re

import pytest

from sagetune.cli import build_parser, main
from sagetune.cli.errors import CommandError
from tests.cli.conftest import Served, run_cli


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*path, name), sub))
                found.extend(_commands(sub, (*path, name)))
    return found


COMMANDS = _commands(build_parser())


def test_the_command_list_is_complete() -> None:
    top = sorted(path[0] for path, _ in COMMANDS if len(path) == 1)
    assert top == sorted(
        [
            "init", "demo", "validate", "tune", "watch", "list", "describe", "jobs", "stop",
            "report", "training-job", "logs", "serve", "algorithms", "cassettes",
        ]
    )  # fmt: skip


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_help_says_what_it_does_in_one_line_and_shows_an_example(
    path: tuple[str, ...], parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*path, "--help"])

    assert exited.value.code == 0
    text = capsys.readouterr().out
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith(f"usage: sagetune {' '.join(path)}")
    summary = paragraphs[1]
    assert "\n" not in summary, summary  # one line
    assert re.fullmatch(r"[A-Z].*\.", summary), summary
    example = text.rstrip().split("example:\n", 1)
    assert len(example) == 2, text
    lines = example[1].splitlines()
    assert lines[0].startswith(f"  sagetune {' '.join(path)}")
    assert all(line.startswith("  sagetune ") for line in lines)


@pytest.mark.usefixtures("in_cli_env")
def test_debug_works_after_the_command_too() -> None:
    with pytest.raises(CommandError, match="No region"):
        main(["describe", "nope", "--endpoint-url", "http://127.0.0.1:1", "--debug"])


def test_a_wrong_secret_is_one_line(fast_server: Served, env: dict[str, str]) -> None:
    result = run_cli(
        "describe", "anything", *fast_server.flags(), env={**env, "AWS_SECRET_ACCESS_KEY": "wrong"}
    )

    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith(
        "sagetune describe: InvalidSignatureException when calling "
        "DescribeHyperParameterTuningJob (HTTP 400"
    )
    assert line.endswith("(the service said more: add --debug to see it)")


def test_stopping_a_job_that_has_ended_says_so_and_succeeds(
    fast_server: Served, env: dict[str, str], tmp_path: object
) -> None:
    from tests.cli.test_list_training_job_logs import _create

    _create(fast_server, "ended-already", jobs=2)

    result = run_cli("stop", "ended-already", *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.strip() == (
        "Tuning job ended-already has already ended (Completed): nothing to stop."
    )


def test_simulated_times_are_shown_as_durations_on_the_simulators_clock(
    fast_server: Served, env: dict[str, str]
) -> None:
    from tests.cli.test_list_training_job_logs import _create

    _create(fast_server, "sim-times", jobs=2)

    result = run_cli("describe", "sim-times", *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    [time_row] = [line for line in result.out.splitlines() if line.startswith("Time")]
    assert re.fullmatch(
        r"Time\s+simulated clock: created \d+:\d\d(:\d\d)? ago, ended after \d+:\d\d(:\d\d)?",
        time_row.rstrip(),
    ), time_row
