"""When to retry a call and how long to wait: botocore's standard and adaptive retry modes.

Sans-IO: nothing here sleeps or reads a clock of its own. The clients ask
:meth:`RetryPolicy.decide` after each failed attempt and sleep for the delay it returns;
randomness (the jitter) and the clock (the adaptive rate limiter) are injected, so tests
pin both.

Standard mode, as botocore implements it:

- at most ``max_attempts`` attempts in total (3 by default), first one included;
- retried: throttling errors (the codes in :data:`THROTTLING_CODES`), transient errors
  (HTTP 500, 502, 503, 504; the codes in :data:`TRANSIENT_CODES`; HTTP 429 with a code
  this client does not know), connection failures and read timeouts;
- the delay before retry ``n`` (1-based) is ``random() * min(2 ** (n - 1), 20)`` seconds
  ("full jitter", capped at 20 s);
- a retry quota shared by all calls of one client: 500 tokens, a retry costs 5 (10 after a
  read timeout), a success refunds what its retries cost (1 token when
  it needed none). An empty quota stops retries, so a failing service does not get a
  retry storm from every caller.

Adaptive mode adds a client-side token bucket that engages after the first throttling
answer and adjusts its send rate with CUBIC, as botocore's ``adaptive`` mode does.
"""

from __future__ import annotations

import enum
import random as _random
import threading
from collections.abc import Callable
from typing import Literal

import attrs

__all__ = [
    "MAX_BACKOFF",
    "THROTTLING_CODES",
    "TRANSIENT_CODES",
    "TRANSIENT_STATUSES",
    "AdaptiveRateLimiter",
    "Failure",
    "RetryMode",
    "RetryPolicy",
    "RetryQuota",
    "classify",
]

RetryMode = Literal["standard", "adaptive"]

MAX_BACKOFF = 20.0
"""No single wait is longer than this many seconds (botocore's cap)."""

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})

QUOTA_CAPACITY = 500
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
NO_RETRY_REFUND = 1


class Failure(enum.Enum):
    """Why an attempt failed, as far as retrying is concerned."""

    THROTTLING = "throttling"
    TRANSIENT = "transient"  # a 5xx or a transient error code
    CONNECTION = "connection"  # no answer: connection refused/reset, DNS
    TIMEOUT = "timeout"  # sent, but no answer within the read timeout


def classify(status: int | None, code: str | None, known_code: bool = True) -> Failure | None:
    """The retryable kind of an error answer, or None when retrying cannot help.

    ``known_code`` says whether the code names an error this client models; an HTTP 429 is
    retried as throttling only when it does not (a modeled error keeps its meaning).
    """
    if code in THROTTLING_CODES:
        return Failure.THROTTLING
    if code in TRANSIENT_CODES or status in TRANSIENT_STATUSES:
        return Failure.TRANSIENT
    if status == 429 and not known_code:
        return Failure.THROTTLING
    return None


class RetryQuota:
    """The token bucket that bounds retries across all calls of one client (thread-safe:
    a sync client may be shared by threads)."""

    def __init__(self, capacity: int = QUOTA_CAPACITY) -> None:
        self.capacity = capacity
        self.available = capacity
        self._lock = threading.Lock()

    def acquire(self, amount: int) -> bool:
        with self._lock:
            if amount > self.available:
                return False
            self.available -= amount
            return True

    def release(self, amount: int) -> None:
        with self._lock:
            self.available = min(self.capacity, self.available + amount)


