"""Error answers become one typed hierarchy: modeled errors, common AWS errors, unknown codes."""

from __future__ import annotations

import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient, errors
from sagetune.errors import ResourceInUse, ResourceLimitExceeded, ResourceNotFound
from sagetune.model import DescribeHyperParameterTuningJobRequest
from tests.client.aws_double import (
    AKID,
    REGION,
    SECRET,
    Answer,
    ScriptedService,
    error,
    example_requests,
)

DESCRIBE = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="tune-1")


def client(service: ScriptedService) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
    )


@pytest.mark.parametrize(
    ("operation", "code", "expected"),
    [
        ("CreateHyperParameterTuningJob", "ResourceInUse", ResourceInUse),
        ("CreateHyperParameterTuningJob", "ResourceLimitExceeded", ResourceLimitExceeded),
        ("DescribeHyperParameterTuningJob", "ResourceNotFound", ResourceNotFound),
    ],
)
async def test_each_modeled_error_raises_its_generated_class(
    operation: str, code: str, expected: type[errors.ServiceError]
) -> None:
    from sagetune.model.operations import OPERATIONS

    service = ScriptedService(error(400, code, f"{code} happened"))
    async with client(service) as sm:
        with pytest.raises(expected) as caught:
            await getattr(sm, OPERATIONS[operation].method_name)(example_requests()[operation])

    raised = caught.value
    assert type(raised) is expected
    assert raised.code == code
    assert raised.message == f"{code} happened"
    assert raised.status_code == 400
    assert raised.request_id == "req-1"
    assert raised.operation == operation
    assert f"{code} when calling {operation} (HTTP 400, request id req-1)" in str(raised)
    assert len(service.seen) == 1  # not retried


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ValidationException", 400, errors.ValidationException),
        ("MissingAuthenticationTokenException", 400, errors.MissingAuthenticationTokenException),
        ("IncompleteSignatureException", 400, errors.IncompleteSignatureException),
        ("InvalidSignatureException", 400, errors.InvalidSignatureException),
        ("UnrecognizedClientException", 400, errors.UnrecognizedClientException),
        ("ExpiredTokenException", 403, errors.ExpiredTokenException),
        ("AccessDeniedException", 400, errors.AccessDeniedException),
    ],
)
async def test_common_aws_errors_raise_their_classes_without_retry(
    code: str, status: int, expected: type[errors.ServiceError]
) -> None:
    service = ScriptedService(error(status, code, "no"))
    async with client(service) as sm:
        with pytest.raises(expected) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert caught.value.code == code
    assert caught.value.status_code == status
    assert len(service.seen) == 1


async def test_auth_errors_share_a_base_class() -> None:
    service = ScriptedService(error(400, "InvalidSignatureException", "bad"))
    async with client(service) as sm:
        with pytest.raises(errors.AuthError):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)


async def test_unknown_error_code_maps_to_the_service_error_base() -> None:
    service = ScriptedService(error(400, "BrandNewFault", "something new"))
    async with client(service) as sm:
        with pytest.raises(errors.ServiceError) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert type(caught.value) is errors.ServiceError
    assert caught.value.code == "BrandNewFault"
    assert caught.value.message == "something new"


async def test_namespaced_error_type_is_cleaned_like_botocore() -> None:
    body = b'{"__type": "com.amazonaws.sagemaker#ResourceNotFound:http://x", "Message": "gone"}'
    service = ScriptedService(Answer(400, body))
    async with client(service) as sm:
        with pytest.raises(ResourceNotFound) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert caught.value.message == "gone"


async def test_error_code_from_header_when_body_has_none() -> None:
    service = ScriptedService(Answer(400, b"", (("x-amzn-ErrorType", "ResourceNotFound"),)))
    async with client(service) as sm:
        with pytest.raises(ResourceNotFound):
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)


async def test_a_2xx_answer_that_is_not_json_is_a_clear_error() -> None:
    service = ScriptedService(Answer(200, b"<html>proxy login</html>"))
    async with client(service) as sm:
        with pytest.raises(errors.ServiceError) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert caught.value.code == "MalformedResponse"
    assert "proxy login" in caught.value.message


def test_sync_client_raises_the_same_typed_errors() -> None:
    service = ScriptedService(error(400, "ResourceNotFound", "nope"))
    with (
        SageMakerClient(
            region_name=REGION,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            http_client=service.sync_client(),
        ) as sm,
        pytest.raises(ResourceNotFound) as caught,
    ):
        sm.describe_hyper_parameter_tuning_job(DESCRIBE)
    assert caught.value.request_id == "req-1"
