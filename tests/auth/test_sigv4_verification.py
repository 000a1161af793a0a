"""The simulator's SigV4 check, fed with requests that a stock botocore client really signed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import attrs
import botocore.session
import pytest
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.credentials import ReadOnlyCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.simulator.auth import (
    ANONYMOUS_ACCESS_KEY_ID,
    AuthFailure,
    AuthSettings,
    verify_request,
)

ACCESS_KEY = "AKIASIMULATOR0000001"
SECRET = "simulator/secret+key"
SAGEMAKER_URL = "https://api.sagemaker.us-east-1.amazonaws.com"
MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@attrs.frozen(kw_only=True)
class WireRequest:
    """A request as the simulator receives it."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def signed_at(self) -> datetime:
        return datetime.strptime(self.header("X-Amz-Date"), SIGV4_TIMESTAMP).replace(tzinfo=UTC)

    def header(self, name: str) -> str:
        return next(value for key, value in self.headers if key.lower() == name.lower())

    def with_header(self, name: str, value: str | None) -> WireRequest:
        """A copy with ``name`` replaced by ``value`` (removed when None)."""
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        added = () if value is None else ((name, value),)
        return attrs.evolve(self, headers=kept + added)

    def verify(self, auth: AuthSettings, *, now: datetime | None = None) -> str:
        return verify_request(
            auth,
            method=self.method,
            path=self.path,
            query=self.query,
            headers=self.headers,
            body=self.body,
            now=self.signed_at if now is None else now,
        )


class _RawBody:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield b"{}"


@functools.cache
def _signing_client(
    region: str, endpoint_url: str, token: str | None
) -> tuple[Any, list[AWSPreparedRequest]]:
    """A stock botocore SageMaker client whose requests stop before the network."""
    client = botocore.session.get_session().create_client(
        "sagemaker",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
    )
    captured: list[AWSPreparedRequest] = []

    def capture(request: AWSPreparedRequest, **_: Any) -> Any:  # botocore uses the response
        captured.append(request)
        return AWSResponse(request.url, 200, HTTPHeaders(), _RawBody())

    client.meta.events.register("before-send", capture)
    return client, captured


def botocore_signed(
    *,
    region: str = "us-east-1",
    endpoint_url: str = SAGEMAKER_URL,
    token: str | None = None,
    job_name: str = "job-1",
) -> WireRequest:
    """Sign DescribeHyperParameterTuningJob with botocore and return it as sent on the wire."""
    client, captured = _signing_client(region, endpoint_url, token)
    client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=job_name)
    request = captured.pop()
    url = urlsplit(request.url)
    headers = [(name, _text(value)) for name, value in request.headers.items()]
    # botocore leaves Host to urllib3, which sends the URL's netloc (default port dropped).
    headers.insert(0, ("Host", url.netloc))
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    return WireRequest(
        method=request.method,
        path=url.path,
        query=url.query,
        headers=tuple(headers),
        body=body,
    )


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def sagemaker_settings(**changes: Any) -> AuthSettings:
    defaults: dict[str, Any] = {"credentials": {ACCESS_KEY: SECRET}, "region": "us-east-1"}
    return AuthSettings(**(defaults | changes))


def rejection(
    request: WireRequest, auth: AuthSettings, *, now: datetime | None = None
) -> AuthFailure:
    with pytest.raises(AuthFailure) as failure:
        request.verify(auth, now=now)
    return failure.value


def with_authorization(request: WireRequest, edit: str, replacement: str) -> WireRequest:
    authorization = re.sub(edit, replacement, request.header("Authorization"))
    return request.with_header("Authorization", authorization)


# -- accepted ----------------------------------------------------------------------------


def test_botocore_signed_request_is_accepted_and_names_its_access_key() -> None:
    assert botocore_signed().verify(sagemaker_settings()) == ACCESS_KEY


def test_request_in_non_default_region_on_custom_port_is_accepted() -> None:
    request = botocore_signed(region="eu-west-1", endpoint_url="http://127.0.0.1:8080")

    assert request.header("Host") == "127.0.0.1:8080"
    assert request.verify(sagemaker_settings(region="eu-west-1")) == ACCESS_KEY


