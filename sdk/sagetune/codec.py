"""The wire codec: model objects <-> boto3-style PascalCase dicts, through one cattrs converter.

- ``to_wire(obj)``: omit ``None`` members, enums as their values, datetimes as epoch
  seconds (an int when whole, like botocore), lists and maps exact.
- ``from_wire(cls, data)``: build ``cls`` from a wire dict. Structuring itself is lenient:
  unknown members are ignored, unknown enum values stay plain ``str``, values of the wrong
  type are kept as they are, and constraints are not enforced (a newer service must not
  break this client). Request classes then validate themselves at construction, so a
  request built from a dict is checked like a constructed one; unknown members of a request
  are reported with its other violations (the service does not know them either).

The converter's hooks are registered as hook *factories*, resolved on first use per class:
each class's hook is built from the generated ``WIRE_NAMES`` table once, then reused.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import cattrs

from sagetune.errors import ValidationError, Violation
from sagetune.model.operations import OPERATIONS_BY_INPUT
from sagetune.model.wire_names import WIRE_NAMES

T = TypeVar("T")
Hook = Callable[[Any], Any]
StructureHook = Callable[[Any, Any], Any]

converter = cattrs.Converter()


def _epoch(value: datetime) -> int | float:
    if value.tzinfo is None:  # naive datetimes are UTC, as botocore reads them
        value = value.replace(tzinfo=UTC)
    seconds = value.timestamp()
    return int(seconds) if value.microsecond == 0 else seconds


def _parse_timestamp(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _is_shape(cls: Any) -> bool:
    return isinstance(cls, type) and cls in WIRE_NAMES


def _identity(value: Any) -> Any:
    return value


def _wire_expr(tp: Any, var: str, namespace: dict[str, Any], depth: int = 0) -> str:
    """A Python expression giving the wire form of ``var`` (not None), of member type ``tp``.

    Values of another type than declared (a lenient response keeps them) pass through as
    they are, like ``from_wire`` keeps them; enum members become their plain ``str`` values.
    """
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        non_none = [a for a in args if a is not type(None)]
        if any(isinstance(a, type) and issubclass(a, enum.Enum) for a in non_none):
            namespace["enum_value"] = _enum_value
            return f"{var} if {var}.__class__ is str else enum_value({var})"
        return _wire_expr(non_none[0], var, namespace, depth)
    if tp is datetime:
        namespace["wire_timestamp"] = _wire_timestamp
        return f"wire_timestamp({var})"
    if _is_shape(tp):  # its own generated function (which passes other types through)
        namespace[f"unstructure_{tp.__name__}"] = converter.get_unstructure_hook(tp)
        return f"unstructure_{tp.__name__}({var})"
    item = f"x{depth}"
    if origin is list:
        inner = _wire_expr(args[0], item, namespace, depth + 1)
        copied = f"list({var})" if inner == item else f"[{inner} for {item} in {var}]"
        return f"({copied} if {var}.__class__ is list else {var})"
    if origin is dict:
        inner = _wire_expr(args[1], item, namespace, depth + 1)
        pairs = f"{{k{depth}: {inner} for k{depth}, {item} in {var}.items()}}"
        copied = f"dict({var})" if inner == item else pairs
        return f"({copied} if {var}.__class__ is dict else {var})"
    return var  # str, int, float, bool: sent as they are


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _wire_timestamp(value: Any) -> Any:
    return _epoch(value) if isinstance(value, datetime) else value


def _unstructure_shape(cls: type[Any]) -> Hook:
    """Compile a straight-line unstructure function for ``cls`` (once, on first use).

    Members that are ``None`` are omitted; ``response_metadata`` is not a member (it is not
    in ``WIRE_NAMES``) and never goes on the wire.
    """
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {"cls": cls, "unstructure": converter.unstructure}
    lines = [
        "def unstructure_shape(obj):",
        "    if obj.__class__ is not cls:",  # e.g. a dict where a lenient response kept one
        "        return unstructure(obj)",
        "    out = {}",
    ]
    for attr, wire in WIRE_NAMES[cls].items():
        expr = _wire_expr(hints[attr], "v", namespace)
        lines += [f"    v = obj.{attr}", "    if v is not None:", f"        out[{wire!r}] = {expr}"]
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # code built from the generated tables only
    unstructure: Hook = namespace["unstructure_shape"]
    return unstructure


def _value_hook(tp: Any) -> Hook:
    """A lenient structure hook for one member type (``None`` handled by the caller)."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        non_none = [a for a in args if a is not type(None)]
        enums = [a for a in non_none if isinstance(a, type) and issubclass(a, enum.Enum)]
        if enums:
            return _enum_hook(enums[0])
        return _value_hook(non_none[0])
    if tp is datetime:
        return _parse_timestamp
    if _is_shape(tp):
        # Our shape hooks (below) take the type argument as optional: call them with one.
        return cast(Hook, converter.get_structure_hook(tp))
    if origin is list:
        item = _value_hook(args[0])
        if item is _identity:
            return lambda v: list(v) if type(v) is list else v
        return lambda v: [None if x is None else item(x) for x in v] if type(v) is list else v
    if origin is dict:
        val = _value_hook(args[1])
        if val is _identity:
            return lambda v: dict(v) if type(v) is dict else v
        return lambda v: {k: val(x) for k, x in v.items()} if type(v) is dict else v
    return _identity  # str, int, float, bool: kept as sent


