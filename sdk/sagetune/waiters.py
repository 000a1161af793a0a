"""Waiters: poll a describe operation until the job reaches a terminal status.

Driven by the generated waiter table (``sagetune.model.waiters.WAITERS``: botocore's
``TrainingJobCompletedOrStopped`` and sagetune's ``HyperParameterTuningJobCompletedOrStopped``),
whose acceptors say which status (or error code) means success, failure or "keep polling".
:class:`WaitRules` is the sans-IO part (match acceptors, count attempts, enforce the
timeout); :func:`wait` and :func:`wait_blocking` add the calls and the sleeps (the clients'
own ``sleep`` and ``clock``, so tests and record/replay run without waiting).

A failure acceptor raises :class:`sagetune.errors.WaiterError` naming the status and the
job's ``FailureReason``; so does giving up (``timeout`` seconds, or the spec's maximum
number of polls). An error no acceptor mentions propagates unchanged (the client has
already retried what can be retried).

The typed ``wait_until_<waiter>`` accessors are generated into the clients' method mixins
(``sagetune.client_methods``, generated), one per entry of ``WAITERS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, Literal, TypeVar

import attrs

from sagetune.errors import ServiceError, WaiterError
from sagetune.specs import WaiterSpec

__all__ = [
    "WaitProgress",
    "WaitRules",
    "wait",
    "wait_blocking",
]

Req = TypeVar("Req")
Resp = TypeVar("Resp")


@attrs.frozen(kw_only=True)
class WaitProgress(Generic[Resp]):
    """Given to ``on_progress`` after each poll that did not end the wait."""

    waiter: str
    attempt: int  # polls made so far
    elapsed: float  # seconds since the wait began (the client's clock)
    status: str | None  # the value the acceptors look at, e.g. "InProgress"
    response: Resp
    next_poll_in: float  # seconds until the next poll


@attrs.frozen
class _Verdict:
    state: Literal["success", "failure", "retry"]
    reason: str = ""


class WaitRules(Generic[Resp]):
    """Decides, poll after poll, whether a waiter is done (no I/O; the clock is injected).

    :meth:`step` takes the outcome of one poll (a response or a ``ServiceError``) and
    returns the pause before the next poll, or None when the wait succeeded (the response
    is then in :attr:`last`); it raises ``WaiterError`` on failure or when giving up, and
    re-raises an error no acceptor names.
    """

    def __init__(
        self,
        spec: WaiterSpec,
        *,
        clock: Callable[[], float],
        delay: float | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        on_progress: Callable[[WaitProgress[Resp]], None] | None = None,
    ) -> None:
        self.spec = spec
        self.delay = spec.delay if delay is None else delay
        self.timeout = timeout
        self.max_attempts = (
            max_attempts if max_attempts is not None else (None if timeout else spec.max_attempts)
        )
        if self.delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {self.delay}")
        self._clock = clock
        self._on_progress = on_progress
        self._start = clock()
        self._status_path = next(
            (a.argument for a in spec.acceptors if a.matcher == "path" and a.argument), None
        )
        self.attempt = 0
        self.last: Resp | None = None

    def step(self, outcome: Resp | ServiceError) -> float | None:
        """Judge one poll: None when done (success), else seconds until the next poll."""
        self.attempt += 1
        name = self.spec.name
        if isinstance(outcome, ServiceError):
            verdict = self._on_error(outcome)
            if verdict is None:
                raise outcome
            if verdict.state != "retry":
                raise WaiterError(name, verdict.reason, self.last) from outcome
        else:
            self.last = outcome
            verdict = self._on_response(outcome)
            if verdict.state == "success":
                return None
            if verdict.state == "failure":
                raise WaiterError(name, verdict.reason, outcome)
        elapsed = self._clock() - self._start
        pause = self._next_delay(elapsed)
        status = self.status_of(self.last) if self.last is not None else None
        if pause is None:
            raise WaiterError(name, self._gave_up(elapsed, status), self.last)
        if self._on_progress is not None and self.last is not None:
            self._on_progress(
                WaitProgress(
                    waiter=name,
                    attempt=self.attempt,
                    elapsed=elapsed,
                    status=status,
                    response=self.last,
                    next_poll_in=pause,
                )
            )
        return pause

    def status_of(self, response: object) -> str | None:
        """The value the acceptors look at (e.g. ``TrainingJobStatus``), as a string."""
        if self._status_path is None:
            return None
        value = _attribute_path(response, self._status_path)
        return None if value is None else str(value)

    def _on_response(self, response: object) -> _Verdict:
        for acceptor in self.spec.acceptors:
            if acceptor.matcher != "path" or acceptor.argument is None:
                continue
            value = _attribute_path(response, acceptor.argument)
            if value is not None and str(value) == acceptor.expected:
                return _Verdict(acceptor.state, self._describe(response, acceptor.argument, value))
        return _Verdict("retry")

    def _on_error(self, error: ServiceError) -> _Verdict | None:
        for acceptor in self.spec.acceptors:
            if acceptor.matcher == "error" and acceptor.expected == error.code:
                if acceptor.state == "success":  # no such acceptor in our table; be explicit
                    return _Verdict("failure", f"unexpected success state on error: {error}")
                return _Verdict(acceptor.state, f"{self.spec.operation} raised {error}")
        return None

    def _next_delay(self, elapsed: float) -> float | None:
        if self.max_attempts is not None and self.attempt >= self.max_attempts:
            return None
        if self.timeout is not None:
            remaining = self.timeout - elapsed
            if remaining <= 0:
                return None
            return min(self.delay, remaining)
        return self.delay

    def _gave_up(self, elapsed: float, last_status: str | None) -> str:
        status = f"; last status {last_status!r}" if last_status is not None else ""
        limit = (
            f"timeout of {self.timeout:g} s"
            if self.timeout is not None and elapsed >= self.timeout
            else f"maximum of {self.max_attempts} polls"
        )
        return f"gave up after {self.attempt} polls in {elapsed:.1f} s ({limit} reached){status}"

    def _describe(self, response: object, argument: str, value: object) -> str:
        field = "".join(part.capitalize() for part in argument.split("_"))
        reason = f"{field} is {str(value)!r}"
        failure_reason = getattr(response, "failure_reason", None)
        if failure_reason:
            reason += f"; FailureReason: {failure_reason}"
        return reason


def _attribute_path(obj: object, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


async def wait(
    fetch: Callable[[Req], Awaitable[Resp]],
    spec: WaiterSpec,
    request: Req,
    *,
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
    delay: float | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 - on the injectable clock
    max_attempts: int | None = None,
    on_progress: Callable[[WaitProgress[Resp]], None] | None = None,
) -> Resp:
    """Poll ``fetch(request)`` until an acceptor of ``spec`` says success (returns the last
    response) or failure (raises ``WaiterError``), or the time or attempts run out."""
    rules: WaitRules[Resp] = WaitRules(
        spec,
        clock=clock,
        delay=delay,
        timeout=timeout,
        max_attempts=max_attempts,
        on_progress=on_progress,
    )
    while True:
        outcome: Resp | ServiceError
        try:
            outcome = await fetch(request)
        except ServiceError as error:
            outcome = error
        pause = rules.step(outcome)
        if pause is None:
            return outcome  # type: ignore[return-value]  # success is never an error
        await sleep(pause)


def wait_blocking(
    fetch: Callable[[Req], Resp],
    spec: WaiterSpec,
    request: Req,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    delay: float | None = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    on_progress: Callable[[WaitProgress[Resp]], None] | None = None,
) -> Resp:
    """The blocking twin of :func:`wait` (same rules, same errors)."""
    rules: WaitRules[Resp] = WaitRules(
        spec,
        clock=clock,
        delay=delay,
        timeout=timeout,
        max_attempts=max_attempts,
        on_progress=on_progress,
    )
    while True:
        outcome: Resp | ServiceError
        try:
            outcome = fetch(request)
        except ServiceError as error:
            outcome = error
        pause = rules.step(outcome)
        if pause is None:
            return outcome  # type: ignore[return-value]  # success is never an error
        sleep(pause)
