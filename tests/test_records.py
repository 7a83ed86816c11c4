"""The bounded record of events, messages and threads."""

from __future__ import annotations

from bot.records import RecentKeys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_claim_succeeds_once() -> None:
    keys = RecentKeys()
    assert keys.claim("C1:1.0")
    assert not keys.claim("C1:1.0")
    assert keys.claim("C1:2.0")
    assert "C1:1.0" in keys and len(keys) == 2


def test_oldest_keys_are_forgotten_beyond_the_size() -> None:
    keys = RecentKeys(max_size=3)
    for key in "abcd":
        keys.add(key)
    assert "a" not in keys
    assert all(k in keys for k in "bcd")
    keys.add("b")  # touched again: now the newest
    keys.add("e")
    assert "c" not in keys and "b" in keys


def test_keys_expire_after_the_ttl() -> None:
    clock = Clock()
    keys = RecentKeys(ttl_seconds=60, clock=clock)
    keys.add("Ev1")
    clock.now += 59
    assert not keys.claim("Ev1")
    clock.now += 61
    assert "Ev1" not in keys
    assert keys.claim("Ev1")
