"""Hypothesis strategies for valid boto3-style params of any shape, read from the vendored model.

The strategies follow the model's traits (required members, length and value bounds, enum
values, patterns), not the generated code, so the generated validators and codec are
checked against an independent reading of the same model. Requests stay cheap to draw:
lists and maps hold a few items, a structure gets its required members plus a few optional
ones, and a patterned string costs one draw (a seed for ``PatternSampler``) instead of one
draw per character as ``st.from_regex`` does (7-15 ms per string here, which made a
CreateTrainingJob tree cost ~80 ms).

Also here: botocore's own validator and JSON serializer built from the same vendored slice,
the reference the differential tests compare against.
"""

from __future__ import annotations

import functools
import importlib
import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.model
import botocore.serialize
import botocore.validate
from hypothesis import reject
from hypothesis import strategies as st

from codegen.javaregex import translate
from codegen.model_slice import load_slice

MODEL: dict[str, Any] = load_slice()
SHAPES: dict[str, dict[str, Any]] = MODEL["shapes"]
OPERATION_INPUTS: dict[str, str] = {
    name: op["input"]["shape"] for name, op in MODEL["operations"].items()
}
# botocore's ServiceModel takes a service-2 document: the slice is one, plus our own keys.
SERVICE = botocore.model.ServiceModel(
    {key: MODEL[key] for key in ("metadata", "operations", "shapes")}, service_name="sagemaker"
)
VALIDATOR = botocore.validate.ParamValidator()
SERIALIZER = botocore.serialize.create_serializer("json", include_validation=False)

OPTIONAL_MEMBERS = 4  # optional members drawn per structure, at most
MAX_ITEMS = 2  # list and map items drawn above the minimum size
UNBOUNDED_TEXT = 40  # length cap for strings whose shape has no maximum
JAVA_LINE_TERMINATORS = "\n\r\x85\u2028\u2029"
EPOCH_START = datetime(1970, 1, 2)
EPOCH_END = datetime(2100, 1, 1)


def botocore_errors(operation: str, params: Any) -> str:
    """botocore ParamValidator's report for ``params`` ("" when it accepts them)."""
    shape = SERVICE.operation_model(operation).input_shape
    assert shape is not None
    report = VALIDATOR.validate(params, shape)
    return str(report.generate_report()) if report.has_errors() else ""


def botocore_body(operation: str, params: Any) -> Any:
    """The JSON body botocore's serializer sends for ``params``, parsed."""
    request = SERIALIZER.serialize_to_request(params, SERVICE.operation_model(operation))
    return json.loads(request["body"])


def assert_plain_json(value: Any) -> None:
    """Only plain JSON types: no enum members, datetimes or attrs objects left behind."""
    if type(value) is dict:
        for key, item in value.items():
            assert type(key) is str
            assert_plain_json(item)
    elif type(value) is list:
        for item in value:
            assert_plain_json(item)
    else:
        assert type(value) in (str, int, float, bool), (type(value), value)


def params(shape_name: str, *, whole_seconds: bool = True) -> st.SearchStrategy[Any]:
    """Valid boto3-style params (wire names, datetimes for timestamps) for ``shape_name``.

    ``whole_seconds``: botocore sends whole epoch seconds, so the differential tests draw
    whole-second timestamps; the round trip keeps microseconds.
    """
    return _strategy(shape_name, whole_seconds)


def _bounded(lo: int | None, hi: int | None) -> tuple[int, int]:
    size = lo or 0
    return size, min(hi if hi is not None else size + MAX_ITEMS, size + MAX_ITEMS)