def test_made_up_session_token_for_a_long_term_key_is_unrecognized_client() -> None:
    request = botocore_signed(token="token-abc")

    assert "x-amz-security-token" in request.header("Authorization")
    failure = rejection(request, sagemaker_settings())

    assert (failure.code, failure.status) == ("UnrecognizedClientException", 400)
    assert failure.message == "The security token included in the request is invalid"


def test_key_with_configured_session_token_accepts_exactly_that_token() -> None:
    auth = sagemaker_settings(session_tokens={ACCESS_KEY: "token-abc"})

    assert botocore_signed(token="token-abc").verify(auth) == ACCESS_KEY


@pytest.mark.parametrize("token", [None, "token-xyz"])
def test_key_with_configured_session_token_rejects_other_or_missing_token(
    token: str | None,
) -> None:
    auth = sagemaker_settings(session_tokens={ACCESS_KEY: "token-abc"})

    failure = rejection(botocore_signed(token=token), auth)

    assert (failure.code, failure.status) == ("UnrecognizedClientException", 400)
    assert failure.message == "The security token included in the request is invalid"


def test_changing_an_unsigned_header_keeps_the_request_valid() -> None:
    request = botocore_signed().with_header("User-Agent", "something-else/1.0")

    assert request.verify(sagemaker_settings()) == ACCESS_KEY


def test_signature_at_the_edge_of_the_skew_window_is_accepted() -> None:
    request = botocore_signed()
    auth = sagemaker_settings()

    assert request.verify(auth, now=request.signed_at + timedelta(minutes=5)) == ACCESS_KEY
    assert request.verify(auth, now=request.signed_at - timedelta(minutes=5)) == ACCESS_KEY


def test_skew_window_is_configurable() -> None:
    request = botocore_signed()
    auth = sagemaker_settings(max_skew=timedelta(minutes=15))

    assert request.verify(auth, now=request.signed_at + timedelta(minutes=14)) == ACCESS_KEY
    failure = rejection(request, auth, now=request.signed_at + timedelta(minutes=16))
    assert failure.message.endswith(" - 15 min.)")


def test_naive_now_is_taken_as_utc() -> None:
    request = botocore_signed()

    naive_now = request.signed_at.replace(tzinfo=None)
    assert request.verify(sagemaker_settings(), now=naive_now) == ACCESS_KEY


# -- rejected, in the order of the table in wire-auth-replay.md ---------------------------


def test_missing_authorization_is_missing_authentication_token() -> None:
    failure = rejection(botocore_signed().with_header("Authorization", None), sagemaker_settings())

    assert (failure.code, failure.status) == ("MissingAuthenticationTokenException", 400)
    assert failure.message == "Request is missing Authentication Token"


def test_non_sigv4_authorization_is_missing_authentication_token() -> None:
    request = botocore_signed().with_header("Authorization", "Bearer abc")

    assert rejection(request, sagemaker_settings()).code == "MissingAuthenticationTokenException"


@pytest.mark.parametrize("part", ["Credential", "Signature", "SignedHeaders"])
def test_missing_authorization_part_is_incomplete_signature(part: str) -> None:
    request = with_authorization(botocore_signed(), rf",? ?{part}=[^,]*", "")

    failure = rejection(request, sagemaker_settings())

    assert (failure.code, failure.status) == ("IncompleteSignatureException", 400)
    assert failure.message == (
        f"Authorization header requires '{part}' parameter. "
        f"Authorization={request.header('Authorization')}"
    )


def test_missing_date_is_incomplete_signature() -> None:
    request = botocore_signed()
    undated = request.with_header("X-Amz-Date", None)

    failure = rejection(undated, sagemaker_settings(), now=request.signed_at)

    assert failure.code == "IncompleteSignatureException"
    assert failure.message.startswith(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256 Credential="
    )


def test_pair_without_equal_sign_is_incomplete_signature() -> None:
    request = with_authorization(botocore_signed(), r"Signature=", "Signature ")

    failure = rejection(request, sagemaker_settings())

    assert failure.code == "IncompleteSignatureException"
    assert "not a valid key=value pair (missing equal-sign) in Authorization header" in (
        failure.message
    )


