"""The model's constraint rules, worded like the service.

The generated shapes (``sagetune.model.shapes``) check each member of a request with an
inline fast test and call these functions only when that test fails, so valid requests cost
little and invalid ones get every broken rule reported, each with its member path. A string
shape's pattern is a named :class:`Pattern` (``sagetune.model.patterns``); an enum member is
checked against its generated ``StrEnum``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sagetune.base_errors import ValidationError, Violation
from sagetune.shape_base import LazyPath, Shape

NOT_NULL = "Member must not be null"


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


MATCH_MEMO_SIZE = 1024  # strings remembered per pattern before the memo starts over
MATCH_MEMO_LENGTH = 256  # longer strings are checked every time (and not kept in memory)


class Pattern:
    """A string shape's pattern: ``text`` as the service words it (Java syntax, shown in
    messages), ``regex`` the Python expression that full-matches the same strings (compiled on
    first use, so importing the model compiles nothing), and ``known``, short strings already
    seen to match.

    Generated checks test ``value in PATTERN.known or PATTERN.matches(value)``: names, ARNs,
    URIs and metric regexes recur from request to request, and a set lookup costs a fraction
    of a regex match.
    """

    __slots__ = ("_fullmatch", "known", "regex", "text")

    def __init__(self, text: str, regex: str) -> None:
        self.text = text
        self.regex = regex
        self.known: set[str] = set()
        # The first match compiles the regex and puts its fullmatch here.
        self._fullmatch: Callable[[str], object] = self._compile_and_fullmatch

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    def fullmatch(self, value: str) -> bool:
        """Whether ``value`` full-matches (no memo)."""
        return self._fullmatch(value) is not None

    def matches(self, value: str) -> bool:
        """Whether ``value`` full-matches, remembering short strings that do."""
        if self._fullmatch(value) is None:
            return False
        if len(value) <= MATCH_MEMO_LENGTH:
            known = self.known
            if len(known) >= MATCH_MEMO_SIZE:
                known.clear()
            known.add(value)
        return True

    def _compile_and_fullmatch(self, value: str) -> object:
        self._fullmatch = re.compile(self.regex).fullmatch
        return self._fullmatch(value)


class LinePattern(Pattern):
    """Java's ``.*`` or ``.+`` (``min_length`` 0 or 1): any text without a line terminator.

    Most string members have one of these. ASCII text is checked with two substring tests,
    cheaper than the regex and than remembering the string; other text goes to the regex
    (Java's line terminators include U+0085, U+2028 and U+2029). Generated checks call
    ``matches`` alone: ``known`` stays empty.
    """

    __slots__ = ("min_length",)

    def __init__(self, text: str, regex: str, min_length: int) -> None:
        super().__init__(text, regex)
        self.min_length = min_length

    def matches(self, value: str) -> bool:
        if value.isascii():
            return "\n" not in value and "\r" not in value and len(value) >= self.min_length
        return self.fullmatch(value)


def string_violations(
    value: object,
    path: str,
    min_len: int | None,
    max_len: int | None,
    pattern: Pattern | None,
    out: list[Violation],
) -> None:
    if not isinstance(value, str):
        out.append(Violation(path, value, "Member must be a string"))
        return
    _length_violations(value, len(value), path, min_len, max_len, out)
    if pattern is not None and not pattern.matches(value):
        out.append(
            Violation(
                path, value, f"Member must satisfy regular expression pattern: {pattern.text}"
            )
        )


def enum_violations(value: object, path: str, allowed: Iterable[str], out: list[Violation]) -> None:
    """``allowed``: the enum class (its values in model order)."""
    if not isinstance(value, str):
        out.append(Violation(path, value, "Member must be a string"))
        return
    values = [str.__str__(v) for v in allowed]
    if str.__str__(value) not in values:  # (a str subclass, e.g. another StrEnum, may match)
        out.append(
            Violation(path, value, f"Member must satisfy enum value set: [{', '.join(values)}]")
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
    if not math.isfinite(value if type(value) is float else _as_float(value)):
        out.append(Violation(path, value, "Member must be a finite number"))
        return
    _range_violations(value, path, min_value, max_value, out)


def _as_float(value: float) -> float:
    """An integer as the service's double: beyond a double's range, infinite."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def bool_violations(value: object, path: str, out: list[Violation]) -> None:
    if type(value) is not bool:
        out.append(Violation(path, value, "Member must be a boolean"))


TIMESTAMP_RANGE = "Member must be a timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"


def timestamp_violations(value: object, path: str, out: list[Violation]) -> None:
    """A number left in a timestamp member is one the codec could not read as epoch seconds
    (NaN, infinite, or beyond the years 1-9999): it is named as such, not as a wrong type."""
    if isinstance(value, datetime):
        return
    if isinstance(value, int | float) and not isinstance(value, bool) and not _epoch_ok(value):
        out.append(Violation(path, value, TIMESTAMP_RANGE))
    else:
        out.append(Violation(path, value, "Member must be a datetime"))


def _epoch_ok(seconds: float) -> bool:
    try:
        datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return False
    return True


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


def validate_request(request: Shape) -> None:
    """Raise ``ValidationError`` listing every constraint a constructed ``request`` breaks."""
    found: list[Violation] = []
    request._violations(None, found)
    if found:
        raise ValidationError(found)
