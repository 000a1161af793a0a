"""Differential tests: the generated model against botocore's validator and JSON serializer.

Both sides read the same vendored model slice. For every operation input:

- a valid request (drawn from the model's traits) is accepted by both, and the JSON body we
  send equals the one botocore's serializer sends;
- a request botocore's validator rejects (missing required member, unknown member, wrong
  type, below a minimum) is rejected by us too, naming the same member;
- a request that breaks what botocore does not check (maximums, patterns, enum values,
  booleans as numbers, NaN) is rejected by us with the service's wording.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from codegen.javaregex import translate
from sagetune.codec import from_wire, to_wire
from sagetune.errors import ValidationError
from sagetune.model.operations import OPERATIONS
from sagetune.protocol import encode
from tests.model.wire_strategies import (
    OPERATION_INPUTS,
    SHAPES,
    assert_plain_json,
    botocore_body,
    botocore_errors,
    params,
)

OPERATION_NAMES = sorted(OPERATION_INPUTS)
# Big request trees are slow to draw on a loaded 2-core box: no deadline, no too_slow.
VALID = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MUTATED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Location = tuple[str | int, ...]
UNKNOWN_MEMBER = "UnexpectedMember"
# Characters some pattern rejects: Java's "." stops at line terminators, names forbid "_",
# tag keys forbid "#", and so on.
PATTERN_BREAKERS = ("\n", "_", "#", " ", "\u2028", "!", "a", "-")


@attrs.frozen
class Site:
    """One value in a params tree: where it is, its shape, and whether it is a map entry."""

    location: Location  # member names and list indexes from the request root
    shape: str
    value: Any
    entry: str | None = None  # "key" or "value" for map entries (location is the map's)
    key: Any = None  # the entry's key


@attrs.frozen
class Edit:
    """One change to a params tree, and the violation we must report for it."""

    site: Site
    action: str  # "replace" the value, "delete" or "add" a member of the structure
    new: Any
    rule: str  # the rule text (for map entries: one of the rules inside the brackets)
    member: str | None = None  # the member deleted or added

    @property
    def path(self) -> str:
        location = self.site.location
        return service_path(location if self.member is None else (*location, self.member))

    def apply(self, wire: dict[str, Any]) -> dict[str, Any] | None:
        """The changed copy of ``wire`` (None when the change is impossible here)."""
        out = copy.deepcopy(wire)
        site = self.site
        if self.action == "delete":
            del _at(out, site.location)[self.member]
        elif self.action == "add":
            _at(out, site.location)[self.member] = self.new
        elif site.entry == "value":
            _at(out, site.location)[site.key] = self.new
        elif site.entry == "key":
            mapping = _at(out, site.location)
            if self.new in mapping:
                return None
            mapping[self.new] = mapping.pop(site.key)
        elif not site.location:
            return None
        else:
            _at(out, site.location[:-1])[site.location[-1]] = self.new
        return out

    def assert_reported(self, error: ValidationError) -> None:
        text = str(error)
        if self.site.entry is None or self.action != "replace":
            assert f"at '{self.path}' failed to satisfy constraint: {self.rule}" in text, text
            return
        folded = f"Map {self.site.entry} must satisfy constraint: ["
        assert f"at '{self.path}' failed to satisfy constraint: {folded}" in text, text
        assert any(
            v.path == self.path and v.rule.startswith(folded) and self.rule in v.rule
            for v in error.violations
        ), text


def service_path(location: Location) -> str:
    """``("Tags", 0, "Key")`` -> ``tags.1.member.key``, the service's member paths."""
    parts = [
        f"{step + 1}.member" if isinstance(step, int) else step[:1].lower() + step[1:]
        for step in location
    ]
    return ".".join(parts)


def sites(value: Any, shape_name: str, location: Location = ()) -> Iterator[Site]:
    """Every value of a params tree, parents before children."""
    yield Site(location, shape_name, value)
    shape = SHAPES[shape_name]
    if shape["type"] == "structure":
        for member, item in value.items():
            yield from sites(item, shape["members"][member]["shape"], (*location, member))
    elif shape["type"] == "list":
        for i, item in enumerate(value):
            yield from sites(item, shape["member"]["shape"], (*location, i))
    elif shape["type"] == "map":
        for key, item in value.items():
            yield Site(location, shape["key"]["shape"], key, "key", key)
            yield Site(location, shape["value"]["shape"], item, "value", key)


def _at(tree: Any, location: Location) -> Any:
    for step in location:
        tree = tree[step]
    return tree


WRONG_TYPES: dict[str, tuple[Any, str]] = {
    "string": (7, "Member must be a string"),
    "integer": ("7", "Member must be an integer"),
    "long": ("7", "Member must be an integer"),
    "float": ("7.5", "Member must be a number"),
    "double": ("7.5", "Member must be a number"),
    "boolean": ("true", "Member must be a boolean"),
    "timestamp": ([1], "Member must be a datetime"),
    "list": ("item", "Member must be a list"),
    "map": (["entry"], "Member must be a map"),
}


