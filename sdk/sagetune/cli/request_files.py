"""Request documents on disk (JSON or YAML, boto3-style) -> a checked request object.

A person fixing a request file wants every mistake at once, in the service's own words.
The model's constraints are checked when the request object is built; the tuning API's
cross-field rules (``sagetune.rules``) need an object to read, so when the model check
fails the rules still run over a copy built without it (``from_wire(..., validate=False)``),
and both lists are reported together.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sagetune.cli.errors import BAD_INPUT, CommandError, missing_extra
from sagetune.cli.violation_text import readable
from sagetune.codec import from_wire
from sagetune.errors import ValidationError, Violation
from sagetune.model import shapes
from sagetune.rules import rule_violations

TuningRequest = shapes.CreateHyperParameterTuningJobRequest


def load_document(path: str, *, command: str) -> dict[str, Any]:
    """Read a JSON or YAML document (``-``: standard input); YAML unless it ends in .json."""
    if path == "-":
        text, source = sys.stdin.read(), "<stdin>"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file", BAD_INPUT) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read: {exc}", BAD_INPUT) from None
        source = path
    if source.endswith(".json"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                BAD_INPUT,
            ) from None
    else:
        document = _load_yaml(text, source, command)
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise CommandError(
            f"{source}: expected a request object (a mapping of member names), got {kind}",
            BAD_INPUT,
        )
    return document


def _load_yaml(text: str, source: str, command: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise missing_extra(command, "cli", "pyyaml") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (line {mark.line + 1}, column {mark.column + 1})"
        problem = getattr(exc, "problem", None) or str(exc)
        raise CommandError(f"{source}: not valid YAML: {problem}{where}", BAD_INPUT) from None


def request_violations(document: Mapping[str, Any]) -> list[Violation]:
    """Every model constraint and cross-field rule the document breaks (empty: valid)."""
    return _checked(document)[1]


def build_request(document: Mapping[str, Any], *, source: str) -> TuningRequest:
    """The request object; raises ``CommandError`` (bad input) listing every violation."""
    request, found = _checked(document)
    if request is None or found:
        raise CommandError(describe_violations(source, found), BAD_INPUT)
    return request


def _checked(document: Mapping[str, Any]) -> tuple[TuningRequest | None, list[Violation]]:
    """The request (None when the model check fails) and every violation, built once."""
    try:
        request = from_wire(TuningRequest, document)
    except ValidationError as exc:
        found = list(exc.violations)
        seen = {(v.path, v.rule) for v in found}
        for violation in _rules_of_unchecked(document):
            if (violation.path, violation.rule) not in seen:
                found.append(violation)
        return None, found
    return request, rule_violations(request)


def describe_violations(source: str, violations: list[Violation]) -> str:
    """The service's wording, one violation per line under a count."""
    noun = "error" if len(violations) == 1 else "errors"
    lines = [f"{source}: {len(violations)} validation {noun} detected:"]
    lines.extend(f"  - {readable(v)}" for v in violations)
    return "\n".join(lines)


def _rules_of_unchecked(document: Mapping[str, Any]) -> list[Violation]:
    """Cross-field rules over a request built without its model check; nothing when the
    document is too malformed for the rules to read."""
    try:
        return rule_violations(from_wire(TuningRequest, document, validate=False))
    except Exception:  # malformed beyond what the rules can read: the model errors stand
        return []
