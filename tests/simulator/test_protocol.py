"""The simulator's HTTP face: AWS JSON 1.1 errors for every kind of bad request, and SigV4."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sagetune.simulator import ENDPOINT_URL, Simulator
from tests.simulator.conftest import SignedCaller


def test_every_answer_carries_a_request_id_and_the_json_content_type(call: SignedCaller) -> None:
    ok = call.raw("SageMaker.ListHyperParameterTuningJobs", b"{}")
    bad = call.raw("SageMaker.DescribeHyperParameterTuningJob", b"{}")
    for response in (ok, bad):
        assert len(response.headers["x-amzn-RequestId"]) == 36
        assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert ok.json() == {"HyperParameterTuningJobSummaries": []}
    assert bad.status_code == 400
    assert bad.json()["__type"] == "ValidationException"
    assert "Value null at 'hyperParameterTuningJobName'" in bad.json()["message"]


@pytest.mark.parametrize(
    ("target", "body", "code"),
    [
        ("SageMaker.ListHyperParameterTuningJobs", b"{not json", "SerializationException"),
        ("SageMaker.ListHyperParameterTuningJobs", b"[1, 2]", "SerializationException"),
        ("SageMaker.DescribeEndpoint", b"{}", "UnknownOperationException"),
        ("Other.ListHyperParameterTuningJobs", b"{}", "UnknownOperationException"),
    ],
)
def test_malformed_requests_get_aws_shaped_4xx_errors(
    call: SignedCaller, target: str, body: bytes, code: str
) -> None:
    response = call.raw(target, body)
    assert response.status_code == 400
    assert response.json()["__type"] == code
    assert response.json()["message"]


def test_wrong_json_types_are_validation_errors_naming_the_member(call: SignedCaller) -> None:
    status, error = call("ListHyperParameterTuningJobs", {"MaxResults": "10", "SortOrder": 3})
    assert status == 400
    assert error["__type"] == "ValidationException"
    assert "2 validation errors detected" in error["message"]
    assert (
        "at 'maxResults' failed to satisfy constraint: Member must be an integer"
        in error["message"]
    )
    assert "at 'sortOrder'" in error["message"]


def test_unknown_members_are_reported(call: SignedCaller) -> None:
    status, error = call("ListHyperParameterTuningJobs", {"MaxResult": 3})
    assert status == 400
    assert "Unknown member of ListHyperParameterTuningJobsRequest" in error["message"]


def test_oversized_bodies_are_refused_before_parsing(call: SignedCaller) -> None:
    response = call.raw(
        "SageMaker.ListHyperParameterTuningJobs", b"{" + b" " * (11 * 1024 * 1024) + b"}"
    )
    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"


def test_get_and_other_paths_are_not_operations(sim: Simulator) -> None:
    with httpx.Client(transport=sim.transport()) as client:
        response = client.get(ENDPOINT_URL + "/")
    assert response.status_code == 405
    assert response.json()["__type"] == "UnknownOperationException"


def test_unsigned_requests_are_refused(sim: Simulator) -> None:
    with httpx.Client(transport=sim.transport()) as client:
        response = client.post(
            ENDPOINT_URL + "/",
            content=b"{}",
            headers={"X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs"},
        )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }


@pytest.mark.parametrize(
    ("key", "secret", "code"),
    [
        ("SAGETUNESIMULATOR", "wrong-secret", "InvalidSignatureException"),
        ("AKIDUNKNOWN", "whatever", "UnrecognizedClientException"),
    ],
)
def test_bad_credentials_get_the_aws_codes(
    sim: Simulator, key: str, secret: str, code: str
) -> None:
    with httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL, key=key, secret=secret)
        status, error = caller("ListHyperParameterTuningJobs", {})
    assert (status, error["__type"]) == (400, code)


def test_signatures_older_than_the_window_are_expired(sim: Simulator, call: SignedCaller) -> None:
    sim.handler.wall_clock = lambda: datetime.now(UTC) + timedelta(minutes=6)
    status, error = call("ListHyperParameterTuningJobs", {})
    assert (status, error["__type"]) == (400, "InvalidSignatureException")
    assert error["message"].startswith("Signature expired:")


def test_the_wrong_region_scope_is_refused(sim: Simulator) -> None:
    with httpx.Client(transport=sim.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL, region="eu-west-1")
        status, error = caller("ListHyperParameterTuningJobs", {})
    assert (status, error["__type"]) == (400, "InvalidSignatureException")
    assert "Credential should be scoped to a valid region" in error["message"]


def test_auth_can_be_switched_off_explicitly() -> None:
    simulator = Simulator(auth=False)
    with httpx.Client(transport=simulator.transport()) as client:
        response = client.post(
            ENDPOINT_URL + "/",
            content=json.dumps({}).encode(),
            headers={"X-Amz-Target": "SageMaker.ListTrainingJobs"},
        )
    assert response.status_code == 200
    assert response.json() == {"TrainingJobSummaries": []}


def test_custom_credentials_replace_the_default_key() -> None:
    simulator = Simulator(credentials={"MYKEY": "my-secret"})
    with httpx.Client(transport=simulator.transport()) as client:
        assert (
            SignedCaller(client, ENDPOINT_URL, key="MYKEY", secret="my-secret")(
                "ListTrainingJobs", {}
            )[0]
            == 200
        )
        status, error = SignedCaller(client, ENDPOINT_URL)("ListTrainingJobs", {})
    assert (status, error["__type"]) == (400, "UnrecognizedClientException")
