"""Bounded in-memory records: events already handled, threads the bot answers in.

Slack retries an event when it does not get a 200 in time (``X-Slack-Retry-Num``) and
delivers a channel mention twice (``app_mention`` and ``message``). Handlers claim a
key before answering; only the first claim wins. The records live in memory and reset
when the process restarts.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


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
        self._keys: OrderedDict[str, float] = OrderedDict()
        self._max_size = max_size
        self._ttl = ttl_seconds
        self._clock = clock

    def __contains__(self, key: object) -> bool:
        self._expire()
        return key in self._keys

    def __len__(self) -> int:
        self._expire()
        return len(self._keys)

    def add(self, key: str) -> None:
        """Remember ``key`` (again), as the newest entry."""
        self._keys[key] = self._clock()
        self._keys.move_to_end(key)
        while len(self._keys) > self._max_size:
            self._keys.popitem(last=False)

    def claim(self, key: str) -> bool:
        """Remember ``key``; True only if it was not already there."""
        if key in self:
            return False
        self.add(key)
        return True

    def _expire(self) -> None:
        if self._ttl is None:
            return
        deadline = self._clock() - self._ttl
        while self._keys:
            oldest, added = next(iter(self._keys.items()))
            if added >= deadline:
                break
            del self._keys[oldest]
