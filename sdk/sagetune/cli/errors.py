"""The error a command raises to stop with one line and an exit code."""

from __future__ import annotations

BAD_INPUT = 2
FAILURE = 1


class CommandError(Exception):
    """Stop the command: ``str(self)`` is printed, ``exit_code`` returned (2: bad input)."""

    def __init__(self, message: str, exit_code: int = FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def missing_extra(command: str, extra: str, module: str) -> CommandError:
    return CommandError(
        f"`sagetune {command}` needs {module}: pip install 'sagetune[{extra}]'", FAILURE
    )
