"""The simulator's keys end to end: temporary credentials, refused tokens, absurd dates.

Requests go through the simulator's whole HTTP path (in-process transport) signed by a stock
botocore client or by sagetune's own client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sagetune import SageMakerClient
from sagetune.errors import ServiceError
from sagetune.model import ListHyperParameterTuningJobsRequest
from sagetune.simulator import ENDPOINT_URL, Simulator

KEY = "ASIATEMPORARY0000001"
SECRET = "temporary/secret+key"
TOKEN = "IQoJb3JpZ2luX2VjEtemporary-session-token=="


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(
        credentials={KEY: SECRET, "AKIALONGTERM00000001": "long-term-secret"},
        session_tokens={KEY: TOKEN},
    )
    yield simulator
    simulator.close()


def post(
    sim: Simulator,
    *,
    key: str = KEY,
    secret: str = SECRET,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """ListHyperParameterTuningJobs, signed by botocore (``headers`` replace signed ones)."""
    request = AWSRequest(
        "POST",
        ENDPOINT_URL + "/",
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs",
        },
    )
    SigV4Auth(Credentials(key, secret, token), "sagemaker", "us-east-1").add_auth(request)
    sent = dict(request.headers.items()) | (headers or {})
    with httpx.Client(transport=sim.transport()) as http:
        return http.post(ENDPOINT_URL + "/", content=b"{}", headers=sent)


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body: dict[str, Any] = response.json()
    return response.status_code, body["__type"], body["message"]


def test_temporary_credentials_work_with_their_token(sim: Simulator) -> None:
    assert post(sim).status_code == 200


def test_sagetune_client_uses_the_simulators_temporary_credentials(sim: Simulator) -> None:
    options = sim.client_options()
    assert options["aws_session_token"] == TOKEN

    with SageMakerClient(http_client=httpx.Client(transport=sim.transport()), **options) as sm:
        listed = sm.list_hyper_parameter_tuning_jobs(ListHyperParameterTuningJobsRequest())

    assert listed.hyper_parameter_tuning_job_summaries == []


@pytest.mark.parametrize("token", [None, "a-token-made-up-by-the-caller"])
def test_a_temporary_key_without_its_own_token_is_refused(
    sim: Simulator, token: str | None
) -> None:
    assert error_of(post(sim, token=token)) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid",
    )


def test_a_made_up_token_with_a_long_term_key_is_refused_as_aws_refuses_it(
    sim: Simulator,
) -> None:
    key, secret = "AKIALONGTERM00000001", "long-term-secret"

    assert post(sim, key=key, secret=secret, token=None).status_code == 200
    assert error_of(post(sim, key=key, secret=secret, token="made-up")) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid",
    )


def test_the_default_key_refuses_a_made_up_token() -> None:
    with Simulator() as sim:
        options = sim.client_options() | {"aws_session_token": "made-up"}
        http = httpx.Client(transport=sim.transport())
        with SageMakerClient(http_client=http, **options) as sm, pytest.raises(ServiceError) as no:
            sm.list_hyper_parameter_tuning_jobs(ListHyperParameterTuningJobsRequest())

    assert no.value.code == "UnrecognizedClientException"


def test_a_session_token_for_a_key_without_a_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="AKIANOSECRET"):
        Simulator(credentials={KEY: SECRET}, session_tokens={"AKIANOSECRET": TOKEN})


@pytest.mark.parametrize(
    "date", ["Mon, 01 Jan 99999999999999999999 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 -2359"]
)
def test_a_date_header_with_an_absurd_year_gets_a_4xx_not_a_500(sim: Simulator, date: str) -> None:
    response = post(sim, headers={"Date": date, "X-Amz-Date": ""})

    status, code, message = error_of(response)
    assert (status, code) == (400, "IncompleteSignatureException")
    assert date in message
    assert post(sim).status_code == 200  # and the simulator goes on answering
