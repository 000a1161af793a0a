"""The error a command raises to stop with one line and an exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

BAD_INPUT = 2
FAILURE = 1


class CommandError(Exception):
    """Stop the command: ``str(self)`` is printed, ``exit_code`` returned (2: bad input)."""

    def __init__(self, message: str, exit_code: int = FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


Run = TypeVar("Run", bound=Callable[..., Any])

_DISTRIBUTIONS = {"vcr": "vcrpy", "yaml": "pyyaml"}  # import name -> what pip installs


def missing_extra(command: str, extra: str, module: str) -> CommandError:
    name = _DISTRIBUTIONS.get(module, module)
    return CommandError(
        f"`sagetune {command}` needs {name}: pip install 'sagetune[{extra}]'", FAILURE
    )


def require_extra(command: str, extra: str, *modules: str) -> None:
    """Fail before any work, naming the extra to install, when one of ``modules`` is missing."""
    import importlib.util

    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise missing_extra(command, extra, module)


def requires(extra: str, *modules: str) -> Callable[[Run], Run]:
    """Decorate a command's ``run(args)``: before it runs, fail with the extra to install
    when one of ``modules`` is missing (instead of a traceback half-way through)."""

    def decorate(run: Run) -> Run:
        @functools.wraps(run)
        def checked(args: Any) -> Any:
            require_extra(args.command, extra, *modules)
            return run(args)

        return checked  # type: ignore[return-value]

    return decorate