@pytest.mark.parametrize("date", ["2024-05-01T12:00:00Z", "20240501T120000", "20241341T250000Z"])
def test_badly_formatted_date_is_incomplete_signature(date: str) -> None:
    request = botocore_signed()
    misdated = request.with_header("X-Amz-Date", date)

    failure = rejection(misdated, sagemaker_settings(), now=request.signed_at)

    assert (failure.code, failure.status) == ("IncompleteSignatureException", 400)
    assert failure.message == (
        f"Date must be in ISO-8601 'basic format'. Got '{date}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",  # overflows a C long
        "Fri, 31 Dec 9999 23:59:59 -2359",  # past datetime's range once moved to UTC
        "Mon, 01 Jan 10000 00:00:00 GMT",
    ],
)
def test_date_header_with_an_absurd_year_is_incomplete_signature(date: str) -> None:
    request = manually_signed(use_date_header=True)
    signed_at = parsedate_to_datetime(request.header("Date"))
    misdated = request.with_header("Date", date)

    failure = rejection(misdated, sagemaker_settings(), now=signed_at)

    assert (failure.code, failure.status) == ("IncompleteSignatureException", 400)
    assert failure.message.startswith(f"Date must be in ISO-8601 'basic format'. Got '{date}'.")


def test_stale_signature_is_expired() -> None:
    request = botocore_signed()
    now = request.signed_at + timedelta(minutes=5, seconds=1)

    failure = rejection(request, sagemaker_settings(), now=now)

    stamp = request.header("X-Amz-Date")
    earliest = (now - timedelta(minutes=5)).strftime(SIGV4_TIMESTAMP)
    assert (failure.code, failure.status) == ("InvalidSignatureException", 400)
    assert failure.message == (
        f"Signature expired: {stamp} is now earlier than {earliest} "
        f"({now.strftime(SIGV4_TIMESTAMP)} - 5 min.)"
    )


def test_future_signature_is_not_yet_current() -> None:
    request = botocore_signed()
    now = request.signed_at - timedelta(minutes=5, seconds=1)

    failure = rejection(request, sagemaker_settings(), now=now)

    stamp = request.header("X-Amz-Date")
    latest = (now + timedelta(minutes=5)).strftime(SIGV4_TIMESTAMP)
    assert failure.code == "InvalidSignatureException"
    assert failure.message == (
        f"Signature not yet current: {stamp} is still later than {latest} "
        f"({now.strftime(SIGV4_TIMESTAMP)} + 5 min.)"
    )


def test_host_missing_from_signed_headers_is_rejected() -> None:
    request = with_authorization(botocore_signed(), r"(SignedHeaders=[^,]*?)host;", r"\1")

    assert "host" not in request.header("Authorization")
    failure = rejection(request, sagemaker_settings())

    assert failure.code == "InvalidSignatureException"
    assert failure.message == "'Host' must be a 'SignedHeader' in the AWS Authorization."


def test_unsupported_algorithm_is_incomplete_signature() -> None:
    request = with_authorization(botocore_signed(), r"^AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")

    failure = rejection(request, sagemaker_settings())

    assert failure.code == "IncompleteSignatureException"
    assert failure.message == (
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "
    )


def test_credential_without_five_elements_is_incomplete_signature() -> None:
    request = with_authorization(botocore_signed(), r"/aws4_request", "")

    failure = rejection(request, sagemaker_settings())

    assert failure.code == "IncompleteSignatureException"
    assert failure.message.startswith("Credential must have exactly 5 slash-delimited elements")


def test_wrong_region_scope_is_rejected() -> None:
    failure = rejection(botocore_signed(), sagemaker_settings(region="us-west-2"))

    assert (failure.code, failure.status) == ("InvalidSignatureException", 400)
    assert failure.message == "Credential should be scoped to a valid region, not 'us-east-1'."


def test_wrong_service_scope_is_rejected() -> None:
    request = manually_signed(service="sts")

    failure = rejection(request, sagemaker_settings())

    assert failure.code == "InvalidSignatureException"
    assert failure.message == "Credential should be scoped to correct service: 'sagemaker'."


