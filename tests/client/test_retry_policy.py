"""The retry policy on its own: classification, backoff, quota, adaptive rate limiting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.retries import (
    MAX_BACKOFF,
    THROTTLING_CODES,
    AdaptiveRateLimiter,
    Failure,
    RetryPolicy,
    classify,
)


@pytest.mark.parametrize(
    ("status", "code", "known", "expected"),
    [
        (400, "ThrottlingException", True, Failure.THROTTLING),
        (400, "RequestLimitExceeded", False, Failure.THROTTLING),
        (500, "InternalFailure", True, Failure.TRANSIENT),
        (503, "ServiceUnavailable", True, Failure.TRANSIENT),
        (504, "GatewayTimeout", False, Failure.TRANSIENT),
        (400, "RequestTimeout", False, Failure.TRANSIENT),
        (429, "SomethingNew", False, Failure.THROTTLING),
        (429, "ResourceLimitExceeded", True, None),
        (400, "ValidationException", True, None),
        (400, "ResourceInUse", True, None),
        (403, "AccessDeniedException", True, None),
    ],
)
def test_classify_follows_botocore(
    status: int, code: str, known: bool, expected: Failure | None
) -> None:
    assert classify(status, code, known) is expected


def test_the_throttling_codes_are_botocores() -> None:
    from botocore.retries.standard import ThrottledRetryableChecker

    assert set(getattr(ThrottledRetryableChecker, "_THROTTLED_ERROR_CODES")) == THROTTLING_CODES  # noqa: B009


@given(
    attempts=st.integers(min_value=1, max_value=60),
    draw=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_backoff_is_full_jitter_capped_at_twenty_seconds(attempts: int, draw: float) -> None:
    policy = RetryPolicy(max_attempts=attempts + 1, random=lambda: draw)
    state = policy.new_call()
    state.attempts = attempts
    delay = policy.decide(state, Failure.TRANSIENT)
    assert delay == pytest.approx(draw * min(2 ** (attempts - 1), MAX_BACKOFF))
    assert delay is not None
    assert 0 <= delay < MAX_BACKOFF


def test_no_retry_for_non_retryable_failures_or_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=2)
    state = policy.new_call()
    policy.before_attempt(state)
    assert policy.decide(state, None) is None
    assert state.gave_up == "not retryable"
    policy.before_attempt(state)
    assert policy.decide(state, Failure.THROTTLING) is None
    assert state.gave_up == "max attempts (2) reached"


def test_quota_costs_five_per_retry_ten_after_a_timeout_and_refunds_on_success() -> None:
    policy = RetryPolicy(max_attempts=3, random=lambda: 0.0)
    state = policy.new_call()
    policy.before_attempt(state)
    policy.decide(state, Failure.TIMEOUT)
    assert policy.quota.available == 490
    policy.before_attempt(state)
    policy.decide(state, Failure.CONNECTION)
    assert policy.quota.available == 485
    policy.on_success(state)  # refunds what the last retry cost
    assert policy.quota.available == 490

    fresh = policy.new_call()
    policy.before_attempt(fresh)
    policy.on_success(fresh)  # a first-try success refunds one token
    assert policy.quota.available == 491


def test_an_empty_quota_stops_retries_until_successes_refill_it() -> None:
    policy = RetryPolicy(max_attempts=3, random=lambda: 0.0)
    policy.quota.available = 4
    state = policy.new_call()
    policy.before_attempt(state)
    assert policy.decide(state, Failure.TRANSIENT) is None
    assert state.gave_up == "the client's retry quota is exhausted"


@pytest.mark.parametrize(("mode", "attempts"), [("legacy", 3), ("standard", 0)])
def test_invalid_settings_are_refused(mode: str, attempts: int) -> None:
    with pytest.raises(ValueError, match=r"retry mode|max_attempts"):
        RetryPolicy(mode=mode, max_attempts=attempts)  # type: ignore[arg-type]


def test_adaptive_limiter_is_off_until_the_first_throttle() -> None:
    now = [100.0]
    limiter = AdaptiveRateLimiter(lambda: now[0])
    for _ in range(20):
        assert limiter.reserve() == 0.0
        limiter.record(throttled=False)
    assert not limiter.enabled
    limiter.record(throttled=True)
    assert limiter.enabled
    waits = [limiter.reserve() for _ in range(3)]
    assert waits[0] >= 0
    assert waits == sorted(waits)  # reservations queue up behind each other
    assert waits[-1] > 0


def test_adaptive_rate_recovers_after_throttling_stops() -> None:
    now = [0.0]
    limiter = AdaptiveRateLimiter(lambda: now[0])
    for step in range(40):  # ~20 calls/s, throttled once
        now[0] = step * 0.05
        limiter.record(throttled=step == 20)
    throttled_rate = limiter.fill_rate
    for step in range(40, 400):
        now[0] = step * 0.05
        limiter.record(throttled=False)
    assert limiter.fill_rate > throttled_rate
