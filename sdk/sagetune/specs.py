"""Types of the generated operation, paginator and waiter tables.

The shapes' own base (``Shape``, ``ResponseMetadata``) is in ``sagetune.shape_base``;
``ResponseMetadata`` is re-exported here for the code that reads both.

The generator fills these from the service model (``sagetune.model.operations``,
``.paginators``, ``.waiters``); the client, the simulator and the testing tools read them.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from sagetune.shape_base import ResponseMetadata as ResponseMetadata


@attrs.frozen(kw_only=True)
class Operation:
    """One API operation: how to call it and what it answers."""

    name: str  # model name, e.g. "CreateHyperParameterTuningJob"
    method_name: str  # snake_case client method, e.g. "create_hyper_parameter_tuning_job"
    input: type[Any]
    output: type[Any]
    errors: tuple[type[Exception], ...]
    target: str  # X-Amz-Target header value, e.g. "SageMaker.CreateHyperParameterTuningJob"
    http_method: str = "POST"
    http_path: str = "/"


@attrs.frozen(kw_only=True)
class PaginatorSpec:
    """How a list operation pages: token and limit members (attribute names), and the items."""

    operation: str
    input_token: str
    output_token: str
    limit_key: str
    result_key: str


@attrs.frozen(kw_only=True)
class Acceptor:
    """One waiter rule: when ``argument`` (an attribute path) equals ``expected``, or when the
    call raises the error code ``expected``, the waiter reaches ``state``."""

    matcher: Literal["path", "error"]
    state: Literal["success", "failure", "retry"]
    expected: str
    argument: str | None = None


@attrs.frozen(kw_only=True)
class WaiterSpec:
    """A waiter: which operation to poll, how often, how many times, and its acceptors."""

    name: str
    operation: str
    delay: float
    max_attempts: int
    acceptors: tuple[Acceptor, ...]
