"""sagetune's cassettes: vcrpy configured for AWS JSON 1.1, scrubbed, with errors that help.

:func:`use_cassette` is what the pytest plugin uses and what code outside pytest can use::

    with use_cassette("cassettes/launch.yaml", record_mode="none"):
        ...  # every request is answered from the cassette, or fails with a diff

- matching: method, ``X-Amz-Target`` and the JSON body (:mod:`sagetune.testing.matching`);
- scrubbing: credentials and (by default) account ids never reach the file
  (:mod:`sagetune.testing.scrubbing`); the same scrubbing normalizes each request before it
  is matched, so a request and its recording compare alike;
- each recorded interaction replays once, in order of recording: a client must make the
  same calls again (its sleep and clock injected, see :mod:`sagetune.testing.clocks`);
- recording against the in-process simulator adds the simulated time of each answer as the
  response header ``X-SageTune-Simulator-Time``; ``sagetune cassettes verify`` replays the
  requests on a fresh simulator at the same simulated times;
- a request that is not in the cassette raises :class:`CassetteMismatchError`, naming the
  operation, the cassette, and the JSON diff against the closest recorded request.

Record modes are vcrpy's: ``none`` (replay only; the default when ``CI`` is set), ``once``
(record a missing cassette, else replay; the default elsewhere), ``new_episodes`` (replay
what matches, record the rest) and ``all`` (record everything again, dropping the old).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vcr.cassette import Cassette, CassetteContextDecorator
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.record_mode import RecordMode as VcrRecordMode
from vcr.request import Request

from sagetune.testing.matching import (
    MATCHERS,
    body_diff,
    closest_request,
    operation_of,
    requests_match,
)
from sagetune.testing.record_modes import RECORD_MODES, RecordMode, check_record_mode
from sagetune.testing.scrubbing import Scrubber

__all__ = [
    "RECORD_MODES",
    "TIME_HEADER",
    "CassetteMismatchError",
    "RecordMode",
    "SageTuneCassette",
    "describe_mismatch",
    "unplayed_interactions",
    "use_cassette",
]

TIME_HEADER = "X-SageTune-Simulator-Time"
"""Response header holding the simulator's clock when it answered (seconds since the epoch)."""

RECORD_HINT = (
    "pytest --sagetune-record-mode=all <test id>, or `sagetune cassettes record` for every cassette"
)


class CassetteMismatchError(CannotOverwriteExistingCassetteException):
    """A request the cassette cannot answer (and the record mode forbids recording).

    ``operation`` is the request's operation, ``path`` the cassette's file; the message
    holds the JSON diff against the closest recorded request and how to re-record.
    A subclass of vcrpy's own error, so code that catches that one keeps working.
    """

    def __init__(self, cassette: Cassette, request: Request) -> None:
        super().__init__(cassette=cassette, failed_request=request)
        self.operation = operation_of(request)
        self.path = cassette.path
        self.args = (describe_mismatch(cassette, request),)

    def __str__(self) -> str:
        return str(self.args[0])


class SageTuneCassette(Cassette):
    """vcrpy's cassette, raising :class:`CassetteMismatchError` instead of vcrpy's error.

    vcrpy's transport stubs call ``filter_request`` on a request the cassette cannot play
    just before they raise; raising our own error there keeps vcrpy's control flow intact.
    """

    def filter_request(self, request: Request) -> Request | None:
        filtered = super().filter_request(request)
        if (
            filtered is not None
            and self.write_protected
            and not self.can_play_response_for(request)
        ):
            raise CassetteMismatchError(self, filtered)
        return filtered


def use_cassette(
    path: str | os.PathLike[str],
    *,
    record_mode: RecordMode = "none",
    scrubber: Scrubber | None = None,
    simulated_time: Callable[[], float | None] | None = None,
    allow_playback_repeats: bool = False,
    save_on_error: bool = False,
) -> CassetteContextDecorator:
    """A vcrpy cassette context (entering it yields the :class:`SageTuneCassette`).

    ``simulated_time``: the simulator's clock (None: no simulator), to stamp each recorded
    answer with (``TIME_HEADER``). ``save_on_error``: keep what was recorded when the block raises
    (default: a failed recording writes nothing, so it cannot be replayed by mistake).
    """
    mode = check_record_mode(record_mode)
    scrub = scrubber if scrubber is not None else Scrubber()

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        response = scrub.response(response)
        now = simulated_time() if simulated_time is not None else None
        if now is not None:
            headers = response.setdefault("headers", {})
            if not any(name.lower() == TIME_HEADER.lower() for name in headers):
                headers[TIME_HEADER] = [repr(float(now))]
        return response

    return SageTuneCassette.use(
        path=os.fspath(path),
        record_mode=VcrRecordMode(mode),
        match_on=MATCHERS,
        before_record_request=scrub.request,
        before_record_response=before_record_response,
        allow_playback_repeats=allow_playback_repeats,
        drop_unused_requests=mode == "all",
        record_on_exception=save_on_error,
    )


def unplayed_interactions(cassette: Cassette) -> list[str]:
    """``#7 DescribeHyperParameterTuningJob`` for each recorded interaction never played."""
    return [
        f"#{index + 1} {operation_of(request)}"
        for index, request in enumerate(cassette.requests)
        if cassette.play_counts[index] == 0
    ]


def describe_mismatch(cassette: Cassette, request: Request) -> str:
    """Why ``request`` cannot be answered from ``cassette``, and what to do about it."""
    operation = operation_of(request)
    recorded = cassette.requests
    played = [cassette.play_counts[index] > 0 for index in range(len(recorded))]
    mode = getattr(cassette.record_mode, "value", cassette.record_mode)
    lines = [
        f"{operation} is not in cassette {cassette.path} "
        f"(record mode {mode!r}: requests are answered from the cassette, never sent).",
    ]
    if not recorded and not cassette.rewound:
        lines += [
            "The cassette does not exist (or is empty).",
            f"Record it: pytest --sagetune-record-mode=once <test id>, or {RECORD_HINT}.",
        ]
        return "\n".join(lines)
    lines.append(
        f"The cassette holds {len(recorded)} interactions, {sum(played)} played so far: "
        + _operation_counts(recorded)
        + "."
    )
    identical = [i for i, stored in enumerate(recorded) if requests_match(request, stored)]
    if identical:
        lines += [
            f"All {len(identical)} recorded {operation} requests with this body have been "
            "played already: the code sent it more often than when the cassette was recorded "
            "(a poll loop that does not use the injected sleep and clock makes a different "
            "number of calls).",
            f"If the new behaviour is intended, re-record: {RECORD_HINT}.",
        ]
        return "\n".join(lines)
    index = closest_request(request, recorded, played)
    if index is None or operation_of(recorded[index]) != operation:
        lines.append(f"No {operation} request was recorded.")
    else:
        state = "already played" if played[index] else "not played yet"
        lines += [
            f"Closest recorded request: interaction #{index + 1} {operation} ({state}); "
            "its JSON body differs:",
            _indent(body_diff(recorded[index].body, request.body)),
        ]
    lines.append(f"If the request changed on purpose, re-record: {RECORD_HINT}.")
    return "\n".join(lines)


def _operation_counts(requests: list[Request]) -> str:
    counts = Counter(operation_of(request) for request in requests)
    return ", ".join(f"{name} x{count}" for name, count in counts.items())


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def cassette_path(path: str | os.PathLike[str]) -> Path:
    """``path`` with a ``.yaml`` suffix added when it has none."""
    result = Path(path)
    return result if result.suffix in (".yaml", ".yml") else result.with_name(result.name + ".yaml")
