"""The contract check: does a cassette still describe what the client and the simulator do?

A cassette is a claim about three parties: the client sent these requests, the service
answered them so, and the client understood the answers. :func:`verify_cassette` checks
each side against the recording:

- **simulator side**: every recorded request is sent, in order, to a fresh in-process
  simulator (authentication off: recorded signatures are scrubbed) whose manual clock is
  moved to the time the request was recorded at (the ``X-SageTune-Simulator-Time`` header
  a simulator recording carries; for a recording made against AWS, the ``Date`` headers'
  offsets from the first answer). Its answer is compared with the recorded one;
- **client side**: every recorded SageMaker request must decode into the client's typed
  request class (the client's validation passes) and encode back to the same JSON, and
  every recorded 2xx answer must decode into the typed response and encode back without
  losing a member (the client knows every member the service sent).

What is compared (:data:`COMPARE_MODES`), the documented rule:

- always: the HTTP status; for errors, the error code (``__type``, cleaned as botocore does);
  never response headers (request ids, dates, lengths); ARN account ids are masked;
- ``strict``: everything else exactly. For cassettes recorded against the simulator, which
  is deterministic, this catches any change in its behaviour;
- ``values`` (default): also masks what is an id, a time, or random by nature: members named
  ``*Time``/``*Timestamp`` and durations (``*TimeInSeconds``, ``RuntimeInSeconds``),
  ``NextToken`` values (their presence still counts), the random suffix of generated
  training job names (``<tuning job>-<NNN>-<8 hex>``), the values of
  ``TunedHyperParameters`` and metric values (``Value`` next to ``MetricName``). Error
  messages, statuses, counters and every other member must match;
- ``structure``: the shape only: the same members with the same JSON types, status and
  error code; for recordings made against AWS, whose values the simulator cannot reproduce.

When a generated training job name differs only in its random suffix, later recorded
requests that mention it are rewritten to the simulator's name before they are sent.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import attrs

from sagetune import protocol
from sagetune.testing.cassettes import TIME_HEADER
from sagetune.testing.scrubbing import _ARN_ACCOUNT, SecretFinding, find_secrets

if TYPE_CHECKING:
    from sagetune.simulator import Simulator

__all__ = [
    "COMPARE_MODES",
    "CassetteReport",
    "CompareMode",
    "Difference",
    "Interaction",
    "load_interactions",
    "verify_cassette",
]

CompareMode = Literal["strict", "values", "structure"]
COMPARE_MODES: tuple[CompareMode, ...] = ("strict", "values", "structure")
MAX_DIFFERENCES_PER_INTERACTION = 8

_MISSING = "<absent>"


@attrs.frozen(kw_only=True)
class Interaction:
    """One recorded exchange, as ``verify`` reads it."""

    index: int  # 1-based
    method: str
    uri: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes

    @property
    def target(self) -> str:
        return self.request_headers.get("x-amz-target", "")

    @property
    def operation(self) -> str:
        return self.target.rpartition(".")[2] or "(no X-Amz-Target)"


@attrs.frozen(kw_only=True)
class Difference:
    """Where the recording and one party (``simulator`` or ``client``) disagree."""

    interaction: int
    operation: str
    side: Literal["simulator", "client"]
    path: str
    recorded: Any
    actual: Any

    def __str__(self) -> str:
        return (
            f"#{self.interaction} {self.operation} ({self.side}) {self.path}: "
            f"recorded {_show(self.recorded)}, {self.side} {_show(self.actual)}"
        )


@attrs.frozen(kw_only=True)
class CassetteReport:
    """The outcome of :func:`verify_cassette` for one cassette."""

    path: Path
    compare: CompareMode
    interactions: int
    differences: tuple[Difference, ...]
    leaks: tuple[SecretFinding, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.differences and not self.leaks

    def render(self) -> str:
        """A human-readable report (first line: the verdict)."""
        sides = {d.side for d in self.differences}
        verdict = "OK" if self.ok else "FAILED"
        lines = [
            f"{self.path}: {verdict} ({self.interactions} interactions, compare={self.compare}; "
            f"simulator {'differs' if 'simulator' in sides else 'agrees'}, "
            f"client {'differs' if 'client' in sides else 'agrees'}"
            f"{', secrets found' if self.leaks else ''})"
        ]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  {difference}" for difference in self.differences]
        lines += [f"  secret: {leak}" for leak in self.leaks]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "compare": self.compare,
            "interactions": self.interactions,
            "differences": [
                {
                    **attrs.asdict(d),
                    "recorded": _jsonable(d.recorded),
                    "actual": _jsonable(d.actual),
                }
                for d in self.differences
            ],
            "secrets": [attrs.asdict(leak) for leak in self.leaks],
            "notes": list(self.notes),
        }


def load_interactions(path: str | os.PathLike[str]) -> list[Interaction]:
    """The interactions of a vcrpy cassette file (YAML, or JSON by its suffix)."""
    return _parse_cassette(Path(path), _read_cassette(Path(path)))


def _read_cassette(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from exc


def _parse_cassette(file: Path, text: str) -> list[Interaction]:
    from vcr.serialize import deserialize
    from vcr.serializers import jsonserializer, yamlserializer

    serializer = jsonserializer if file.suffix == ".json" else yamlserializer
    if not text.strip():
        raise ValueError("the file is empty")
    try:
        requests, responses, *_ = deserialize(text, serializer)
    except Exception as exc:  # YAML/JSON syntax, or not a vcrpy cassette
        detail = " ".join(str(exc).split())
        raise ValueError(f"not a vcrpy cassette ({type(exc).__name__}: {detail})") from exc
    interactions = []
    for index, (request, response) in enumerate(zip(requests, responses, strict=True), 1):
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        response_body = (response.get("body") or {}).get("string") or b""
        if isinstance(response_body, str):
            response_body = response_body.encode("utf-8")
        interactions.append(
            Interaction(
                index=index,
                method=request.method,
                uri=request.uri,
                request_headers={k.lower(): _first(v) for k, v in request.headers.items()},
                request_body=body or b"",
                status=int(response["status"]["code"]),
                response_headers={
                    k.lower(): _first(v) for k, v in (response.get("headers") or {}).items()
                },
                response_body=response_body,
            )
        )
    return interactions


def verify_cassette(
    path: str | os.PathLike[str],
    *,
    compare: CompareMode = "values",
    simulator_factory: Callable[..., Simulator] | None = None,
    region: str | None = None,
) -> CassetteReport:
    """Check a cassette against a fresh simulator and against the client (module doc).

    ``simulator_factory(region=..., start=...)`` builds the simulator (default: a
    :class:`~sagetune.simulator.Simulator` with a manual clock starting at ``start``,
    authentication off); pass one that registers your own algorithms if the cassette
    uses them.
    """
    if compare not in COMPARE_MODES:
        raise ValueError(f"compare must be one of {', '.join(COMPARE_MODES)}, got {compare!r}")
    file = Path(path)
    text = _read_cassette(file)
    interactions = _parse_cassette(file, text)
    leaks = tuple(find_secrets(text))
    differences: list[Difference] = []
    notes: list[str] = []
    for interaction in interactions:
        differences += _client_differences(interaction)
    differences += _simulator_differences(
        interactions, compare, simulator_factory, region or _region_of(interactions), notes
    )
    differences.sort(key=lambda d: (d.interaction, d.side != "simulator"))
    return CassetteReport(
        path=file,
        compare=compare,
        interactions=len(interactions),
        differences=tuple(differences),
        leaks=leaks,
        notes=tuple(notes),
    )


# -- the simulator's side -------------------------------------------------------------------


def _default_simulator(*, region: str, start: float) -> Simulator:
    from sagetune.simulator import ManualClock, Simulator

    return Simulator(clock=ManualClock(start), region=region, auth=False)


def _simulator_differences(
    interactions: list[Interaction],
    compare: CompareMode,
    factory: Callable[..., Simulator] | None,
    region: str,
    notes: list[str],
) -> list[Difference]:
    from sagetune.simulator import ManualClock
    from sagetune.testing.clocks import DEFAULT_START

    times = _timeline(interactions, notes)
    start = next((t for t in times if t is not None), DEFAULT_START)
    simulator = (factory or _default_simulator)(region=region, start=start)
    clock = simulator.clock
    if not isinstance(clock, ManualClock):
        simulator.close()
        raise TypeError("verify needs a simulator with a manual clock")
    # Recorded signatures are scrubbed (and stale): a user's factory may leave auth on.
    simulator.handler.auth = attrs.evolve(simulator.handler.auth, enabled=False)
    aliases: dict[str, str] = {}
    differences: list[Difference] = []
    try:
        for interaction, at in zip(interactions, times, strict=True):
            if at is not None and at > clock.now():
                clock.set(at)
            body = interaction.request_body
            for recorded_name, actual_name in aliases.items():
                body = body.replace(recorded_name.encode(), actual_name.encode())
            status, _headers, answer = simulator.handler(
                interaction.method,
                _target_path(interaction.uri),
                [(name, value) for name, value in interaction.request_headers.items()],
                body,
            )
            found = list(_compare_answers(interaction, status, answer, compare))
            differences += found[:MAX_DIFFERENCES_PER_INTERACTION]
            if compare != "strict":
                aliases.update(_generated_name_aliases(interaction.response_body, answer))
    finally:
        simulator.close()
    return differences


def _compare_answers(
    interaction: Interaction, status: int, answer: bytes, compare: CompareMode
) -> Iterator[Difference]:
    def difference(path: str, recorded: Any, actual: Any) -> Difference:
        return Difference(
            interaction=interaction.index,
            operation=interaction.operation,
            side="simulator",
            path=path,
            recorded=recorded,
            actual=actual,
        )

    recorded_doc, actual_doc = _json(interaction.response_body), _json(answer)
    if status != interaction.status:
        yield difference(
            "status", _status(interaction.status, recorded_doc), _status(status, actual_doc)
        )
        return
    if status >= 300:
        recorded_error, actual_error = _error(recorded_doc), _error(actual_doc)
        if recorded_error[0] != actual_error[0]:
            yield difference("error code", recorded_error[0], actual_error[0])
        elif compare != "structure" and recorded_error[1] != actual_error[1]:
            yield difference("error message", recorded_error[1], actual_error[1])
        return
    normalize = _NORMALIZERS[compare]
    for path, recorded, actual in _walk(normalize(recorded_doc), normalize(actual_doc), "$"):
        yield difference(path, recorded, actual)


def _status(status: int, document: Any) -> str:
    """``200``, or ``400 ValidationException: <message>`` for an error."""
    if status < 300:
        return str(status)
    code, message = _error(document)
    return f"{status} {code}: {message}" if code else str(status)


def _error(document: Any) -> tuple[str, str]:
    if not isinstance(document, dict):
        return "", ""
    code = protocol.clean_code(str(document.get("__type") or ""))
    return code, str(document.get("message") or document.get("Message") or "")


def _timeline(interactions: list[Interaction], notes: list[str]) -> list[float | None]:
    """When each request was made, in simulated time (None: do not move the clock)."""
    stamped = [_float(i.response_headers.get(TIME_HEADER.lower())) for i in interactions]
    if interactions and all(t is not None for t in stamped):
        return stamped
    dates = [_http_date(i.response_headers.get("date")) for i in interactions]
    first = next((d for d in dates if d is not None), None)
    if first is None:
        notes.append(
            "no recorded times (neither X-SageTune-Simulator-Time nor Date headers): "
            "the simulator's clock is not moved between requests"
        )
        return [None] * len(interactions)
    from sagetune.testing.clocks import DEFAULT_START

    notes.append("times taken from the recorded Date headers (offsets from the first answer)")
    return [None if d is None else DEFAULT_START + (d - first) for d in dates]


def _generated_name_aliases(recorded: bytes, actual: bytes) -> dict[str, str]:
    """Generated training job names that differ only in their random suffix."""
    mine = _GENERATED_NAME.findall(recorded.decode("utf-8", "replace"))
    theirs = _GENERATED_NAME.findall(actual.decode("utf-8", "replace"))
    by_stem = {f"{stem}-{index}": f"{stem}-{index}-{suffix}" for stem, index, suffix in theirs}
    aliases = {}
    for stem, index, suffix in mine:
        name = f"{stem}-{index}-{suffix}"
        other = by_stem.get(f"{stem}-{index}")
        if other is not None and other != name:
            aliases[name] = other
    return aliases


# -- the client's side ----------------------------------------------------------------------


def _client_differences(interaction: Interaction) -> Iterator[Difference]:
    """The client's view is compared exactly in every mode: it is deterministic code."""
    from sagetune.codec import from_wire, to_wire
    from sagetune.errors import ValidationError
    from sagetune.model.operations import OPERATIONS

    name = protocol.operation_from_target(interaction.target)
    operation = OPERATIONS.get(name) if name else None
    if operation is None:
        return  # the simulator's own or CloudWatch Logs' operations: not the client's

    def difference(path: str, recorded: Any, actual: Any) -> Difference:
        return Difference(
            interaction=interaction.index,
            operation=interaction.operation,
            side="client",
            path=path,
            recorded=recorded,
            actual=actual,
        )

    document = _json(interaction.request_body or b"{}")
    if not isinstance(document, dict):
        yield difference("request", "a JSON object", document)
        return
    try:
        request = from_wire(operation.input, document)
    except ValidationError as exc:
        yield difference("request", "accepted", f"rejected: {exc}")
    else:
        for path, recorded, actual in _walk(document, to_wire(request), "request $"):
            yield difference(path, recorded, actual)
    if 200 <= interaction.status < 300:
        answer = _json(interaction.response_body)
        if isinstance(answer, dict):
            decoded = to_wire(from_wire(operation.output, answer))
            for path, recorded, actual in _walk(answer, decoded, "response $"):
                if actual == _MISSING:
                    actual = "dropped (not in the client's model)"
                yield difference(path, recorded, actual)


