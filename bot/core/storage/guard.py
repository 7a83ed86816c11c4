"""A store wrapper that never lets a database problem cost a user their answer.

:class:`GuardedStore` calls the real store through a :class:`~bot.core.storage.breaker.Breaker`
and never raises. Only an outage switches the database off (one WARNING line); while it
is away every call is answered at once, claims, threads and rate counts from process
memory, and what happened (questions, feedback, claims, threads, conversation
contexts, pending and answered deliveries) is kept and written when it is back (one
more WARNING line); it is probed every 0.25 s and when next used. A failure of one
statement (a value the database refuses, a bug) is logged with its reference, and the
database stays on.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime

from cachetools import TLRUCache

from bot.core.context import Context
from bot.core.storage.breaker import MAX_KEPT, PROBE_SECONDS, Breaker, Write
from bot.core.storage.port import (
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

MAX_LOCAL = 10_000


class _Local:
    """Bounded in-memory keys, each with its own lifetime (monotonic seconds),
    thread-safe: the store is called from worker threads."""

    def __init__(self, clock: Callable[[], float]) -> None:
        # The value is the key's lifetime in seconds; it expires that long after its put.
        self._keys: TLRUCache[str, float] = TLRUCache(
            MAX_LOCAL, lambda _key, ttl, now: now + ttl, timer=clock)
        self._lock = threading.Lock()

    def __contains__(self, key: str) -> bool:
        """Whether ``key`` is there and unexpired."""
        with self._lock:
            return key in self._keys

    def put(self, key: str, ttl: float) -> None:
        with self._lock:
            self._keys[key] = ttl

    def claim(self, key: str, ttl: float) -> bool:
        """Put ``key`` unless it is there and unexpired; True if put."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = ttl
            return True


