"""The simulator's own operations (``SageTuneSimulator.*``), called through a client.

The reference simulator answers a few calls SageMaker does not have: which completion
criterion ended a tuning job, and its clock (simulated time, which the commands show and
measure ages on). They are AWS JSON 1.1 calls signed for ``sagemaker`` like any
other, so they go through the client's own call path (``call_json``: signing, retries,
hooks, typed errors). A real AWS endpoint answers them with an error, which tells the
commands that they talk to AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from sagetune.errors import ServiceError

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient

TARGET_PREFIX = "SageTuneSimulator"
AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "c2s.ic.gov", "sc2s.sgov.gov", "api.aws")


@attrs.frozen(kw_only=True)
class SimulatorClock:
    """The simulator's clock: simulated epoch seconds and its kind (ManualClock ...)."""

    now: float
    kind: str


async def call(
    client: AsyncSageMakerClient, operation: str, document: Mapping[str, Any]
) -> dict[str, Any]:
    """``SageTuneSimulator.<operation>``: the answer's JSON object, or the typed error."""
    return await client.call_json(f"{TARGET_PREFIX}.{operation}", document)


def is_aws_endpoint(url: str) -> bool:
    """An AWS service domain: no simulator there, so no need to ask."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in AWS_DOMAINS)


async def clock(client: AsyncSageMakerClient) -> SimulatorClock | None:
    """The simulator's clock, or None when the endpoint is not a sagetune simulator."""
    if is_aws_endpoint(client.config.endpoint_url):
        return None
    try:
        data = await call(client, "GetClock", {})
    except ServiceError:
        return None
    now = data.get("Now")
    if not isinstance(now, int | float):
        return None
    return SimulatorClock(now=float(now), kind=str(data.get("Kind", "")))


async def completion_reason(client: AsyncSageMakerClient, tuning_job: str) -> str | None:
    """Which completion criterion ended the tuning job (None while running, or unknown)."""
    try:
        data = await call(
            client, "GetTuningJobCompletionReason", {"HyperParameterTuningJobName": tuning_job}
        )
    except ServiceError:
        return None
    reason = data.get("CompletionReason")
    return str(reason) if reason else None
