"""A store wrapper that never lets a database problem cost a user their answer.

:class:`GuardedStore` calls the real store; when a call fails it logs the failure once
with a reference and returns a safe value instead of raising. After a failure it skips
the database for ``cooldown_seconds`` (so an outage costs no connect timeouts per
question), and meanwhile keeps claims, threads, rate counts and conversation contexts in
process memory, so a single process still deduplicates, follows threads and follow-ups
and limits rates while the database is away. What cannot be kept (questions, feedback,
deliveries) is logged and dropped.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from bot.core.context import Context
from bot.core.store import (
    Delivery,
    FeedbackRow,
    MemberSnapshot,
    NewDelivery,
    NewQuestion,
    Purged,
    QuestionRow,
    Store,
    StoreError,
    Verdict,
)
from bot.core.tour import TourState

T = TypeVar("T")
log = logging.getLogger(__name__)
MAX_LOCAL = 10_000


class _Local:
    """Bounded in-memory keys with expiry times (monotonic seconds), thread-safe: the
    store is called from worker threads."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._until: OrderedDict[str, float] = OrderedDict()
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> float | None:
        until = self._until.get(key)
        return until if until is not None and until > self._clock() else None

    def put(self, key: str, ttl: float) -> None:
        with self._lock:
            self._until[key] = self._clock() + ttl
            self._until.move_to_end(key)
            while len(self._until) > MAX_LOCAL:
                self._until.popitem(last=False)

    def claim(self, key: str, ttl: float) -> bool:
        """Put ``key`` unless it is there and unexpired; True if put."""
        with self._lock:
            if self.get(key) is not None:
                return False
            self._until[key] = self._clock() + ttl
            self._until.move_to_end(key)
            while len(self._until) > MAX_LOCAL:
                self._until.popitem(last=False)
            return True


