"""Per-user rate limit: at most N questions a minute, in memory or in the shared store."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import Protocol

from bot.core.storage.guard import GuardedStore

WINDOW_SECONDS = 60.0


class Admission(Enum):
    """What to do with a question."""

    ALLOW = "allow"  # answer it
    NOTIFY = "notify"  # over the limit: tell the user once
    DROP = "drop"  # over the limit and already told: stay quiet


class Limiter(Protocol):
    """Counts a user's question and says what to do with it."""

    def check(self, user: str) -> Admission:
        """Count a question from ``user`` and say whether to answer it."""
        ...


class StoreLimiter:
    """The limit kept in the store: the same count for every replica, atomic, and kept
    across restarts (a fixed one-minute window per user)."""

    def __init__(self, store: GuardedStore, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.store = store
        self.per_minute = per_minute

    def check(self, user: str) -> Admission:
        """Allow up to ``per_minute`` a minute; tell the user once; then stay quiet."""
        count = self.store.count_question(user, window_seconds=int(WINDOW_SECONDS))
        if count <= self.per_minute:
            return Admission.ALLOW
        return Admission.NOTIFY if count == self.per_minute + 1 else Admission.DROP


class RateLimiter:
    """A sliding-window limit per user, kept in memory.

    Over the limit, the first question gets a polite note and the following ones are
    ignored until the window frees up again, so a flood does not turn into a flood of
    replies.
    """

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
        max_users: int = 10_000,
    ) -> None:
        """Create a limiter.

        Args:
            per_minute: questions allowed per user in any 60 seconds (at least 1).
            clock: the time source, replaceable in tests.
            max_users: users tracked at most; idle ones are forgotten first.
        """
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._max_users = max_users
        self._asked: dict[str, deque[float]] = {}
        self._notified: dict[str, float] = {}

    def check(self, user: str) -> Admission:
        """Count a question from ``user`` and say whether to answer it."""
        now = self._clock()
        times = self._asked.pop(user, None) or deque()
        self._asked[user] = times  # re-insert: dict order doubles as least-recently-used
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        self._forget_idle()
        if len(times) < self.per_minute:
            times.append(now)
            self._notified.pop(user, None)
            return Admission.ALLOW
        told = self._notified.get(user)
        if told is not None and told > now - WINDOW_SECONDS:
            return Admission.DROP
        self._notified[user] = now
        return Admission.NOTIFY

    def _forget_idle(self) -> None:
        while len(self._asked) > self._max_users:
            oldest = next(iter(self._asked))
            del self._asked[oldest]
            self._notified.pop(oldest, None)
