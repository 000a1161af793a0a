"""AWS JSON 1.1, the wire protocol of SageMaker, for both sides of the connection.

The client builds requests and reads answers with these functions; the simulator reads
requests and builds answers with the same ones, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from sagetune.base_errors import DocumentError, show_value

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_HEADER = "X-Amz-Target"
REQUEST_ID_HEADER = "x-amzn-RequestId"
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
TARGET_PREFIX = "SageMaker"

# The deepest nesting of objects and arrays a document may have. The model's deepest shape
# needs 6 (a request's MetricDefinitions inside TrainingJobDefinitions); 500 leaves room for
# any future shape and stays well below the interpreter's recursion limit, which json's
# parser and any recursive walk of a document run into (at about 1,000 levels). It is also
# more brackets than a page of 100 list items holds (about 300), so ordinary answers are
# never walked to measure their depth (see ``decode``).
MAX_DEPTH = 500


def target(operation_name: str) -> str:
    """The ``X-Amz-Target`` value of an operation."""
    return f"{TARGET_PREFIX}.{operation_name}"


def operation_from_target(value: str) -> str | None:
    """The operation name in an ``X-Amz-Target`` value, or None when it is not SageMaker's."""
    prefix, _, name = value.partition(".")
    return name if prefix == TARGET_PREFIX and name else None


def _json_writer(item_separator: str, key_separator: str) -> Callable[[Any], bytes]:
    """``json.dumps`` with these separators (other arguments at their defaults) as UTF-8,
    minus its per-call set-up and its circular-reference bookkeeping (about a fifth of the
    time of a request body): the C encoder is built once. A document nested too deeply to
    write (about 1,000 levels; a circular one too) raises ``DocumentError``."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)  # (private, not in typeshed)
    if make_encoder is None:  # no C accelerator (another Python implementation)
        separators = (item_separator, key_separator)

        def chunks(document: Any) -> Any:
            return (json.dumps(document, separators=separators),)
    else:
        encoder = make_encoder(
            None,  # no markers: no circular-reference check
            json.JSONEncoder().default,  # TypeError for what JSON cannot hold, as json.dumps
            json.encoder.encode_basestring_ascii,
            None,
            key_separator,
            item_separator,
            False,  # sort_keys
            False,  # skipkeys
            True,  # allow_nan
        )

        def chunks(document: Any) -> Any:
            return encoder(document, 0)

    def write(document: Any) -> bytes:
        try:
            return "".join(chunks(document)).encode("utf-8")
        except RecursionError:
            raise DocumentError("The document is nested too deeply to encode as JSON") from None

    return write


_write_request = _json_writer(", ", ": ")
_write_response = _json_writer(",", ":")


def encode(document: Mapping[str, Any]) -> bytes:
    """A JSON body exactly as botocore's JSON serializer writes it (``json.dumps`` defaults:
    ``", "``/``": "`` separators, ASCII escapes; ``{}`` for an empty input), so that a request
    signed by sagetune and one signed by boto3 carry the same payload hash.

    Raises ``DocumentError`` for a document nested too deeply to write (about 1,000 levels)."""
    return _write_request(document)


def encode_response(document: Mapping[str, Any]) -> bytes:
    """A JSON answer as the service writes it: compact (no spaces after separators)."""
    return _write_response(document)


def decode(body: bytes) -> Any:
    """Parse a JSON body; an empty body is an empty object.

    Raises ``DocumentError`` (a ``ValueError``) when the body is not JSON (not UTF-8, or
    malformed: the message says where) or nests objects and arrays more than ``MAX_DEPTH``
    levels deep. The brackets are counted first (a document with at most ``MAX_DEPTH`` of
    them cannot be deeper); only a bigger one is walked, without recursion, to measure its
    depth (that walk costs about half of json's own parsing).
    """
    if not body or body.isspace():
        return {}
    try:
        document = json.loads(body)
    except RecursionError:
        raise DocumentError(_too_deep()) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise DocumentError(str(exc)) from None
    if (
        len(body) > 2 * MAX_DEPTH  # a shorter one cannot hold MAX_DEPTH + 1 bracket pairs
        and body.count(b"[") + body.count(b"{") > MAX_DEPTH
        and _deeper_than(document, MAX_DEPTH)
    ):
        raise DocumentError(_too_deep())
    return document


def _too_deep() -> str:
    return f"The document nests objects and arrays more than {MAX_DEPTH} levels deep"


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether ``document`` (as ``json.loads`` returns it) nests more than ``limit`` levels."""
    if type(document) is not dict and type(document) is not list:
        return False
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


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
    # A message that is not a string (a hostile or broken service) is shown shortened.
    return ErrorInfo(
        code=code, message=message if isinstance(message, str) else show_value(message)
    )


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
