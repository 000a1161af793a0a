"""No credential reaches a cassette: scrubbing before writing, and a scan of cassettes/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st
from vcr.request import Request

from sagetune.testing import Scrubber, find_secrets
from sagetune.testing.scrubbing import DUMMY_ACCOUNT_ID, PLACEHOLDER
from tests.testing.conftest import CASSETTES

REPOSITORY_CASSETTES = sorted(path for path in CASSETTES.rglob("*") if path.is_file())

key_ids = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["AKIA", "ASIA"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16),
)
secrets = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
    min_size=40,
    max_size=40,
)
session_tokens = st.builds(
    lambda body: "IQoJb3JpZ2luX2VjE" + body,
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=",
        min_size=60,
        max_size=200,
    ),
)
accounts = st.text(alphabet="0123456789", min_size=12, max_size=12)


@pytest.mark.parametrize("path", REPOSITORY_CASSETTES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_committed_cassette_holds_no_credential(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")

    assert find_secrets(text) == []
    assert "Signature=SCRUBBED" in text  # signed requests were recorded, and scrubbed


def test_there_are_cassettes_to_scan() -> None:
    assert len(REPOSITORY_CASSETTES) >= 8


def signed_request(key: str, secret: str, token: str | None, body: dict[str, object]) -> Request:
    """A vcrpy request exactly as recording sees one: botocore-signed, with a session token."""
    data = json.dumps(body).encode()
    aws = AWSRequest(
        "POST",
        "https://api.sagemaker.us-east-1.amazonaws.com/",
        data=data,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "SageMaker.DescribeHyperParameterTuningJob",
        },
    )
    SigV4Auth(Credentials(key, secret, token), "sagemaker", "us-east-1").add_auth(aws)
    return Request("POST", str(aws.url), data, dict(aws.headers.items()))


def serialized(request: Request, response: dict[str, object]) -> str:
    from vcr.serialize import serialize
    from vcr.serializers import yamlserializer

    return str(serialize({"requests": [request], "responses": [response]}, yamlserializer))


def response_mentioning(text: str) -> dict[str, object]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"x-amzn-RequestId": ["r-1"]},
        "body": {"string": text.encode()},
    }


@settings(max_examples=40, deadline=None)
@given(key=key_ids, secret=secrets, token=session_tokens, account=accounts)
def test_scrubbing_leaves_no_key_id_token_or_account_in_a_recording(
    key: str, secret: str, token: str, account: str
) -> None:
    arn = f"arn:aws:sagemaker:us-east-1:{account}:hyper-parameter-tuning-job/job-1"
    request = signed_request(
        key, secret, token, {"HyperParameterTuningJobName": "job-1", "Note": f"{key} {arn}"}
    )
    answer = json.dumps({"HyperParameterTuningJobArn": arn, "SessionToken": token, "Who": key})
    scrubber = Scrubber()

    text = serialized(scrubber.request(request), scrubber.response(response_mentioning(answer)))

    assert find_secrets(text) == []
    assert key not in text
    assert token not in text
    assert secret not in text
    assert account not in text or account == DUMMY_ACCOUNT_ID
    assert f"Credential={PLACEHOLDER}/" in text
    assert "/us-east-1/sagemaker/aws4_request" in text  # the scope says where it was recorded


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=200), key=key_ids, account=accounts)
def test_scrubbing_is_idempotent(text: str, key: str, account: str) -> None:
    scrubber = Scrubber()
    once = scrubber.text(f"{text} {key} arn:aws:iam::{account}:role/R {text}")

    assert scrubber.text(once) == once
    assert key not in once


def test_scrubbing_can_keep_account_ids() -> None:
    arn = "arn:aws:sagemaker:eu-west-1:987654321098:training-job/x"

    assert Scrubber(account_id=None).text(arn) == arn
    assert Scrubber().text(arn) == f"arn:aws:sagemaker:eu-west-1:{DUMMY_ACCOUNT_ID}:training-job/x"


def test_a_body_without_secrets_keeps_its_exact_bytes() -> None:
    body = b'{"A":  1,"RoleArn":"arn:aws:iam::123456789012:role/R"}'

    assert Scrubber().body(body) is body


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "access key id"),
        (
            "- AWS4-HMAC-SHA256 Credential=SAGETUNESIMULATOR/20260101/us-east-1/sagemaker/aws4_request",
            "unscrubbed Authorization credential",
        ),
        ("Signature=" + "ab" * 32, "request signature"),
        ("x-amz-security-token:\n  - IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQ", "session token"),
        ('"SessionToken": "FQoGZXIvYXdzEJr//////////wEaDM"', "session token"),
        ('"SecretAccessKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"', "secret value"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret access key"),
    ],
)
def test_the_scan_finds_each_kind_of_credential(text: str, kind: str) -> None:
    assert kind in {finding.kind for finding in find_secrets(text)}


def test_the_scan_accepts_scrubbed_values() -> None:
    scrubbed = (
        "authorization:\n- AWS4-HMAC-SHA256 Credential=SCRUBBED/20260101/us-east-1/sagemaker/"
        "aws4_request, SignedHeaders=host, Signature=SCRUBBED\n"
        "x-amz-security-token:\n- SCRUBBED\n"
        '{"SessionToken": "SCRUBBED"}'
    )

    assert find_secrets(scrubbed) == []
