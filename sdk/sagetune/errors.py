"""One exception hierarchy for everything sagetune raises.

- ``SageTuneError``: the root.
- ``ValidationError``: a request broke the model's constraints or the tuning API's rules;
  raised on the client before any I/O. Lists every violation, service-style.
- ``DocumentError``: a document is not JSON, is nested too deeply, or is not an object.
- ``ServiceError``: the service (or the simulator) answered with an error; carries the
  AWS error code, message, HTTP status and request id. Modeled errors (generated from the
  service model: ``ResourceInUse``, ``ResourceLimitExceeded``, ``ResourceNotFound``) and the
  common AWS errors below derive from it; an unknown code is a plain ``ServiceError``.
- ``TransportError``: the request never got an HTTP answer (connection failure, timeout).
- ``WaiterError``: a waiter reached a failure state or gave up.

The classes the generated model builds on (``SageTuneError``, ``Violation``,
``ValidationError``, ``DocumentError``, ``ServiceError``) are defined in
``sagetune.base_errors`` and re-exported here; the modeled errors are generated into
``sagetune.model.errors`` and re-exported here on first use. So this module depends on the
model and the model never on it.
"""

from __future__ import annotations

from sagetune.base_errors import DocumentError as DocumentError
from sagetune.base_errors import SageTuneError as SageTuneError
from sagetune.base_errors import ServiceError as ServiceError
from sagetune.base_errors import ValidationError as ValidationError
from sagetune.base_errors import Violation as Violation
from sagetune.base_errors import format_violations as format_violations


class ValidationException(ServiceError):
    """The service rejected the request's parameters."""

    CODE = "ValidationException"


class ThrottlingException(ServiceError):
    """The service throttled the request; the client retries these automatically."""

    CODE = "ThrottlingException"


class AuthError(ServiceError):
    """The request's SigV4 authentication was rejected."""


class MissingAuthenticationTokenException(AuthError):
    CODE = "MissingAuthenticationTokenException"


class IncompleteSignatureException(AuthError):
    CODE = "IncompleteSignatureException"


class InvalidSignatureException(AuthError):
    CODE = "InvalidSignatureException"


class UnrecognizedClientException(AuthError):
    CODE = "UnrecognizedClientException"


class ExpiredTokenException(AuthError):
    CODE = "ExpiredTokenException"


class AccessDeniedException(AuthError):
    CODE = "AccessDeniedException"


class InternalFailure(ServiceError):
    """The service failed internally; retried automatically."""

    CODE = "InternalFailure"


class ServiceUnavailable(ServiceError):
    CODE = "ServiceUnavailable"


class TransportError(SageTuneError):
    """No HTTP answer was received (the request may or may not have reached the service).

    Subclasses say whether a retry may help; the HTTP library's own exception is kept as
    ``__cause__``.
    """

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ConnectionFailure(TransportError):
    """The connection failed: refused, reset, DNS, connect timeout, or closed before the
    response was complete. Retryable."""


class ReadTimeoutFailure(TransportError):
    """The request was sent but no (complete) response came within the read timeout.
    Retryable."""


class ConfigurationError(SageTuneError, ValueError):
    """The client cannot be configured as asked: no region, half a key pair, an unknown
    profile, FIPS with a custom endpoint ..."""


class NoCredentialsError(SageTuneError):
    """No credentials were found (botocore's provider chain); raised by the first call,
    before anything is sent."""


class PaginationError(SageTuneError):
    """The service returned the token it was given: following it would loop forever."""


class WaiterError(SageTuneError):
    """A waiter reached a failure state, or gave up after its maximum attempts."""

    def __init__(self, name: str, reason: str, last_response: object | None = None) -> None:
        self.name = name
        self.reason = reason
        self.last_response = last_response
        super().__init__(f"Waiter {name} failed: {reason}")


COMMON_ERRORS: dict[str, type[ServiceError]] = {
    cls.CODE: cls
    for cls in (
        ValidationException,
        ThrottlingException,
        MissingAuthenticationTokenException,
        IncompleteSignatureException,
        InvalidSignatureException,
        UnrecognizedClientException,
        ExpiredTokenException,
        AccessDeniedException,
        InternalFailure,
        ServiceUnavailable,
    )
}


def error_class(code: str) -> type[ServiceError]:
    """The exception class for an AWS error code; unknown codes map to ``ServiceError``."""
    from sagetune.model.errors import MODELED_ERRORS

    return MODELED_ERRORS.get(code) or COMMON_ERRORS.get(code) or ServiceError


def __getattr__(name: str) -> type[ServiceError]:
    # ``from sagetune.errors import ResourceNotFound``: the modeled errors are generated into
    # sagetune.model.errors and re-exported here on first use.
    from sagetune.model import errors as modeled

    try:
        cls: type[ServiceError] = getattr(modeled, name)
    except AttributeError:
        raise AttributeError(f"module 'sagetune.errors' has no attribute {name!r}") from None
    return cls