def _enum_hook(enum_cls: type[enum.Enum]) -> Hook:
    members: Mapping[Any, enum.Enum] = {m.value: m for m in enum_cls}
    return lambda v: members.get(v, v) if isinstance(v, str) else v


def _structure_shape(cls: type[Any]) -> StructureHook:
    """Compile a straight-line structure function for ``cls`` (once, on first use)."""
    hints = typing.get_type_hints(cls)
    names = WIRE_NAMES[cls]
    namespace: dict[str, Any] = {"cls": cls, "Mapping": Mapping, "known": frozenset(names.values())}
    namespace["unknown_seen"] = _UNKNOWN_SEEN
    lines = [
        "def structure(data, _=None):",
        "    if data.__class__ is not dict and not isinstance(data, Mapping):",
        "        return data",  # the wrong type stays visible: a request's validation reports it
        "    if not known.issuperset(data):",
        "        seen = unknown_seen.get()",
        "        if seen is not None:",
        "            seen.append(cls)",
        "    get = data.get",
    ]
    args = []
    for i, (attr, wire) in enumerate(names.items()):
        hook = _value_hook(hints[attr])
        lines.append(f"    v{i} = get({wire!r})")
        if hook is _identity:
            args.append(f"{attr}=v{i}")
        else:
            namespace[f"h{i}"] = hook
            args.append(f"{attr}=None if v{i} is None else h{i}(v{i})")
    lines.append(f"    return cls({', '.join(args)})")
    exec("\n".join(lines), namespace)  # code built from the generated tables only
    structure: StructureHook = namespace["structure"]
    return structure


# Set by ``from_wire`` for requests: structure functions note classes that met unknown keys,
# so the (slower) path-reporting walk runs only when there is something to report.
_UNKNOWN_SEEN: ContextVar[list[type[Any]] | None] = ContextVar("_UNKNOWN_SEEN", default=None)


converter.register_unstructure_hook(datetime, _epoch)
converter.register_unstructure_hook_factory(_is_shape, _unstructure_shape)
converter.register_structure_hook_factory(_is_shape, _structure_shape)


def to_wire(obj: Any) -> dict[str, Any]:
    """The boto3-style wire dict of a model object (PascalCase names, ``None`` omitted)."""
    data: dict[str, Any] = converter.unstructure(obj)
    return data


def from_wire(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build ``cls`` from a wire dict; requests are validated, responses are lenient."""
    if cls not in OPERATIONS_BY_INPUT:
        result: T = converter.structure(data, cls)
        return result
    if not isinstance(data, Mapping):
        raise ValidationError([Violation("", data, "Request must be a JSON object")])
    seen: list[type[Any]] = []
    token = _UNKNOWN_SEEN.set(seen)
    try:
        request: T = converter.structure(data, cls)
    except ValidationError as exc:
        raise ValidationError([*_unknown_members(cls, data, seen), *exc.violations]) from None
    finally:
        _UNKNOWN_SEEN.reset(token)
    if seen:
        raise ValidationError(_unknown_members(cls, data, seen))
    return request


_MEMBER_TYPES: dict[type[Any], dict[str, tuple[str, Any]]] = {}


def _members(cls: type[Any]) -> dict[str, tuple[str, Any]]:
    """wire name -> (attribute, type) of a shape, computed once per class."""
    found = _MEMBER_TYPES.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = {wire: (attr, hints[attr]) for attr, wire in WIRE_NAMES[cls].items()}
        _MEMBER_TYPES[cls] = found
    return found


def _unknown_members(
    cls: type[Any], data: Mapping[str, Any], seen: list[type[Any]]
) -> list[Violation]:
    """Every member of ``data`` its shape does not define, with its path (empty if none)."""
    found: list[Violation] = []
    if seen:
        _unknown_in(cls, data, "", found)
    return found


def _unknown_in(cls: type[Any], data: Mapping[str, Any], prefix: str, out: list[Violation]) -> None:
    members = _members(cls)
    for key, value in data.items():
        if key not in members:
            known = ", ".join(members)
            path = prefix + (key[:1].lower() + key[1:] if isinstance(key, str) else str(key))
            out.append(Violation(path, value, f"Unknown member of {cls.__name__}; known: {known}"))
            continue
        _, tp = members[key]
        _unknown_in_value(tp, value, f"{prefix}{key[:1].lower()}{key[1:]}", out)


def _unknown_in_value(tp: Any, value: Any, path: str, out: list[Violation]) -> None:
    if value is None:
        return
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        origin = typing.get_origin(tp)
    if _is_shape(tp) and isinstance(value, Mapping):
        _unknown_in(tp, value, path + ".", out)
    elif origin is list and type(value) is list:
        (item_tp,) = typing.get_args(tp)
        for i, item in enumerate(value, 1):
            _unknown_in_value(item_tp, item, f"{path}.{i}.member", out)
