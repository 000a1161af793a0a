"""SigV4 signing of each attempt, with botocore's own signer and credential objects.

Why botocore here: the canonical request, the signed-header rules and the key derivation
have one implementation that AWS keeps correct (``botocore.auth.SigV4Auth``); sagetune
only decides *what* to sign. Every attempt is signed afresh (new ``X-Amz-Date``), so a
retry is never sent with a stale signature; a session token travels as
``X-Amz-Security-Token`` and is itself signed.

Credentials come from a :class:`CredentialSource`: fixed keys, or botocore's provider
chain (environment, shared files, SSO, container, instance metadata ...), resolved on first
use. Resolving the chain and refreshing temporary credentials may do network I/O, so
:meth:`CredentialSource.needs_io` lets the async client move that work to a thread and keep
the event loop free; the common case (credentials at hand) stays inline and cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol, Union, cast

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from sagetune.errors import NoCredentialsError

if TYPE_CHECKING:
    from botocore.credentials import ReadOnlyCredentials

__all__ = [
    "SIGNING_NAME",
    "CredentialSource",
    "Credentials",
    "FixedCredentials",
    "FrozenCredentials",
    "NoCredentialsError",
    "redact_headers",
    "sign_request",
]

SIGNING_NAME = "sagemaker"
"""SageMaker's SigV4 service name (the credential scope's third part)."""

_SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})


class Credentials(Protocol):
    """What botocore's ``Credentials`` / ``RefreshableCredentials`` offer that we use."""

    def get_frozen_credentials(self) -> FrozenCredentials: ...


class FixedCredentials(NamedTuple):
    """Keys given to the client: botocore's ``ReadOnlyCredentials`` shape, which is all
    ``SigV4Auth`` reads (kept here so explicit keys do not import botocore's provider
    chain, ~30 ms of a cold start)."""

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


def sign_request(
    credentials: FrozenCredentials,
    region: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, str]:
    """The headers to send: ``headers`` plus ``X-Amz-Date``, ``Authorization`` and, with a
    session token, ``X-Amz-Security-Token`` (signed exactly as botocore signs them).

    ``Host`` is signed from the URL (as botocore does); headers added later by the HTTP
    layer (``User-Agent``, ``Content-Length``, ``amz-sdk-*``) are not signed, as with botocore.
    """
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    # FixedCredentials has ReadOnlyCredentials' fields, all SigV4Auth reads.
    SigV4Auth(cast("ReadOnlyCredentials", credentials), SIGNING_NAME, region).add_auth(request)
    return dict(request.headers.items())


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
