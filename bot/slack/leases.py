"""The Slack deliveries this process holds, and the renewal of their leases (see
:mod:`bot.slack.durable` and :mod:`bot.store.leases`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.storage.guard import GuardedStore


class Leases:
    """The deliveries this process holds (accepted here or taken over, not answered
    yet), whose leases :meth:`renew` extends; and those a listener is answering right
    now, which this process's own sweep must not answer a second time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._held: dict[str, float] = {}
        self._answering: set[str] = set()
        self._clock = clock
        self._lock = asyncio.Lock()
        self._recorded = False  # whether the last renewal recorded any keys
        self.owner: str | None = None  # this process's instance name, once it listens

    def hold(self, key: str) -> None:
        """This process holds ``key`` now."""
        self._held[key] = self._clock()

    def release(self, key: str) -> None:
        """``key`` was answered, or given up (its lease runs out, the sweep retries)."""
        self._held.pop(key, None)

    @contextlib.contextmanager
    def answering(self, key: str) -> Iterator[None]:
        """Mark ``key`` as being answered by this process while the block runs; then it
        is no longer held, answered or not."""
        self._answering.add(key)
        try:
            yield
        finally:
            self._answering.discard(key)
            self.release(key)

    def busy(self, key: str) -> bool:
        """Whether a listener of this process is answering ``key`` now."""
        return key in self._answering

    def keys(self, max_age: float) -> list[str]:
        """The keys held, the ones held longer than ``max_age`` given up."""
        old = self._clock() - max_age
        for key in [k for k, since in self._held.items() if since < old]:
            del self._held[key]
        return list(self._held)

    async def renew(self, store: GuardedStore, *, lease_seconds: float,
                    max_age: float) -> None:
        """Extend the leases of everything held and record the keys under
        :attr:`owner` (nothing before the server listens). One renewal at a time, each
        with the keys held when it starts: the last one written is the newest."""
        if self.owner is None:
            return
        async with self._lock:
            keys = self.keys(max_age)
            if keys or self._recorded:
                await asyncio.to_thread(store.renew, self.owner, keys,
                                        lease_seconds=lease_seconds)
                self._recorded = bool(keys)