# -- normalization and comparison -----------------------------------------------------------

_GENERATED_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*?)-(\d{3})-([0-9a-f]{8})(?![0-9A-Za-z])")
_GENERATED_SUFFIX = re.compile(r"(-\d{3}-)[0-9a-f]{8}(?![0-9A-Za-z])")
_DURATION_KEYS = frozenset(
    {"RuntimeInSeconds", "TrainingTimeInSeconds", "BillableTimeInSeconds", "Epoch"}
)


def _strict(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item) for item in value]
    if isinstance(value, str):
        return _ARN_ACCOUNT.sub(r"\g<1><account>", value)
    return value


def _values(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        metric = "MetricName" in value or "Epoch" in value
        masked: dict[str, Any] = {}
        for name, item in value.items():
            if name == "TunedHyperParameters" and isinstance(item, dict):
                masked[name] = dict.fromkeys(item, "<tuned>")
            elif name == "Value" and metric:
                masked[name] = "<metric value>"
            else:
                masked[name] = _values(item, name)
        return masked
    if isinstance(value, list):
        return [_values(item, key) for item in value]
    if key.endswith(("Time", "Timestamp")) or key in _DURATION_KEYS:
        return "<time>"
    if key == "NextToken":
        return "<token>"
    if isinstance(value, str):
        value = _ARN_ACCOUNT.sub(r"\g<1><account>", value)
        return _GENERATED_SUFFIX.sub(r"\g<1><id>", value)
    return value


def _structure(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _structure(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes: dict[str, Any] = {}
        for item in value:
            shape = _structure(item)
            shapes.setdefault(json.dumps(shape, sort_keys=True), shape)
        return [shapes[key] for key in sorted(shapes)]
    if isinstance(value, bool):
        return "<boolean>"
    if isinstance(value, int | float):
        return "<number>"
    if isinstance(value, str):
        return "<string>"
    return "<null>"


_NORMALIZERS: dict[CompareMode, Callable[[Any], Any]] = {
    "strict": _strict,
    "values": _values,
    "structure": _structure,
}


def _walk(recorded: Any, actual: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Every place where two JSON values differ: (path, recorded, actual)."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key in [*recorded, *(k for k in actual if k not in recorded)]:
            here = f"{path}.{key}"
            if key not in actual:
                yield here, recorded[key], _MISSING
            elif key not in recorded:
                yield here, _MISSING, actual[key]
            else:
                yield from _walk(recorded[key], actual[key], here)
    elif isinstance(recorded, list) and isinstance(actual, list):
        for index, (mine, theirs) in enumerate(zip(recorded, actual, strict=False)):
            yield from _walk(mine, theirs, f"{path}[{index}]")
        if len(recorded) != len(actual):
            yield f"{path} length", len(recorded), len(actual)
    elif recorded != actual or (type(recorded) is bool) != (type(actual) is bool):
        yield path, recorded, actual  # (True == 1 in Python, not in JSON)


# -- small helpers --------------------------------------------------------------------------


def _json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value)


def _float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


def _target_path(uri: str) -> str:
    parts = urlsplit(uri)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([a-z0-9-]+)/")
_HOST_REGION = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com")


def _region_of(interactions: list[Interaction]) -> str:
    """The region a recording was made in: its signing scope, else its endpoint host."""
    for interaction in interactions:
        match = _SCOPE.search(interaction.request_headers.get("authorization", ""))
        if match:
            return match[1]
        match = _HOST_REGION.search(interaction.uri)
        if match:
            return match[1]
    return "us-east-1"


def _show(value: Any) -> str:
    text: str = value if value == _MISSING else json.dumps(value, default=str)
    return text if len(text) <= 120 else f"{text[:117]}..."


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except TypeError:
        return str(value)
    return value