@functools.cache
def _strategy(name: str, whole_seconds: bool) -> st.SearchStrategy[Any]:
    shape = SHAPES[name]
    kind = shape["type"]
    lo, hi = shape.get("min"), shape.get("max")
    if kind == "structure":
        required = set(shape.get("required", ()))
        members = {m: _strategy(ref["shape"], whole_seconds) for m, ref in shape["members"].items()}
        optional = {m: s for m, s in members.items() if m not in required}
        chooser = st.lists(
            st.sampled_from(list(optional) or [""]), max_size=OPTIONAL_MEMBERS, unique=True
        )
        return _structure(
            {m: s for m, s in members.items() if m in required},
            optional,
            chooser if optional else st.just([]),
        )
    if kind == "list":
        low, high = _bounded(lo, hi)
        return st.lists(
            _strategy(shape["member"]["shape"], whole_seconds), min_size=low, max_size=high
        )
    if kind == "map":
        low, high = _bounded(lo, hi)
        key, value = shape["key"]["shape"], shape["value"]["shape"]
        return st.dictionaries(
            _strategy(key, whole_seconds),
            _strategy(value, whole_seconds),
            min_size=low,
            max_size=high,
        )
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        bits = 31 if kind == "integer" else 63
        return st.integers(
            min_value=lo if lo is not None else -(2**bits),
            max_value=hi if hi is not None else 2**bits - 1,
        )
    if kind in ("float", "double"):
        # JSON numbers: botocore and the service take integers for float members too.
        whole = st.integers(
            min_value=-(10**6) if lo is None else int(lo),
            max_value=10**6 if hi is None else int(hi),
        )
        fractional = st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)
        return fractional | whole
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        stamps = st.datetimes(EPOCH_START, EPOCH_END, timezones=st.just(UTC))
        return stamps.map(lambda d: d.replace(microsecond=0)) if whole_seconds else stamps
    raise ValueError(f"no strategy for {kind} shape {name}")


@st.composite
def _structure(
    draw: st.DrawFn,
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
    chooser: st.SearchStrategy[list[str]],
) -> dict[str, Any]:
    """Every required member and a few optional ones (``chooser`` picks their names)."""
    out = {member: draw(strategy) for member, strategy in required.items()}
    for member in draw(chooser):
        out[member] = draw(optional[member])
    return out


def _string(shape: dict[str, Any]) -> st.SearchStrategy[str]:
    if "enum" in shape:
        return st.sampled_from(shape["enum"])
    lo: int = shape.get("min", 0)
    hi: int = shape.get("max", lo + UNBOUNDED_TEXT)
    pattern = shape.get("pattern")
    if pattern in (None, "[\\S\\s]*"):  # any text at all
        return st.text(st.characters(codec="utf-8"), min_size=lo, max_size=hi)
    if pattern in (".*", ".+"):  # any text without Java's line terminators
        alphabet = st.characters(codec="utf-8", exclude_characters=JAVA_LINE_TERMINATORS)
        return st.text(alphabet, min_size=max(lo, pattern == ".+"), max_size=hi)
    return _matching(PatternSampler(translate(pattern), lo, hi))


@st.composite
def _matching(draw: st.DrawFn, sampler: PatternSampler) -> str:
    """One draw (a seed) per string; the rare seed whose attempts all miss is rejected."""
    value = sampler.sample(draw(st.integers(0, 2**32 - 1)))
    if value is None:
        reject()
    return value


# ---------------------------------------------------------------- pattern sampler

_sre: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser
# Characters a class may draw from besides its own ranges: ASCII, Java's line terminators
# and separators, letters and digits of several scripts, an astral-plane letter.
PALETTE = "".join(map(chr, range(0x20, 0x7F))) + (
    "\t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000éßøÆЖжΩλ漢字ひカ한글١٣٤٥߀ǅⅫ𝟘𐐀😀"
)
REPEAT_SPREAD = 3  # extra repetitions of an unbounded ``*`` or ``+``
BOUNDED_SPREAD = 64  # extra repetitions of ``{m,n}`` at most (keeps ``{1,2048}`` cheap)
SAMPLE_ATTEMPTS = 40

Emit = Callable[[random.Random, list[str]], None]


