"""SigV4 signing of each attempt: botocore's canonical form, botocore's credentials.

Every attempt is signed afresh (new ``X-Amz-Date``), so a retry is never sent with a stale
signature; a session token travels as ``X-Amz-Security-Token`` and is itself signed.

Why not ``botocore.auth.SigV4Auth`` itself (as up to 0.1): it costs ~110 us per signature
(an ``AWSRequest``, an email-style header map, URL splitting and four HMACs every time) and
importing it loads urllib3, ``http.client`` and dateutil: ~100 ms of a cold start.
:class:`RequestSigner` builds the same canonical request (the AWS SigV4 specification, as
botocore implements it: the same signed-header rules and exclusions, path normalisation,
query ordering, payload hash), caches what is the same for every call (the URL's canonical
path, query and host; the day's signing key), and signs with ``hmac.digest``: ~10 us, and
nothing beyond the standard library is imported. Tests sign random requests both ways and
compare the headers byte for byte (``tests/client/test_signing.py``).

Why the canonical form exists twice, here and in botocore (which the simulator's verifier,
:mod:`sagetune.simulator.auth`, uses), although "SigV4 canonical form lives once" is the
rule: the two sides cannot share ours without losing what each is for. The client cannot
use botocore's without paying ~10x per signature and ~100 ms of cold start (above). The
verifier must not use ours: it is the check that our signatures are AWS's, and a verifier
built from the signer's own code accepts whatever the signer gets wrong, in every test
that runs against the simulator. So botocore's implementation stays the reference, ours
the fast path, and hypothesis ties the two together: generated paths (dot segments, empty
segments, percent escapes, reserved and non-ASCII characters), queries (repeated keys,
keys without ``=``, empty values), header names and values (case-duplicates, whitespace
runs, unsigned and replaced headers, ``Date``), bodies, secrets, session tokens, regions
and dates must give botocore's headers exactly, and the simulator's verifier must accept
what we sign.

Credentials come from a :class:`CredentialSource`: fixed keys, or botocore's provider
chain (environment, shared files, SSO, container, instance metadata ...), resolved on first
use. Resolving the chain and refreshing temporary credentials may do network I/O, so
:meth:`CredentialSource.needs_io` lets the async client move that work to a thread and keep
the event loop free; the common case (credentials at hand) stays inline and cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol, Union
from urllib.parse import quote, urlsplit

from sagetune.errors import NoCredentialsError
from sagetune.transport.http11 import host_header

if TYPE_CHECKING:
    from botocore.credentials import ReadOnlyCredentials

__all__ = [
    "SIGNING_NAME",
    "CredentialSource",
    "Credentials",
    "FixedCredentials",
    "FrozenCredentials",
    "NoCredentialsError",
    "RequestSigner",
    "redact_headers",
    "sign_request",
]

SIGNING_NAME = "sagemaker"
"""SageMaker's SigV4 service name (the credential scope's third part)."""

_SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})

UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
"""Headers SigV4 leaves out of the signature: botocore's ``SIGNED_HEADERS_BLACKLIST`` (a test
keeps the two equal)."""

_REPLACED = frozenset({"authorization", "x-amz-date"})
_REPLACED_WITH_TOKEN = _REPLACED | {"x-amz-security-token"}
"""Headers a signature replaces (botocore keeps a caller's token header when it has none)."""

wall_clock: Callable[[], float] = time.time
"""The clock signatures are dated by (tests freeze it, as botocore's tests freeze
``botocore.auth.get_current_datetime``)."""


class Credentials(Protocol):
    """What botocore's ``Credentials`` / ``RefreshableCredentials`` offer that we use."""

    def get_frozen_credentials(self) -> FrozenCredentials: ...


class FixedCredentials(NamedTuple):
    """Keys given to the client: botocore's ``ReadOnlyCredentials`` shape, which is all a
    signature reads (kept here so explicit keys do not import botocore's provider chain,
    ~30 ms of a cold start)."""

    access_key: str
    secret_key: str
    token: str | None = None
    account_id: str | None = None

    def get_frozen_credentials(self) -> FixedCredentials:
        return self


FrozenCredentials = Union["ReadOnlyCredentials", FixedCredentials]
"""One consistent (key, secret, token) snapshot: what a single signature uses."""


class CredentialSource:
    """The credentials that sign requests: given, or found by ``resolve`` on first use.

    ``resolve`` is botocore's provider chain (``botocore.session.Session.get_credentials``)
    or returns fixed keys; it runs once. Thread-safe: a sync client may be shared.
    """

    def __init__(
        self,
        resolve: Callable[[], Credentials | None],
        *,
        describe_missing: str = "No AWS credentials were found.",
    ) -> None:
        self._resolve = resolve
        self._credentials: Credentials | None = None
        self._describe_missing = describe_missing
        self._lock = threading.Lock()
        self._method: str | None = None

    @classmethod
    def fixed(cls, access_key: str, secret_key: str, token: str | None = None) -> CredentialSource:
        """Fixed keys (and optional session token): no lookup, no I/O."""
        found = FixedCredentials(access_key, secret_key, token)
        source = cls(lambda: found)
        source._credentials = found
        source.method = "explicit"
        return source

    def needs_io(self) -> bool:
        """Whether :meth:`frozen` may block: the chain is not resolved yet, or the
        credentials are temporary and due for a refresh."""
        credentials = self._credentials
        if credentials is None:
            return True
        refresh_needed: Callable[[], bool] | None = getattr(credentials, "refresh_needed", None)
        return refresh_needed is not None and refresh_needed()

    def frozen(self) -> FrozenCredentials:
        """A consistent (key, secret, token) snapshot for one signature; may resolve or
        refresh first (blocking). Raises :class:`NoCredentialsError` when there are none."""
        credentials = self._credentials
        if credentials is None:
            with self._lock:
                if self._credentials is None:
                    self._credentials = self._resolve()
                credentials = self._credentials
            if credentials is None:
                raise NoCredentialsError(self._describe_missing)
        return credentials.get_frozen_credentials()

    @property
    def method(self) -> str | None:
        """Where the credentials came from: ``explicit``, or where botocore's chain found
        them (``env``, ``shared-credentials-file``, ``assume-role`` ...); None before the
        first call resolves them."""
        if self._method is not None:
            return self._method
        method: str | None = getattr(self._credentials, "method", None)
        return method

    @method.setter
    def method(self, value: str) -> None:
        self._method = value


class _UrlParts(NamedTuple):
    path: str  # canonical URI
    query: str  # canonical query string
    host: str  # the signed Host


def canonical_path(path: str) -> str:
    """The canonical URI of ``path``: dot segments and empty segments removed, a trailing
    slash kept, percent-encoded except ``/`` and ``~`` (botocore's ``normalize_url_path``)."""
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment and segment != ".":
            if segment == "..":
                if kept:
                    kept.pop()
            else:
                kept.append(segment)
    first = "/" if path[0] == "/" else ""
    last = "/" if path[-1] == "/" and kept else ""
    return quote(first + "/".join(kept) + last, safe="/~")


def canonical_query(query: str) -> str:
    """The canonical query string of a URL's query: ``key=value`` pairs sorted, as given
    (botocore's ``_canonical_query_string_url``)."""
    if not query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in query.split("&"))
    return "&".join(f"{key}={value}" for key, value in pairs)


