"""Retries with botocore's standard-mode semantics, driven through real HTTP stacks with an
injected sleep and jitter (nothing waits on the wall clock)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient, errors
from sagetune.config import ClientConfig
from sagetune.model import (
    DescribeHyperParameterTuningJobRequest,
)
from tests.client.aws_double import (
    AKID,
    EXAMPLE_ANSWERS,
    REGION,
    SECRET,
    FakeClock,
    RawServer,
    RecordingSleep,
    ScriptedService,
    error,
    fails,
)

DESCRIBE = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="tune-1")
JITTER = 0.5


def client(service: ScriptedService, sleep: RecordingSleep, **options: Any) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
        sleep=sleep,
        **({"random": lambda: JITTER} | options),
    )


async def test_throttling_then_success_retries_after_a_jittered_backoff() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(400, "ThrottlingException", "Rate exceeded"))
    async with client(service, sleep) as sm:
        out = await sm.describe_hyper_parameter_tuning_job(DESCRIBE)

    assert out.response_metadata is not None
    assert out.response_metadata.attempts == 2
    assert out.response_metadata.request_id == "req-2"
    assert sleep.calls == [JITTER * 1]
    assert [s.headers["amz-sdk-request"] for s in service.seen] == [
        "attempt=1; max=3",
        "attempt=2; max=3",
    ]
    invocation_ids = {s.headers["amz-sdk-invocation-id"] for s in service.seen}
    assert len(invocation_ids) == 1  # one call, two attempts


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_transient_status_then_success_is_retried(status: int) -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(status, "ServiceUnavailable", "try later"))
    async with client(service, sleep) as sm:
        out = await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert out.response_metadata is not None
    assert out.response_metadata.attempts == 2
    assert len(service.seen) == 2


async def test_exhausted_retries_raise_the_last_error_after_exponential_backoff() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(*[error(503, "ServiceUnavailable", f"down {i}") for i in range(5)])
    async with client(service, sleep) as sm:
        with pytest.raises(errors.ServiceUnavailable) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)

    assert caught.value.message == "down 2"
    assert len(service.seen) == 3
    assert sleep.calls == [JITTER * 1, JITTER * 2]


async def test_max_attempts_from_config_bounds_the_attempts() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(*[error(500, "InternalFailure", "x") for _ in range(10)])
    config = ClientConfig(max_attempts=5)
    async with client(service, sleep, config=config) as sm:
        with pytest.raises(errors.InternalFailure):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert len(service.seen) == 5
    assert sleep.calls == [JITTER * 1, JITTER * 2, JITTER * 4, JITTER * 8]


async def test_backoff_is_capped_at_twenty_seconds() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(*[error(500, "InternalFailure", "x") for _ in range(8)])
    async with client(
        service, sleep, config=ClientConfig(max_attempts=8), random=lambda: 1.0
    ) as sm:
        with pytest.raises(errors.InternalFailure):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert sleep.calls == [1, 2, 4, 8, 16, 20, 20]


async def test_max_attempts_of_one_disables_retries() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(400, "ThrottlingException", "slow down"))
    async with client(service, sleep, config=ClientConfig(max_attempts=1)) as sm:
        with pytest.raises(errors.ThrottlingException):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert sleep.calls == []


async def test_client_errors_are_not_retried() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(400, "ValidationException", "bad"))
    async with client(service, sleep) as sm:
        with pytest.raises(errors.ValidationException):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert len(service.seen) == 1
    assert sleep.calls == []


async def test_http_429_with_an_unknown_code_is_retried_as_throttling() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(429, "SomethingNew", "too many"))
    async with client(service, sleep) as sm:
        await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert len(service.seen) == 2


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError, errors.ConnectionFailure),
        (httpx.ReadTimeout, errors.ReadTimeoutFailure),
    ],
)
async def test_transport_failures_are_retried_then_raised_as_sagetune_errors(
    failure: type[httpx.TransportError], expected: type[errors.TransportError]
) -> None:
    sleep = RecordingSleep()
    service = ScriptedService(fails(failure), fails(failure), fails(failure))
    async with client(service, sleep) as sm:
        with pytest.raises(expected) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert len(service.seen) == 3
    assert isinstance(caught.value, errors.SageTuneError)
    assert isinstance(caught.value.__cause__, Exception)


async def test_every_retry_is_signed_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    import sagetune.signing

    start = dt.datetime(2026, 5, 1, 12, 0, 0, tzinfo=dt.UTC).timestamp()
    times = iter([start, start + 7])
    monkeypatch.setattr(sagetune.signing, "wall_clock", lambda: next(times))
    sleep = RecordingSleep()
    service = ScriptedService(error(503, "ServiceUnavailable", "x"))
    async with client(service, sleep) as sm:
        await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    first, second = (s.headers for s in service.seen)
    assert (first["x-amz-date"], second["x-amz-date"]) == ("20260501T120000Z", "20260501T120007Z")
    assert first["authorization"] != second["authorization"]


async def test_retry_quota_stops_retries_when_the_service_keeps_failing() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(defaults={"DescribeHyperParameterTuningJob": error(500, "X", "y")})
    async with client(service, sleep) as sm:
        for _ in range(60):
            with pytest.raises(errors.ServiceError):
                await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    # 500 tokens / 5 per retry = 100 retries across all calls, then first attempts only.
    assert len(sleep.calls) == 100
    assert len(service.seen) == 60 + 100


def test_sync_client_retries_with_its_blocking_sleep() -> None:
    sleep = RecordingSleep()
    service = ScriptedService(error(400, "ThrottlingException", "x"), error(503, "Y", "z"))
    with SageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.sync_client(),
        sleep=sleep.blocking,
        random=lambda: JITTER,
    ) as sm:
        out = sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert out.response_metadata is not None
    assert out.response_metadata.attempts == 3
    assert sleep.calls == [JITTER * 1, JITTER * 2]


async def test_adaptive_mode_rate_limits_sends_once_throttled() -> None:
    clock = FakeClock()
    service = ScriptedService(*[error(400, "ThrottlingException", "x") for _ in range(2)])
    async with AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
        config=ClientConfig(retry_mode="adaptive"),
        sleep=clock.sleep,
        clock=clock,
        random=lambda: JITTER,
    ) as sm:
        await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    # backoff 0.5, then a token-bucket wait (0.5 req/s after the first throttle), backoff
    # 1.0, then another token wait: the limiter paces the sends, standard mode would not.
    assert clock.sleeps == pytest.approx([0.5, 1.5, 1.0, 1.0])
    assert len(service.seen) == 3


# -- through a real socket ----------------------------------------------------------------


def socket_client(server: RawServer, sleep: RecordingSleep, **options: Any) -> SageMakerClient:
    return SageMakerClient(
        region_name=REGION,
        endpoint_url=server.url,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        sleep=sleep.blocking,
        random=lambda: JITTER,
        **options,
    )


def test_connection_reset_then_success_over_a_socket(raw_server: RawServer) -> None:
    body = json.dumps(EXAMPLE_ANSWERS["DescribeHyperParameterTuningJob"]).encode()
    actions = iter([("reset", 0, b""), ("respond", 200, body)])
    raw_server.handler = lambda target, payload: next(actions)
    sleep = RecordingSleep()
    with socket_client(raw_server, sleep) as sm:
        out = sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert out.hyper_parameter_tuning_job_name == "tune-1"
    assert out.response_metadata is not None
    assert out.response_metadata.attempts == 2
    assert len(raw_server.requests) == 2


async def test_read_timeout_over_a_socket_is_retried_then_raised(raw_server: RawServer) -> None:
    raw_server.handler = lambda target, payload: ("hang", 0, b"")
    sleep = RecordingSleep()
    async with AsyncSageMakerClient(
        region_name=REGION,
        endpoint_url=raw_server.url,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        sleep=sleep,
        random=lambda: JITTER,
        config=ClientConfig(read_timeout=0.2, max_attempts=2),
    ) as sm:
        with pytest.raises(errors.ReadTimeoutFailure) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert "read timeout" in str(caught.value)
    assert len(raw_server.requests) == 2
    assert sleep.calls == [JITTER]