def test_scope_date_other_than_signing_date_is_rejected() -> None:
    request = botocore_signed()
    stamp = request.header("X-Amz-Date")
    request = with_authorization(request, rf"/{stamp[:8]}/", "/20000101/")

    failure = rejection(request, sagemaker_settings())

    assert failure.code == "InvalidSignatureException"
    assert failure.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        f"HTTP: '20000101' != '{stamp[:8]}', from '{stamp}'."
    )


def test_unknown_access_key_is_unrecognized_client() -> None:
    failure = rejection(botocore_signed(), sagemaker_settings(credentials={"AKIAOTHER": SECRET}))

    assert (failure.code, failure.status) == ("UnrecognizedClientException", 400)
    assert failure.message == "The security token included in the request is invalid."


def test_wrong_secret_is_signature_mismatch_with_canonical_request() -> None:
    failure = rejection(botocore_signed(), sagemaker_settings(credentials={ACCESS_KEY: "other"}))

    assert (failure.code, failure.status) == ("InvalidSignatureException", 400)
    assert failure.message.startswith(MISMATCH_MESSAGE)
    assert "The Canonical String for this request should have been\n'POST\n/\n" in failure.message


def test_tampered_body_is_signature_mismatch() -> None:
    request = botocore_signed(job_name="job-1")
    tampered = attrs.evolve(request, body=request.body.replace(b"job-1", b"job-2"))

    assert tampered.body != request.body
    assert rejection(tampered, sagemaker_settings()).message.startswith(MISMATCH_MESSAGE)


def test_tampered_signed_header_is_signature_mismatch() -> None:
    request = botocore_signed().with_header("X-Amz-Target", "SageMaker.StopHyperParameterTuningJob")

    assert rejection(request, sagemaker_settings()).message.startswith(MISMATCH_MESSAGE)


def test_tampered_host_is_signature_mismatch() -> None:
    request = botocore_signed().with_header("Host", "api.sagemaker.us-west-2.amazonaws.com")

    assert rejection(request, sagemaker_settings()).message.startswith(MISMATCH_MESSAGE)


def test_declared_payload_hash_must_match_the_body() -> None:
    request = manually_signed(extra_headers=[("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")])

    failure = rejection(request, sagemaker_settings())

    assert (failure.code, failure.status) == ("XAmzContentSHA256Mismatch", 400)


def test_earlier_check_wins_when_several_fail() -> None:
    request = botocore_signed()
    auth = sagemaker_settings(region="us-west-2", credentials={"AKIAOTHER": SECRET})

    stale = rejection(request, auth, now=request.signed_at + timedelta(hours=1))
    misscoped = rejection(request, auth)

    assert stale.message.startswith("Signature expired:")
    assert misscoped.message.startswith("Credential should be scoped to a valid region")


# -- switched off --------------------------------------------------------------------------


def test_disabled_auth_accepts_anything_and_still_names_the_key() -> None:
    auth = sagemaker_settings(enabled=False, credentials={})
    request = botocore_signed()
    stale = request.signed_at + timedelta(days=1)

    assert request.verify(auth, now=stale) == ACCESS_KEY
    unsigned = request.with_header("Authorization", None)
    assert unsigned.verify(auth) == ANONYMOUS_ACCESS_KEY_ID


def test_settings_repr_hides_secrets() -> None:
    text = repr(sagemaker_settings(session_tokens={ACCESS_KEY: "token-abc"}))

    assert ACCESS_KEY in text
    assert SECRET not in text
    assert "token-abc" not in text


# -- any request botocore signs, the simulator accepts ---------------------------------------


def manually_signed(
    *,
    service: str = "sagemaker",
    region: str = "us-east-1",
    path: str = "/",
    params: Sequence[tuple[str, str]] = (),
    extra_headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"{}",
    use_date_header: bool = False,
) -> WireRequest:
    """Sign with botocore's SigV4Auth directly, for shapes a SageMaker client never sends."""
    request = AWSRequest(
        method="POST",
        url=f"https://sim.example:8443{path}",
        data=body,
        params=list(params),  # type: ignore[arg-type]  # pairs keep repeats; stubs say Mapping
    )
    request.headers["Content-Type"] = "application/x-amz-json-1.1"
    for name, value in extra_headers:
        request.headers[name] = value
    if use_date_header:
        request.headers["Date"] = "placeholder; botocore rewrites it"
    SigV4Auth(ReadOnlyCredentials(ACCESS_KEY, SECRET, None), service, region).add_auth(request)
    url = urlsplit(request.prepare().url)
    headers = [("Host", url.netloc), *((k, _text(v)) for k, v in request.headers.items())]
    return WireRequest(
        method="POST", path=url.path, query=url.query, headers=tuple(headers), body=body
    )


