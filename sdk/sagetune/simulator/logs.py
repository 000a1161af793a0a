"""CloudWatch Logs as CloudWatch behaves, for the training jobs' logs.

Served over AWS JSON 1.1 (``X-Amz-Target: Logs_20140328.<Op>``, signed for ``logs``):
``GetLogEvents``, ``DescribeLogStreams`` and ``FilterLogEvents``, following the API
reference (botocore's ``logs`` model; notes in /work/notes/fidelity/cloudwatch-logs.md).

SageMaker's naming: one log group, ``/aws/sagemaker/TrainingJobs`` (it exists once a
training job does), and one stream per training job, ``<job>/algo-1-<epoch seconds the
instance came up>``, which appears when the algorithm writes its first line. Each log line
is one event; its timestamp (and ingestion time) is the simulated time it was written, in
milliseconds. A stream's events keep their order; an event's position in it (0-based)
is what GetLogEvents' tokens carry: ``f/<56 digits>/s`` forward, ``b/<56 digits>/s``
backward, as AWS spells them.

GetLogEvents: ``startTime`` inclusive, ``endTime`` exclusive, ``limit`` (default: as many as
fit 1 MB, at most 10,000), ``startFromHead`` (default false: the newest events). A forward
page with nothing new returns the very token it was given (how followers poll); so does a
backward page at the start. FilterLogEvents: every stream of the group, or the ones named
(``logStreamNames``) or prefixed (``logStreamNamePrefix``), interleaved by timestamp;
``startTime`` and ``endTime`` both inclusive; ``filterPattern`` in the subset ``pattern``
describes; ``nextToken`` only while more matching events exist.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from sagetune.errors import ServiceError
from sagetune.simulator.engine import Engine
from sagetune.simulator.members import (
    Boolean,
    Integer,
    Invalid,
    ListOf,
    String,
    Structure,
    coral_message,
    coral_path,
    read,
)
from sagetune.simulator.page_tokens import encode_offset, page_start
from sagetune.simulator.records import TrainingJobRecord
from sagetune.simulator.store import Store

__all__ = [
    "LOGS_TARGET_PREFIX",
    "LOG_GROUP",
    "CloudWatchLogs",
    "FilterPattern",
    "InvalidParameterException",
    "ResourceNotFoundException",
]

LOGS_TARGET_PREFIX = "Logs_20140328"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
MAX_EVENTS = 10_000
PAGE_BYTES = 1_048_576
EVENT_OVERHEAD = 26
"""Bytes counted per event besides its message (CloudWatch's PutLogEvents accounting)."""
MAX_STREAMS = 50
NEWEST_FIRST_SINCE_MS = 1_704_067_200_000
"""FilterLogEvents with startFromHead false needs a startTime on or after 2024-01-01."""


class ResourceNotFoundException(ServiceError):
    """A log group or stream that does not exist."""

    CODE = "ResourceNotFoundException"


class InvalidParameterException(ServiceError):
    """A parameter is specified incorrectly (CloudWatch Logs' code for model violations too)."""

    CODE = "InvalidParameterException"


class SerializationException(ServiceError):
    """A member of the wrong JSON type."""

    CODE = "SerializationException"


# -- request descriptions (the logs model)

_GROUP = {
    "logGroupName": String(1, 512, r"[\.\-_/#A-Za-z0-9]+"),
    "logGroupIdentifier": String(1, 2048, r"[\w#+=/:,.@-]*"),
}
_STREAM_NAME = String(1, 512, r"[^:*]*")
_TIME = Integer(min=0)
_TOKEN = String(min_len=1)
_EVENTS_LIMIT = Integer(1, MAX_EVENTS)

GET_LOG_EVENTS = Structure(
    {
        **_GROUP,
        "logStreamName": _STREAM_NAME,
        "startTime": _TIME,
        "endTime": _TIME,
        "nextToken": _TOKEN,
        "limit": _EVENTS_LIMIT,
        "startFromHead": Boolean(),
        "unmask": Boolean(),
    },
    required=("logStreamName",),
)
DESCRIBE_LOG_STREAMS = Structure(
    {
        **_GROUP,
        "logStreamNamePrefix": _STREAM_NAME,
        "orderBy": String(enum=("LogStreamName", "LastEventTime")),
        "descending": Boolean(),
        "nextToken": _TOKEN,
        "limit": Integer(1, MAX_STREAMS),
    }
)
FILTER_LOG_EVENTS = Structure(
    {
        **_GROUP,
        "logStreamNames": ListOf(_STREAM_NAME, 1, 100),
        "logStreamNamePrefix": _STREAM_NAME,
        "startTime": _TIME,
        "endTime": _TIME,
        "filterPattern": String(0, 1024),
        "nextToken": _TOKEN,
        "limit": _EVENTS_LIMIT,
        "startFromHead": Boolean(),
        "interleaved": Boolean(),
        "unmask": Boolean(),
    }
)


@attrs.frozen
class Stream:
    """A training job's log stream, as far as it has been written."""

    name: str
    job: str
    job_seq: int
    count: int
    first_t: float
    last_t: float


class CloudWatchLogs:
    """The Logs operations over the engine's training jobs and the store's log lines."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self._operations: Mapping[str, tuple[Structure, Callable[[dict[str, Any]], Any]]] = {
            "GetLogEvents": (GET_LOG_EVENTS, self.get_log_events),
            "DescribeLogStreams": (DESCRIBE_LOG_STREAMS, self.describe_log_streams),
            "FilterLogEvents": (FILTER_LOG_EVENTS, self.filter_log_events),
        }

    def call(self, operation: str, data: dict[str, Any]) -> dict[str, Any]:
        entry = self._operations.get(operation)
        if entry is None:
            raise ServiceError(
                f"The simulator serves CloudWatch Logs {', '.join(self._operations)}, "
                f"not {operation}.",
                code="UnknownOperationException",
            )
        shape, handler = entry
        try:
            request = read(shape, data)
        except Invalid as invalid:
            wrong = invalid.type_problems
            if wrong:
                first = wrong[0]
                raise SerializationException(
                    f"Cannot read '{coral_path(first.path)}': {first.rule}, "
                    f"got the {first.got} {first.value!r}."
                ) from None
            raise InvalidParameterException(coral_message(invalid.problems)) from None
        result: dict[str, Any] = handler(request)
        return result

    # -- streams

    def _check_group(self, request: Mapping[str, Any]) -> None:
        name = request.get("logGroupName")
        identifier = request.get("logGroupIdentifier")
        if (name is None) == (identifier is None):
            raise InvalidParameterException(
                "You must specify either logGroupName or logGroupIdentifier, but not both."
            )
        if identifier is not None:
            arn_prefix = f"arn:aws:logs:{self.engine.region}:{self.engine.account_id}:log-group:"
            name = identifier
            if identifier.startswith(arn_prefix):
                name = identifier.removeprefix(arn_prefix).removesuffix(":*")
        if name != LOG_GROUP or not self.engine.training_jobs():
            raise ResourceNotFoundException("The specified log group does not exist.")

    def _stream_of(self, rec: TrainingJobRecord) -> Stream | None:
        if rec.lines_consumed == 0 or rec.training_start is None:
            return None
        bounds = self.store.log_bounds(rec.name)
        if bounds is None:
            return None
        count, first_t, last_t = bounds
        return Stream(
            name=f"{rec.name}/algo-1-{int(rec.training_start)}",
            job=rec.name,
            job_seq=rec.seq,
            count=count,
            first_t=first_t,
            last_t=last_t,
        )

    def _stream_named(self, name: str) -> Stream:
        rec = self.engine.training_job(name.split("/", 1)[0])
        stream = self._stream_of(rec) if rec is not None else None
        if stream is None or stream.name != name:
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return stream

    def _streams(self, prefix: str = "") -> list[Stream]:
        """Every stream whose name starts with ``prefix``, by name."""
        job_prefix = prefix.split("/", 1)[0]
        found = []
        for rec in self.engine.training_jobs():
            if rec.lines_consumed and rec.name.startswith(job_prefix):
                stream = self._stream_of(rec)
                if stream is not None and stream.name.startswith(prefix):
                    found.append(stream)
        found.sort(key=lambda s: s.name.encode())
        return found

    def _stream_fields(self, stream: Stream) -> dict[str, Any]:
        first, last = _ms(stream.first_t), _ms(stream.last_t)
        return {
            "logStreamName": stream.name,
            "creationTime": first,
            "firstEventTimestamp": first,
            "lastEventTimestamp": last,
            "lastIngestionTime": last,
            "uploadSequenceToken": f"{stream.count:056d}",
            "arn": (
                f"arn:aws:logs:{self.engine.region}:{self.engine.account_id}:log-group:"
                f"{LOG_GROUP}:log-stream:{stream.name}"
            ),
            "storedBytes": 0,
        }

    def describe_log_streams(self, request: dict[str, Any]) -> dict[str, Any]:
        self._check_group(request)
        prefix = request.get("logStreamNamePrefix")
        by_time = request.get("orderBy") == "LastEventTime"
        if by_time and prefix is not None:
            raise InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix."
            )
        streams = self._streams(prefix or "")
        if by_time:  # stable: streams with the same last event stay in name order
            streams.sort(key=lambda s: _ms(s.last_t))
        if request.get("descending", False):
            streams.reverse()
        listing = "streams-by-time" if by_time else "streams-by-name"
        start = page_start(
            request.get("nextToken"),
            listing,
            len(streams),
            lambda: InvalidParameterException("The specified nextToken is invalid."),
        )
        end = start + request.get("limit", MAX_STREAMS)
        result: dict[str, Any] = {
            "logStreams": [self._stream_fields(s) for s in streams[start:end]]
        }
        if end < len(streams):
            result["nextToken"] = encode_offset(listing, end)
        return result

    # -- GetLogEvents

    def get_log_events(self, request: dict[str, Any]) -> dict[str, Any]:
        self._check_group(request)
        stream = self._stream_named(request["logStreamName"])
        limit = request.get("limit", MAX_EVENTS)
        start_ms, end_ms = request.get("startTime"), request.get("endTime")
        token = request.get("nextToken")
        if token is not None:
            forward, position = _read_event_token(token, stream.count)
        else:
            forward, position = request.get("startFromHead", False), None
        rows = self.store.log_events(
            stream.job,
            after=position or 0 if forward else 0,
            before=None if forward else position,
            start_ms=start_ms,
            end_ms=end_ms,
            limit=limit,
            newest_first=not forward,
        )
        rows = rows[: _fitting(rows)]
        if not forward:
            rows.reverse()
        if rows:
            next_forward = _event_token("f", rows[-1][0] + 1)
            next_backward = _event_token("b", rows[0][0])
        elif token is not None:  # nothing further this way: the same token comes back
            next_forward = token if forward else _event_token("f", position or 0)
            next_backward = token if not forward else _event_token("b", position or 0)
        else:  # nothing in range yet: point at the end, where new events will appear
            next_forward = _event_token("f", stream.count)
            next_backward = _event_token("b", stream.count)
        return {
            "events": [
                {"timestamp": _ms(t), "message": line, "ingestionTime": _ms(t)}
                for _, t, line in rows
            ],
            "nextForwardToken": next_forward,
            "nextBackwardToken": next_backward,
        }

    # -- FilterLogEvents

    def filter_log_events(self, request: dict[str, Any]) -> dict[str, Any]:
        self._check_group(request)
        names = request.get("logStreamNames")
        prefix = request.get("logStreamNamePrefix")
        if names is not None and prefix is not None:
            raise InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive: give one."
            )
        pattern = FilterPattern.parse(request.get("filterPattern") or "")
        start_ms, end_ms = request.get("startTime"), request.get("endTime")
        token = request.get("nextToken")
        if token is not None:
            descending, after = _read_filter_token(token)
        else:
            descending, after = not request.get("startFromHead", True), None
            if descending and (start_ms is None or start_ms < NEWEST_FIRST_SINCE_MS):
                raise InvalidParameterException(
                    "startFromHead false needs a startTime on or after 2024-01-01T00:00:00Z "
                    f"({NEWEST_FIRST_SINCE_MS})."
                )
        streams = self._streams(prefix or "")
        if names is not None:
            wanted = set(names)
            streams = [s for s in streams if s.name in wanted]
        by_job = {s.job: s for s in streams}
        limit = request.get("limit", MAX_EVENTS)
        matched: list[tuple[int, str, int, float, str]] = []
        more = False
        size = 0
        rows = self.store.log_events_across(
            set(by_job),
            start_ms=start_ms,
            end_ms=None if end_ms is None else end_ms + 1,  # endTime is inclusive here
            after=after,
            descending=descending,
        )
        for row in rows if by_job else ():
            if not pattern.matches(row[4]):
                continue
            size += len(row[4].encode()) + EVENT_OVERHEAD
            if len(matched) == limit or (matched and size > PAGE_BYTES):
                more = True
                break
            matched.append(row)
        result: dict[str, Any] = {
            "events": [
                {
                    "logStreamName": by_job[job].name,
                    "timestamp": ms,
                    "message": line,
                    "ingestionTime": ms,
                    "eventId": f"{by_job[job].job_seq:020d}{seq:036d}",
                }
                for ms, job, seq, _, line in matched
            ],
            "searchedLogStreams": [],
        }
        if more:
            last = matched[-1]
            result["nextToken"] = _filter_token(descending, (last[0], last[1], last[2]))
        return result


@attrs.frozen
class FilterPattern:
    """The subset of CloudWatch's filter pattern syntax the simulator matches.

    Terms are case-sensitive substrings: ``ERROR Exception`` needs every term,
    ``"exact phrase"`` a quoted phrase, ``?ERROR ?WARN`` any one of the ``?`` terms,
    ``-DEBUG`` excludes. An empty pattern matches every event. JSON (``{ $.x = 1 }``),
    space-delimited (``[a, b]``) and regex (``%...%``) patterns are refused.
    """

    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FilterPattern:
        stripped = text.strip()
        if stripped[:1] in ("{", "[", "%"):
            raise InvalidParameterException(
                "Invalid filter pattern: the simulator matches terms, quoted phrases, "
                "?any-of and -excluded terms only, not JSON, space-delimited or regex patterns."
            )
        try:
            words = shlex.split(stripped, posix=True)
        except ValueError:
            raise InvalidParameterException(
                "Invalid filter pattern: a quoted phrase is not closed."
            ) from None
        required, any_of, excluded = [], [], []
        for word in words:
            if word.startswith("?") and len(word) > 1:
                any_of.append(word[1:])
            elif word.startswith("-") and len(word) > 1:
                excluded.append(word[1:])
            elif word:
                required.append(word)
        return cls(tuple(required), tuple(any_of), tuple(excluded))

    def matches(self, message: str) -> bool:
        return (
            all(term in message for term in self.required)
            and (not self.any_of or any(term in message for term in self.any_of))
            and not any(term in message for term in self.excluded)
        )


def _ms(t: float) -> int:
    return int(t * 1000)


def _fitting(rows: Iterable[tuple[int, float, str]]) -> int:
    """How many of ``rows`` (in reading order) fit in one 1 MB page (at least one)."""
    size = 0
    count = 0
    for _, _, line in rows:
        size += len(line.encode()) + EVENT_OVERHEAD
        if count and size > PAGE_BYTES:
            break
        count += 1
    return count


_EVENT_TOKEN = re.compile(r"([fb])/([0-9]{56})(?:/s)?")


def _event_token(direction: str, position: int) -> str:
    return f"{direction}/{position:056d}/s"


def _read_event_token(token: str, count: int) -> tuple[bool, int]:
    """(forward?, position) of a GetLogEvents token for a stream of ``count`` events."""
    match = _EVENT_TOKEN.fullmatch(token)
    position = int(match.group(2)) if match is not None else -1
    if match is None or position > count:
        raise InvalidParameterException("The specified nextToken is invalid.")
    return match.group(1) == "f", position


def _filter_token(descending: bool, key: tuple[int, str, int]) -> str:
    payload = json.dumps(["b" if descending else "f", *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii")


def _read_filter_token(token: str) -> tuple[bool, tuple[int, str, int]]:
    """(descending?, the last event's key) of a FilterLogEvents token."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError, RecursionError):
        decoded = None
    if (
        isinstance(decoded, list)
        and len(decoded) == 4
        and decoded[0] in ("f", "b")
        and all(type(v) is int and 0 <= v < 1 << 62 for v in (decoded[1], decoded[3]))
        and isinstance(decoded[2], str)
    ):
        return decoded[0] == "b", (decoded[1], decoded[2], decoded[3])
    raise InvalidParameterException("The specified nextToken is invalid.")
