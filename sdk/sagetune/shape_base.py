"""What every generated shape builds on: the ``Shape`` base class (repr, equality and hash
shared by all shapes, and the names of the methods the generator writes into each), the
response metadata attached to answers, lazy member paths and slot setters.

Apart from ``sagetune.specs`` (the operation, paginator and waiter tables' types) so that
importing the model's shapes does not build those classes too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

if TYPE_CHECKING:
    from sagetune.base_errors import Violation

# Where a check is in a request: None at the top, then ``(parent, member)`` or
# ``(parent, member, index)`` tuples. Building a tuple per nested structure is cheaper than
# formatting its path string, which only a violation needs (``sagetune.constraints.prefix``).
LazyPath = tuple[Any, ...] | str | None


class Shape:
    """What every generated shape shares: repr, equality and hash over its attrs fields, and
    the names of the methods the generator writes into each shape.

    attrs compiles a ``__repr__`` and an ``__eq__`` for every class it builds: for ~90 shapes
    that was about half the import time of ``sagetune.model``. The shapes share these instead;
    they follow attrs' semantics (fields marked repr / eq, same class only, hash of the eq
    fields).

    Generated in each shape (``sagetune.model.shapes``), read by ``sagetune.codec``:

    - ``_MEMBERS``: wire (PascalCase) name -> attribute name, in model order;
    - ``_to_wire()`` / ``_from_wire(data, path, out)``: the shape's wire form, read leniently
      and built without ``__init__`` (no request validates itself on the way); given ``out``,
      the shapes a request can hold report there every unknown member and broken constraint
      as they read them;
    - ``_violations(path, out)`` (shapes a request can hold): the constraints a constructed
      object breaks (the same checks, on its attributes);
    - ``_REQUEST``: true for operation inputs, which validate themselves when constructed.
    """

    __slots__ = ()

    _MEMBERS: ClassVar[dict[str, str]] = {}
    _REQUEST: ClassVar[bool] = False

    def _to_wire(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _from_wire(data: Any, path: LazyPath, out: list[Violation] | None) -> Any:
        raise NotImplementedError

    def _violations(self, path: LazyPath, out: list[Violation]) -> None:
        raise TypeError(f"{type(self).__name__} is not part of any request: it has no constraints")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in _repr_items(self))
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        key = _eq_key(type(self))
        return bool(key(self) == key(other))

    def __hash__(self) -> int:
        return hash((type(self).__name__, _eq_key(type(self))(self)))


def _repr_items(shape: object) -> list[tuple[str, object]]:
    cls: Any = type(shape)
    return [(a.name, getattr(shape, a.name)) for a in attrs.fields(cls) if a.repr]


_EQ_KEYS: dict[type[Any], Callable[[object], object]] = {}


def _eq_key(cls: type[Any]) -> Callable[[object], object]:
    """The values equality compares, as one getter per class (built on first use)."""
    key = _EQ_KEYS.get(cls)
    if key is None:
        names = [a.name for a in attrs.fields(cls) if a.eq]
        key = _EQ_KEYS[cls] = operator.attrgetter(*names) if names else _no_fields
    return key


def _no_fields(shape: object) -> tuple[()]:
    return ()


new_shape = object.__new__
"""``new_shape(cls)``: an instance of a shape class with no member set yet (the generated
``_from_wire`` then sets every one); bound once here, as looking ``__new__`` up on ``object``
each time costs about as much as the call."""


S = TypeVar("S", bound=Shape)

_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in attrs.fields(cls))
    return names


def build_unchecked(cls: type[S], members: Mapping[str, Any]) -> S:
    """An instance of ``cls`` with ``members`` by attribute name (absent ones None), built as
    ``_from_wire`` builds shapes: without ``__init__``, so a request does not validate itself.
    For code that builds requests from parts already checked (the simulator's own training
    requests); a document from outside goes through ``codec.from_wire``."""
    instance = new_shape(cls)
    get, set_member = members.get, object.__setattr__
    for name in _field_names(cls):
        set_member(instance, name, get(name))
    return instance


def replace_unchecked(shape: S, changes: Mapping[str, Any]) -> S:
    """A copy of ``shape`` with ``changes`` by attribute name, not validated again (like
    ``attrs.evolve`` without the constructor's checks)."""
    copy = new_shape(type(shape))
    set_member = object.__setattr__
    for name in _field_names(type(shape)):
        set_member(copy, name, changes[name] if name in changes else getattr(shape, name))
    return copy


def slot_setters(cls: type[Shape]) -> tuple[Callable[[Any, Any], None], ...]:
    """The ``__set__`` of each member's slot, in member order (then ``response_metadata`` when
    the class has it): ``setter(shape, value)`` sets a member of a frozen shape as attrs' own
    frozen ``__init__`` does, without looking the name up. The generated ``_from_wire``
    builds shapes with them."""
    names = [*cls._MEMBERS.values()]
    if "response_metadata" in cls.__dict__:
        names.append("response_metadata")
    return tuple(cls.__dict__[name].__set__ for name in names)


@attrs.frozen(kw_only=True)
class ResponseMetadata:
    """What the client knows about the call that produced a response (like boto3's
    ``ResponseMetadata``); attached to every response object, never sent on the wire."""

    request_id: str | None
    http_status: int
    attempts: int = 1
