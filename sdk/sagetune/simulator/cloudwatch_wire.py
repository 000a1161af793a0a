"""CloudWatch's three wire protocols: recognising a request, reading it, writing answers.

botocore picks CloudWatch's protocol from its model: ``query`` up to 1.42.6, AWS JSON 1.0
from 1.42.7 on (the model lists ``smithy-rpc-v2-cbor`` first, but botocore ranks ``json``
above it); other SDKs may pick Smithy RPC v2 CBOR. All three are signed for
``monitoring`` and served here (worked examples: /work/notes/fidelity/cloudwatch-metrics.md):

- query: ``POST /``, form-encoded ``Action=<Op>&Version=2010-08-01&...`` (lists as
  ``Name.member.N``, structures as ``A.B``, timestamps ISO 8601); XML answers
  ``<OpResponse><OpResult>...</OpResult><ResponseMetadata>`` and ``<ErrorResponse>``.
- AWS JSON 1.0: ``X-Amz-Target: GraniteServiceVersion20100801.<Op>``, epoch-second
  timestamps; errors carry ``__type: com.amazonaws.cloudwatch#<ErrorShape>`` and the
  ``x-amzn-query-error: <Code>;Sender`` header, so botocore reports the same ``Code`` as it
  does over query (CloudWatch is ``awsQueryCompatible``).
- RPC v2 CBOR: ``POST /service/GraniteServiceVersion20100801/operation/<Op>`` with
  ``smithy-protocol: rpc-v2-cbor``; bodies are CBOR maps (``cbor``), timestamps tag 1; errors
  as in JSON 1.0.

Answers are written from plain documents: ``datetime`` is a timestamp, ``ValueMap`` a map,
lists and dicts lists and structures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from sagetune import protocol
from sagetune.codec import timestamp_to_wire
from sagetune.errors import ServiceError
from sagetune.simulator import cbor
from sagetune.simulator.cloudwatch import ValueMap

__all__ = [
    "SIGNING_NAME",
    "TARGET_PREFIX",
    "Wire",
    "answer",
    "error_answer",
    "read_request",
    "recognise",
]

SIGNING_NAME = "monitoring"
TARGET_PREFIX = "GraniteServiceVersion20100801"
CBOR_PATH = f"/service/{TARGET_PREFIX}/operation/"
XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/"
API_VERSION = "2010-08-01"
MAX_KEY_PARTS = 16
"""Dots in one query key: CloudWatch's deepest member has 9 parts."""
MAX_LIST_INDEX = 10_000

Answer = tuple[int, list[tuple[str, str]], bytes]


class Wire(StrEnum):
    QUERY = "query"
    JSON = "json"
    CBOR = "smithy-rpc-v2-cbor"


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def recognise(method: str, path: str, headers: Sequence[tuple[str, str]]) -> Wire | None:
    """The CloudWatch protocol a request speaks, or None when it is not CloudWatch's."""
    if path.startswith("/service/"):
        return Wire.CBOR
    target = _header(headers, "x-amz-target")
    if target is not None:
        return Wire.JSON if target.startswith(TARGET_PREFIX + ".") else None
    content_type = (_header(headers, "content-type") or "").lower()
    if (
        method == "POST"
        and path == "/"
        and content_type.startswith("application/x-www-form-urlencoded")
    ):
        return Wire.QUERY
    return None


# -- requests


def read_request(
    wire: Wire, method: str, path: str, headers: Sequence[tuple[str, str]], body: bytes
) -> tuple[str, Any]:
    """(operation, members as sent) of a request; members are checked later, by the
    operation. Raises ServiceError when the request cannot be read at all."""
    if wire is Wire.QUERY:
        return _read_form(body)
    if method != "POST":
        raise ServiceError(
            f"{method} is not an operation: CloudWatch takes POST.",
            code="UnknownOperationException",
            status_code=405,
        )
    if wire is Wire.JSON:
        target = _header(headers, "x-amz-target") or ""
        return target.partition(".")[2], _decode_json(body)
    if not path.startswith(CBOR_PATH) or "/" in path[len(CBOR_PATH) :]:
        raise ServiceError(
            f"{path} is not an operation of {TARGET_PREFIX}: RPC v2 CBOR requests go to "
            f"{CBOR_PATH}<Operation>.",
            code="UnknownOperationException",
            status_code=404,
        )
    try:
        return path[len(CBOR_PATH) :], cbor.decode(body)
    except cbor.CBORDecodeError as exc:
        raise ServiceError(
            f"The request body is not valid CBOR: {exc}", code="SerializationException"
        ) from None


def _decode_json(body: bytes) -> Any:
    try:
        return protocol.decode(body)
    except ValueError as exc:  # protocol.DocumentError: not JSON, or nested too deeply
        raise ServiceError(
            f"The request body is not valid JSON: {exc}", code="SerializationException"
        ) from None


class _Items(dict[int, Any]):
    """``Name.member.N`` entries while a form is read (index -> value)."""


def _read_form(body: bytes) -> tuple[str, dict[str, Any]]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ServiceError(
            f"The request body is not a form: {exc}", code="MalformedQueryString"
        ) from None
    fields = dict(pairs)
    action = fields.pop("Action", None)
    version = fields.pop("Version", API_VERSION)
    if not action:
        raise ServiceError("The parameter Action is required.", code="MissingAction")
    if version != API_VERSION:
        raise ServiceError(
            f"Version {version[:32]!r} is not {API_VERSION}, the version this service speaks.",
            code="InvalidParameterValue",
        )
    root: dict[str, Any] = {}
    for key, value in fields.items():
        _place(root, key, value)
    return action, _lists(root)