class AdaptiveRateLimiter:
    """botocore's adaptive mode: a send-rate token bucket tuned by CUBIC, off until throttled.

    The send-rate measurement and the CUBIC rate are botocore's own (``RateClocker``,
    ``CubicCalculator``); the token bucket is ours, because botocore's blocks a thread while
    waiting. :meth:`reserve` takes one send token and returns how long to wait for it (a
    reservation: concurrent callers queue behind each other instead of all waking at once).
    """

    MIN_RATE = 0.5
    MAX_RATE_ADJUST = 2.0

    def __init__(self, clock: Callable[[], float]) -> None:
        from botocore.retries.adaptive import RateClocker
        from botocore.retries.throttling import CubicCalculator

        self._clock = clock
        self._lock = threading.Lock()
        self.enabled = False
        # token bucket
        self.fill_rate = self.MIN_RATE
        self.max_capacity = 1.0
        self.capacity = 0.0
        self._last_refill: float | None = None
        self._rate = RateClocker(_BotocoreClock(clock))
        self._cubic = CubicCalculator(starting_max_rate=0, start_time=clock())

    def reserve(self) -> float:
        """Take a token; the seconds to wait before sending (0 when not throttled yet)."""
        if not self.enabled:
            return 0.0
        with self._lock:
            self._refill()
            self.capacity -= 1.0
            return 0.0 if self.capacity >= 0 else -self.capacity / self.fill_rate

    def record(self, throttled: bool) -> None:
        """Feed one answer (throttled or not) into the rate estimate."""
        with self._lock:
            measured = float(self._rate.record())
            now = self._clock()
            if throttled:
                rate = measured if not self.enabled else min(measured, self.fill_rate)
                new_rate = float(self._cubic.error_received(rate, now))
                self.enabled = True
            else:
                new_rate = float(self._cubic.success_received(now))
            self._set_rate(min(new_rate, self.MAX_RATE_ADJUST * measured))

    def _set_rate(self, value: float) -> None:
        self._refill()
        self.fill_rate = max(value, self.MIN_RATE)
        self.max_capacity = max(value, 1.0)
        self.capacity = min(self.capacity, self.max_capacity)

    def _refill(self) -> None:
        now = self._clock()
        if self._last_refill is not None:
            gained = (now - self._last_refill) * self.fill_rate
            self.capacity = min(self.max_capacity, self.capacity + gained)
        self._last_refill = now


class _BotocoreClock:
    """The clock interface botocore's rate clocker reads (``current_time()``)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.current_time = clock


@attrs.define
class CallRetryState:
    """What one call has spent on retries (refunded to the quota when it succeeds)."""

    attempts: int = 0
    last_cost: int | None = None
    gave_up: str | None = None  # why the last decision was "no retry", for logs and messages


class RetryPolicy:
    """The retry decisions of one client (its quota and rate limiter are shared by its calls).

    ``random`` draws the jitter in [0, 1); ``clock`` (seconds, monotonic) drives the adaptive
    rate limiter. Both default to the real thing.
    """

    def __init__(
        self,
        *,
        mode: RetryMode = "standard",
        max_attempts: int = 3,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if mode not in ("standard", "adaptive"):
            raise ValueError(f"retry mode must be 'standard' or 'adaptive', got {mode!r}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1 (1 means no retry), got {max_attempts}")
        self.mode: RetryMode = mode
        self.max_attempts = max_attempts
        self.quota = RetryQuota()
        self._random = random
        self.limiter: AdaptiveRateLimiter | None = None
        if mode == "adaptive":
            if clock is None:
                import time

                clock = time.monotonic
            self.limiter = AdaptiveRateLimiter(clock)

    def new_call(self) -> CallRetryState:
        return CallRetryState()

    def before_attempt(self, state: CallRetryState) -> float:
        """Count an attempt; the seconds to wait before sending it (adaptive mode only)."""
        state.attempts += 1
        return self.limiter.reserve() if self.limiter is not None else 0.0

    def on_answer(self, throttled: bool) -> None:
        """Every HTTP answer feeds the adaptive limiter (no-op in standard mode)."""
        if self.limiter is not None:
            self.limiter.record(throttled)

    def on_success(self, state: CallRetryState) -> None:
        self.quota.release(NO_RETRY_REFUND if state.last_cost is None else state.last_cost)

    def decide(self, state: CallRetryState, failure: Failure | None) -> float | None:
        """After a failed attempt: the delay before retrying, or None to give up.

        Gives up when the failure is not retryable, when the attempts are spent, or when
        the client's retry quota is empty.
        """
        if failure is None:
            state.gave_up = "not retryable"
            return None
        if state.attempts >= self.max_attempts:
            state.gave_up = f"max attempts ({self.max_attempts}) reached"
            return None
        cost = TIMEOUT_RETRY_COST if failure is Failure.TIMEOUT else RETRY_COST
        if not self.quota.acquire(cost):
            state.gave_up = "the client's retry quota is exhausted"
            return None
        state.last_cost = cost
        return self._random() * min(2.0 ** (state.attempts - 1), MAX_BACKOFF)
