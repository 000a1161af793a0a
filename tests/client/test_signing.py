"""Requests are signed exactly as botocore signs them, on every attempt, with any credentials."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import threading
from typing import Any

import botocore.auth
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.credentials import Credentials, RefreshableCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

import sagetune.signing
from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.codec import to_wire
from sagetune.signing import UNSIGNED_HEADERS, FixedCredentials, RequestSigner, redact_headers
from sagetune.simulator.auth import AuthSettings, verify_request
from tests.client.aws_double import AKID, SECRET, ScriptedService, example_requests

FROZEN = dt.datetime(2026, 3, 14, 15, 9, 26)
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//session/token=="
COMPARED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same instant for botocore's signer and ours."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: FROZEN)
    monkeypatch.setattr(sagetune.signing, "wall_clock", FROZEN.replace(tzinfo=dt.UTC).timestamp)


class Captured(Exception):
    """Stops botocore right before it sends, carrying the request it would send."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        self.request = request


@functools.cache
def reference_session() -> botocore.session.Session:
    """One botocore session for the reference clients (it caches the loaded model)."""
    return botocore.session.Session()


def botocore_sends(
    region: str, token: str | None, operation: str, params: Any
) -> AWSPreparedRequest:
    """What a stock botocore sagemaker client puts on the wire (captured on before-send)."""
    client = reference_session().create_client(
        "sagemaker",
        region_name=region,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
    )

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        raise Captured(request)

    client.meta.events.register("before-send", capture)
    method = getattr(client, botocore.xform_name(operation))
    with pytest.raises(Captured) as caught:
        method(**params)
    return caught.value.request


def header(request: AWSPreparedRequest, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


@pytest.mark.usefixtures("frozen_time")
@pytest.mark.parametrize(
    ("region", "token", "operation"),
    [
        ("us-east-1", None, "DescribeHyperParameterTuningJob"),
        ("eu-west-3", TOKEN, "DescribeHyperParameterTuningJob"),
        ("ap-southeast-2", TOKEN, "CreateHyperParameterTuningJob"),
        ("cn-north-1", TOKEN, "ListTrainingJobsForHyperParameterTuningJob"),
    ],
)
async def test_signature_equals_what_botocore_sends(
    region: str, token: str | None, operation: str
) -> None:
    request = example_requests()[operation]
    expected = botocore_sends(region, token, operation, to_wire(request))

    service = ScriptedService()
    async with AsyncSageMakerClient(
        region_name=region,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
        http_client=service.async_client(),
    ) as sm:
        from sagetune.model.operations import OPERATIONS

        await getattr(sm, OPERATIONS[operation].method_name)(request)

    (sent,) = service.seen
    assert sent.url == expected.url
    for name in COMPARED:
        assert sent.headers.get(name) == header(expected, name), name
    assert sent.body == expected.body
    signed = sent.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert ("x-amz-security-token" in signed.split(";")) == (token is not None)


@pytest.mark.usefixtures("frozen_time")
def test_the_simulators_verifier_accepts_our_signature() -> None:
    service = ScriptedService()
    with SageMakerClient(
        region_name="eu-central-1",
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        endpoint_url="http://127.0.0.1:8321",
        http_client=service.sync_client(),
    ) as sm:
        sm.describe_training_job(example_requests()["DescribeTrainingJob"])
    (sent,) = service.seen
    settings = AuthSettings(
        credentials={AKID: SECRET}, region="eu-central-1", session_tokens={AKID: TOKEN}
    )
    key = verify_request(
        settings,
        method="POST",
        path="/",
        query="",
        headers=[(k.decode(), v.decode()) for k, v in sent.headers.raw],
        body=sent.body,
        now=FROZEN,
    )
    assert key == AKID


async def test_refreshable_credentials_are_refreshed_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refreshed_on: list[int] = []
    generation = iter(range(1, 100))

    def refresh() -> dict[str, str]:
        refreshed_on.append(threading.get_ident())
        expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        return {
            "access_key": f"ASIA{next(generation)}",
            "secret_key": "s",
            "token": "t",
            "expiry_time": expiry.isoformat(),
        }

    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    credentials = RefreshableCredentials.create_from_metadata(
        {"access_key": "ASIA0", "secret_key": "s", "token": "t", "expiry_time": expired},
        refresh_using=refresh,
        method="test",
    )
    session = botocore.session.Session()
    # what botocore's provider chain would have found (e.g. an assumed role)
    monkeypatch.setattr(session, "get_credentials", lambda: credentials)
    service = ScriptedService()
    async with AsyncSageMakerClient(
        region_name="us-east-1", botocore_session=session, http_client=service.async_client()
    ) as sm:
        await sm.stop_training_job(example_requests()["StopTrainingJob"])
        await sm.stop_training_job(example_requests()["StopTrainingJob"])

    loop_thread = threading.get_ident()
    assert len(refreshed_on) == 1
    assert refreshed_on[0] != loop_thread
    assert all("Credential=ASIA1/" in s.headers["authorization"] for s in service.seen)


async def test_credential_chain_is_resolved_once_by_concurrent_first_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    session = botocore.session.Session()
    lookups: list[int] = []
    chain = session.get_credentials

    def counted() -> Any:
        lookups.append(threading.get_ident())
        return chain()

    monkeypatch.setattr(session, "get_credentials", counted)
    service = ScriptedService()
    async with AsyncSageMakerClient(
        region_name="us-east-1", botocore_session=session, http_client=service.async_client()
    ) as sm:
        assert lookups == []  # nothing is looked up before the first call
        request = example_requests()["StopTrainingJob"]
        await asyncio.gather(*(sm.stop_training_job(request) for _ in range(5)))
    assert len(lookups) == 1
    assert lookups[0] != threading.get_ident()  # in a worker thread, not on the loop
    assert len(service.seen) == 5
    assert sm.config.credentials.method == "env"
    assert all("Credential=AKIAFROMENV/" in s.headers["authorization"] for s in service.seen)


def test_redacted_headers_hide_the_signature_and_token_but_keep_the_key_prefix() -> None:
    shown = redact_headers(
        {
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260314/us-east-1/sagemaker/"
                "aws4_request, SignedHeaders=content-type;host, Signature=abcdef0123"
            ),
            "X-Amz-Security-Token": TOKEN,
            "X-Amz-Target": "SageMaker.DescribeTrainingJob",
        }
    )
    assert shown == {
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKID****/20260314/us-east-1/sagemaker/aws4_request, "
            "SignedHeaders=content-type;host, Signature=<redacted>"
        ),
        "X-Amz-Security-Token": "<redacted>",
        "X-Amz-Target": "SageMaker.DescribeTrainingJob",
    }


