"""What every client script shares: run named steps, record what each observed, report it.

A client script runs inside a client environment (no sagetune there: this module imports
the standard library only). Each step returns a JSON-able observation or raises; the
outcome (``{"ok": true, "value": ...}`` or ``{"ok": false, "error": ..., "traceback":
...}``) is written to the file named by ``SAGETUNE_COMPAT_REPORT`` after every step, so a
script that dies half way still leaves the steps it finished. A step whose prerequisites
failed is recorded as not run, naming them. Progress goes to stderr; stdout is the
client's own (a log follower's lines are asserted on).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

REPORT_ENV = "SAGETUNE_COMPAT_REPORT"


class Flow:
    """The steps of one script run and their outcomes, in order."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, Any]] = {}
        self.path = os.environ[REPORT_ENV]
        self._write()

    def ok(self, name: str) -> bool:
        return bool(self.steps.get(name, {}).get("ok"))

    def run(self, name: str, action: Callable[[], Any], *, needs: Sequence[str] = ()) -> bool:
        """Run ``action`` as step ``name`` unless a step in ``needs`` failed; True if it passed."""
        missing = [step for step in needs if not self.ok(step)]
        if missing:
            self.steps[name] = {"ok": False, "error": f"not run: needs {', '.join(missing)}"}
        else:
            print(f"== {name}", file=sys.stderr, flush=True)
            try:
                value = action()
            except Exception as error:
                self.steps[name] = {
                    "ok": False,
                    "error": f"{type(error).__name__}: {error}",
                    "traceback": traceback.format_exc(),
                }
            else:
                self.steps[name] = {"ok": True, "value": value}
        self._write()
        return self.ok(name)

    def _write(self) -> None:
        with open(self.path, "w") as handle:
            json.dump({"steps": self.steps}, handle, indent=1, default=str)


def main(commands: dict[str, Callable[..., None]], argv: Sequence[str]) -> None:
    """``<script> <command> <args>...``: run one of the script's flows and report it."""
    if not argv or argv[0] not in commands:
        raise SystemExit(f"usage: <script> {{{','.join(commands)}}} <args>...")
    commands[argv[0]](Flow(), *argv[1:])
