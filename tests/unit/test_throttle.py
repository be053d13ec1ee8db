"""Rate limits: a sliding window per key; log-in counted so that nobody can lock someone else out."""

from __future__ import annotations

import time

import pytest

from api.errors import ApiError
from api.throttle import LOGIN_ATTEMPTS_PER_ADDRESS, LOGIN_FAILURES_PER_CLIENT, Throttle, Throttles, in_words


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(time, "monotonic", clock)  # the only clock api/throttle.py reads
    return clock


def refusal(attempt: Throttle, key: str) -> ApiError:
    with pytest.raises(ApiError) as error:
        attempt.check(key, "tries")
    return error.value


def test_take_counts_a_hit_only_when_the_key_is_under_its_limit(clock: Clock) -> None:
    limit = Throttle(2, 60)
    limit.take("ana", "tries")
    limit.take("ana", "tries")
    with pytest.raises(ApiError) as refused:
        limit.take("ana", "tries")
    assert refused.value.status == 429
    clock.now += 61
    limit.take("ana", "tries")  # the refused one was never counted: two fresh hits fit again
    limit.take("ana", "tries")
    assert limit.retry_after("ana") == 60


def test_a_key_may_hit_its_limit_within_the_window_then_waits_for_the_oldest_hit_to_age_out(clock: Clock) -> None:
    limit = Throttle(2, 60)
    limit.hit("ana")
    clock.now += 10
    limit.hit("ana")
    error = refusal(limit, "ana")
    assert (error.status, error.code, error.headers) == (429, "rate_limited", {"Retry-After": "50"})
    assert error.detail == "Too many tries; try again in 50 seconds."
    limit.check("ben", "tries")
    clock.now += 50
    limit.check("ana", "tries")


def test_a_released_hit_and_a_cleared_key_count_no_more(clock: Clock) -> None:
    limit = Throttle(1, 60)
    limit.hit("ana")
    limit.release("ana")
    limit.check("ana", "tries")
    limit.hit("ana")
    limit.clear("ana")
    assert limit.retry_after("ana") is None


def test_the_least_recently_hit_keys_are_forgotten_first(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Throttle, "MAX_KEYS", 2)
    limit = Throttle(1, 60)
    for key in ("ana", "ben", "ana", "cy"):
        limit.hit(key)
    assert (limit.retry_after("ana"), limit.retry_after("ben"), limit.retry_after("cy")) == (60, None, 60)


def test_waits_read_as_people_say_them() -> None:
    assert [in_words(s) for s in (1, 119, 120, 121, 900)] == [
        "1 seconds",
        "119 seconds",
        "2 minutes",
        "3 minutes",
        "15 minutes",
    ]


STRANGER = "203.0.113.9"


def fail(throttles: Throttles, times: int, address: str = STRANGER) -> None:
    """Log-in attempts at "ana" from an address, none forgiven (wrong passwords)."""
    for _ in range(times):
        throttles.count_log_in("ana", address, None)


def locked_out(throttles: Throttles) -> Throttles:
    """The stranger has failed at "ana" as often as a client may, and is refused once more."""
    fail(throttles, LOGIN_FAILURES_PER_CLIENT[0])
    with pytest.raises(ApiError):
        fail(throttles, 1)
    return throttles


def test_a_stranger_failing_at_a_username_locks_out_only_their_own_address(clock: Clock) -> None:
    throttles = locked_out(Throttles(messages_per_minute=120))
    fail(throttles, 1, "198.51.100.7")
    throttles.count_log_in("ana", STRANGER, "device-of-ana")


def test_a_right_password_forgives_its_clients_failures(clock: Clock) -> None:
    throttles = Throttles(messages_per_minute=120)
    fail(throttles, LOGIN_FAILURES_PER_CLIENT[0] - 1)
    throttles.forgive(throttles.count_log_in("ana", STRANGER, None))
    fail(throttles, LOGIN_FAILURES_PER_CLIENT[0])


def test_an_address_trying_many_usernames_is_refused_whatever_the_names(clock: Clock) -> None:
    throttles = Throttles(messages_per_minute=120)
    for n in range(LOGIN_ATTEMPTS_PER_ADDRESS[0]):
        throttles.forgive(throttles.count_log_in(f"user{n}", STRANGER, None))
    with pytest.raises(ApiError) as error:
        throttles.count_log_in("someone", STRANGER, None)
    assert error.value.detail.startswith("Too many log-in attempts from this address")


def test_a_refused_attempt_counts_nowhere(clock: Clock) -> None:
    throttles = locked_out(Throttles(messages_per_minute=120))
    for n in range(LOGIN_ATTEMPTS_PER_ADDRESS[0] - LOGIN_FAILURES_PER_CLIENT[0]):
        throttles.count_log_in(f"user{n}", STRANGER, None)  # the refused attempt took no place of these
    with pytest.raises(ApiError):
        throttles.count_log_in("someone", STRANGER, None)