async def test_debug_log_shows_each_attempt_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.client.aws_double import RecordingSleep, error

    service = ScriptedService(error(503, "ServiceUnavailable", "x"))
    caplog.set_level(logging.DEBUG, logger="sagetune.client")
    async with AsyncSageMakerClient(
        region_name="us-east-1",
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        http_client=service.async_client(),
        sleep=RecordingSleep(),
        random=lambda: 0.25,
    ) as sm:
        await sm.stop_training_job(example_requests()["StopTrainingJob"])

    text = caplog.text
    signatures = [s.headers["authorization"].rsplit("Signature=", 1)[1] for s in service.seen]
    assert "StopTrainingJob attempt 1/3" in text
    assert "StopTrainingJob attempt 2/3" in text
    assert "retrying in 0.250 s" in text
    assert "ServiceUnavailable, HTTP 503" in text
    for secret in (SECRET, TOKEN, AKID, *signatures):
        assert secret not in text


# -- the signer itself against botocore's SigV4Auth, on random requests ----------------------
#
# Two implementations of SigV4's canonical form exist on purpose (see sagetune.signing's
# docstring): ours, which signs, and botocore's, which the simulator verifies with. These
# tests keep them equal on generated paths, queries, headers, bodies and credentials.

PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
UNRESERVED = "ABCXYZabcxyz0189-._~"


def _percent_escape(code: int) -> str:
    return f"%{code:02X}"


