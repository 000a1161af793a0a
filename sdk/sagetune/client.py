"""The SageMaker clients: one generic call path under the generated typed methods.

``AsyncSageMakerClient`` and ``SageMakerClient`` get one method per operation from the
generated mixins (``sagetune.client_methods``); both implement ``_call`` on top of the
same sans-IO core, :class:`CallPlanner`, which prepares a request, signs each attempt and
turns an HTTP answer (or its absence) into a result, an error, or "retry after d seconds".
The two clients differ only in what does I/O: the HTTP sender, the sleep, and (async) moving
a blocking credential lookup to a thread.

One call::

    request object (validated when built)
      -> cross-field rules (sagetune.rules; ``validate_rules=False`` skips them), before any I/O
      -> JSON body (PascalCase, as botocore serializes it), AWS JSON 1.1 headers
      -> per attempt: SigV4 (fresh date and signature), send, read
      -> 2xx: response object (lenient codec) + ResponseMetadata(request_id, status, attempts)
      -> error: the typed exception for its code; retried per the retry policy

Logging: logger ``sagetune.client``, DEBUG: one line per attempt and per retry decision,
with the signature and session token redacted.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import attrs

from sagetune import errors, lost_creates, protocol
from sagetune.client_methods import AsyncClientMethods, ClientMethods
from sagetune.codec import from_wire, to_wire
from sagetune.config import ClientConfig, ResolvedConfig, resolve_config
from sagetune.retries import CallRetryState, Failure, RetryPolicy, classify
from sagetune.rules import check_rules
from sagetune.signing import FrozenCredentials, RequestSigner, redact_headers
from sagetune.specs import Operation, ResponseMetadata
from sagetune.transport import AsyncSender, RawResponse, Sender

if TYPE_CHECKING:
    import asyncio

    import httpx
    from botocore.session import Session

__all__ = [
    "AsyncSageMakerClient",
    "CallPlanner",
    "RequestEvent",
    "ResponseEvent",
    "SageMakerClient",
]

_log = logging.getLogger("sagetune.client")
_REQUEST_ID = protocol.REQUEST_ID_HEADER.lower()  # RawResponse header names are lower case


@attrs.frozen(kw_only=True)
class RequestEvent:
    """Given to ``on_request`` hooks just before an attempt is sent (secrets redacted)."""

    operation: str
    attempt: int
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


@attrs.frozen(kw_only=True)
class ResponseEvent:
    """Given to ``on_response`` hooks after each attempt: the answer, or the failure that
    stood in for one (``status`` None), and what happens next (``retry_in`` seconds, or None
    when this attempt ends the call)."""

    operation: str
    attempt: int
    status: int | None
    headers: Mapping[str, str]
    body: bytes
    request_id: str | None
    elapsed: float
    error: BaseException | None
    retry_in: float | None


RequestHook = Callable[[RequestEvent], None]
ResponseHook = Callable[[ResponseEvent], None]


@attrs.define
class _Call:
    """The state of one call across its attempts."""

    operation: Operation
    request: object
    url: str
    headers: dict[str, str]  # unsigned: protocol headers only
    body: bytes
    invocation_id: str
    retry: CallRetryState
    unanswered: str | None = None  # an earlier attempt got no answer: it may have succeeded


@attrs.frozen
class _Outcome:
    """What an attempt led to: a result, or an error to raise or to retry after ``delay``;
    or, for a create whose answer may have been lost, a Describe call to make before
    deciding (``check``: the operation and its request, see :mod:`sagetune.lost_creates`)."""

    result: Any = None
    error: BaseException | None = None
    delay: float | None = None
    check: tuple[Operation, object] | None = None


def json_operation(target: str) -> Operation:
    """An operation for ``call_json``: any AWS JSON 1.1 target, documents in and out."""
    prefix, _, name = target.partition(".")
    if not prefix or not name:
        raise ValueError(f"an X-Amz-Target is '<Prefix>.<Operation>', got {target!r}")
    return Operation(
        name=name, method_name="call_json", input=dict, output=dict, errors=(), target=target
    )


class CallPlanner:
    """The sans-IO core shared by both clients: prepare, sign, interpret, decide.

    Holds the client's resolved configuration and its retry policy (whose quota and rate
    limiter all calls of one client share). Never touches the network, a clock or a sleep.
    """

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        validate_rules: bool = True,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
        on_request: Sequence[RequestHook] = (),
        on_response: Sequence[ResponseHook] = (),
    ) -> None:
        self.config = config
        self.validate_rules = validate_rules
        retry_options: dict[str, Any] = {"clock": clock}
        if random is not None:
            retry_options["random"] = random
        self.retry = RetryPolicy(
            mode=config.retry_mode, max_attempts=config.max_attempts, **retry_options
        )
        self.on_request = tuple(on_request)
        self.on_response = tuple(on_response)
        self._user_agent = config.user_agent
        self._signer = RequestSigner(config.region)
        self._max_attempts = config.max_attempts

    # -- before any I/O ---------------------------------------------------------------

    def start(self, operation: Operation, request: object) -> _Call:
        """Check and encode ``request``; raises ``ValidationError`` / ``TypeError`` here,
        before anything is sent."""
        if type(request) is not operation.input:
            raise TypeError(
                f"{operation.method_name}() takes a {operation.input.__name__}, "
                f"got {type(request).__name__}"
            )
        document: Mapping[str, Any]
        if isinstance(request, dict):  # call_json: a JSON document for another target
            document = request
        else:
            if self.validate_rules:
                check_rules(request)
            document = to_wire(request)
        return _Call(
            operation=operation,
            request=request,
            url=self.config.endpoint_url + operation.http_path,
            headers=protocol.request_headers(operation.target),
            body=protocol.encode(document),
            invocation_id=str(uuid.uuid4()),  # as botocore sends
            retry=self.retry.new_call(),
        )

    def before_attempt(self, call: _Call) -> float:
        """Count the attempt; seconds to wait before it (adaptive rate limiting only)."""
        return self.retry.before_attempt(call.retry)

    def sign(self, call: _Call, credentials: FrozenCredentials) -> dict[str, str]:
        """The headers of this attempt: signed now, plus the unsigned SDK headers."""
        headers = self._signer.sign(
            credentials, call.operation.http_method, call.url, call.headers, call.body
        )
        headers["User-Agent"] = self._user_agent
        headers["amz-sdk-invocation-id"] = call.invocation_id
        headers["amz-sdk-request"] = f"attempt={call.retry.attempts}; max={self._max_attempts}"
        if self.on_request or _log.isEnabledFor(logging.DEBUG):
            self._announce(call, headers)
        return headers

    def _announce(self, call: _Call, headers: Mapping[str, str]) -> None:
        shown = redact_headers(headers)
        _log.debug(
            "%s attempt %d/%d: %s %s headers=%s",
            call.operation.name,
            call.retry.attempts,
            self._max_attempts,
            call.operation.http_method,
            call.url,
            shown,
        )
        event = RequestEvent(
            operation=call.operation.name,
            attempt=call.retry.attempts,
            method=call.operation.http_method,
            url=call.url,
            headers=shown,
            body=call.body,
        )
        for hook in self.on_request:
            hook(event)

    # -- after an attempt -------------------------------------------------------------

    def answered(self, call: _Call, raw: RawResponse, elapsed: float = 0.0) -> _Outcome:
        """Interpret an HTTP answer: the result, or the error and whether to retry."""
        request_id = raw.headers.get(_REQUEST_ID)
        operation = call.operation
        if 200 <= raw.status < 300:
            try:
                document = protocol.decode(raw.body)
            except ValueError:
                document = None
            if isinstance(document, dict):
                if operation.output is dict:  # call_json: the document as it came
                    result: Any = document
                else:
                    result = from_wire(operation.output, document)
                    metadata = ResponseMetadata(
                        request_id=request_id,
                        http_status=raw.status,
                        attempts=call.retry.attempts,
                    )
                    # The same as attrs.evolve(result, response_metadata=metadata) on an
                    # object nothing else has seen yet, without re-running __init__ (~25 us).
                    object.__setattr__(result, "response_metadata", metadata)
                self.retry.on_success(call.retry)
                self.retry.on_answer(False)
                outcome = _Outcome(result=result)
                self._report(call, raw, request_id, elapsed, outcome)
                return outcome
            error: errors.ServiceError = errors.ServiceError(
                "The response body is not a JSON object: "
                f"{raw.body[:200].decode('utf-8', 'replace')!r}",
                code="MalformedResponse",
                status_code=raw.status,
                request_id=request_id,
                operation=operation.name,
            )
            failure = None
        else:
            info = protocol.parse_error(raw.status, raw.headers.items(), raw.body)
            error_type = errors.error_class(info.code)
            message = info.message
            if call.unanswered is not None:
                message = (
                    f"{message} (an earlier attempt of this call got no answer "
                    f"[{call.unanswered}] and may have been carried out by the service)"
                )
            error = error_type(
                message,
                code=info.code,
                status_code=raw.status,
                request_id=request_id,
                operation=operation.name,
            )
            failure = classify(raw.status, info.code, error_type is not errors.ServiceError)
        self.retry.on_answer(failure is Failure.THROTTLING)
        outcome = _Outcome(error=error, delay=self.retry.decide(call.retry, failure))
        self._report(call, raw, request_id, elapsed, outcome)
        if (
            outcome.delay is None
            and call.unanswered is not None
            and isinstance(error, errors.ResourceInUse)
        ):
            check = lost_creates.describe_call(operation, call.request)
            if check is not None:
                return _Outcome(error=error, check=check)
        return outcome

    def reconciled(self, call: _Call, error: BaseException, described: object) -> _Outcome:
        """After a lost create's Describe (its answer, or the error it raised): this call's
        result when the job is the one it asked for, else the ResourceInUse, explained."""
        name = call.operation.name
        if isinstance(described, BaseException):
            reason = f"whether it is this call's job could not be checked: {_summary(described)}"
        else:
            differ = lost_creates.differences(call.request, described)
            if not differ:
                _log.debug("%s: the existing job is this call's; its answer was lost", name)
                return _Outcome(
                    result=lost_creates.adopted(call.operation, described, call.retry.attempts)
                )
            reason = f"the existing job differs from this request in {', '.join(differ)}"
        assert isinstance(error, errors.ServiceError)
        _log.debug("%s: ResourceInUse after a lost answer, and %s", name, reason)
        return _Outcome(
            error=type(error)(
                f"{error.message}; {reason}, so it is not taken as this call's",
                code=error.code,
                status_code=error.status_code,
                request_id=error.request_id,
                operation=error.operation,
            )
        )

    def unanswered(
        self, call: _Call, failure: errors.TransportError, elapsed: float = 0.0
    ) -> _Outcome:
        """Interpret a request that got no HTTP answer: the public error, and whether to retry."""
        kind: Failure | None = None
        if isinstance(failure, errors.ReadTimeoutFailure):
            kind = Failure.TIMEOUT
        elif isinstance(failure, errors.ConnectionFailure):
            kind = Failure.CONNECTION
        call.unanswered = type(failure).__name__
        outcome = _Outcome(error=failure, delay=self.retry.decide(call.retry, kind))
        self._report(call, None, None, elapsed, outcome)
        return outcome

    def _report(
        self,
        call: _Call,
        raw: RawResponse | None,
        request_id: str | None,
        elapsed: float,
        outcome: _Outcome,
    ) -> None:
        if not self.on_response and not _log.isEnabledFor(logging.DEBUG):
            return
        name, attempt = call.operation.name, call.retry.attempts
        status = raw.status if raw is not None else None
        if outcome.error is None:
            _log.debug("%s attempt %d: HTTP %s, request id %s", name, attempt, status, request_id)
        elif outcome.delay is not None:
            _log.debug(
                "%s attempt %d failed (%s); retrying in %.3f s",
                name,
                attempt,
                _summary(outcome.error),
                outcome.delay,
            )
        else:
            _log.debug(
                "%s attempt %d failed (%s); not retrying: %s",
                name,
                attempt,
                _summary(outcome.error),
                call.retry.gave_up,
            )
        if self.on_response:
            event = ResponseEvent(
                operation=name,
                attempt=attempt,
                status=status,
                headers=dict(raw.headers) if raw is not None else {},
                body=raw.body if raw is not None else b"",
                request_id=request_id,
                elapsed=elapsed,
                error=outcome.error,
                retry_in=outcome.delay,
            )
            for hook in self.on_response:
                hook(event)


def _summary(error: BaseException) -> str:
    if isinstance(error, errors.ServiceError):
        return f"{error.code}, HTTP {error.status_code}"
    return type(error).__name__


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # not at module level: the sync client never needs asyncio

    await asyncio.sleep(seconds)


def _finish(outcome: _Outcome) -> Any:
    if outcome.error is not None:
        raise outcome.error
    return outcome.result


def _common_init(
    *,
    region_name: str | None,
    endpoint_url: str | None,
    aws_access_key_id: str | None,
    aws_secret_access_key: str | None,
    aws_session_token: str | None,
    profile_name: str | None,
    verify: bool | str | None,
    config: ClientConfig | None,
    botocore_session: Session | None,
    validate_rules: bool,
    random: Callable[[], float] | None,
    clock: Callable[[], float] | None,
    on_request: Sequence[RequestHook],
    on_response: Sequence[ResponseHook],
) -> CallPlanner:
    resolved = resolve_config(
        region_name=region_name,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        aws_session_token=aws_session_token,
        profile_name=profile_name,
        verify=verify,
        config=config,
        botocore_session=botocore_session,
    )
    return CallPlanner(
        resolved,
        validate_rules=validate_rules,
        random=random,
        clock=clock,
        on_request=on_request,
        on_response=on_response,
    )


class AsyncSageMakerClient(AsyncClientMethods):
    """The async SageMaker client: ``await sm.<operation>(Request(...))``.

    Arguments follow ``boto3.client("sagemaker", ...)``: ``region_name``, ``endpoint_url``
    (e.g. the simulator's), explicit keys, ``profile_name``, ``verify`` (False, or a CA
    bundle path), ``config`` (:class:`sagetune.config.ClientConfig`: retries, timeouts,
    connections, FIPS/dual-stack, user agent suffix). Also:

    - ``http_client``: your own ``httpx.AsyncClient`` (its transport, proxies, hooks);
      the client never closes it;
    - ``validate_rules=False``: skip the tuning API's cross-field rules (the model's own
      constraints are always checked when a request is built);
    - ``on_request`` / ``on_response``: hooks called for every attempt;
    - ``sleep``, ``random``, ``clock``: the retry and waiter waits, jitter and clock, for
      tests and record/replay (default ``asyncio.sleep``, ``random.random``,
      ``time.monotonic``).

    Use ``async with`` or call :meth:`aclose` to release connections.
    """

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        verify: bool | str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        validate_rules: bool = True,
        on_request: Sequence[RequestHook] = (),
        on_response: Sequence[ResponseHook] = (),
        botocore_session: Session | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._planner = _common_init(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            verify=verify,
            config=config,
            botocore_session=botocore_session,
            validate_rules=validate_rules,
            random=random,
            clock=clock,
            on_request=on_request,
            on_response=on_response,
        )
        self._sender = AsyncSender.from_settings(self._planner.config.http, http_client)
        self._sleep: Callable[[float], Awaitable[None]] = sleep or _asyncio_sleep
        self._clock: Callable[[], float] = clock or time.monotonic
        self._credentials_lock: asyncio.Lock | None = None
        self._closed = False

    @property
    def config(self) -> ResolvedConfig:
        """The resolved configuration (region, endpoint, retries, HTTP settings)."""
        return self._planner.config

    @property
    def http_client(self) -> httpx.AsyncClient | None:
        """The ``httpx.AsyncClient`` requests go through: yours, if you passed one, else
        httpx's API over the client's own connection pool (built on first use); None when
        ``transport="aiohttp"`` sends through aiohttp directly."""
        return self._sender.http_client

    def __repr__(self) -> str:
        return f"AsyncSageMakerClient(region={self.config.region!r}, endpoint={self.config.endpoint_url!r})"

    async def _call(self, operation: Operation, request: Any) -> Any:
        if self._closed:
            raise RuntimeError("This AsyncSageMakerClient is closed; create a new one.")
        planner = self._planner
        call = planner.start(operation, request)
        sender = self._sender
        hooks = bool(planner.on_response)
        while True:
            wait = planner.before_attempt(call)
            if wait > 0:
                await self._sleep(wait)
            headers = planner.sign(call, await self._credentials())
            started = time.perf_counter() if hooks else 0.0
            try:
                raw = await sender.send(operation.http_method, call.url, headers, call.body)
            except errors.TransportError as failure:
                elapsed = time.perf_counter() - started if hooks else 0.0
                outcome = planner.unanswered(call, failure, elapsed)
            else:
                elapsed = time.perf_counter() - started if hooks else 0.0
                outcome = planner.answered(call, raw, elapsed)
            if outcome.check is not None:  # a lost create: is the existing job ours?
                describe, describe_request = outcome.check
                try:
                    described: object = await self._call(describe, describe_request)
                except errors.SageTuneError as exc:
                    described = exc
                assert outcome.error is not None
                outcome = planner.reconciled(call, outcome.error, described)
            if outcome.delay is None:
                return _finish(outcome)
            await self._sleep(outcome.delay)

    async def call_json(self, target: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """Call another AWS JSON 1.1 operation of this endpoint (``X-Amz-Target: target``),
        e.g. the simulator's ``SageTuneSimulator.GetTrainingJobMetricSeries``: signed,
        retried, logged and hooked like every call; the answer's JSON object, or the typed
        error. No model: the document is sent as given and returned as parsed."""
        result: dict[str, Any] = await self._call(json_operation(target), dict(document))
        return result

    async def _credentials(self) -> FrozenCredentials:
        """Signing credentials; a lookup or refresh that may block runs in a thread."""
        source = self.config.credentials
        if not source.needs_io():
            return source.frozen()
        import asyncio

        if self._credentials_lock is None:
            self._credentials_lock = asyncio.Lock()
        async with self._credentials_lock:  # one lookup, however many calls wait for it
            if not source.needs_io():
                return source.frozen()
            return await asyncio.to_thread(source.frozen)

    async def aclose(self) -> None:
        """Release connections (a user-provided ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            await self._sender.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class SageMakerClient(ClientMethods):
    """The blocking twin of :class:`AsyncSageMakerClient`: the same arguments (an
    ``httpx.Client`` as ``http_client``, a blocking ``sleep``), the same behaviour.
    Thread-safe: one client may serve several threads. Use ``with`` or :meth:`close`."""

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        verify: bool | str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.Client | None = None,
        validate_rules: bool = True,
        on_request: Sequence[RequestHook] = (),
        on_response: Sequence[ResponseHook] = (),
        botocore_session: Session | None = None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._planner = _common_init(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            verify=verify,
            config=config,
            botocore_session=botocore_session,
            validate_rules=validate_rules,
            random=random,
            clock=clock,
            on_request=on_request,
            on_response=on_response,
        )
        self._sender = Sender.from_settings(self._planner.config.http, http_client)
        self._sleep: Callable[[float], None] = sleep or time.sleep
        self._clock: Callable[[], float] = clock or time.monotonic
        self._closed = False

    @property
    def config(self) -> ResolvedConfig:
        """The resolved configuration (region, endpoint, retries, HTTP settings)."""
        return self._planner.config

    @property
    def http_client(self) -> httpx.Client:
        """The ``httpx.Client`` requests go through: yours, if you passed one, else httpx's
        API over the client's own connection pool (built on first use)."""
        return self._sender.http_client

    def __repr__(self) -> str:
        return (
            f"SageMakerClient(region={self.config.region!r}, endpoint={self.config.endpoint_url!r})"
        )

    def _call(self, operation: Operation, request: Any) -> Any:
        if self._closed:
            raise RuntimeError("This SageMakerClient is closed; create a new one.")
        planner = self._planner
        call = planner.start(operation, request)
        sender = self._sender
        credentials = self.config.credentials
        hooks = bool(planner.on_response)
        while True:
            wait = planner.before_attempt(call)
            if wait > 0:
                self._sleep(wait)
            headers = planner.sign(call, credentials.frozen())
            started = time.perf_counter() if hooks else 0.0
            try:
                raw = sender.send(operation.http_method, call.url, headers, call.body)
            except errors.TransportError as failure:
                elapsed = time.perf_counter() - started if hooks else 0.0
                outcome = planner.unanswered(call, failure, elapsed)
            else:
                elapsed = time.perf_counter() - started if hooks else 0.0
                outcome = planner.answered(call, raw, elapsed)
            if outcome.check is not None:  # a lost create: is the existing job ours?
                describe, describe_request = outcome.check
                try:
                    described: object = self._call(describe, describe_request)
                except errors.SageTuneError as exc:
                    described = exc
                assert outcome.error is not None
                outcome = planner.reconciled(call, outcome.error, described)
            if outcome.delay is None:
                return _finish(outcome)
            self._sleep(outcome.delay)

    def call_json(self, target: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """Call another AWS JSON 1.1 operation of this endpoint (``X-Amz-Target: target``),
        e.g. the simulator's ``SageTuneSimulator.GetTrainingJobMetricSeries``: signed,
        retried, logged and hooked like every call; the answer's JSON object, or the typed
        error. No model: the document is sent as given and returned as parsed."""
        result: dict[str, Any] = self._call(json_operation(target), dict(document))
        return result

    def close(self) -> None:
        """Release connections (a user-provided ``http_client`` is left open)."""
        if not self._closed:
            self._closed = True
            self._sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
