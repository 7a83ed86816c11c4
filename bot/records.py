"""What the front ends remember between requests: events already claimed and the
threads the bot answers in. Kept in the store when there is one (shared by replicas,
kept across restarts, atomic claims), else in this process's memory."""

from __future__ import annotations

from bot.core.storage.guard import GuardedStore
from bot.dedup import RecentKeys

CLAIM_SECONDS = 3600.0  # Slack retries for about an hour at most; Teams for less


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
