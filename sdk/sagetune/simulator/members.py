"""Reading the members of the requests the simulator serves besides SageMaker's own.

SageMaker's requests are read with the generated model (``codec.from_wire``). CloudWatch
Logs, CloudWatch and the simulator's own operations have no generated model here, so each
describes its input with the small shape language below, taken from the service's model
(botocore's ``logs`` and ``cloudwatch`` ``service-2.json``). ``read`` checks a request
against it and returns its members as Python values, or raises ``Invalid`` listing every
problem, each with its member path, whatever the input: wrong types, NaN, Infinity,
1e308, integers beyond 64 bits, absurd dates, nulls in lists.

A request arrives as JSON values (AWS JSON 1.0 / 1.1), CBOR values (RPC v2 CBOR) or,
with ``text=True``, the query protocol's strings, which are converted here. What comes
out: ``Integer`` -> ``int`` (64-bit), ``Double`` -> finite ``float``, ``Timestamp`` ->
``float`` epoch seconds within years 1-9999, ``ListOf`` -> ``list``, ``Structure`` ->
``dict`` of the members present (a JSON null counts as absent). Members a structure does
not describe are ignored (a newer client sends members this description lacks, as AWS
ignores what it does not know) unless the structure is ``closed``.

Paths are kept as tuples and worded by the service that reports them: ``coral_path``
(``logStreamNames.1.member``, how JSON services say it) or ``query_path``
(``MetricDataQueries.member.1.Id``, how CloudWatch says it).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import attrs

from sagetune.errors import Violation, format_violations
from sagetune.simulator.cbor import EpochSeconds

__all__ = [
    "Boolean",
    "Double",
    "Integer",
    "Invalid",
    "ListOf",
    "Problem",
    "Shape",
    "String",
    "Structure",
    "Timestamp",
    "coral_message",
    "coral_path",
    "query_path",
    "read",
    "shorten",
]

INT64 = (-(1 << 63), (1 << 63) - 1)
EARLIEST = datetime(1, 1, 1, tzinfo=UTC).timestamp()
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
SHOWN = 64
"""Characters of a value a message repeats; the rest is elided."""


@attrs.frozen
class String:
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


@attrs.frozen
class Integer:
    min: int | None = None
    max: int | None = None


@attrs.frozen
class Double:
    min: float | None = None
    max: float | None = None


@attrs.frozen
class Boolean:
    pass


@attrs.frozen
class Timestamp:
    pass


@attrs.frozen
class ListOf:
    member: Shape
    min_len: int | None = None
    max_len: int | None = None


@attrs.frozen
class Structure:
    members: Mapping[str, Shape]
    required: tuple[str, ...] = ()
    closed: bool = False
    """Unknown members are problems (the simulator's own operations), not ignored."""


Shape = String | Integer | Double | Boolean | Timestamp | ListOf | Structure
Path = tuple[str | int, ...]
Kind = Literal["missing", "type", "constraint"]


@attrs.frozen
class Problem:
    """One thing wrong with a request: where, the value (shortened), the rule it breaks."""

    kind: Kind
    """``missing``: a required member is absent; ``type``: the value is not of the
    member's type (or cannot be read as one); ``constraint``: it breaks a rule of the model."""
    path: Path
    value: object
    rule: str
    got: str
    """The JSON type of the value as sent: string, number, boolean, array, object, null."""


class Invalid(Exception):
    """A request whose members break their description; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{coral_path(p.path)}: {p.rule}" for p in problems))
        self.problems = tuple(problems)

    @property
    def type_problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind == "type")


def read(shape: Structure, data: object, *, text: bool = False) -> dict[str, Any]:
    """The members of ``data`` described by ``shape``, as Python values; raises ``Invalid``."""
    problems: list[Problem] = []
    value = _read(shape, data, (), text, problems)
    if problems:
        raise Invalid(problems)
    assert isinstance(value, dict)
    return value


def shorten(value: object) -> object:
    """A value fit for an error message: long strings and containers elided."""
    if value is None or isinstance(value, bool | int | float):
        return value
    shown = value if isinstance(value, str) else _compact(value)
    return shown if len(shown) <= SHOWN else shown[: SHOWN - 3] + "..."


def _compact(value: object) -> str:
    if isinstance(value, EpochSeconds):
        return repr(value.seconds)
    try:
        return json.dumps(value, default=repr)[: SHOWN + 1]
    except (ValueError, RecursionError):
        return type(value).__name__


def coral_path(path: Path) -> str:
    """``limit``, ``logStreamNames.1.member``, ``metricDataQueries.1.member.id``."""
    parts: list[str] = []
    for part in path:
        parts.append(f"{part + 1}.member" if isinstance(part, int) else part[:1].lower() + part[1:])
    return ".".join(parts)


def query_path(path: Path) -> str:
    """``Period``, ``Statistics.member.1``, ``MetricDataQueries.member.1.Id``."""
    return ".".join(f"member.{p + 1}" if isinstance(p, int) else p for p in path)


def coral_message(problems: tuple[Problem, ...]) -> str:
    """``N validation error(s) detected: Value ... at 'path' failed to satisfy constraint:
    ...``, the wording of JSON services (and of sagetune's own validation)."""
    return format_violations([Violation(coral_path(p.path), p.value, p.rule) for p in problems])


# -- the reader


def _problem(out: list[Problem], kind: Kind, path: Path, value: object, rule: str) -> None:
    out.append(Problem(kind, path, shorten(value), rule, _json_type(value)))


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | EpochSeconds):
        return "number" if not isinstance(value, EpochSeconds) else "timestamp"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _read(shape: Shape, value: object, path: Path, text: bool, out: list[Problem]) -> Any:
    if isinstance(shape, Structure):
        return _structure(shape, value, path, text, out)
    if isinstance(shape, ListOf):
        return _list(shape, value, path, text, out)
    if isinstance(shape, String):
        return _string(shape, value, path, out)
    if isinstance(shape, Integer):
        return _integer(shape, value, path, text, out)
    if isinstance(shape, Double):
        return _double(shape, value, path, text, out)
    if isinstance(shape, Boolean):
        return _boolean(value, path, text, out)
    return _timestamp(value, path, text, out)


def _structure(
    shape: Structure, value: object, path: Path, text: bool, out: list[Problem]
) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        _problem(out, "type", path, value, "Member must be a structure")
        return None
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            if name in shape.required:
                _problem(out, "missing", (*path, name), None, "Member must not be null")
            continue
        read_value = _read(member, item, (*path, name), text, out)
        if read_value is not None:
            result[name] = read_value
    if shape.closed:
        for name in value:
            if name not in shape.members:
                known = ", ".join(shape.members) or "none"
                _problem(
                    out, "constraint", (*path, str(name)), value[name],
                    f"Unknown member; known members: {known}",
                )  # fmt: skip
    return result


def _list(shape: ListOf, value: object, path: Path, text: bool, out: list[Problem]) -> Any:
    if text and value == "":  # the query protocol sends ``Name=`` for an empty list
        value = []
    if not isinstance(value, list):
        _problem(out, "type", path, value, "Member must be a list")
        return None
    _length(shape.min_len, shape.max_len, len(value), value, path, out)
    items = []
    for i, item in enumerate(value):
        if item is None:
            _problem(out, "missing", (*path, i), None, "Member must not be null")
            continue
        items.append(_read(shape.member, item, (*path, i), text, out))
    return items


def _length(
    min_len: int | None,
    max_len: int | None,
    length: int,
    value: object,
    path: Path,
    out: list[Problem],
) -> None:
    if min_len is not None and length < min_len:
        rule = f"Member must have length greater than or equal to {min_len}"
        _problem(out, "constraint", path, value, rule)
    if max_len is not None and length > max_len:
        rule = f"Member must have length less than or equal to {max_len}"
        _problem(out, "constraint", path, value, rule)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _string(shape: String, value: object, path: Path, out: list[Problem]) -> str | None:
    if not isinstance(value, str):
        _problem(out, "type", path, value, "Member must be a string")
        return None
    if shape.enum is not None and value not in shape.enum:
        rule = f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
        _problem(out, "constraint", path, value, rule)
        return value
    _length(shape.min_len, shape.max_len, len(value), value, path, out)
    if shape.pattern is not None and _compiled(shape.pattern).fullmatch(value) is None:
        rule = f"Member must satisfy regular expression pattern: {shape.pattern}"
        _problem(out, "constraint", path, value, rule)
    return value


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,20}")


