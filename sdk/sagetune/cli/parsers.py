"""How every ``sagetune`` subcommand is declared: one line saying what it does, an example.

``add_command`` is the one way the command modules add a subcommand, so that
``sagetune COMMAND --help`` always opens with that line (also the line in ``sagetune
--help``'s list), then the details, and ends with an example to copy; and so that
``--debug`` works after the command (``sagetune describe NAME --debug``) as well as before
it (``sagetune --debug describe NAME``).
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from typing import Any

HELP_WIDTH = 88


def add_command(
    commands: Any,
    name: str,
    *,
    summary: str,
    example: str | Sequence[str],
    details: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand of ``commands`` (an argparse subparsers action).

    ``summary``: what it does, one line (no final period); ``example``: one or more command
    lines, shown under ``example:`` at the end of its help; ``details``: a paragraph of
    prose after the summary, wrapped here.
    """
    if "\n" in summary:
        raise ValueError(f"the summary of {name!r} must be one line")
    lines = [example] if isinstance(example, str) else list(example)
    description = summary[:1].upper() + summary[1:] + "."
    if details:
        description += "\n\n" + textwrap.fill(" ".join(details.split()), HELP_WIDTH)
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="example:\n" + "\n".join(f"  {line}" for line in lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_debug_option(parser)
    return parser


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug`` on a subcommand. Its default is SUPPRESS so that a subcommand parsed after
    ``sagetune --debug`` does not reset the flag to False."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback (and the service's whole message) on errors",
    )