class PatternSampler:
    """Random strings that full-match a (translated, Python) pattern, from a seed.

    Walks the stdlib's parse tree: literals as written, classes by picking among the
    palette and range characters that belong to them, repeats with counts biased to their
    bounds; lookarounds and lengths are enforced by retrying until the compiled pattern
    full-matches and the length is within the shape's bounds.
    """

    def __init__(self, pattern: str, min_len: int, max_len: int) -> None:
        self.compiled = re.compile(pattern)
        self.min_len, self.max_len = min_len, max_len
        self._emit = self._sequence(_sre.parse(pattern))

    def sample(self, seed: int) -> str | None:
        """A matching string of allowed length, or None when every attempt missed."""
        rnd = random.Random(seed)
        for _ in range(SAMPLE_ATTEMPTS):
            out: list[str] = []
            self._emit(rnd, out)
            text = "".join(out)
            if self.min_len <= len(text) <= self.max_len and self.compiled.fullmatch(text):
                return text
        return None

    def _sequence(self, tree: Any) -> Emit:
        parts = [self._node(op, arg) for op, arg in tree]

        def emit(rnd: random.Random, out: list[str]) -> None:
            for part in parts:
                part(rnd, out)

        return emit

    def _node(self, op: Any, arg: Any) -> Emit:
        name = str(op)
        if name == "LITERAL":
            return _one_of(chr(arg))
        if name == "NOT_LITERAL":
            return _one_of(*(ch for ch in PALETTE if ord(ch) != arg))
        if name == "ANY":
            return _one_of(*PALETTE.replace("\n", ""))
        if name == "IN":
            return _one_of(*_class_members(arg))
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            return _repeat(arg[0], arg[1], self._sequence(arg[2]))
        if name == "SUBPATTERN":
            return self._sequence(arg[-1])
        if name == "BRANCH":
            return _branch([self._sequence(branch) for branch in arg[1]])
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            return _nothing  # checked by the full match after sampling
        raise ValueError(f"PatternSampler: unsupported regex construct {name}")


def _nothing(rnd: random.Random, out: list[str]) -> None:
    return None


def _one_of(*choices: str) -> Emit:
    pool = tuple(dict.fromkeys(choices))
    if not pool:
        raise ValueError("PatternSampler: empty character class")

    def emit(rnd: random.Random, out: list[str]) -> None:
        out.append(pool[rnd.randrange(len(pool))])

    return emit


def _repeat(low: int, high: int, body: Emit) -> Emit:
    unbounded = str(high) == "MAXREPEAT"
    top = low + REPEAT_SPREAD if unbounded else min(int(high), low + BOUNDED_SPREAD)

    def emit(rnd: random.Random, out: list[str]) -> None:
        roll = rnd.random()
        count = low if roll < 0.25 else top if roll < 0.4 else rnd.randint(low, top)
        for _ in range(count):
            body(rnd, out)

    return emit


def _branch(branches: list[Emit]) -> Emit:
    def emit(rnd: random.Random, out: list[str]) -> None:
        branches[rnd.randrange(len(branches))](rnd, out)

    return emit


_CATEGORIES = {
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
}


def _class_members(items: list[tuple[Any, Any]]) -> list[str]:
    """Candidate characters of a class: its range ends and middles, and palette members."""
    candidates = list(PALETTE)
    for op, arg in items:
        if str(op) == "LITERAL":
            candidates.append(chr(arg))
        elif str(op) == "RANGE":
            lo, hi = arg
            candidates += [chr(lo), chr(hi), chr((lo + hi) // 2)]
    return [ch for ch in candidates if _in_class(ch, items)]


def _in_class(ch: str, items: list[tuple[Any, Any]]) -> bool:
    negated = False
    found = False
    for op, arg in items:
        kind = str(op)
        if kind == "NEGATE":
            negated = True
        elif kind == "LITERAL":
            found = found or ord(ch) == arg
        elif kind == "RANGE":
            found = found or arg[0] <= ord(ch) <= arg[1]
        elif kind == "CATEGORY":
            found = found or _CATEGORIES[str(arg)].fullmatch(ch) is not None
        else:
            raise ValueError(f"PatternSampler: unsupported class item {kind}")
    return found != negated
