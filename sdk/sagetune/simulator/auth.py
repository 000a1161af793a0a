"""SigV4 verification for the simulator, with the checks and error texts of an AWS front end.

The simulator must reject what the real service rejects, in the same order and with the same
``__type`` codes, so that a client which works against the simulator also signs correctly for
AWS. The signature itself is recomputed with botocore's ``SigV4Auth``, the reference
implementation, not with sagetune's own signer (``sagetune.signing.RequestSigner``, a faster
one in the same canonical form): a verifier built from the signer's code would accept
whatever the signer gets wrong. Differential tests tie the two together.

Session tokens: a key listed in ``AuthSettings.session_tokens`` (temporary credentials)
must present exactly that token in ``X-Amz-Security-Token``; any other key (long-term) must
present none. Either way a token the simulator does not know is refused as AWS refuses it,
UnrecognizedClientException "The security token included in the request is invalid".
Token expiry is not modelled.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from urllib.parse import parse_qsl

import attrs
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import ReadOnlyCredentials

__all__ = [
    "ANONYMOUS_ACCESS_KEY_ID",
    "AuthFailure",
    "AuthSettings",
    "verify_request",
]

ALGORITHM = "AWS4-HMAC-SHA256"
ANONYMOUS_ACCESS_KEY_ID = "anonymous"
"""What ``verify_request`` returns, with auth disabled, for a request carrying no Credential."""

_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_AUTH_PARAMETERS = ("Credential", "Signature", "SignedHeaders")
_TERMINATOR = "aws4_request"


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _key_ids_only(value: Mapping[str, str]) -> str:
    return f"<secrets for {sorted(value)!r}>"


def _non_negative(_: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    if value < timedelta(0):
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


@attrs.frozen(kw_only=True)
class AuthSettings:
    """Who may call the simulator, and how strictly their signatures are checked."""

    credentials: Mapping[str, str] = attrs.field(converter=_frozen_mapping, repr=_key_ids_only)
    """Access key id -> secret access key."""
    region: str = attrs.field(validator=attrs.validators.min_len(1))
    """The region requests must be scoped to, e.g. ``us-east-1``."""
    service: str = attrs.field(default="sagemaker", validator=attrs.validators.min_len(1))
    """The signing name requests must be scoped to."""
    max_skew: timedelta = attrs.field(default=timedelta(minutes=5), validator=_non_negative)
    """How far a request's signing time may lie from the server's wall clock, either way."""
    enabled: bool = True
    """False switches every check off (an explicit choice: nothing disables auth silently)."""
    session_tokens: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, repr=_key_ids_only
    )
    """Access key id -> the session token that key must present (temporary credentials)."""


class AuthFailure(Exception):
    """A request that fails authentication; the protocol handler turns it into an AWS error."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        """The AWS ``__type`` of the error, e.g. ``InvalidSignatureException``."""
        self.message = message
        self.status = status
        """The HTTP status to answer with."""


def verify_request(
    settings: AuthSettings,
    *,
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    now: datetime,
) -> str:
    """Return the access key id of a correctly signed request, or raise AuthFailure.

    ``path`` and ``query`` are the raw (still percent-encoded) parts of the request target;
    ``now`` is the server's wall clock (a naive value is taken as UTC).
    """
    header_index = _index_headers(headers)
    authorization = _first(header_index, "authorization")
    if not settings.enabled:
        return _access_key_id_or_anonymous(authorization)
    if authorization is None or not authorization.strip().startswith("AWS4-"):
        raise AuthFailure(
            "MissingAuthenticationTokenException", "Request is missing Authentication Token"
        )

    algorithm, parameters = _split_authorization(authorization)
    amz_date = _first(header_index, "x-amz-date")
    http_date = _first(header_index, "date")
    _require_parameters(parameters, authorization, has_date=amz_date or http_date)
    signed_at = _signing_time(amz_date, http_date)
    _check_clock_skew(signed_at, _as_utc(now), settings.max_skew)
    timestamp = signed_at.strftime(SIGV4_TIMESTAMP)  # X-Amz-Date as sent, or Date converted

    signed_names = [name.strip().lower() for name in parameters["SignedHeaders"].split(";")]
    if "host" not in signed_names:
        raise AuthFailure(
            "InvalidSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        )
    if algorithm != ALGORITHM:
        raise AuthFailure(
            "IncompleteSignatureException",
            f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). ",
        )
    access_key_id = _check_credential_scope(parameters["Credential"], timestamp, settings)
    secret = settings.credentials.get(access_key_id)
    if secret is None:
        raise AuthFailure(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    _check_session_token(access_key_id, _first(header_index, "x-amz-security-token"), settings)
    _check_declared_payload_hash(header_index, body)
    _check_signature(
        access_key_id=access_key_id,
        secret=secret,
        settings=settings,
        timestamp=timestamp,
        request=_request_to_canonicalize(method, path, query, header_index, signed_names, body),
        provided=parameters["Signature"],
    )
    return access_key_id


class _DeclaredHeadersSigV4(SigV4Auth):
    """botocore's SigV4, canonicalizing exactly the headers the request says it signed.

    Stock ``headers_to_sign`` picks headers itself (it skips a blacklist and invents Host);
    a verifier must use the client's SignedHeaders list instead. Everything else, from path
    normalization to the signing-key chain, is botocore's own code.
    """

    def __init__(self, *, credentials: ReadOnlyCredentials, settings: AuthSettings) -> None:
        super().__init__(credentials, settings.service, settings.region)

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        # The request handed in holds only the signed headers (see _request_to_canonicalize).
        return request.headers


def _request_to_canonicalize(
    method: str,
    path: str,
    query: str,
    header_index: Mapping[str, list[str]],
    signed_names: Sequence[str],
    body: bytes,
) -> AWSRequest:
    # Query values are decoded the way they were encoded on the wire (botocore's preparer
    # uses urlencode, '+' for space); botocore then re-encodes them canonically. A list of
    # pairs keeps repeated keys; botocore accepts one although its stubs say Mapping.
    request = AWSRequest(
        method=method,
        url=f"http://simulator{path or '/'}",
        data=body,
        params=parse_qsl(query, keep_blank_values=True),  # type: ignore[arg-type]
    )
    for name in dict.fromkeys(signed_names):
        # A signed header missing from the request canonicalizes as empty (and so mismatches).
        for value in header_index.get(name, [""]):
            request.headers[name] = value
    return request


def _check_signature(
    *,
    access_key_id: str,
    secret: str,
    settings: AuthSettings,
    timestamp: str,
    request: AWSRequest,
    provided: str,
) -> None:
    credentials = ReadOnlyCredentials(access_key_id, secret, None)
    signer = _DeclaredHeadersSigV4(credentials=credentials, settings=settings)
    request.context["timestamp"] = timestamp
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    expected = signer.signature(string_to_sign, request)
    if not hmac.compare_digest(expected.encode(), provided.encode("utf-8", "replace")):
        raise AuthFailure(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details.\n\n"
            f"The Canonical String for this request should have been\n'{canonical_request}'\n\n"
            f"The String-to-Sign should have been\n'{string_to_sign}'\n",
        )


def _index_headers(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for name, value in headers:
        index.setdefault(name.strip().lower(), []).append(value)
    return index


def _first(header_index: Mapping[str, list[str]], name: str) -> str | None:
    values = header_index.get(name)
    return values[0] if values else None


def _split_authorization(authorization: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = authorization.strip().partition(" ")
    parameters: dict[str, str] = {}
    for pair in filter(None, re.split(r"[,\s]+", rest)):
        name, equals, value = pair.partition("=")
        if not equals:
            raise AuthFailure(
                "IncompleteSignatureException",
                f"'{pair}' not a valid key=value pair (missing equal-sign) in Authorization "
                f"header: '{authorization}'.",
            )
        parameters[name] = value
    return algorithm, parameters


def _require_parameters(
    parameters: Mapping[str, str], authorization: str, *, has_date: str | None
) -> None:
    message = "".join(
        f"Authorization header requires '{name}' parameter. "
        for name in _AUTH_PARAMETERS
        if not parameters.get(name)
    )
    if not has_date:
        message += (
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        )
    if message:
        raise AuthFailure("IncompleteSignatureException", f"{message}Authorization={authorization}")


def _signing_time(amz_date: str | None, http_date: str | None) -> datetime:
    """When the request was signed, in UTC (X-Amz-Date wins over Date)."""
    if amz_date:
        match = _AMZ_DATE.fullmatch(amz_date)
        try:
            if match is None:
                raise ValueError(amz_date)
            year, month, day, hour, minute, second = (int(part) for part in match.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (ValueError, OverflowError):
            raise _bad_date(amz_date) from None
    assert http_date is not None  # _require_parameters guarantees one of the two
    try:
        # An absurd year overflows (a C long, or the datetime range once moved to UTC).
        return _as_utc(parsedate_to_datetime(http_date))
    except (TypeError, ValueError, OverflowError):
        raise _bad_date(http_date) from None


def _bad_date(value: str) -> AuthFailure:
    return AuthFailure(
        "IncompleteSignatureException",
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601",
    )


def _check_clock_skew(signed_at: datetime, now: datetime, max_skew: timedelta) -> None:
    timestamp = signed_at.strftime(SIGV4_TIMESTAMP)
    window = _describe_window(max_skew)
    now_text = now.strftime(SIGV4_TIMESTAMP)
    earliest = now - max_skew
    latest = now + max_skew
    if signed_at < earliest:
        raise AuthFailure(
            "InvalidSignatureException",
            f"Signature expired: {timestamp} is now earlier than "
            f"{earliest.strftime(SIGV4_TIMESTAMP)} ({now_text} - {window}.)",
        )
    if signed_at > latest:
        raise AuthFailure(
            "InvalidSignatureException",
            f"Signature not yet current: {timestamp} is still later than "
            f"{latest.strftime(SIGV4_TIMESTAMP)} ({now_text} + {window}.)",
        )


def _describe_window(max_skew: timedelta) -> str:
    seconds = int(max_skew.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} sec"


def _check_credential_scope(credential: str, timestamp: str, settings: AuthSettings) -> str:
    parts = credential.rstrip("/").split("/")
    if len(parts) != 5:
        raise AuthFailure(
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'",
        )
    access_key_id, date, region, service, terminator = parts
    message = ""
    if region != settings.region:
        message += f"Credential should be scoped to a valid region, not '{region}'. "
    if service != settings.service:
        message += f"Credential should be scoped to correct service: '{settings.service}'. "
    if terminator != _TERMINATOR:
        message += (
            f"Credential should be scoped with a valid terminator: '{_TERMINATOR}', "
            f"not '{terminator}'. "
        )
    if date != timestamp[:8]:
        message += (
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{date}' != '{timestamp[:8]}', from '{timestamp}'."
        )
    if message:
        raise AuthFailure("InvalidSignatureException", message.rstrip())
    return access_key_id


def _check_declared_payload_hash(header_index: Mapping[str, list[str]], body: bytes) -> None:
    # botocore trusts X-Amz-Content-SHA256 in place of hashing the body; a verifier must not,
    # or a signed header would vouch for any body. JSON services take no unsigned payloads.
    declared = _first(header_index, "x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        raise AuthFailure(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )


def _check_session_token(access_key_id: str, token: str | None, settings: AuthSettings) -> None:
    """A temporary key's own token, and no token for a long-term key (a token made up for
    a long-term key is one AWS does not know either)."""
    required = settings.session_tokens.get(access_key_id)
    if required is None and token is None:
        return
    if (
        required is None
        or token is None
        or not hmac.compare_digest(
            required.encode("utf-8", "replace"), token.encode("utf-8", "replace")
        )
    ):
        raise AuthFailure(
            "UnrecognizedClientException", "The security token included in the request is invalid"
        )


def _access_key_id_or_anonymous(authorization: str | None) -> str:
    match = re.search(r"Credential=([^/,\s]+)", authorization or "")
    return match.group(1) if match else ANONYMOUS_ACCESS_KEY_ID


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
