"""The per-user sliding-window rate limit."""

from __future__ import annotations

import pytest

from bot.ratelimit import Admission, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_notifies_once() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.check("U1") for _ in range(3)] == [Admission.ALLOW] * 3
    assert limiter.check("U1") is Admission.NOTIFY
    assert limiter.check("U1") is Admission.DROP
    assert limiter.check("U2") is Admission.ALLOW  # other users are not affected


def test_window_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.check("U1")
    clock.now = 30
    limiter.check("U1")
    assert limiter.check("U1") is Admission.NOTIFY
    clock.now = 60.5  # the first question left the window
    assert limiter.check("U1") is Admission.ALLOW
    assert limiter.check("U1") is Admission.NOTIFY  # told again: the earlier note is old


def test_idle_users_are_forgotten_beyond_the_bound() -> None:
    limiter = RateLimiter(1, clock=Clock(), max_users=2)
    for user in ("U1", "U2", "U3"):
        limiter.check(user)
    assert limiter.check("U1") is Admission.ALLOW  # U1 was forgotten


def test_rejects_a_zero_limit() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
