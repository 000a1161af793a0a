"""``sagetune cassettes ...``: verify and re-record record/replay cassettes.

- ``sagetune cassettes verify PATH...``: the contract check of
  :mod:`sagetune.testing.verify` on each cassette (directories are searched for ``*.yaml``,
  ``*.yml`` and ``*.json``): every recorded request is sent to a fresh simulator and its
  answer compared with the recording, every recorded exchange is decoded and re-encoded by
  the client, and the file is scanned for credentials. Exit 0 when all agree, 1 otherwise.
- ``sagetune cassettes record [PYTEST ARGS]``: run the tests that use a sagetune cassette
  (``-m sagetune_cassette``) with ``--sagetune-record-mode all``, so every cassette is
  recorded again from scratch; extra arguments go to pytest (paths, ``-k``, ...).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sagetune.cli.errors import BAD_INPUT, FAILURE, CommandError, require_extra
from sagetune.cli.parsers import add_command

CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
    cassettes = add_command(
        commands,
        "cassettes",
        summary="verify or re-record record/replay cassettes",
        details="Check recorded cassettes against the simulator and the client, or re-record them.",
        example=["sagetune cassettes verify cassettes/", "sagetune cassettes record"],
    )
    actions = cassettes.add_subparsers(dest="cassettes_command", metavar="ACTION", required=True)

    verify = add_command(
        actions,
        "verify",
        summary="replay each cassette's requests on a fresh simulator and compare the answers",
        details=(
            "Send every recorded request of each cassette, in order and at its recorded "
            "simulated time, to a fresh in-process simulator and compare its answers with the "
            "recording; decode and re-encode every exchange with the client; scan for "
            "credentials. Differences are listed per interaction. Exits 1 when any disagrees."
        ),
        example="sagetune cassettes verify --compare strict cassettes/",
    )
    verify.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or directories")
    verify.add_argument(
        "--compare",
        choices=("strict", "values", "structure"),
        default="values",
        help=(
            "values (default): ignore ids, times and random values; strict: compare every "
            "value; structure: members and types only (for recordings made against AWS)"
        ),
    )
    verify.add_argument(
        "--region", default=None, help="simulator region (default: the recording's)"
    )
    verify.add_argument(
        "--simulator",
        default=None,
        metavar="MODULE:CALLABLE",
        help="build the simulator with CALLABLE(region=..., start=...) (e.g. to register "
        "your own algorithms)",
    )
    verify.add_argument("--json", action="store_true", help="print the reports as JSON")
    verify.set_defaults(run=run_verify)

    record = add_command(
        actions,
        "record",
        summary="re-record every cassette by running the tests that use them",
        details=(
            "Run pytest on the tests marked sagetune_cassette with "
            "--sagetune-record-mode=all, recording each cassette again from scratch. "
            "Arguments after the options are passed to pytest."
        ),
        example="sagetune cassettes record tests/test_tuning.py -k replays",
    )
    record.add_argument(
        "--mode",
        choices=("all", "new_episodes", "once"),
        default="all",
        help="record mode (default all: re-record everything)",
    )
    record.add_argument(
        "--backend",
        choices=("simulator", "aws"),
        default="simulator",
        help="record against the in-process simulator (default) or AWS",
    )
    record.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest")
    record.set_defaults(run=run_record)


def run_verify(args: argparse.Namespace) -> int:
    require_extra("cassettes verify", "testing", "vcr")
    require_extra("cassettes verify", "simulator", "numpy")
    from sagetune.testing.verify import verify_cassette

    files = _cassette_files(args.paths)
    factory = _load_factory(args.simulator) if args.simulator else None
    reports = []
    for file in files:
        try:
            reports.append(
                verify_cassette(
                    file, compare=args.compare, simulator_factory=factory, region=args.region
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot read cassette {file}: {exc}", BAD_INPUT) from exc
    if args.json:
        json.dump([report.to_dict() for report in reports], sys.stdout, indent=2)
        print()
    else:
        for report in reports:
            print(report.render())
        failed = sum(not report.ok for report in reports)
        print(
            f"{len(reports)} cassette(s) verified, "
            + (f"{failed} with differences" if failed else "all agree")
        )
    return 0 if all(report.ok for report in reports) else FAILURE


def _cassette_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in CASSETTE_SUFFIXES)
            if not found:
                raise CommandError(f"no cassette (*.yaml, *.yml, *.json) under {path}", BAD_INPUT)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"no such cassette: {path}", BAD_INPUT)
    return files


def _load_factory(spec: str) -> Callable[..., Any]:
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise CommandError(f"--simulator takes MODULE:CALLABLE, got {spec!r}", BAD_INPUT)
    sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, attribute)
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"--simulator {spec}: {exc}", BAD_INPUT) from exc
    if not callable(factory):
        raise CommandError(f"--simulator {spec} is not callable", BAD_INPUT)
    return factory  # type: ignore[no-any-return]


def build_record_command(*, mode: str, backend: str, pytest_args: list[str]) -> list[str]:
    """The pytest command line ``sagetune cassettes record`` runs."""
    extra = pytest_args[1:] if pytest_args[:1] == ["--"] else list(pytest_args)
    return [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "sagetune_cassette",
        f"--sagetune-record-mode={mode}",
        f"--sagetune-backend={backend}",
        *extra,
    ]


def run_record(args: argparse.Namespace) -> int:
    require_extra("cassettes record", "testing", "vcr")
    command = build_record_command(
        mode=args.mode, backend=args.backend, pytest_args=list(args.pytest_args)
    )
    print("+ " + " ".join(command[1:]), flush=True)
    return subprocess.call(command)
