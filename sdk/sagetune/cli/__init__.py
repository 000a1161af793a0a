"""The ``sagetune`` command line.

Each subcommand lives in its own module and registers itself on the parser; errors become
one readable line and an exit code: 2 for bad input, 1 for service and runtime errors
(``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sagetune._version import __version__
from sagetune.cli.errors import CommandError

# Each module's ``register(commands)`` adds its subcommands; the order is the help's order.
# Imported when the parser is built, so that ``import sagetune.cli`` alone loads none of them.
COMMAND_MODULES = (
    "sagetune.cli.template_commands",
    "sagetune.cli.job_commands",
    "sagetune.cli.training_job_commands",
    "sagetune.cli.simulator_commands",
    "sagetune.cli.cassette_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagetune",
        description="Typed SageMaker hyperparameter tuning, and a simulator to run it offline.",
    )
    parser.add_argument("--version", action="version", version=f"sagetune {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except CommandError as exc:
        if args.debug:
            raise
        print(f"sagetune {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``sagetune jobs NAME | head``): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code
