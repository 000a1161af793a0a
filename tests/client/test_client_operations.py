"""Every operation of the model, through both clients and a real httpx stack: the request on
the wire (AWS JSON 1.1, botocore's body), the typed response and its metadata."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.codec import to_wire
from sagetune.model.operations import OPERATIONS
from sagetune.specs import ResponseMetadata
from tests.client.aws_double import (
    AKID,
    EXAMPLE_ANSWERS,
    REGION,
    SECRET,
    ScriptedService,
    example_requests,
)

REQUESTS = example_requests()


def test_examples_cover_every_operation() -> None:
    assert set(REQUESTS) == set(OPERATIONS)


def async_client(service: ScriptedService, **options: Any) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
        **options,
    )


def sync_client(service: ScriptedService, **options: Any) -> SageMakerClient:
    return SageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.sync_client(),
        **options,
    )


@pytest.mark.parametrize("name", sorted(OPERATIONS))
async def test_async_client_sends_each_operation_as_aws_json_and_types_the_answer(
    name: str,
) -> None:
    operation = OPERATIONS[name]
    service = ScriptedService()
    async with async_client(service) as sm:
        response = await getattr(sm, operation.method_name)(REQUESTS[name])

    (seen,) = service.seen
    assert seen.url == f"https://api.sagemaker.{REGION}.amazonaws.com/"
    assert seen.headers["x-amz-target"] == f"SageMaker.{name}"
    assert seen.headers["content-type"] == "application/x-amz-json-1.1"
    assert seen.body == json.dumps(to_wire(REQUESTS[name])).encode()
    assert type(response) is operation.output
    assert to_wire(response) == json.loads(json.dumps(EXAMPLE_ANSWERS[name]))
    assert response.response_metadata == ResponseMetadata(
        request_id="req-1", http_status=200, attempts=1
    )


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_sync_client_sends_each_operation_the_same_way(name: str) -> None:
    operation = OPERATIONS[name]
    sync_service = ScriptedService()
    with sync_client(sync_service) as sm:
        response = getattr(sm, operation.method_name)(REQUESTS[name])

    (seen,) = sync_service.seen
    assert seen.headers["x-amz-target"] == f"SageMaker.{name}"
    assert seen.document == to_wire(REQUESTS[name])
    assert type(response) is operation.output
    assert response.response_metadata is not None
    assert response.response_metadata.request_id == "req-1"


async def test_describe_response_is_structured_with_enums_and_datetimes() -> None:
    service = ScriptedService()
    async with async_client(service) as sm:
        out = await sm.describe_hyper_parameter_tuning_job(
            REQUESTS["DescribeHyperParameterTuningJob"]
        )
    assert out.hyper_parameter_tuning_job_status == "InProgress"
    assert (
        out.creation_time.timestamp()
        == EXAMPLE_ANSWERS["DescribeHyperParameterTuningJob"]["CreationTime"]
    )
    assert out.training_job_status_counters.completed == 3


async def test_unknown_response_members_and_enum_values_do_not_break_the_client() -> None:
    from tests.client.aws_double import ok, tuning_job_description

    answer = tuning_job_description("Hibernating") | {"BrandNewMember": {"x": 1}}
    service = ScriptedService(ok(answer))
    async with async_client(service) as sm:
        out = await sm.describe_hyper_parameter_tuning_job(
            REQUESTS["DescribeHyperParameterTuningJob"]
        )
    assert out.hyper_parameter_tuning_job_status == "Hibernating"


async def test_endpoint_url_points_the_client_elsewhere_with_its_path() -> None:
    service = ScriptedService()
    async with async_client(service, endpoint_url="http://sim.local:8080/") as sm:
        await sm.stop_training_job(REQUESTS["StopTrainingJob"])
    assert service.seen[0].url == "http://sim.local:8080/"
    assert service.seen[0].headers["host"] == "sim.local:8080"


async def test_user_agent_names_sagetune_and_its_version_with_a_suffix() -> None:
    from sagetune import __version__
    from sagetune.config import ClientConfig

    service = ScriptedService()
    config = ClientConfig(user_agent_extra="my-app/2.0")
    async with async_client(service, config=config) as sm:
        await sm.stop_training_job(REQUESTS["StopTrainingJob"])
    agent = service.seen[0].headers["user-agent"]
    assert agent.startswith(f"sagetune/{__version__} ")
    assert agent.endswith(" my-app/2.0")


async def test_sdk_headers_carry_invocation_id_and_attempt_like_botocore() -> None:
    service = ScriptedService()
    async with async_client(service) as sm:
        await sm.stop_training_job(REQUESTS["StopTrainingJob"])
        await sm.stop_training_job(REQUESTS["StopTrainingJob"])
    first, second = (seen.headers for seen in service.seen)
    assert first["amz-sdk-request"] == "attempt=1; max=3"
    invocation = uuid.UUID(first["amz-sdk-invocation-id"])
    assert (invocation.version, invocation.variant) == (4, uuid.RFC_4122)
    assert str(invocation) == first["amz-sdk-invocation-id"]
    assert first["amz-sdk-invocation-id"] != second["amz-sdk-invocation-id"]