def _place(root: dict[str, Any], key: str, value: str) -> None:
    parts = key.split(".")
    if len(parts) > MAX_KEY_PARTS:
        raise ServiceError(
            f"The parameter {key[:64]!r} is nested too deeply.", code="InvalidParameterValue"
        )
    node: Any = root  # a dict of members, or an _Items of list items
    i = 0
    part: str | int
    while i < len(parts):
        part = parts[i]
        child_kind: type[dict[Any, Any]] = dict
        if part == "member" and i + 1 < len(parts):  # ``member.N`` is an item of a list
            if not isinstance(node, _Items) or not parts[i + 1].isdigit():
                raise _bad_key(key)
            part = int(parts[i + 1])
            if not 1 <= part <= MAX_LIST_INDEX:
                raise _bad_key(key)
            i += 1
        elif isinstance(node, _Items):
            raise _bad_key(key)
        last = i == len(parts) - 1
        if not last:
            child_kind = _Items if parts[i + 1] == "member" else dict
        if last:
            if part in node:
                raise _bad_key(key)
            node[part] = value
        else:
            child = node.setdefault(part, child_kind())
            if type(child) is not child_kind:
                raise _bad_key(key)
            node = child
        i += 1


def _bad_key(key: str) -> ServiceError:
    return ServiceError(
        f"The parameter {key[:64]!r} is not a member, a list item (Name.member.N, N >= 1) "
        "or a nested member, or it conflicts with another parameter.",
        code="InvalidParameterValue",
    )


def _lists(node: Any) -> Any:
    if isinstance(node, _Items):
        return [_lists(node[k]) for k in sorted(node)]
    if isinstance(node, dict):
        return {k: _lists(v) for k, v in node.items()}
    return node


# -- answers


def answer(wire: Wire, operation: str, document: Mapping[str, Any], request_id: str) -> Answer:
    if wire is Wire.QUERY:
        body = (
            f'<{operation}Response xmlns="{XML_NAMESPACE}"><{operation}Result>'
            + "".join(_xml(name, value) for name, value in document.items())
            + f"</{operation}Result><ResponseMetadata><RequestId>{request_id}</RequestId>"
            f"</ResponseMetadata></{operation}Response>"
        )
        return 200, _headers(wire, request_id), body.encode("utf-8")
    if wire is Wire.JSON:
        return 200, _headers(wire, request_id), _json(document)
    return 200, _headers(wire, request_id), cbor.encode(document)


# AWS JSON front-end codes -> the query protocol's codes for the same failure.
_QUERY_CODES = {
    "InvalidSignatureException": "SignatureDoesNotMatch",
    "UnrecognizedClientException": "InvalidClientTokenId",
    "MissingAuthenticationTokenException": "MissingAuthenticationToken",
    "IncompleteSignatureException": "IncompleteSignature",
    "UnknownOperationException": "InvalidAction",
    "InternalFailure": "InternalServiceError",
}
# Query codes of CloudWatch's modeled errors -> their shape names (JSON / CBOR ``__type``).
_ERROR_SHAPES = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "MissingParameter": "MissingRequiredParameterException",
    "InvalidParameterCombination": "InvalidParameterCombinationException",
    "InternalServiceError": "InternalServiceFault",
    "InvalidNextToken": "InvalidNextToken",
}


def error_answer(wire: Wire, status: int, code: str, message: str, request_id: str) -> Answer:
    query_code = _QUERY_CODES.get(code, code)
    fault = "Sender" if status < 500 else "Receiver"
    if wire is Wire.QUERY:
        body = (
            f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>{fault}</Type>'
            f"<Code>{escape(query_code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, _headers(wire, request_id), body.encode("utf-8")
    shape = _ERROR_SHAPES.get(query_code)
    document = {
        "__type": f"com.amazonaws.cloudwatch#{shape}" if shape else code,
        "message": message,
    }
    headers = _headers(wire, request_id)
    headers.append(("x-amzn-query-error", f"{query_code};{fault}"))
    encoded = _json(document) if wire is Wire.JSON else cbor.encode(document)
    return status, headers, encoded


def _headers(wire: Wire, request_id: str) -> list[tuple[str, str]]:
    if wire is Wire.QUERY:
        return [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    if wire is Wire.JSON:
        return [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id)]
    return [
        ("Content-Type", "application/cbor"),
        ("smithy-protocol", "rpc-v2-cbor"),
        ("x-amzn-RequestId", request_id),
    ]


def _json(document: Mapping[str, Any]) -> bytes:
    return protocol.encode_response(_epoch_seconds(document))


def _epoch_seconds(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp_to_wire(value)
    if isinstance(value, dict):
        return {k: _epoch_seconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch_seconds(v) for v in value]
    return value


def _xml(name: str, value: Any) -> str:
    if isinstance(value, ValueMap):
        entries = "".join(
            f"<entry><key>{escape(k)}</key><value>{v!r}</value></entry>" for k, v in value.items()
        )
        return f"<{name}>{entries}</{name}>"
    if isinstance(value, dict):
        return f"<{name}>{''.join(_xml(k, v) for k, v in value.items())}</{name}>"
    if isinstance(value, list):
        return f"<{name}>{''.join(_xml('member', v) for v in value)}</{name}>"
    if isinstance(value, datetime):
        spec = "milliseconds" if value.microsecond else "seconds"
        text = value.isoformat(timespec=spec).replace("+00:00", "Z")
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = escape(str(value))
    return f"<{name}>{text}</{name}>"
