"""The model's constraint rules, worded like the service.

Generated validators (``sagetune.model.validation``) test each member with an inline fast
check and call these functions only when that check fails, so valid requests cost little
and invalid ones get every broken rule reported, each with its member path.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from sagetune.errors import Violation

NOT_NULL = "Member must not be null"

# Where a generated checker is in the request: None at the top, then ``(parent, member)`` or
# ``(parent, member, index)`` tuples. Building a tuple per nested structure is cheaper than
# formatting its path string, which only a violation needs (``prefix``).
LazyPath = tuple[Any, ...] | str | None


def prefix(path: LazyPath) -> str:
    """The service-style prefix of a lazy path: ``a.b.`` or ``a.list.2.member.``."""
    if path is None:
        return ""
    if isinstance(path, str):
        return path
    if len(path) == 2:
        return f"{prefix(path[0])}{path[1]}."
    return f"{prefix(path[0])}{path[1]}.{path[2]}.member."


def missing(path: str) -> Violation:
    return Violation(path, None, NOT_NULL)


def string_violations(
    value: object,
    path: str,
    min_len: int | None,
    max_len: int | None,
    pattern: re.Pattern[str] | None,
    pattern_text: str | None,
    out: list[Violation],
) -> None:
    if not isinstance(value, str):
        out.append(Violation(path, value, "Member must be a string"))
        return
    _length_violations(value, len(value), path, min_len, max_len, out)
    if pattern is not None and pattern.fullmatch(value) is None:
        out.append(
            Violation(
                path, value, f"Member must satisfy regular expression pattern: {pattern_text}"
            )
        )


def enum_violations(
    value: object, path: str, allowed: tuple[str, ...], out: list[Violation]
) -> None:
    if not isinstance(value, str):
        out.append(Violation(path, value, "Member must be a string"))
    elif value not in allowed:
        out.append(
            Violation(path, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
        )


def int_violations(
    value: object, path: str, min_value: int | None, max_value: int | None, out: list[Violation]
) -> None:
    if type(value) is not int:  # bool is an int subclass, and not an integer here
        out.append(Violation(path, value, "Member must be an integer"))
        return
    _range_violations(value, path, min_value, max_value, out)


def float_violations(
    value: object,
    path: str,
    min_value: float | None,
    max_value: float | None,
    out: list[Violation],
) -> None:
    if type(value) not in (int, float):
        out.append(Violation(path, value, "Member must be a number"))
        return
    assert isinstance(value, int | float)
    if not math.isfinite(value):
        out.append(Violation(path, value, "Member must be a finite number"))
        return
    _range_violations(value, path, min_value, max_value, out)


def bool_violations(value: object, path: str, out: list[Violation]) -> None:
    if type(value) is not bool:
        out.append(Violation(path, value, "Member must be a boolean"))


def timestamp_violations(value: object, path: str, out: list[Violation]) -> None:
    if not isinstance(value, datetime):
        out.append(Violation(path, value, "Member must be a datetime"))


def structure_violation(value: object, path: str, shape: str) -> Violation:
    return Violation(path, value, f"Member must be a {shape} structure")


def list_violations(
    value: object, path: str, min_len: int | None, max_len: int | None, out: list[Violation]
) -> None:
    if type(value) is not list:
        out.append(Violation(path, value, "Member must be a list"))
        return
    _length_violations(value, len(value), path, min_len, max_len, out)


def map_violations(
    value: object, path: str, min_len: int | None, max_len: int | None, out: list[Violation]
) -> None:
    if type(value) is not dict:
        out.append(Violation(path, value, "Member must be a map"))
        return
    _length_violations(value, len(value), path, min_len, max_len, out)


def map_entry_violation(
    path: str, key: object, value: object, part: str, rules: list[Violation]
) -> Violation:
    """Fold the violations of one map key or value into one, the way the service words it."""
    inner = ", ".join(v.rule for v in rules)
    return Violation(path, {key: value}, f"Map {part} must satisfy constraint: [{inner}]")


def _length_violations(
    value: object,
    length: int,
    path: str,
    min_len: int | None,
    max_len: int | None,
    out: list[Violation],
) -> None:
    if min_len is not None and length < min_len:
        out.append(
            Violation(path, value, f"Member must have length greater than or equal to {min_len}")
        )
    if max_len is not None and length > max_len:
        out.append(
            Violation(path, value, f"Member must have length less than or equal to {max_len}")
        )


def _range_violations(
    value: float,
    path: str,
    min_value: float | None,
    max_value: float | None,
    out: list[Violation],
) -> None:
    if min_value is not None and value < min_value:
        out.append(
            Violation(path, value, f"Member must have value greater than or equal to {min_value}")
        )
    if max_value is not None and value > max_value:
        out.append(
            Violation(path, value, f"Member must have value less than or equal to {max_value}")
        )


MATCH_MEMO_SIZE = 1024  # strings remembered per pattern before the memo starts over
MATCH_MEMO_LENGTH = 256  # longer strings are checked every time (and not kept in memory)


def matches(pattern: re.Pattern[str], known: set[str], value: str) -> bool:
    """Whether ``value`` full-matches ``pattern``, remembering short strings that do.

    Generated checkers test ``value in known`` first: names, ARNs, URIs and metric regexes
    recur from request to request, and a set lookup costs a fraction of a regex match.
    """
    if pattern.fullmatch(value) is None:
        return False
    if len(value) <= MATCH_MEMO_LENGTH:
        if len(known) >= MATCH_MEMO_SIZE:
            known.clear()
        known.add(value)
    return True