path_segments = st.one_of(
    st.sampled_from(["", ".", "..", "~user", "a b", "x+y", "=", "%41", "%2F", "é", "a:b", "@"]),
    st.text(alphabet=UNRESERVED + "!$&'()*+,;=:@", min_size=1, max_size=8),
    st.builds(_percent_escape, st.integers(0, 255)),
)
paths = st.builds(
    lambda segments, trailing: "/" + "/".join(segments) + ("/" if trailing else ""),
    st.lists(path_segments, max_size=5),
    st.booleans(),
)
query_parts = st.text(alphabet=UNRESERVED + "%+:/,", max_size=6)
queries = st.one_of(
    st.just(""),
    st.builds(
        lambda pairs: (
            "?" + "&".join(key if value is None else f"{key}={value}" for key, value in pairs)
        ),
        st.lists(st.tuples(query_parts, st.none() | query_parts), min_size=1, max_size=4),
    ),
)
urls = st.builds(
    lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(["api.sagemaker.us-east-1.amazonaws.com", "127.0.0.1", "Sim.Local", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8787"]),
    paths,
    queries,
)
header_names = st.one_of(
    st.sampled_from(
        [
            "X-Amz-Target",
            "Content-Type",
            "x-amz-content-sha256",
            "User-Agent",
            "Expect",
            "X-Amzn-Trace-Id",
            "traceparent",
            "Amz-Sdk-Request",
            "x-custom",
            "X-CUSTOM",
            "Host",
            "Authorization",
            "X-Amz-Date",
            "X-Amz-Security-Token",
            "Date",
        ]
    ),
    st.text(alphabet="abcxyzABCXYZ-", min_size=1, max_size=12),
)
header_values = st.text(alphabet=PRINTABLE, max_size=40) | st.sampled_from(
    ["  padded  ", "two  spaces", "a \t b", ""]
)
extra_headers = st.dictionaries(header_names, header_values, max_size=8)
tokens = st.one_of(st.none(), st.just(""), st.just(TOKEN), st.text(alphabet=PRINTABLE, max_size=60))
secrets = st.text(alphabet=PRINTABLE, min_size=1, max_size=40)
instants = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))


@settings(max_examples=500, deadline=None)
@given(
    url=urls,
    method=st.sampled_from(["POST", "GET", "PUT", "post"]),
    headers=extra_headers,
    body=st.binary(max_size=200),
    secret=secrets,
    token=tokens,
    region=st.sampled_from(["us-east-1", "cn-north-1", "eu-west-3"]),
    instant=instants,
)
def test_request_signer_signs_exactly_as_botocores_sigv4auth(
    url: str,
    method: str,
    headers: dict[str, str],
    body: bytes,
    secret: str,
    token: str | None,
    region: str,
    instant: dt.datetime,
) -> None:
    instant = instant.replace(microsecond=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.auth, "get_current_datetime", lambda: instant)
        patch.setattr(sagetune.signing, "wall_clock", instant.replace(tzinfo=dt.UTC).timestamp)
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        SigV4Auth(Credentials(AKID, secret, token), "sagemaker", region).add_auth(request)
        ours = RequestSigner(region).sign(
            FixedCredentials(AKID, secret, token), method, url, headers, body
        )
    assert ours == dict(request.headers.items())


@settings(max_examples=200, deadline=None)
@given(
    headers=st.dictionaries(
        # The signer owns the session-token header: one in the caller's headers is a
        # different token (tested on its own), not a variation of the signed request.
        header_names.filter(
            lambda name: (
                name.lower() not in ("host", "x-amz-content-sha256", "x-amz-security-token")
            )
        ),
        header_values,
        max_size=8,
    ),
    body=st.binary(max_size=200),
    secret=secrets,
    token=tokens,
    region=st.sampled_from(["us-east-1", "cn-north-1", "eu-west-3"]),
    instant=instants,
)
def test_the_simulators_verifier_accepts_random_requests_we_sign(
    headers: dict[str, str],
    body: bytes,
    secret: str,
    token: str | None,
    region: str,
    instant: dt.datetime,
) -> None:
    """The client's signer against the simulator's verifier (botocore's canonical form), on
    what AWS JSON requests vary in: headers, bodies, keys, session tokens, dates."""
    instant = instant.replace(microsecond=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sagetune.signing, "wall_clock", instant.replace(tzinfo=dt.UTC).timestamp)
        signed = RequestSigner(region).sign(
            FixedCredentials(AKID, secret, token), "POST", "http://127.0.0.1:8787/", headers, body
        )
    settings = AuthSettings(
        credentials={AKID: secret},
        region=region,
        session_tokens={AKID: token} if token else {},
    )
    sent = [("Host", "127.0.0.1:8787"), *signed.items()]
    key = verify_request(
        settings, method="POST", path="/", query="", headers=sent, body=body, now=instant
    )
    assert key == AKID


def test_unsigned_headers_are_botocores() -> None:
    assert frozenset(botocore.auth.SIGNED_HEADERS_BLACKLIST) == UNSIGNED_HEADERS


def test_the_signing_key_is_cached_per_day_and_secret() -> None:
    signer = RequestSigner("us-east-1")
    day = signer._signing_key("20260314", "secret-a")
    assert signer._signing_key("20260314", "secret-a") is day
    assert signer._signing_key("20260315", "secret-a") != day
    assert signer._signing_key("20260315", "secret-b") != signer._signing_key("20260315", "x")
