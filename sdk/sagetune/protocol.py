"""AWS JSON 1.1, the wire protocol of SageMaker, for both sides of the connection.

The client builds requests and reads answers with these functions; the simulator reads
requests and builds answers with the same ones, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_HEADER = "X-Amz-Target"
REQUEST_ID_HEADER = "x-amzn-RequestId"
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
TARGET_PREFIX = "SageMaker"


def target(operation_name: str) -> str:
    """The ``X-Amz-Target`` value of an operation."""
    return f"{TARGET_PREFIX}.{operation_name}"


def operation_from_target(value: str) -> str | None:
    """The operation name in an ``X-Amz-Target`` value, or None when it is not SageMaker's."""
    prefix, _, name = value.partition(".")
    return name if prefix == TARGET_PREFIX and name else None


def encode(document: Mapping[str, Any]) -> bytes:
    """A JSON body exactly as botocore's JSON serializer writes it (``json.dumps`` defaults:
    ``", "``/``": "`` separators, ASCII escapes; ``{}`` for an empty input), so that a request
    signed by sagetune and one signed by boto3 carry the same payload hash."""
    return json.dumps(document).encode("utf-8")


def encode_response(document: Mapping[str, Any]) -> bytes:
    """A JSON answer as the service writes it: compact (no spaces after separators)."""
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def decode(body: bytes) -> Any:
    """Parse a JSON body; an empty body is an empty object. Raises ``ValueError`` on bad JSON."""
    if not body.strip():
        return {}
    return json.loads(body)


def request_headers(target_value: str) -> dict[str, str]:
    """The protocol headers of a request to ``X-Amz-Target: target_value`` (signing adds
    its own)."""
    return {"Content-Type": CONTENT_TYPE, TARGET_HEADER: target_value}


def error_body(code: str, message: str) -> bytes:
    """An AWS-shaped error body: ``{"__type": code, "message": message}``."""
    return encode_response({"__type": code, "message": message})


@attrs.frozen
class ErrorInfo:
    """The code and message of an error answer, as botocore reads them."""

    code: str
    message: str


def parse_error(status: int, headers: Iterable[tuple[str, str]], body: bytes) -> ErrorInfo:
    """Read an error answer like botocore does.

    The code comes from ``__type`` (any ``prefix#`` and ``:suffix`` removed), else from the
    ``x-amzn-ErrorType`` header, else from the HTTP status; the message from ``message``,
    then ``Message``.
    """
    document: Any
    try:
        document = decode(body)
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    code = document.get("__type")
    if not code:
        code = next((v for k, v in headers if k.lower() == ERROR_TYPE_HEADER.lower()), "")
    code = clean_code(str(code)) if code else _status_code_name(status)
    message = document.get("message") or document.get("Message") or ""
    if not message and not document:
        message = body.decode("utf-8", "replace")[:500]
    return ErrorInfo(code=code, message=str(message))


def clean_code(code: str) -> str:
    """An error code without the namespace and the details some services add to ``__type``
    (``com.amazon.coral.service#ValidationException:...`` -> ``ValidationException``)."""
    code = code.split(":", 1)[0]
    return code.rsplit("#", 1)[-1]


def _status_code_name(status: int) -> str:
    names = {
        500: "InternalFailure",
        502: "BadGateway",
        503: "ServiceUnavailable",
        504: "GatewayTimeout",
    }
    return names.get(status, f"Http{status}")
