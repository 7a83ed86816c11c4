"""Count the answers still being worked on, so that shutdown (and tests) can wait for
them: an explicit completion signal instead of guessing from running tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class InFlight:
    """A counter of started and not yet finished units of work, awaitable when idle."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        """How many are running now."""
        return self._count

    def begin(self) -> None:
        """One more unit of work has been accepted."""
        self._count += 1
        self._idle.clear()

    def end(self) -> None:
        """One unit of work has finished (successfully or not)."""
        self._count = max(self._count - 1, 0)
        if self._count == 0:
            self._idle.set()

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """``begin`` on entry, ``end`` on exit."""
        self.begin()
        try:
            yield
        finally:
            self.end()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is running; False if that took longer than ``timeout``."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
