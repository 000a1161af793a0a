"""``python -m codegen``: regenerate sdk/sagetune/model (and the clients' typed methods,
sdk/sagetune/client_methods.py) from the vendored model slice.

- ``python -m codegen``: write the generated package;
- ``python -m codegen --check``: exit 1 if the generated package is out of date;
- ``python -m codegen --update-model``: refresh codegen/models/ from the installed botocore.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from codegen.generate import CLIENT_METHODS, PACKAGE, generate
from codegen.model_slice import load_slice, update_model

ROOT = Path(__file__).resolve().parent.parent
# Sorting imports and __all__ is left to ruff, then ruff formats: the output is what the
# project's own `ruff check` / `ruff format --check` accept.
SORT = ("check", "--fix-only", "--exit-zero", "--select", "I001,RUF022")
FORMAT = ("format",)


def formatted(sources: dict[str, str]) -> dict[str, str]:
    """Run the generated sources through ``ruff format`` so they match the project style."""
    out: dict[str, str] = {}
    for path, text in sources.items():
        for command in (SORT, FORMAT):
            result = subprocess.run(
                [sys.executable, "-m", "ruff", *command, "--stdin-filename", path, "-"],
                input=text,
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=False,
            )
            if result.returncode != 0:
                raise SystemExit(f"ruff {command[0]} failed on generated {path}:\n{result.stderr}")
            text = result.stdout
        out[path] = text
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    parser.add_argument(
        "--update-model", action="store_true", help="refresh the vendored model slice from botocore"
    )
    args = parser.parse_args(argv)
    if args.update_model:
        print(f"wrote {update_model().relative_to(ROOT)}")
    sources = formatted(generate(load_slice()))
    package = ROOT / PACKAGE
    expected = {ROOT / path: text for path, text in sources.items()}
    stale = sorted(p for p in package.glob("*.py") if p not in expected)
    changed = [p for p, text in expected.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for p in changed + stale:
            print(f"out of date: {p.relative_to(ROOT)}", file=sys.stderr)
        if changed or stale:
            print("run `python -m codegen` to regenerate", file=sys.stderr)
            return 1
        print(f"{PACKAGE} and {CLIENT_METHODS} are up to date ({len(expected)} files)")
        return 0
    package.mkdir(parents=True, exist_ok=True)
    for p in stale:
        p.unlink()
    for p in changed:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(expected[p], encoding="utf-8")
    print(
        f"generated {len(expected)} files in {PACKAGE} and {CLIENT_METHODS} ({len(changed)} changed)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
