"""Bounded in-memory records: events already handled, threads the bot answers in.

Slack retries an event when it does not get a 200 in time (``X-Slack-Retry-Num``) and
delivers a channel mention twice (``app_mention`` and ``message``). Handlers claim a
key before answering; only the first claim wins. The records live in memory and reset
when the process restarts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from cachetools import TTLCache


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
