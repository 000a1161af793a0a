"""How a request is matched to a recording, and what to say when none matches.

Every AWS JSON 1.1 call is ``POST /``, so vcrpy's default matchers (method, scheme, host,
port, path, query) cannot tell operations apart, and its body matcher compares
``application/x-amz-json-1.1`` bodies as raw bytes (key order and spacing would count).
sagetune matches on exactly three things: the method, the ``X-Amz-Target`` header (the
operation) and the body parsed as JSON. Never on host or port (a cassette recorded against
the in-process simulator replays for a client pointed at AWS), nor on the headers that
change on every call (``Authorization``, ``X-Amz-Date``, ``amz-sdk-invocation-id``).

The matchers take vcrpy requests but nothing here imports vcrpy.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = [
    "MATCHERS",
    "amz_target",
    "body_diff",
    "closest_request",
    "json_body",
    "method",
    "operation_of",
    "parsed_json",
    "requests_match",
]

TARGET_HEADER = "X-Amz-Target"
MAX_DIFF_LINES = 40


class RecordedRequest(Protocol):
    """What matching reads from a vcrpy ``Request``."""

    method: str
    body: bytes | None

    @property
    def headers(self) -> Any: ...


def method(sent: RecordedRequest, recorded: RecordedRequest) -> None:
    """vcrpy matcher: the same HTTP method."""
    if sent.method != recorded.method:
        raise AssertionError(f"method {sent.method} != {recorded.method}")


def amz_target(sent: RecordedRequest, recorded: RecordedRequest) -> None:
    """vcrpy matcher: the same ``X-Amz-Target`` (the operation)."""
    mine, theirs = target_of(sent), target_of(recorded)
    if mine != theirs:
        raise AssertionError(f"X-Amz-Target {mine} != {theirs}")


def json_body(sent: RecordedRequest, recorded: RecordedRequest) -> None:
    """vcrpy matcher: bodies equal as parsed JSON (raw bytes if either is not JSON)."""
    if sent.body == recorded.body:
        return
    if parsed_json(sent.body) != parsed_json(recorded.body):
        # vcrpy runs every matcher on every recorded request, so the message stays cheap;
        # the diff against the closest request is made once, when nothing matches.
        raise AssertionError("the JSON bodies differ")


MATCHERS = (method, amz_target, json_body)
"""The ``match_on`` of every sagetune cassette, cheapest first."""


def requests_match(sent: RecordedRequest, recorded: RecordedRequest) -> bool:
    """Whether every matcher of :data:`MATCHERS` accepts the pair."""
    try:
        for matcher in MATCHERS:
            matcher(sent, recorded)
    except AssertionError:
        return False
    return True


def target_of(request: RecordedRequest) -> str | None:
    value = request.headers.get(TARGET_HEADER)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)


def operation_of(request: RecordedRequest) -> str:
    """``DescribeHyperParameterTuningJob`` for ``X-Amz-Target: SageMaker.Describe...``."""
    target = target_of(request)
    if not target:
        return "(no X-Amz-Target)"
    return target.rpartition(".")[2]


_NOT_JSON = object()


def parsed_json(body: bytes | str | None) -> Any:
    """The body as JSON (cached: replaying compares the same bodies many times); a body
    that is not JSON stands for itself."""
    if body is None or body == b"" or body == "":
        return None
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    parsed = _parse(raw)
    return raw if parsed is _NOT_JSON else parsed


@functools.lru_cache(maxsize=1024)
def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return _NOT_JSON


def _pretty(body: bytes | str | None) -> list[str]:
    value = parsed_json(body)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").splitlines()
    return json.dumps(value, indent=2, sort_keys=True).splitlines()


def body_diff(recorded: bytes | str | None, sent: bytes | str | None) -> str:
    """A unified diff of two JSON bodies, pretty-printed with sorted keys."""
    lines = list(
        difflib.unified_diff(
            _pretty(recorded), _pretty(sent), "recorded", "this request", n=2, lineterm=""
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines) if lines else "(bodies equal as JSON)"


def closest_request(
    sent: RecordedRequest, recorded: Sequence[RecordedRequest], played: Sequence[bool]
) -> int | None:
    """Index of the recorded request most like ``sent``: same operation first, then not yet
    played, then the smallest body diff. None when nothing was recorded."""
    if not recorded:
        return None
    target = target_of(sent)

    def distance(index: int) -> tuple[int, int, int]:
        candidate = recorded[index]
        same_target = target_of(candidate) == target
        changed = _diff_size(candidate.body, sent.body) if same_target else 1 << 30
        return (0 if same_target else 1, 1 if played[index] else 0, changed)

    return min(range(len(recorded)), key=distance)


def _diff_size(recorded: bytes | str | None, sent: bytes | str | None) -> int:
    old, new = _pretty(recorded), _pretty(sent)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return len(old) + len(new) - 2 * same