def botocore_rejected(wire: dict[str, Any], root: str) -> Iterator[Edit]:
    """Edits botocore's validator rejects: required, unknown, type, minimums."""
    for site in sites(wire, root):
        shape = SHAPES[site.shape]
        kind = shape["type"]
        lo = shape.get("min")
        if kind == "structure":
            for member in shape.get("required", ()):
                yield Edit(site, "delete", None, "Member must not be null", member)
            yield Edit(site, "add", "x", f"Unknown member of {site.shape}", UNKNOWN_MEMBER)
            yield Edit(site, "replace", ["member"], f"Member must be a {site.shape} structure")
        else:
            new, rule = WRONG_TYPES[kind]
            yield Edit(site, "replace", new, rule)
        if not lo:
            continue
        if kind in ("string", "list") and len(site.value) >= lo:
            rule = f"Member must have length greater than or equal to {lo}"
            yield Edit(site, "replace", site.value[: lo - 1], rule)
        elif kind in ("integer", "long", "float", "double"):
            yield Edit(
                site, "replace", lo - 1, f"Member must have value greater than or equal to {lo}"
            )


def botocore_accepted(wire: dict[str, Any], root: str) -> Iterator[Edit]:
    """Edits botocore lets through and the service rejects: maximums, patterns, enums,
    booleans as numbers, non-finite numbers."""
    for site in sites(wire, root):
        shape = SHAPES[site.shape]
        kind = shape["type"]
        hi = shape.get("max")
        if "enum" in shape:
            allowed = ", ".join(shape["enum"])
            rule = f"Member must satisfy enum value set: [{allowed}]"
            yield Edit(site, "replace", "NotAnEnumValue", rule)
        elif kind == "string":
            if hi is not None:
                rule = f"Member must have length less than or equal to {hi}"
                yield Edit(site, "replace", site.value + "a" * (hi + 1 - len(site.value)), rule)
            if "pattern" in shape:
                yield from _pattern_breaks(site, shape)
        elif kind == "list" and hi is not None and site.value:
            rule = f"Member must have length less than or equal to {hi}"
            yield Edit(site, "replace", (site.value * (hi + 1))[: hi + 1], rule)
        elif kind in ("integer", "long"):
            lo = shape.get("min")
            if (lo is None or lo <= 1) and (hi is None or hi >= 1):  # botocore reads True as 1
                yield Edit(site, "replace", True, "Member must be an integer")
            if hi is not None:
                yield Edit(
                    site, "replace", hi + 1, f"Member must have value less than or equal to {hi}"
                )
        elif kind in ("float", "double"):
            yield Edit(site, "replace", math.nan, "Member must be a finite number")
            yield Edit(site, "replace", -math.inf, "Member must be a finite number")
            yield Edit(site, "replace", False, "Member must be a number")


def _pattern_breaks(site: Site, shape: dict[str, Any]) -> Iterator[Edit]:
    """The first small edit of the value that the pattern rejects at an allowed length."""
    compiled = _compiled(shape["pattern"])
    lo, hi = shape.get("min", 0), shape.get("max", math.inf)
    for ch in PATTERN_BREAKERS:
        for candidate in (site.value + ch, ch + site.value, ch):
            if lo <= len(candidate) <= hi and not compiled.fullmatch(candidate):
                rule = f"Member must satisfy regular expression pattern: {shape['pattern']}"
                yield Edit(site, "replace", candidate, rule)
                return


@functools.cache
def _compiled(java_pattern: str) -> re.Pattern[str]:
    return re.compile(translate(java_pattern))


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_valid_requests_are_accepted_and_serialized_like_botocore(operation: str) -> None:
    request_class = OPERATIONS[operation].input

    @VALID
    @given(params(OPERATION_INPUTS[operation]))
    def check(wire: dict[str, Any]) -> None:
        assert botocore_errors(operation, wire) == ""  # the strategy draws valid requests
        ours = to_wire(from_wire(request_class, wire))
        assert_plain_json(ours)
        assert botocore_errors(operation, ours) == ""
        assert json.loads(encode(ours)) == botocore_body(operation, wire)

    check()


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_requests_botocore_rejects_are_rejected_at_the_same_member(operation: str) -> None:
    request_class = OPERATIONS[operation].input
    root = OPERATION_INPUTS[operation]

    @MUTATED
    @given(params(root), st.data())
    def check(wire: dict[str, Any], data: st.DataObject) -> None:
        edit = data.draw(st.sampled_from(list(botocore_rejected(wire, root))))
        changed = edit.apply(wire)
        if changed is None:
            reject()  # e.g. a renamed map key that collides with another key
        assert botocore_errors(operation, changed) != ""
        with pytest.raises(ValidationError) as caught:
            from_wire(request_class, changed)
        edit.assert_reported(caught.value)

    check()


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_constraints_botocore_skips_are_rejected_with_the_service_wording(operation: str) -> None:
    request_class = OPERATIONS[operation].input
    root = OPERATION_INPUTS[operation]

    @MUTATED
    @given(params(root), st.data())
    def check(wire: dict[str, Any], data: st.DataObject) -> None:
        edits = list(botocore_accepted(wire, root))
        assume(edits)  # e.g. an empty List* request has nothing to break
        edit = data.draw(st.sampled_from(edits))
        changed = edit.apply(wire)
        if changed is None:
            reject()  # e.g. a renamed map key that collides with another key
        assert botocore_errors(operation, changed) == ""
        with pytest.raises(ValidationError) as caught:
            from_wire(request_class, changed)
        edit.assert_reported(caught.value)

    check()
