"""The exception classes the generated model and the codec build on.

Import them from ``sagetune.errors``, which re-exports them with every other error. They live
here, apart, so that the generated model (``sagetune.model.errors`` subclasses
``ServiceError``; the shapes raise ``ValidationError``) does not import ``sagetune.errors``,
which itself looks up the model's errors: the model sits above these classes and below the
public error catalogue, and nothing imports in a circle.

Values in messages are shortened: a value whose text is longer than ``SHOWN_CHARACTERS``
shows its first ``SHOWN_CHARACTERS`` characters and its length, and nested values are
rendered without recursion, so a message never repeats a huge value nor fails on a deep one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

import attrs

SHOWN_CHARACTERS = 100  # characters of a value a message shows before it says how long it is


class SageTuneError(Exception):
    """Base of every exception sagetune raises."""


@attrs.frozen
class Violation:
    """One broken constraint: where (service-style camelCase path), the value, and the rule."""

    path: str
    value: object
    rule: str

    def message(self) -> str:
        shown = "null" if self.value is None else f"'{show_value(self.value)}'"
        return f"Value {shown} at '{self.path}' failed to satisfy constraint: {self.rule}"


def show_value(value: object) -> str:
    """``value`` as a message shows it: strings as they are, booleans as JSON writes them,
    other values as ``str()`` does; longer than ``SHOWN_CHARACTERS``, the start and the
    length (``'xxxx... (2518 characters)'``)."""
    if isinstance(value, str):
        return shorten(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if type(value) in (dict, list, tuple):
        return _shortened_pieces(_pieces(value))
    try:
        return shorten(str(value))
    except RecursionError:  # an object whose own str() nests too deeply
        return f"<{type(value).__name__} nested too deeply to show>"


def shorten(text: str) -> str:
    """``text``, or its first ``SHOWN_CHARACTERS`` characters and its length."""
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"{text[:SHOWN_CHARACTERS]}... ({len(text)} characters)"


def _shortened_pieces(pieces: Iterator[str]) -> str:
    shown: list[str] = []
    kept = total = 0
    for piece in pieces:
        if kept < SHOWN_CHARACTERS + 1:
            shown.append(piece)
            kept += len(piece)
        total += len(piece)
    text = "".join(shown)
    if total <= SHOWN_CHARACTERS:
        return text
    return f"{text[:SHOWN_CHARACTERS]}... ({total} characters)"


def _pieces(value: object) -> Iterator[str]:
    """The text of ``str(value)`` for dicts, lists and tuples, piece by piece, with an explicit
    stack instead of recursion (``str()`` of a deeply nested list raises RecursionError).

    The stack holds ``(True, text)`` for punctuation to write and ``(False, value)`` for a
    value still to render."""
    stack: list[tuple[bool, object]] = [(False, value)]
    while stack:
        is_text, item = stack.pop()
        if is_text:
            yield str(item)
            continue
        parts: list[tuple[bool, object]]
        if type(item) is dict:
            parts = [(True, "{")]
            for i, (key, entry) in enumerate(item.items()):
                if i:
                    parts.append((True, ", "))
                parts += [(False, key), (True, ": "), (False, entry)]
            parts.append((True, "}"))
        elif type(item) is list or type(item) is tuple:
            closing = "]" if type(item) is list else (",)" if len(item) == 1 else ")")
            parts = [(True, "[" if type(item) is list else "(")]
            for i, entry in enumerate(item):
                if i:
                    parts.append((True, ", "))
                parts.append((False, entry))
            parts.append((True, closing))
        else:
            try:
                yield repr(item)
            except RecursionError:
                yield f"<{type(item).__name__} nested too deeply to show>"
            continue
        stack.extend(reversed(parts))


def format_violations(violations: Sequence[Violation]) -> str:
    """The service's wording: ``N validation error(s) detected: ...; ...``."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    details = "; ".join(v.message() for v in violations)
    return f"{count} validation {noun} detected: {details}"


class ValidationError(SageTuneError, ValueError):
    """A request is invalid; raised before anything is sent.

    ``violations`` lists every problem found, each with its member path; ``str()`` reads
    like the service's own ValidationException message.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(format_violations(self.violations))


class DocumentError(SageTuneError, ValueError):
    """A document cannot be read or written in the wire format: not JSON, nested deeper than
    ``sagetune.protocol.MAX_DEPTH``, or not a JSON object where one is required."""


class ServiceError(SageTuneError):
    """An error answer from the service: its code, message, HTTP status and request id."""

    CODE: ClassVar[str] = ""  # the AWS error code this class stands for

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.message = message
        self.code = code or type(self).CODE or "Unknown"
        self.status_code = status_code
        self.request_id = request_id
        self.operation = operation
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" when calling {self.operation}" if self.operation else ""
        status = f" (HTTP {self.status_code}" if self.status_code is not None else ""
        rid = f", request id {self.request_id})" if self.request_id else (")" if status else "")
        return f"{self.code}{where}{status}{rid}: {self.message}"
