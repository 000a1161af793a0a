"""A training job's log, read from CloudWatch Logs the way SageMaker's SDKs read it.

SageMaker sends what a training job's instances print to log group
``/aws/sagemaker/TrainingJobs``, one stream per instance named ``<job>/algo-<n>-<epoch>``.
The SageMaker Python SDK (``Session.logs_for_job``, ``sagemaker.logs``) finds the streams
with DescribeLogStreams (``logStreamNamePrefix=<job>/``) and reads each with GetLogEvents
(``startFromHead=True``), following ``nextForwardToken``. CloudWatch answers with the very
token it was sent when nothing newer exists: that is the end of the stream for now, and a
reader that follows the log asks again later with that same token. A page may also come
back empty with a *new* token ("this operation can return empty results while there are
more log events available through the token"), so reading goes on until the token stops
moving, not until a page is empty; after many empty pages in a row one read gives up and
the next read carries on from the last token, so a service whose token keeps moving
costs a bounded number of calls per read, and nothing is lost.

The calls go through botocore's own ``logs`` client, made by
:func:`~sagetune.cli.botocore_clients.open_client` to reach where the SageMaker client
reaches, with its credentials.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from sagetune.cli import botocore_clients

if TYPE_CHECKING:
    from botocore.client import BaseClient

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
MAX_EMPTY_PAGES = 25
"""Empty pages in a row after which one read of a stream stops (the next read resumes)."""


@attrs.frozen(kw_only=True)
class LogEvent:
    stream: str
    timestamp: int  # milliseconds since the epoch
    message: str


class LogSource(Protocol):
    """The two CloudWatch Logs reads a log needs."""

    async def streams(self, job: str) -> list[str]:
        """The job's stream names (DescribeLogStreams by prefix ``<job>/``)."""
        ...

    async def page(self, stream: str, token: str | None) -> tuple[list[LogEvent], str | None]:
        """One GetLogEvents page from ``token`` (None: the head): events, nextForwardToken."""
        ...


def instance_of(stream: str) -> str:
    """``algo-2`` for stream ``<job>/algo-2-1767225600``."""
    name = stream.rsplit("/", 1)[-1]
    match = re.fullmatch(r"(algo-\d+)-\d+", name)
    return match.group(1) if match else name


async def read_new(
    source: LogSource, job: str, cursors: MutableMapping[str, str | None]
) -> list[LogEvent]:
    """Every event of the job's streams not read yet, oldest first; ``cursors`` (stream ->
    forward token) remembers where each stream was left and learns new streams."""
    for stream in await source.streams(job):
        cursors.setdefault(stream, None)
    events: list[LogEvent] = []
    for stream, token in list(cursors.items()):
        empty = 0
        while empty < MAX_EMPTY_PAGES:
            page, following = await source.page(stream, token)
            events.extend(page)
            if following is None or following == token:
                break  # the same token back: nothing newer for now
            token = following
            empty = 0 if page else empty + 1
        cursors[stream] = token
    events.sort(key=lambda event: event.timestamp)  # stable: a stream keeps its order
    return events


class CloudWatchLogs:
    """:class:`LogSource` over a botocore ``logs`` client."""

    def __init__(self, client: BaseClient) -> None:
        self._client: Any = client  # botocore's methods are made at run time

    async def streams(self, job: str) -> list[str]:
        answer = await botocore_clients.call(
            "DescribeLogStreams",
            self._client.describe_log_streams,
            logGroupName=LOG_GROUP,
            logStreamNamePrefix=f"{job}/",
        )
        return [str(s["logStreamName"]) for s in answer.get("logStreams") or ()]

    async def page(self, stream: str, token: str | None) -> tuple[list[LogEvent], str | None]:
        options: dict[str, Any] = {
            "logGroupName": LOG_GROUP,
            "logStreamName": stream,
            "startFromHead": True,
        }
        if token is not None:
            options["nextToken"] = token
        answer = await botocore_clients.call("GetLogEvents", self._client.get_log_events, **options)
        events = [
            LogEvent(stream=stream, timestamp=int(e.get("timestamp", 0)), message=e["message"])
            for e in answer.get("events") or ()
        ]
        following = answer.get("nextForwardToken")
        return events, str(following) if following is not None else None


def format_event(event: LogEvent, streams: Sequence[str]) -> str:
    """The message as written; prefixed with its instance when the job has several."""
    if len(streams) > 1:
        return f"[{instance_of(event.stream)}] {event.message}"
    return event.message
