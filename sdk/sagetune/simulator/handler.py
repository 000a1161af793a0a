"""The protocol handler: (method, path, headers, body) -> (status, headers, body).

A pure function of the request and the simulator's state. SigV4 first (``auth``, scoped to
the service addressed), then the request is read in its protocol, and the answer or an
AWS-shaped error goes back in the same protocol with ``x-amzn-RequestId``. Every failure is
a 4xx AWS error; only a bug in the simulator is a 500 (``InternalFailure``).

What it routes, and where:

| protocol | recognised by | signed for | served by |
| --- | --- | --- | --- |
| AWS JSON 1.1 | ``X-Amz-Target: SageMaker.<Op>`` | sagemaker | ``service`` (generated model, rules) |
| AWS JSON 1.1 | ``X-Amz-Target: Logs_20140328.<Op>`` | logs | ``logs`` |
| AWS JSON 1.1 | ``X-Amz-Target: SageTuneSimulator.<Op>`` | sagemaker | ``extensions`` |
| AWS JSON 1.0 | ``X-Amz-Target: GraniteServiceVersion20100801.<Op>`` | monitoring | ``cloudwatch`` |
| query | form-encoded ``POST /`` without ``X-Amz-Target`` | monitoring | ``cloudwatch`` |
| RPC v2 CBOR | ``POST /service/GraniteServiceVersion20100801/operation/<Op>`` | monitoring | ``cloudwatch`` |

(``cloudwatch_wire`` reads and writes CloudWatch's three protocols.)
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from sagetune import protocol
from sagetune.codec import from_wire, to_wire
from sagetune.errors import ServiceError, ValidationError
from sagetune.model.operations import OPERATIONS
from sagetune.rules import check_rules
from sagetune.simulator import cloudwatch_wire
from sagetune.simulator.auth import AuthFailure, AuthSettings, verify_request
from sagetune.simulator.engine import Engine
from sagetune.simulator.extensions import SIMULATOR_TARGET_PREFIX, Extensions
from sagetune.simulator.logs import LOGS_TARGET_PREFIX
from sagetune.simulator.service import Service

log = logging.getLogger("sagetune.simulator")

Headers = Sequence[tuple[str, str]]
Answer = tuple[int, list[tuple[str, str]], bytes]


class _ClientFault(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class ProtocolHandler:
    """Turns HTTP requests into operations on the service."""

    def __init__(
        self,
        engine: Engine,
        service: Service,
        extensions: Extensions,
        auth: AuthSettings,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.service = service
        self.extensions = extensions
        self.auth = auth
        self.wall_clock = wall_clock
        self._operations = service.operations()
        self._auth_by_service: dict[str, AuthSettings] = {}

    def __call__(self, method: str, target_path: str, headers: Headers, body: bytes) -> Answer:
        request_id = str(uuid.uuid4())
        path, _, query = target_path.partition("?")
        wire = cloudwatch_wire.recognise(method, path, headers)
        render: Callable[[int, str, str, str], Answer] = (
            _error if wire is None else functools.partial(cloudwatch_wire.error_answer, wire)
        )
        try:
            if wire is not None:
                return self._cloudwatch(wire, method, path, query, headers, body, request_id)
            document = self._dispatch(method, path, query, headers, body)
        except _ClientFault as fault:
            return render(fault.status, fault.code, fault.message, request_id)
        except AuthFailure as failure:
            return render(failure.status, failure.code, failure.message, request_id)
        except ServiceError as error:
            return render(error.status_code or 400, error.code, error.message, request_id)
        except Exception:  # a simulator bug: an AWS-shaped 500, and the traceback in the log
            log.exception("internal error handling %s %s", method, target_path)
            return render(500, "InternalFailure", "The simulator failed internally.", request_id)
        return (
            200,
            [("Content-Type", protocol.CONTENT_TYPE), (protocol.REQUEST_ID_HEADER, request_id)],
            protocol.encode_response(document),
        )

    def _verify(
        self, service_name: str, method: str, path: str, query: str, headers: Headers, body: bytes
    ) -> None:
        verify_request(
            self._auth_for(service_name),
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            now=self.wall_clock(),
        )

    def _cloudwatch(
        self,
        wire: cloudwatch_wire.Wire,
        method: str,
        path: str,
        query: str,
        headers: Headers,
        body: bytes,
        request_id: str,
    ) -> Answer:
        self._verify(cloudwatch_wire.SIGNING_NAME, method, path, query, headers, body)
        operation, members = cloudwatch_wire.read_request(wire, method, path, headers, body)
        metrics = self.extensions.metrics
        if not metrics.knows(operation):
            raise _ClientFault(
                "UnknownOperationException",
                f"CloudWatch operation {operation[:64]!r} is not served by the simulator; it "
                "serves GetMetricStatistics, ListMetrics and GetMetricData.",
                404 if wire is cloudwatch_wire.Wire.CBOR else 400,
            )
        self.engine.advance()
        document = metrics.call(operation, members, text=wire is cloudwatch_wire.Wire.QUERY)
        return cloudwatch_wire.answer(wire, operation, document, request_id)

    def _dispatch(self, method: str, path: str, query: str, headers: Headers, body: bytes) -> Any:
        if method != "POST" or path != "/":
            raise _ClientFault(
                "UnknownOperationException",
                f"{method} {path} is not an operation: AWS JSON services take POST /.",
                404 if path != "/" else 405,
            )
        target = _header(headers, protocol.TARGET_HEADER)
        if not target:
            raise _ClientFault("UnknownOperationException", "Missing X-Amz-Target header.")
        prefix, _, operation = target.partition(".")
        service_name = {LOGS_TARGET_PREFIX: "logs"}.get(prefix, self.auth.service)
        self._verify(service_name, method, path, query, headers, body)
        data = _parse_json(body)
        if prefix == LOGS_TARGET_PREFIX:
            self.engine.advance()
            return self.extensions.logs.call(operation, data)
        if prefix == SIMULATOR_TARGET_PREFIX:
            self.engine.advance()
            result = self.extensions.call(operation, data)
            self.engine.flush()
            return result
        op = OPERATIONS.get(operation) if prefix == protocol.TARGET_PREFIX else None
        if op is None or operation not in self._operations:
            raise _ClientFault(
                "UnknownOperationException",
                f"Operation {target[:128]} is not supported by the simulator.",
            )
        try:
            request = from_wire(op.input, data)
            check_rules(request)
        except ValidationError as exc:
            raise _ClientFault("ValidationException", str(exc)) from None
        self.engine.advance()
        response = self._operations[operation](request)
        self.engine.flush()
        return to_wire(response)

    def _auth_for(self, service_name: str) -> AuthSettings:
        if service_name == self.auth.service:
            return self.auth
        found = self._auth_by_service.get(service_name)
        if found is None:
            found = attrs.evolve(self.auth, service=service_name)
            self._auth_by_service[service_name] = found
        return found


def _header(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = protocol.decode(body)
    except ValueError as exc:  # protocol.DocumentError: not JSON, or nested too deeply
        raise _ClientFault(
            "SerializationException", f"The request body is not valid JSON: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise _ClientFault(
            "SerializationException",
            f"The request body must be a JSON object, not {type(data).__name__}.",
        )
    return data


def _error(status: int, code: str, message: str, request_id: str) -> Answer:
    return (
        status,
        [
            ("Content-Type", protocol.CONTENT_TYPE),
            (protocol.REQUEST_ID_HEADER, request_id),
            (protocol.ERROR_TYPE_HEADER, code),
        ],
        protocol.error_body(code, message),
    )