def _url_parts(url: str) -> _UrlParts:
    parts = urlsplit(url)
    return _UrlParts(
        path=canonical_path(parts.path),
        query=canonical_query(parts.query),
        host=host_header(parts.hostname or "", parts.port, parts.scheme),
    )


class RequestSigner:
    """SigV4 for one region and service: :meth:`sign` returns the headers to send.

    Caches the canonical parts of the URLs it signs for and the signing key of the current
    day (per secret), so a call computes two SHA-256 digests and one HMAC. Thread-safe: the
    caches are replaced whole, never mutated in place.
    """

    __slots__ = ("_key", "_scope_tail", "_urls", "region", "service")

    def __init__(self, region: str, service: str = SIGNING_NAME) -> None:
        self.region = region
        self.service = service
        self._scope_tail = f"/{region}/{service}/aws4_request"
        self._urls: dict[str, _UrlParts] = {}
        self._key: tuple[str, str, bytes] = ("", "", b"")  # (date, secret, key)

    def sign(
        self,
        credentials: FrozenCredentials,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, str]:
        """``headers`` plus ``X-Amz-Date``, ``Authorization`` and, with a session token,
        ``X-Amz-Security-Token``, signed exactly as botocore signs them (a given ``Date``
        header is replaced by the signing time and then stands for ``X-Amz-Date``, as in
        botocore). ``Host`` is signed from the URL; headers added later (``User-Agent``,
        ``Content-Length``, ``amz-sdk-*``) are not signed, as with botocore."""
        parts = self._urls.get(url)
        if parts is None:
            parts = _url_parts(url)
            if len(self._urls) < 64:  # endpoints are few; never grow without bound
                self._urls = {**self._urls, url: parts}
        now = int(wall_clock())
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        token = credentials.token
        replaced = _REPLACED_WITH_TOKEN if token else _REPLACED
        out: dict[str, str] = {}
        dated = False  # a Date header is replaced by the signing time, as botocore does
        for name, value in headers.items():
            lowered = name.lower()
            if lowered == "date":
                dated = True
            elif lowered not in replaced:
                out[name] = value
        if dated:
            from email.utils import formatdate

            out["Date"] = formatdate(now)
        else:
            out["X-Amz-Date"] = amz_date
        if token:
            out["X-Amz-Security-Token"] = token

        signed: dict[str, list[str]] = {}
        payload_hash = None
        for name, value in out.items():
            lowered = name.lower()
            if lowered == "x-amz-content-sha256":
                payload_hash = value
            if lowered not in UNSIGNED_HEADERS:
                signed.setdefault(lowered, []).append(" ".join(value.split()))
        if "host" not in signed:
            signed["host"] = [parts.host]
        names = sorted(signed)
        signed_names = ";".join(names)
        canonical_headers = "".join(f"{n}:{','.join(signed[n])}\n" for n in names)
        if payload_hash is None:
            payload_hash = hashlib.sha256(body).hexdigest()
        canonical_request = (
            f"{method.upper()}\n{parts.path}\n{parts.query}\n{canonical_headers}\n"
            f"{signed_names}\n{payload_hash}"
        )
        date = amz_date[:8]
        scope = date + self._scope_tail
        string_to_sign = (
            f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
            f"{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        )
        signature = hmac.digest(
            self._signing_key(date, credentials.secret_key or ""), string_to_sign.encode(), "sha256"
        ).hex()
        out["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
            f"SignedHeaders={signed_names}, Signature={signature}"
        )
        return out

    def _signing_key(self, date: str, secret: str) -> bytes:
        cached_date, cached_secret, key = self._key
        if cached_date == date and cached_secret == secret:
            return key
        key = hmac.digest(f"AWS4{secret}".encode(), date.encode(), "sha256")
        for part in (self.region, self.service, "aws4_request"):
            key = hmac.digest(key, part.encode(), "sha256")
        self._key = (date, secret, key)
        return key


def sign_request(
    credentials: FrozenCredentials,
    region: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, str]:
    """Sign one request (see :meth:`RequestSigner.sign`; a client keeps one signer)."""
    return RequestSigner(region).sign(credentials, method, url, headers, body)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: the signature and the session token hidden, the access key id
    kept to its first four characters (enough to tell keys apart)."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            shown[name] = _redact_authorization(value)
        elif lowered in _SECRET_HEADERS:
            shown[name] = "<redacted>"
        else:
            shown[name] = value
    return shown


def _redact_authorization(value: str) -> str:
    algorithm, _, rest = value.partition(" ")
    parts = []
    for part in rest.split(","):
        key, _, item = part.strip().partition("=")
        if key == "Credential":
            access_key, _, scope = item.partition("/")
            item = f"{access_key[:4]}****/{scope}"
        elif key == "Signature":
            item = "<redacted>"
        parts.append(f"{key}={item}")
    return f"{algorithm} {', '.join(parts)}"
