"""Opening and closing clients, checks before any I/O, and hooks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.client import RequestEvent, ResponseEvent
from sagetune.codec import from_wire
from sagetune.errors import ValidationError
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeTrainingJobRequest,
    StopTrainingJobRequest,
)
from tests.client.aws_double import (
    AKID,
    REGION,
    SECRET,
    TUNING_JOB_WIRE,
    RecordingSleep,
    ScriptedService,
    error,
)

STOP = StopTrainingJobRequest(training_job_name="train-1")
KEYS: dict[str, Any] = {
    "region_name": REGION,
    "aws_access_key_id": AKID,
    "aws_secret_access_key": SECRET,
}


def invalid_tuning_job() -> CreateHyperParameterTuningJobRequest:
    """Valid member by member, but MinValue > MaxValue: only the rules layer catches it."""
    wire = {**TUNING_JOB_WIRE}
    config = {**wire["HyperParameterTuningJobConfig"]}
    config["ParameterRanges"] = {
        "IntegerParameterRanges": [
            {"Name": "max_depth", "MinValue": "10", "MaxValue": "3", "ScalingType": "Linear"}
        ]
    }
    wire["HyperParameterTuningJobConfig"] = config
    return from_wire(CreateHyperParameterTuningJobRequest, wire)


async def test_async_with_closes_the_http_client_it_created() -> None:
    async with AsyncSageMakerClient(**KEYS) as sm:
        inner = sm.http_client
        assert inner is not None
        assert not inner.is_closed
    assert inner.is_closed


def test_with_closes_the_sync_http_client_it_created() -> None:
    with SageMakerClient(**KEYS) as sm:
        inner = sm.http_client
    assert inner.is_closed


async def test_a_users_http_client_is_used_and_left_open() -> None:
    service = ScriptedService()
    mine = service.async_client()
    async with AsyncSageMakerClient(**KEYS, http_client=mine) as sm:
        assert sm.http_client is mine
        await sm.stop_training_job(STOP)
    assert not mine.is_closed
    assert len(service.seen) == 1
    await mine.aclose()


async def test_usable_without_with_and_aclose_releases_connections() -> None:
    sm = AsyncSageMakerClient(**KEYS)
    inner = sm.http_client
    assert inner is not None
    await sm.aclose()
    await sm.aclose()  # idempotent
    assert inner.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await sm.stop_training_job(STOP)


def test_sync_close_is_idempotent_and_a_closed_client_refuses_calls() -> None:
    sm = SageMakerClient(**KEYS)
    sm.close()
    sm.close()
    with pytest.raises(RuntimeError, match="closed"):
        sm.stop_training_job(STOP)


async def test_rule_violations_raise_before_any_io() -> None:
    service = ScriptedService()
    async with AsyncSageMakerClient(**KEYS, http_client=service.async_client()) as sm:
        with pytest.raises(ValidationError) as caught:
            await sm.create_hyper_parameter_tuning_job(invalid_tuning_job())
    assert service.seen == []
    assert "MinValue" in str(caught.value)


async def test_validate_rules_false_sends_and_lets_the_service_judge() -> None:
    service = ScriptedService(error(400, "ValidationException", "MinValue > MaxValue"))
    async with AsyncSageMakerClient(
        **KEYS, http_client=service.async_client(), validate_rules=False
    ) as sm:
        with pytest.raises(Exception, match="MinValue > MaxValue"):
            await sm.create_hyper_parameter_tuning_job(invalid_tuning_job())
    assert len(service.seen) == 1


async def test_a_request_of_the_wrong_class_is_refused_before_any_io() -> None:
    service = ScriptedService()
    async with AsyncSageMakerClient(**KEYS, http_client=service.async_client()) as sm:
        with pytest.raises(TypeError, match="takes a StopTrainingJobRequest"):
            await sm.stop_training_job(DescribeTrainingJobRequest(training_job_name="x"))  # type: ignore[arg-type]
    assert service.seen == []


async def test_hooks_see_every_attempt_with_secrets_redacted() -> None:
    requests: list[RequestEvent] = []
    responses: list[ResponseEvent] = []
    service = ScriptedService(error(503, "ServiceUnavailable", "busy"))
    async with AsyncSageMakerClient(
        **KEYS,
        http_client=service.async_client(),
        on_request=[requests.append],
        on_response=[responses.append],
        sleep=RecordingSleep(),
        random=lambda: 0.5,
    ) as sm:
        await sm.stop_training_job(STOP)

    assert [(e.operation, e.attempt) for e in requests] == [
        ("StopTrainingJob", 1),
        ("StopTrainingJob", 2),
    ]
    assert requests[0].headers["Authorization"].endswith("Signature=<redacted>")
    assert requests[0].body == b'{"TrainingJobName": "train-1"}'
    assert [(e.status, e.request_id, e.retry_in) for e in responses] == [
        (503, "req-1", 0.5),
        (200, "req-2", None),
    ]
    assert responses[0].error is not None
    assert responses[1].error is None
    assert all(e.elapsed >= 0 for e in responses)


async def test_response_hook_sees_transport_failures_too() -> None:
    responses: list[ResponseEvent] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with AsyncSageMakerClient(
        **KEYS,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(refuse)),
        on_response=[responses.append],
        sleep=RecordingSleep(),
    ) as sm:
        with pytest.raises(Exception, match="Connection failed"):
            await sm.stop_training_job(STOP)
    assert [(e.status, type(e.error).__name__) for e in responses] == [
        (None, "ConnectionFailure")
    ] * 3


async def test_fast_transport_sends_without_an_httpx_client_and_closes_its_session() -> None:
    from sagetune.config import ClientConfig

    sm = AsyncSageMakerClient(**KEYS, config=ClientConfig(transport="aiohttp"))
    assert sm.http_client is None
    await sm.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await sm.stop_training_job(STOP)


def test_clients_show_where_they_point() -> None:
    with SageMakerClient(**KEYS, endpoint_url="http://localhost:4555") as sm:
        assert repr(sm) == "SageMakerClient(region='us-east-1', endpoint='http://localhost:4555')"
