"""The wire codec: model objects <-> boto3-style PascalCase dicts.

- ``to_wire(obj)``: omit ``None`` members, enums as their values, datetimes as epoch
  seconds (an int when whole, like botocore), lists and maps copied.
- ``from_wire(cls, data, validate=True)``: build ``cls`` from a wire dict. Structuring itself
  is lenient: unknown members are ignored, unknown enum values stay plain ``str``, values of
  the wrong type (and timestamps that are no date: NaN, infinite, beyond the years 1-9999)
  are kept as they are, and constraints are not enforced (a newer service must not break
  this client). A request class (an operation input) is checked as it is read, by the same
  rules a constructed one meets, and its unknown members are reported with its other
  violations (the service does not know them either); ``validate=False`` builds it
  leniently, like a response, for tools that want to look at a request before judging it
  (``sagetune validate`` runs the cross-field rules over such a copy).

The work is done by code the generator writes into each shape (``_to_wire``, ``_from_wire``,
``_violations``; see ``sagetune.shape_base.Shape``): plain Python generated ahead of time from
the model, nothing compiled at run time. The helpers below are the per-value conversions
that generated code shares. Values of the wrong type pass through both directions unchanged
(and unvisited), so a deeply nested value cannot make either direction recurse.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sagetune.base_errors import DocumentError, ValidationError, Violation, show_value
from sagetune.constraints import prefix
from sagetune.shape_base import LazyPath, Shape

T = TypeVar("T", bound=Shape)
E = TypeVar("E", bound=enum.Enum)


def to_wire(obj: object) -> dict[str, Any]:
    """The boto3-style wire dict of a model object (PascalCase names, ``None`` omitted)."""
    if not isinstance(obj, Shape):
        raise TypeError(f"to_wire takes a sagetune.model object, not {type(obj).__name__}")
    return obj._to_wire()


def from_wire(cls: type[T], data: Mapping[str, Any], *, validate: bool = True) -> T:
    """Build ``cls`` from a wire dict; requests are validated (unless ``validate=False``),
    responses and nested shapes are lenient. A request that is not a mapping is a
    ``ValidationError``; any other shape's, a ``DocumentError``."""
    checked = validate and cls._REQUEST
    if data.__class__ is not dict and not isinstance(data, Mapping):
        if checked:
            raise ValidationError([Violation("", data, "Request must be a JSON object")])
        raise DocumentError(
            f"{cls.__name__} must be read from a JSON object, not {type(data).__name__} "
            f"'{show_value(data)}'"
        )
    found: list[Violation] | None = [] if checked else None
    built: T = cls._from_wire(data, None, found)  # checked as read when ``found`` is a list
    if found:
        raise ValidationError(found)
    return built


# ---------------------------------------------------------------- used by generated code


def enum_values(enum_cls: type[E]) -> dict[str, E]:
    """value -> member of an enum, in model order: what a wire string decodes to, and the set
    of values a request member may take."""
    return {member._value_: member for member in enum_cls}


def enum_to_wire(value: Any) -> Any:
    """An enum member as its plain ``str`` value (other values as they are)."""
    return value._value_ if isinstance(value, enum.Enum) else value


def timestamp_to_wire(value: Any) -> Any:
    """Epoch seconds: an int when whole, like botocore; naive datetimes are UTC."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:  # naive datetimes are UTC, as botocore reads them
        value = value.replace(tzinfo=UTC)
    seconds = value.timestamp()
    return int(seconds) if value.microsecond == 0 else seconds


def timestamp_from_wire(value: Any) -> Any:
    """A datetime (UTC) from epoch seconds or an ISO 8601 string; anything that is no date
    (another type, NaN, infinite, beyond the years 1-9999, an unreadable string) is kept as
    it is: a request's validation names it, a response keeps it visible."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, ValueError, OSError):
            return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def value_to_wire(value: Any) -> Any:
    """What a member of the wrong type goes on the wire as: another shape as its own wire
    form, anything else unchanged (a lenient response keeps what it was sent)."""
    return value._to_wire() if isinstance(value, Shape) else value


def unknown_members(
    cls: type[Shape], data: Mapping[Any, Any], path: LazyPath, out: list[Violation]
) -> None:
    """Report every member of ``data`` that ``cls`` does not define, with its path."""
    known = cls._MEMBERS
    names = ", ".join(known)
    for key, value in data.items():
        if key not in known:
            name = key[:1].lower() + key[1:] if isinstance(key, str) else str(key)
            out.append(
                Violation(
                    f"{prefix(path)}{name}",
                    value,
                    f"Unknown member of {cls.__name__}; known: {names}",
                )
            )