class GuardedStore:
    """Wraps a :class:`Store`: same calls, but failures are logged, not raised.

    Returns without the database: ``record_question`` the question's id (kept, written
    later; None when the database refused it), ``record_feedback`` True when kept,
    ``claim`` and ``accept`` decide from process memory (fail open: answering twice
    beats not answering), ``is_answered`` False, the listings empty.
    """

    # Told the verdict of each stored feedback (metrics); set by the server.
    on_feedback: Callable[[str], None] | None = None

    def __init__(
        self, store: Store | Callable[[], Store], *, down: StoreError | None = None,
        probe_seconds: float = PROBE_SECONDS, max_kept: int = MAX_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap ``store``.

        Args:
            store: the real store, or a function that opens it: then it is opened on
                first use and by the probe after a failure to open, so the bot starts
                and answers even while the database is down at start.
            down: why the database is known to be away already (it could not be
                opened at start): the guard starts without it, probing.
            probe_seconds: how often the database is probed while it is away.
            max_kept: writes kept at most while it is away (then the oldest go).
            clock: monotonic time source, replaceable in tests.
        """
        self._opener: Callable[[], Store] | None = store if callable(store) else None
        self._real: Store | None = None if callable(store) else store
        self._open_lock = threading.Lock()
        self._claims = _Local(clock)
        self._threads = _Local(clock)
        self._counts: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._counts_lock = threading.Lock()
        self._contexts: OrderedDict[str, Context] = OrderedDict()
        self._contexts_lock = threading.Lock()
        self._breaker = Breaker(lambda: self.store, probe_seconds=probe_seconds,
                                max_kept=max_kept, clock=clock)
        self._call = self._breaker.call
        self._later = self._breaker.later
        if down is not None:
            self._breaker.trip(down)

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
    def up(self) -> bool:
        """False while the database is away (between the outage and its return)."""
        return self._breaker.up

    @property
    def kept(self) -> int:
        """Writes waiting for the database."""
        return self._breaker.kept

    @property
    def outages(self) -> int:
        """Times the database went away since start."""
        return self._breaker.outages

    @property
    def dropped(self) -> int:
        """Writes dropped since start because the buffer of kept writes was full."""
        return self._breaker.dropped

    def check(self) -> bool:
        """Whether the database answers now (for /healthz): a ping while it is on (a
        failure switches it off), the probe's verdict while it is away."""
        def ping() -> bool:
            self.store.ping()
            return True

        return self._call("answer a ping", ping, lambda: False)

    # --- the store's calls -------------------------------------------------------------
    def user_key(self, user_id: str) -> str:
        """The pseudonymous key ("" while the store cannot be opened)."""
        return self._call("open the store", lambda: self.store.user_key(user_id), str)

    def record_question(self, question: NewQuestion) -> str | None:
        """The question's id (without the database: kept, written when it is back), or
        None if the database refused it."""
        q = replace(question, id=question.id or uuid.uuid4().hex,
                    asked_at=question.asked_at or datetime.now(UTC))
        return self._call("record a question", lambda: self.store.record_question(q),
                          lambda: None, away=lambda: self._later(
                              Write("a question", lambda s: s.record_question(q)), q.id))

    def record_feedback(
        self, question_id: str, *, user_id: str, verdict: Verdict, comment: str | None = None,
    ) -> bool:
        """True if stored or kept for the database (and then told to ``on_feedback``)."""
        def write(store: Store) -> bool:
            return store.record_feedback(question_id, user_id=user_id, verdict=verdict,
                                         comment=comment)

        stored = self._call("record feedback", lambda: write(self.store), lambda: False,
                            away=lambda: self._later(Write("feedback", write), True))
        if stored and self.on_feedback is not None:
            self.on_feedback(verdict)
        return stored

    def record_comment(self, question_id: str, *, user_id: str, comment: str) -> bool:
        """True if the comment was stored or kept for the database (no verdict is
        counted: it adds to one)."""
        def write(store: Store) -> bool:
            return store.record_comment(question_id, user_id=user_id, comment=comment)

        return self._call("record a comment", lambda: write(self.store), lambda: False,
                          away=lambda: self._later(Write("a comment", write), True))

    def mark_missed(self, question_id: str) -> bool:
        """True if the question's outcome was set to "none" (or kept for the database)."""
        return self._call("mark a question missed",
                          lambda: self.store.mark_missed(question_id), lambda: False,
                          away=lambda: self._later(Write(
                              "a missed question", lambda s: s.mark_missed(question_id)), True))

    def save_context(self, key: str, user_id: str, context: Context) -> None:
        """Remember in the database and in process memory."""
        with self._contexts_lock:
            self._contexts.pop(key, None)
            self._contexts[key] = context
            while len(self._contexts) > MAX_LOCAL:
                self._contexts.popitem(last=False)
        self._call("save a conversation context", lambda: self.store.save_context(
            key, user_id, context), lambda: None, away=lambda: self._later(Write(
                "a conversation context", lambda s: s.save_context(key, user_id, context)),
                None))

    def load_context(self, key: str) -> Context | None:
        """From the database, or from process memory while it is away."""
        return self._call("load a conversation context", lambda: self.store.load_context(key),
                          lambda: self._contexts.get(key))

    def claim(self, key: str, *, ttl_seconds: float) -> bool:
        """Claim in the database, or in process memory while it is away (a key claimed
        here, in an outage too, is not claimed again; one claimed meanwhile is written
        to the database when it is back, for the other replicas)."""
        if key in self._claims:
            return False

        def local() -> bool:
            return self._claims.claim(key, ttl_seconds)

        def away() -> bool:
            return local() and self._later(Write("a claim", lambda s: s.claim(
                key, ttl_seconds=ttl_seconds)), True)

        won = self._call("claim an event", lambda: self.store.claim(
            key, ttl_seconds=ttl_seconds), local, away=away)
        if won:
            self._claims.put(key, ttl_seconds)  # so a later outage still knows it
        return won

    def accept(self, delivery: NewDelivery, *, lease_seconds: float = 60.0) -> bool:
        """Record a pending delivery; while the database is away, True unless this
        process already saw the key (and recorded when it is back)."""
        def local() -> bool:
            return self._claims.claim(f"accept:{delivery.key}", 3600)

        def away() -> bool:
            return local() and self._later(Write("a delivery", lambda s: s.accept(
                delivery, lease_seconds=lease_seconds)), True)

        return self._call("accept a delivery", lambda: self.store.accept(
            delivery, lease_seconds=lease_seconds), local, away=away)

    def mark_answered(self, key: str) -> None:
        """Mark answered (without the database: when it is back)."""
        self._call("mark a delivery answered", lambda: self.store.mark_answered(key),
                   lambda: None, away=lambda: self._later(
                       Write("an answered delivery", lambda s: s.mark_answered(key)), None))

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

    def renew(self, owner: str, keys: Collection[str], *, lease_seconds: float) -> None:
        """Renew this process's leases (skipped while the database is away: the next
        heartbeat after its return renews them)."""
        self._call("renew leases", lambda: self.store.renew(
            owner, keys, lease_seconds=lease_seconds), lambda: None)

    def adopt(self, owner: str, *, max_age_seconds: float, lease_seconds: float
              ) -> tuple[Delivery, ...]:
        """The dead predecessor's deliveries (none while the database is away: their
        leases run out and the sweep takes them)."""
        return self._call("adopt deliveries", lambda: self.store.adopt(
            owner, max_age_seconds=max_age_seconds, lease_seconds=lease_seconds), tuple)

    def expire_pending(self, *, max_age_seconds: float) -> tuple[Delivery, ...]:
        """Deliveries too old to resume (none while the database is away)."""
        return self._call("expire pending deliveries", lambda: self.store.expire_pending(
            max_age_seconds=max_age_seconds), tuple)

    def remember_thread(self, conversation: str, thread: str) -> None:
        """Remember in the database and in process memory."""
        self._threads.put(f"{conversation}\x1f{thread}", 7 * 86400)
        self._call("remember a thread", lambda: self.store.remember_thread(
            conversation, thread), lambda: None, away=lambda: self._later(
                Write("a thread", lambda s: s.remember_thread(conversation, thread)), None))

    def in_thread(self, conversation: str, thread: str) -> bool:
        """In process memory (a thread answered here, in an outage too), else from the
        database."""
        if f"{conversation}\x1f{thread}" in self._threads:
            return True
        return self._call("look up a thread", lambda: self.store.in_thread(
            conversation, thread), lambda: False)

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
        """Stop probing and close the real store, if it was opened."""
        self._breaker.close()
        if self._real is not None:
            self._real.close()
