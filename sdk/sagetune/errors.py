"""One exception hierarchy for everything sagetune raises.

- ``SageTuneError``: the root.
- ``ValidationError``: a request broke the model's constraints or the tuning API's rules;
  raised on the client before any I/O. Lists every violation, service-style.
- ``ServiceError``: the service (or the simulator) answered with an error; carries the
  AWS error code, message, HTTP status and request id. Modeled errors (generated from the
  service model: ``ResourceInUse``, ``ResourceLimitExceeded``, ``ResourceNotFound``) and the
  common AWS errors below derive from it; an unknown code is a plain ``ServiceError``.
- ``TransportError``: the request never got an HTTP answer (connection failure, timeout).
- ``WaiterError``: a waiter reached a failure state or gave up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import attrs


class SageTuneError(Exception):
    """Base of every exception sagetune raises."""


@attrs.frozen
class Violation:
    """One broken constraint: where (service-style camelCase path), the value, and the rule."""

    path: str
    value: object
    rule: str

    def message(self) -> str:
        shown = "null" if self.value is None else f"'{_show(self.value)}'"
        return f"Value {shown} at '{self.path}' failed to satisfy constraint: {self.rule}"


def _show(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_violations(violations: Sequence[Violation]) -> str:
    """The service's wording: ``N validation error(s) detected: ...; ...``."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    details = "; ".join(v.message() for v in violations)
    return f"{count} validation {noun} detected: {details}"


class ValidationError(SageTuneError, ValueError):
    """A request is invalid; raised before anything is sent.

    ``violations`` lists every problem found, each with its member path; ``str()`` reads
    like the service's own ValidationException message.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(format_violations(self.violations))


class ServiceError(SageTuneError):
    """An error answer from the service: its code, message, HTTP status and request id."""

    CODE: ClassVar[str] = ""  # the AWS error code this class stands for

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.message = message
        self.code = code or type(self).CODE or "Unknown"
        self.status_code = status_code
        self.request_id = request_id
        self.operation = operation
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" when calling {self.operation}" if self.operation else ""
        status = f" (HTTP {self.status_code}" if self.status_code is not None else ""
        rid = f", request id {self.request_id})" if self.request_id else (")" if status else "")
        return f"{self.code}{where}{status}{rid}: {self.message}"


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