def test_date_header_can_stand_in_for_x_amz_date() -> None:
    request = manually_signed(use_date_header=True)
    signed_at = parsedate_to_datetime(request.header("Date"))

    assert "X-Amz-Date" not in dict(request.headers)
    assert request.verify(sagemaker_settings(), now=signed_at) == ACCESS_KEY


def test_repeated_signed_header_is_canonicalized_as_botocore_does() -> None:
    request = manually_signed(extra_headers=[("X-Extra", "a"), ("X-Extra", "b  c")])

    assert sum(1 for name, _ in request.headers if name == "X-Extra") == 2
    now = datetime.strptime(request.header("X-Amz-Date"), SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    assert request.verify(sagemaker_settings(), now=now) == ACCESS_KEY


class _SignsUserAgentToo(SigV4Auth):
    """A SigV4 client with another header policy than botocore's (it signs User-Agent)."""

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        headers = HTTPHeaders()
        for name, value in request.headers.items():
            headers[name.lower()] = value
        headers["host"] = urlsplit(str(request.url)).netloc
        return headers


def test_headers_are_those_the_client_declared_not_botocores_choice() -> None:
    request = AWSRequest(method="POST", url="https://sim.example/", data=b"{}")
    request.headers["User-Agent"] = "other-sdk/2.0"
    _SignsUserAgentToo(
        ReadOnlyCredentials(ACCESS_KEY, SECRET, None), "sagemaker", "us-east-1"
    ).add_auth(request)
    wire = WireRequest(
        method="POST",
        path="/",
        query="",
        headers=(("Host", "sim.example"), *((k, _text(v)) for k, v in request.headers.items())),
        body=b"{}",
    )

    assert "user-agent" in wire.header("Authorization")
    assert wire.verify(sagemaker_settings()) == ACCESS_KEY
    changed = wire.with_header("User-Agent", "other-sdk/2.1")
    assert rejection(changed, sagemaker_settings()).message.startswith(MISMATCH_MESSAGE)


_header_names = st.from_regex(r"x-test-[a-z0-9-]{1,12}", fullmatch=True)
_header_values = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)
_query_text = st.text(max_size=12)
_path_segments = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True), max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    params=st.lists(st.tuples(_query_text, _query_text), max_size=4),
    extra_headers=st.dictionaries(_header_names, _header_values, max_size=4),
    segments=_path_segments,
    body=st.binary(max_size=200),
)
def test_any_botocore_signature_verifies(
    params: list[tuple[str, str]],
    extra_headers: dict[str, str],
    segments: list[str],
    body: bytes,
) -> None:
    request = manually_signed(
        path="/" + "/".join(segments),
        params=params,
        extra_headers=list(extra_headers.items()),
        body=body,
    )
    now = datetime.strptime(request.header("X-Amz-Date"), SIGV4_TIMESTAMP).replace(tzinfo=UTC)

    assert request.verify(sagemaker_settings(), now=now) == ACCESS_KEY


@settings(max_examples=40, deadline=None)
@given(body=st.binary(min_size=1, max_size=100), data=st.data())
def test_any_flipped_body_bit_is_caught(body: bytes, data: st.DataObject) -> None:
    request = manually_signed(body=body)
    index = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = bytearray(body)
    flipped[index] ^= 1 << bit
    now = datetime.strptime(request.header("X-Amz-Date"), SIGV4_TIMESTAMP).replace(tzinfo=UTC)

    failure = rejection(attrs.evolve(request, body=bytes(flipped)), sagemaker_settings(), now=now)

    assert failure.message.startswith(MISMATCH_MESSAGE)