def _range(
    low: float | None, high: float | None, number: float, path: Path, out: list[Problem]
) -> None:
    if low is not None and number < low:
        rule = f"Member must have value greater than or equal to {low}"
        _problem(out, "constraint", path, number, rule)
    if high is not None and number > high:
        rule = f"Member must have value less than or equal to {high}"
        _problem(out, "constraint", path, number, rule)


def _integer(
    shape: Integer, value: object, path: Path, text: bool, out: list[Problem]
) -> int | None:
    if text and isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        value = int(value)
    if type(value) is not int or not INT64[0] <= value <= INT64[1]:
        _problem(out, "type", path, value, "Member must be a 64-bit integer")
        return None
    _range(shape.min, shape.max, value, path, out)
    return value


def _number_from_text(value: object, text: bool) -> object:
    if text and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _double(
    shape: Double, value: object, path: Path, text: bool, out: list[Problem]
) -> float | None:
    value = _number_from_text(value, text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        _problem(out, "type", path, value, "Member must be a number")
        return None
    number = float(value) if not isinstance(value, int) or abs(value) < 1 << 1000 else math.inf
    if not math.isfinite(number):
        _problem(out, "type", path, value, "Member must be a finite number")
        return None
    _range(shape.min, shape.max, number, path, out)
    return number


def _boolean(value: object, path: Path, text: bool, out: list[Problem]) -> bool | None:
    if text and value in ("true", "false"):
        return value == "true"
    if not isinstance(value, bool):
        _problem(out, "type", path, value, "Member must be a boolean")
        return None
    return value


def _timestamp(value: object, path: Path, text: bool, out: list[Problem]) -> float | None:
    seconds: float | None = None
    if isinstance(value, EpochSeconds):
        seconds = value.seconds
    elif isinstance(value, str) and text:
        seconds = _iso_seconds(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) if abs(value) < 1e300 else math.inf
    if seconds is None or not math.isfinite(seconds):
        rule = "Member must be a timestamp (epoch seconds or ISO 8601)"
        _problem(out, "type", path, value, rule)
        return None
    if not EARLIEST <= seconds <= LATEST:
        rule = "Member must be a time between the years 1 and 9999"
        _problem(out, "constraint", path, value, rule)
        return None
    return seconds


def _iso_seconds(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, ValueError):
        return None
