"""Take credentials out of recorded exchanges before anything is written, and find leftovers.

A cassette is committed to a repository, so what it holds is public. SigV4 puts the access
key id in every ``Authorization`` header (its ``Credential``), temporary credentials add an
``X-Amz-Security-Token``, and ARNs name the account. :class:`Scrubber` rewrites a vcrpy
request (headers, URI, body) and a recorded response (headers, body) so that none of those
survive; it works on the raw text, so a body keeps its exact formatting unless it held a
secret. Scrubbing is idempotent: vcrpy applies it again to each request it matches while
replaying, so a request and its recording are compared in the same scrubbed form.

:func:`find_secrets` is the other half: it scans text (a cassette file) for anything that
still looks like an access key id, a secret, a session token or a live signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import attrs

__all__ = [
    "DUMMY_ACCOUNT_ID",
    "PLACEHOLDER",
    "RequestLike",
    "Scrubber",
    "SecretFinding",
    "find_secrets",
]

PLACEHOLDER = "SCRUBBED"
"""What a secret is replaced with (short, and matches none of the secret patterns)."""

DUMMY_ACCOUNT_ID = "123456789012"
"""The account id ARNs get (the one AWS documentation and the simulator use)."""

_KEY_ID_PREFIXES = "AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|APKA|ABIA|ACCA"
ACCESS_KEY_ID = re.compile(rf"(?<![A-Z0-9])(?:{_KEY_ID_PREFIXES})[A-Z0-9]{{16}}(?![A-Z0-9])")
"""IAM access key ids (long-term ``AKIA``, temporary ``ASIA``) and other IAM unique ids."""
_ACCESS_KEY_ID_BYTES = re.compile(ACCESS_KEY_ID.pattern.encode("ascii"))

_ARN_ACCOUNT = re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)(\d{12})(?=:)")

# Credential scope is kept (date/region/service say where a recording came from);
# the key id and the signature go.
_AUTHORIZATION = re.compile(
    r"^(?P<scheme>AWS4-[A-Z0-9-]+)\s+Credential=(?P<key>[^/,\s]*)(?P<scope>/[^,\s]*)?"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_SIGNATURE = re.compile(r"(Signature=)[^,\s]*")

_SECRET_KEY_NAMES = (
    r"SessionToken|SecurityToken|X-Amz-Security-Token|aws_session_token|aws_security_token|"
    r"SecretAccessKey|SecretKey|aws_secret_access_key|secret_access_key"
)
# A JSON member (``"SessionToken": "..."``) holding a secret, whatever the case.
_JSON_SECRET_MEMBER = re.compile(
    rf'("(?:{_SECRET_KEY_NAMES})"\s*:\s*")((?:[^"\\]|\\.)*)(")', re.IGNORECASE
)
# A presigned URL's query parameters.
_QUERY_SECRET = re.compile(
    r"((?:^|[?&])X-Amz-(?:Credential|Signature|Security-Token)=)[^&#]*", re.IGNORECASE
)

_SECRET_HEADERS = frozenset({"x-amz-security-token"})
_SCRUBBED_BY = "_sagetune_scrubbed_by"


class RequestLike(Protocol):
    """What a vcrpy ``Request`` offers that scrubbing touches."""

    uri: str
    body: bytes | None

    @property
    def headers(self) -> Any: ...

    @headers.setter
    def headers(self, value: Mapping[str, Any]) -> None: ...


_Request = TypeVar("_Request", bound=RequestLike)


@attrs.frozen(kw_only=True)
class Scrubber:
    """Rewrites recorded requests and responses so that no credential is written.

    ``account_id``: the account id ARNs are rewritten to (``None`` keeps the real one).
    Access key ids, session tokens, secret keys and signatures are always removed.
    """

    account_id: str | None = DUMMY_ACCOUNT_ID

    def text(self, text: str) -> str:
        """Scrub free text: access key ids, JSON members holding secrets, ARN accounts."""
        text = ACCESS_KEY_ID.sub(PLACEHOLDER, text)
        if '"' in text:
            text = _JSON_SECRET_MEMBER.sub(rf"\g<1>{PLACEHOLDER}\g<3>", text)
        if self.account_id is not None and "arn:" in text:
            text = _ARN_ACCOUNT.sub(rf"\g<1>{self.account_id}", text)
        return text

    def body(self, body: bytes | str | None) -> bytes | None:
        """Scrub a body; one that is not UTF-8 text only loses access key ids."""
        if body is None:
            return None
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _ACCESS_KEY_ID_BYTES.sub(PLACEHOLDER.encode("ascii"), raw)
        scrubbed = self.text(text)
        return raw if scrubbed == text else scrubbed.encode("utf-8")

    def header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered == "authorization":
            return scrub_authorization(value)
        if lowered in _SECRET_HEADERS:
            return PLACEHOLDER
        return self.text(value)

    def uri(self, uri: str) -> str:
        return self.text(_QUERY_SECRET.sub(rf"\g<1>{PLACEHOLDER}", uri))

    def request(self, request: _Request) -> _Request:
        """Scrub a vcrpy request in place (it is vcrpy's own copy) and return it.

        vcrpy hands the same request object over several times while matching it; it is
        scrubbed once (scrubbing is idempotent, this only saves the work).
        """
        if getattr(request, _SCRUBBED_BY, None) is self:
            return request
        request.uri = self.uri(request.uri)
        headers = request.headers
        request.headers = {name: self.header(name, str(value)) for name, value in headers.items()}
        request.body = self.body(request.body)
        setattr(request, _SCRUBBED_BY, self)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Scrub a vcrpy response dict (``status``, ``headers``, ``body.string``) in place."""
        headers = response.get("headers") or {}
        for name, values in list(headers.items()):
            if isinstance(values, list):
                headers[name] = [self.header(name, str(value)) for value in values]
            else:
                headers[name] = self.header(name, str(values))
        body = response.get("body")
        if isinstance(body, dict) and body.get("string") is not None:
            body["string"] = self.body(body["string"])
        return response


def scrub_authorization(value: str) -> str:
    """``AWS4-HMAC-SHA256 Credential=SCRUBBED/<date>/<region>/<service>/aws4_request,
    SignedHeaders=..., Signature=SCRUBBED``; anything else becomes ``SCRUBBED``."""
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        return PLACEHOLDER
    scope = match["scope"] or ""
    rest = _SIGNATURE.sub(rf"\g<1>{PLACEHOLDER}", match["rest"])
    return f"{match['scheme']} Credential={PLACEHOLDER}{scope}{rest}"


# -- finding what scrubbing should have removed --------------------------------------------


@attrs.frozen(kw_only=True)
class SecretFinding:
    """Something in a text that looks like a credential."""

    kind: str
    line: int  # 1-based
    excerpt: str  # the match, mostly masked

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} ({self.excerpt})"


_FINDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("access key id", ACCESS_KEY_ID),
    (
        "unscrubbed Authorization credential",
        re.compile(rf"Credential=(?!{PLACEHOLDER}[/,\s'\"]|{PLACEHOLDER}$)[^\s,'\"]+"),
    ),
    ("request signature", re.compile(r"Signature=[0-9a-f]{64}")),
    (
        "session token",
        re.compile(r"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{16,}"),
    ),
    (
        "secret value",
        re.compile(
            rf"(?i)(?:{_SECRET_KEY_NAMES})['\"]?\s*[:=]\s*\[?\s*(?:-\s+)?['\"]?"
            rf"(?!{PLACEHOLDER}\b)[A-Za-z0-9/+=%]{{16,}}"
        ),
    ),
    (
        "secret access key",
        re.compile(
            r"(?i)secret[\w-]{0,20}['\"]?\s*[:=]\s*['\"]?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
        ),
    ),
)


def find_secrets(text: str) -> list[SecretFinding]:
    """Everything in ``text`` that looks like a credential, in order of position."""
    findings: list[tuple[int, SecretFinding]] = []
    for kind, pattern in _FINDERS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            findings.append(
                (match.start(), SecretFinding(kind=kind, line=line, excerpt=_mask(match[0])))
            )
    findings.sort(key=lambda pair: pair[0])
    return [finding for _, finding in findings]


def _mask(found: str) -> str:
    """Enough of a match to find it, not enough to use it."""
    found = found.replace("\n", " ")
    return found if len(found) <= 12 else f"{found[:8]}...({len(found)} chars)"