class GuardedStore:
    """Wraps a :class:`Store`: same calls, but failures are logged, not raised.

    Returns on failure: ``record_question`` None, ``record_feedback`` False, ``claim``
    and ``accept`` decide from process memory (fail open: answering twice beats not
    answering), ``is_answered`` False, the listings empty.
    """

    # Told the verdict of each stored feedback (metrics); set by the server.
    on_feedback: Callable[[str], None] | None = None

    def __init__(
        self, store: Store | Callable[[], Store], *, cooldown_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap ``store``.

        Args:
            store: the real store, or a function that opens it: then it is opened on
                first use and again after a failure to open, so the bot starts and
                answers even while the database is down at start.
            cooldown_seconds: after a failure, skip the database this long.
            clock: monotonic time source, replaceable in tests.
        """
        self._opener: Callable[[], Store] | None = store if callable(store) else None
        self._real: Store | None = None if callable(store) else store
        self._open_lock = threading.Lock()
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._down_until = 0.0
        self._down_ref = ""
        self._claims = _Local(clock)
        self._threads = _Local(clock)
        self._counts: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._counts_lock = threading.Lock()
        self._contexts: OrderedDict[str, Context] = OrderedDict()
        self._contexts_lock = threading.Lock()

    @property
    def store(self) -> Store:
        """The real store, opened now if it was given as a function (may raise)."""
        if self._real is None:
            assert self._opener is not None
            with self._open_lock:
                if self._real is None:
                    self._real = self._opener()
        return self._real

    @property
    def healthy(self) -> bool:
        """False while the database is being skipped after a failure."""
        return self._clock() >= self._down_until

    def _call(self, what: str, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        if not self.healthy:
            log.warning("store: %s skipped, database unavailable (ref %s)", what, self._down_ref)
            return fallback()
        try:
            return call()
        except Exception as exc:
            ref = exc.reference if isinstance(exc, StoreError) else uuid.uuid4().hex[:8]
            if not isinstance(exc, StoreError):  # a bug, not an outage: keep the traceback
                log.exception("store: %s failed (ref %s)", what, ref)
            log.error("store: %s failed, carrying on without the database for %.0f s "
                      "(ref %s)", what, self._cooldown, ref)
            self._down_until = self._clock() + self._cooldown
            self._down_ref = ref
            return fallback()

    def user_key(self, user_id: str) -> str:
        """The pseudonymous key ("" while the store cannot be opened)."""
        return self._call("open the store", lambda: self.store.user_key(user_id), str)

    def record_question(self, question: NewQuestion) -> str | None:
        """The question's id, or None if it could not be recorded."""
        return self._call("record a question", lambda: self.store.record_question(question),
                          lambda: None)

    def record_feedback(
        self, question_id: str, *, user_id: str, verdict: Verdict, comment: str | None = None,
    ) -> bool:
        """True if stored (and then told to ``on_feedback``)."""
        stored = self._call("record feedback", lambda: self.store.record_feedback(
            question_id, user_id=user_id, verdict=verdict, comment=comment), lambda: False)
        if stored and self.on_feedback is not None:
            self.on_feedback(verdict)
        return stored

    def record_comment(self, question_id: str, *, user_id: str, comment: str) -> bool:
        """True if the comment was stored (no verdict is counted: it adds to one)."""
        return self._call("record a comment", lambda: self.store.record_comment(
            question_id, user_id=user_id, comment=comment), lambda: False)

    def mark_missed(self, question_id: str) -> bool:
        """True if the question's outcome was set to "none"."""
        return self._call("mark a question missed",
                          lambda: self.store.mark_missed(question_id), lambda: False)

    def save_context(self, key: str, user_id: str, context: Context) -> None:
        """Remember in the database and in process memory."""
        with self._contexts_lock:
            self._contexts.pop(key, None)
            self._contexts[key] = context
            while len(self._contexts) > MAX_LOCAL:
                self._contexts.popitem(last=False)
        self._call("save a conversation context", lambda: self.store.save_context(
            key, user_id, context), lambda: None)

    def load_context(self, key: str) -> Context | None:
        """From the database, or from process memory while it is away."""
        return self._call("load a conversation context", lambda: self.store.load_context(key),
                          lambda: self._contexts.get(key))

    def claim(self, key: str, *, ttl_seconds: float) -> bool:
        """Claim in the database, or in process memory while it is away."""
        won = self._call("claim an event", lambda: self.store.claim(
            key, ttl_seconds=ttl_seconds), lambda: self._claims.claim(key, ttl_seconds))
        if won:
            self._claims.put(key, ttl_seconds)  # so a later outage still knows it
        return won

    def accept(self, delivery: NewDelivery, *, lease_seconds: float = 60.0) -> bool:
        """Record a pending delivery; while the database is away, True unless this
        process already saw the key."""
        return self._call("accept a delivery", lambda: self.store.accept(
            delivery, lease_seconds=lease_seconds),
            lambda: self.claim(f"accept:{delivery.key}", ttl_seconds=3600))

    def mark_answered(self, key: str) -> None:
        """Mark answered (skipped while the database is away)."""
        self._call("mark a delivery answered", lambda: self.store.mark_answered(key),
                   lambda: None)

    def is_answered(self, key: str) -> bool:
        """False when unknown or the database is away."""
        return self._call("look up a delivery", lambda: self.store.is_answered(key),
                          lambda: False)

    def take_pending(
        self, *, max_age_seconds: float, lease_seconds: float = 60.0,
    ) -> tuple[Delivery, ...]:
        """Deliveries to resume (none while the database is away)."""
        return self._call("take pending deliveries", lambda: self.store.take_pending(
            max_age_seconds=max_age_seconds, lease_seconds=lease_seconds), tuple)

    def expire_pending(self, *, max_age_seconds: float) -> tuple[Delivery, ...]:
        """Deliveries too old to resume (none while the database is away)."""
        return self._call("expire pending deliveries", lambda: self.store.expire_pending(
            max_age_seconds=max_age_seconds), tuple)

    def remember_thread(self, conversation: str, thread: str) -> None:
        """Remember in the database and in process memory."""
        self._threads.put(f"{conversation}\x1f{thread}", 7 * 86400)
        self._call("remember a thread", lambda: self.store.remember_thread(
            conversation, thread), lambda: None)

    def in_thread(self, conversation: str, thread: str) -> bool:
        """From the database, or from process memory while it is away."""
        return self._call("look up a thread", lambda: self.store.in_thread(
            conversation, thread),
            lambda: self._threads.get(f"{conversation}\x1f{thread}") is not None)

    def count_question(self, user_id: str, *, window_seconds: int = 60) -> int:
        """From the database, or counted in process memory while it is away."""
        def local() -> int:
            slot = (user_id, int(time.time()) // window_seconds)
            with self._counts_lock:
                count = self._counts.pop(slot, 0) + 1
                self._counts[slot] = count
                while len(self._counts) > MAX_LOCAL:
                    self._counts.popitem(last=False)
            return count

        return self._call("count a question", lambda: self.store.count_question(
            user_id, window_seconds=window_seconds), local)

    def save_tour(self, user_id: str, state: TourState | None) -> None:
        """Remember a tour position (skipped while the database is away: the buttons
        carry the position too)."""
        self._call("save a tour position", lambda: self.store.save_tour(user_id, state),
                   lambda: None)

    def load_tour(self, user_id: str) -> TourState | None:
        """The stored tour position (None when unknown or the database is away)."""
        return self._call("load a tour position", lambda: self.store.load_tour(user_id),
                          lambda: None)

    def questions_since(self, since: datetime) -> tuple[QuestionRow, ...]:
        """Recorded questions (none while the database is away)."""
        return self._call("read questions", lambda: self.store.questions_since(since), tuple)

    def feedback_since(self, since: datetime) -> tuple[FeedbackRow, ...]:
        """Recorded feedback (none while the database is away)."""
        return self._call("read feedback", lambda: self.store.feedback_since(since), tuple)

    def directory(self, source: str) -> MemberSnapshot | None:
        """The cached directory (None while the database is away)."""
        return self._call("read the directory", lambda: self.store.directory(source),
                          lambda: None)

    def save_directory(self, snapshot: MemberSnapshot) -> None:
        """Save the directory (skipped while the database is away)."""
        self._call("save the directory", lambda: self.store.save_directory(snapshot),
                   lambda: None)

    def purge(self, *, retention_days: int) -> Purged:
        """Purge old records (nothing while the database is away; retried next day)."""
        return self._call("purge old records", lambda: self.store.purge(
            retention_days=retention_days), Purged)

    def close(self) -> None:
        """Close the real store, if it was opened."""
        if self._real is not None:
            self._real.close()
