"""What the front ends remember between requests: events already claimed and the
threads the bot answers in. Kept in the store when there is one (shared by replicas,
kept across restarts, atomic claims), else in this process's memory (bounded in number
and age, reset when the process restarts).

Slack retries an event when it does not get a 200 in time (``X-Slack-Retry-Num``) and
delivers a channel mention twice (``app_mention`` and ``message``): handlers claim a key
before answering, and only the first claim wins."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from cachetools import TTLCache

from bot.core.storage.guard import GuardedStore

CLAIM_SECONDS = 3600.0  # Slack retries for about an hour at most; Teams for less


class RecentKeys:
    """The most recently added keys, bounded in number and age.

    Not thread-safe by design: it is used from the asyncio event loop only, where
    :meth:`claim` runs without interruption and so cannot race.
    """

    def __init__(
        self,
        *,
        max_size: int = 10_000,
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty record.

        Args:
            max_size: keys kept at most; the oldest are forgotten first.
            ttl_seconds: forget keys after this long (None: only by size).
            clock: the time source, replaceable in tests.
        """
        ttl = math.inf if ttl_seconds is None else ttl_seconds
        self._keys: TTLCache[str, bool] = TTLCache(max_size, ttl, timer=clock)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        self._keys.expire()
        return len(self._keys)

    def add(self, key: str) -> None:
        """Remember ``key`` (again), as the newest entry."""
        self._keys[key] = True

    def claim(self, key: str) -> bool:
        """Remember ``key``; True only if it was not already there."""
        if key in self:
            return False
        self.add(key)
        return True


class Records:
    """Claims and threads, in the store or in memory."""

    def __init__(self, store: GuardedStore | None) -> None:
        self.store = store
        self._claims = RecentKeys(max_size=20_000, ttl_seconds=CLAIM_SECONDS)
        self._threads = RecentKeys(max_size=5_000)

    def claim(self, key: str) -> bool:
        """True for exactly one caller per key (for an hour): answer it; False: a repeat."""
        if self.store is not None:
            return self.store.claim(key, ttl_seconds=CLAIM_SECONDS)
        return self._claims.claim(key)

    def remember_thread(self, conversation: str, thread: str) -> None:
        """The bot answers follow-ups in this thread from now on."""
        if self.store is not None:
            self.store.remember_thread(conversation, thread)
        else:
            self._threads.add(f"{conversation}:{thread}")

    def in_thread(self, conversation: str, thread: str) -> bool:
        """Whether the bot answers follow-ups in this thread."""
        if self.store is not None:
            return self.store.in_thread(conversation, thread)
        return f"{conversation}:{thread}" in self._threads
