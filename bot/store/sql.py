"""The store on SQLAlchemy Core: one implementation for SQLite and PostgreSQL.

Claims, deliveries, thread marks and rate counts are single ``INSERT … ON CONFLICT``
or ``UPDATE … RETURNING`` statements, so they are atomic across threads and processes
on both databases. Every database failure becomes a :class:`StoreError` with a
reference and whether it is an outage (:func:`is_outage`); the guard
(:mod:`bot.core.storage.guard`) or the command that called logs it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, exists, select, update
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.core.context import MAX_QUESTION_CHARS, Context
from bot.core.storage.port import (
    MAX_COMMENT_CHARS,
    Delivery,
    FeedbackRow,
    MemberSnapshot,
    NewDelivery,
    NewQuestion,
    Purged,
    QuestionRow,
    StoreError,
    Verdict,
    clean_text,
)
from bot.core.storage.port import stored_id as _id
from bot.core.tour import TourState
from bot.store import contexts, directory, leases, reads, tours
from bot.store.schema import (
    claims,
    deliveries,
    directories,
    directory_members,
    feedback,
    question_passages,
    questions,
    rate_windows,
    threads,
)
from bot.store.schema import contexts as contexts_table
from bot.store.schema import tours as tours_table

log = logging.getLogger(__name__)
DELIVERY_KEEP = timedelta(days=1)  # answered/expired deliveries: long enough for retries
MAX_PASSAGES = 10


def _now() -> datetime:
    return datetime.now(UTC)


def is_outage(exc: SQLAlchemyError) -> bool:
    """Whether a failure means the database cannot be used now (no connection, server
    going away, an operational error, the pool exhausted), not that one statement or
    value was refused (an integrity, data or programming error)."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return isinstance(exc, DisconnectionError | PoolTimeout)


def dialect_insert(engine: Engine) -> Callable[..., Any]:
    """The INSERT (with ON CONFLICT) of ``engine``'s database, PostgreSQL or SQLite;
    only that dialect is imported (the other costs start time for nothing)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class SqlStore:
    """The :class:`bot.core.storage.port.Store` on a SQLAlchemy engine (see ``open_store``)."""

    def __init__(
        self, engine: Engine, *, secret: bytes,
        max_question_chars: int = MAX_QUESTION_CHARS,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        """Wrap a migrated engine.

        Args:
            engine: an engine whose database is at the newest revision.
            secret: the key for the users' pseudonyms (HMAC-SHA256).
            max_question_chars: questions are cut to this length.
            clock: the time source (aware UTC), replaceable in tests.
        """
        self.engine = engine
        self._secret = secret
        self._max_chars = max_question_chars
        self._clock = clock
        self._insert = dialect_insert(engine)

    @contextmanager
    def _tx(self, what: str) -> Iterator[Connection]:
        """A transaction; a database failure becomes a StoreError that says what failed
        and whether the database is unusable (the guard logs it)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise StoreError(f"the database could not {what}: {detail}",
                             reference=uuid.uuid4().hex[:8], outage=is_outage(exc)) from exc

    def ping(self) -> None:
        """Check that the database answers."""
        with self._tx("answer a ping") as conn:
            conn.execute(select(1))

    def user_key(self, user_id: str) -> str:
        """The keyed hash stored instead of ``user_id``."""
        raw = user_id.encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, raw, hashlib.sha256).hexdigest()

    # --- questions and feedback -----------------------------------------------------
    def record_question(self, question: NewQuestion) -> str:
        """Store a question (text cleaned and cut); returns its new id."""
        qid = question.id if question.id and len(question.id) <= 32 else uuid.uuid4().hex
        row = {
            "id": qid, "asked_at": question.asked_at or self._clock(),
            "platform": clean_text(question.platform, 16),
            "surface": clean_text(question.surface, 32),
            "user_key": self.user_key(question.user_id),
            "text": clean_text(question.text, self._max_chars),
            "language": clean_text(question.language, 8) or "?",
            "outcome": clean_text(question.outcome, 16),
            "latency_ms": max(0, int(question.latency_ms)),
        }
        hits = [
            {"question_id": qid, "rank": rank, "passage_id": clean_text(p.passage_id, 200),
             "score": float(p.score) if math.isfinite(p.score) else 0.0}
            for rank, p in enumerate(question.passages[:MAX_PASSAGES])
        ]
        with self._tx("record a question") as conn:
            conn.execute(questions.insert(), row)
            if hits:
                conn.execute(question_passages.insert(), hits)
        return qid

    def record_feedback(
        self, question_id: str, *, user_id: str, verdict: Verdict, comment: str | None = None,
    ) -> bool:
        """Store a verdict (one per person and question: a later call updates it, and a
        comment, when given, is kept with it); False (logged) if the question is unknown
        or purged."""
        if verdict not in ("helpful", "not_helpful"):
            raise ValueError(f"unknown verdict {verdict!r}")
        values: dict[str, Any] = {"given_at": self._clock(), "verdict": verdict}
        if comment:
            values["comment"] = clean_text(comment, MAX_COMMENT_CHARS)
        return self._feedback("record feedback", question_id, user_id, values, {"comment": None})

    def record_comment(self, question_id: str, *, user_id: str, comment: str) -> bool:
        """Add ``comment`` to the person's verdict on the question (a 👎 with it when
        there was no verdict yet); False (logged) if the question is unknown."""
        return self._feedback("record a comment", question_id, user_id,
                              {"comment": clean_text(comment, MAX_COMMENT_CHARS)},
                              {"given_at": self._clock(), "verdict": "not_helpful"})

    def _feedback(self, what: str, question_id: str, user_id: str, values: dict[str, Any],
                  new: dict[str, Any]) -> bool:
        """Update the person's feedback row on the question with ``values`` (one per
        person and question: a second click, or the "what was missing?" line after a
        👎, changes the first); without one, insert ``new`` and ``values``."""
        try:
            with self._tx(what) as conn:
                known = len(question_id) <= 32 and conn.execute(
                    select(exists().where(questions.c.id == question_id))).scalar()
                if known:
                    key = self.user_key(user_id)
                    mine = (feedback.c.question_id == question_id) & (feedback.c.user_key == key)
                    if not conn.execute(update(feedback).where(mine).values(**values)).rowcount:
                        conn.execute(feedback.insert(), {"question_id": question_id,
                                                         "user_key": key, **new, **values})
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):  # purged in between
                raise
            known = False
        if not known:
            log.warning("store: %s: unknown question %r ignored", what, question_id[:40])
        return bool(known)

    def mark_missed(self, question_id: str) -> bool:
        """Set a "Meinst du …?" question's outcome to "none"; False if unknown."""
        stmt = update(questions).where(questions.c.id == question_id[:32],
                                       questions.c.outcome == "clarify").values(outcome="none")
        with self._tx("mark a question missed") as conn:
            return bool(conn.execute(stmt).rowcount)

    # --- follow-ups -------------------------------------------------------------------
    def save_context(self, key: str, user_id: str, context: Context) -> None:
        """Remember the last reply of the conversation ``key``."""
        with self._tx("save a conversation context") as conn:
            contexts.save(conn, self._insert, key, self.user_key(user_id), context,
                          self._clock())

    def load_context(self, key: str) -> Context | None:
        """The last reply remembered for the conversation ``key``."""
        with self._tx("load a conversation context") as conn:
            return contexts.load(conn, key)

    # --- claims, threads, rate windows ------------------------------------------------
    def claim(self, key: str, *, ttl_seconds: float) -> bool:
        """True for exactly one caller per key until the claim expires."""
        now = self._clock()
        new = self._insert(claims).values(
            key=_id(key), expires_at=now + timedelta(seconds=ttl_seconds))
        stmt = new.on_conflict_do_update(
            index_elements=[claims.c.key], set_={"expires_at": new.excluded.expires_at},
            where=claims.c.expires_at <= now,
        ).returning(claims.c.key)
        with self._tx("claim an event") as conn:
            return conn.execute(stmt).first() is not None

    def remember_thread(self, conversation: str, thread: str) -> None:
        """Remember (or refresh) a thread the bot answers in."""
        now = self._clock()
        stmt = self._insert(threads).values(
            conversation=_id(conversation), thread=_id(thread), remembered_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[threads.c.conversation, threads.c.thread],
            set_={"remembered_at": now})
        with self._tx("remember a thread") as conn:
            conn.execute(stmt)

    def in_thread(self, conversation: str, thread: str) -> bool:
        """Whether the bot answers in this thread."""
        query = select(exists().where(threads.c.conversation == _id(conversation),
                                      threads.c.thread == _id(thread)))
        with self._tx("look up a thread") as conn:
            return bool(conn.execute(query).scalar())

    def count_question(self, user_id: str, *, window_seconds: int = 60) -> int:
        """Count a question in the user's current fixed window; returns the count."""
        start = int(self._clock().timestamp()) // window_seconds * window_seconds
        new = self._insert(rate_windows).values(
            user_key=self.user_key(user_id), window_start=start, count=1)
        stmt = new.on_conflict_do_update(
            index_elements=[rate_windows.c.user_key, rate_windows.c.window_start],
            set_={"count": rate_windows.c.count + 1},
        ).returning(rate_windows.c.count)
        with self._tx("count a question") as conn:
            return int(conn.execute(stmt).scalar_one())

    # --- durable answering ------------------------------------------------------------
    def accept(self, delivery: NewDelivery, *, lease_seconds: float = 60.0) -> bool:
        """Record a delivery as pending; False if its key was accepted before."""
        now = self._clock()
        stmt = self._insert(deliveries).values(
            key=_id(delivery.key), platform=clean_text(delivery.platform, 16),
            kind=clean_text(delivery.kind, 32),
            user_key=self.user_key(delivery.user_id),
            payload=json.dumps(dict(delivery.payload), default=str),
            target=None if delivery.target is None else json.dumps(
                dict(delivery.target), default=str),
            status="pending", accepted_at=now,
            lease_until=now + timedelta(seconds=lease_seconds),
        ).on_conflict_do_nothing(index_elements=[deliveries.c.key]).returning(deliveries.c.key)
        with self._tx("accept a delivery") as conn:
            return conn.execute(stmt).first() is not None

    def mark_answered(self, key: str) -> None:
        """Mark a delivery answered."""
        stmt = update(deliveries).where(deliveries.c.key == _id(key)).values(
            status="answered", answered_at=self._clock())
        with self._tx("mark a delivery answered") as conn:
            conn.execute(stmt)

    def is_answered(self, key: str) -> bool:
        """Whether the delivery with this key was answered."""
        query = select(deliveries.c.status).where(deliveries.c.key == _id(key))
        with self._tx("look up a delivery") as conn:
            return conn.execute(query).scalar() == "answered"

    def take_pending(
        self, *, max_age_seconds: float, lease_seconds: float = 60.0,
    ) -> tuple[Delivery, ...]:
        """Lease pending deliveries younger than ``max_age_seconds`` whose lease ran out."""
        now = self._clock()
        stmt = update(deliveries).where(
            deliveries.c.status == "pending", deliveries.c.lease_until <= now,
            deliveries.c.accepted_at >= now - timedelta(seconds=max_age_seconds),
        ).values(lease_until=now + timedelta(seconds=lease_seconds)).returning(*deliveries.c)
        with self._tx("take pending deliveries") as conn:
            rows = conn.execute(stmt).mappings().all()
        return tuple(sorted((reads.delivery(r) for r in rows), key=lambda d: d.accepted_at))

    def renew(self, owner: str, keys: Collection[str], *, lease_seconds: float) -> None:
        """Extend the leases of the pending deliveries ``owner`` holds (see
        :mod:`bot.store.leases`)."""
        with self._tx("renew leases") as conn:
            leases.renew(conn, self._insert, owner, keys, timedelta(seconds=lease_seconds),
                         self._clock())

    def adopt(self, owner: str, *, max_age_seconds: float, lease_seconds: float
              ) -> tuple[Delivery, ...]:
        """Lease the pending deliveries that ``owner``'s dead predecessor held."""
        with self._tx("adopt deliveries") as conn:
            return leases.adopt(conn, owner, timedelta(seconds=lease_seconds), self._clock(),
                                timedelta(seconds=max_age_seconds))

    def expire_pending(self, *, max_age_seconds: float) -> tuple[Delivery, ...]:
        """Mark pending deliveries older than ``max_age_seconds`` (lease run out) expired."""
        now = self._clock()
        stmt = update(deliveries).where(
            deliveries.c.status == "pending", deliveries.c.lease_until <= now,
            deliveries.c.accepted_at < now - timedelta(seconds=max_age_seconds),
        ).values(status="expired").returning(*deliveries.c)
        with self._tx("expire pending deliveries") as conn:
            rows = conn.execute(stmt).mappings().all()
        return tuple(sorted((reads.delivery(r) for r in rows), key=lambda d: d.accepted_at))

    # --- the guided tour --------------------------------------------------------------
    def save_tour(self, user_id: str, state: TourState | None) -> None:
        """Remember the user's tour position (None: forget it, the tour ended)."""
        with self._tx("save a tour position") as conn:
            tours.save(conn, self._insert, self.user_key(user_id), state, self._clock())

    def load_tour(self, user_id: str) -> TourState | None:
        """The user's tour position, if a tour is under way."""
        with self._tx("load a tour position") as conn:
            return tours.load(conn, self.user_key(user_id))

    # --- reading, retention -----------------------------------------------------------
    def questions_since(self, since: datetime) -> tuple[QuestionRow, ...]:
        """Questions asked at or after ``since``, oldest first."""
        with self._tx("read questions") as conn:
            return reads.questions_since(conn, since)

    def feedback_since(self, since: datetime) -> tuple[FeedbackRow, ...]:
        """Feedback given at or after ``since``, oldest first."""
        with self._tx("read feedback") as conn:
            return reads.feedback_since(conn, since)

    # --- directory cache ("who is ours") ----------------------------------------------
    def directory(self, source: str) -> MemberSnapshot | None:
        """The cached directory ``source``, or None if it was never saved."""
        with self._tx("read the directory") as conn:
            return directory.read(conn, source)

    def save_directory(self, snapshot: MemberSnapshot) -> None:
        """Replace the cached directory in one transaction (readers see old or new)."""
        with self._tx("save the directory") as conn:
            directory.save(conn, self._insert, snapshot)

    def purge(self, *, retention_days: int) -> Purged:
        """Delete what is older than the retention period (short-lived state sooner)."""
        now = self._clock()
        cutoff = now - timedelta(days=retention_days)
        old = select(questions.c.id).where(questions.c.asked_at < cutoff)
        stale_directories = select(directories.c.source).where(
            directories.c.fetched_at < now - DELIVERY_KEEP)
        statements: dict[str, Any] = {
            "feedback": delete(feedback).where(
                (feedback.c.given_at < cutoff) | feedback.c.question_id.in_(old)),
            "question_passages": delete(question_passages).where(
                question_passages.c.question_id.in_(old)),
            "questions": delete(questions).where(questions.c.asked_at < cutoff),
            "claims": delete(claims).where(claims.c.expires_at <= now),
            "deliveries": delete(deliveries).where(
                deliveries.c.accepted_at < now - DELIVERY_KEEP),
            "threads": delete(threads).where(threads.c.remembered_at < cutoff),
            "tours": delete(tours_table).where(tours_table.c.updated_at < cutoff),
            "contexts": delete(contexts_table).where(contexts_table.c.updated_at < cutoff),
            "rate_windows": delete(rate_windows).where(
                rate_windows.c.window_start < int((now - DELIVERY_KEEP).timestamp())),
            # A directory copy nobody asked to refresh for a day is not kept around.
            "directory_members": delete(directory_members).where(
                directory_members.c.source.in_(stale_directories)),
            "directories": delete(directories).where(
                directories.c.fetched_at < now - DELIVERY_KEEP),
        }
        return self._delete("purge old records", statements,
                            registries_before=now - DELIVERY_KEEP)

    def forget(self, user_id: str) -> Purged:
        """Delete every record of one user."""
        key = self.user_key(user_id)
        theirs = select(questions.c.id).where(questions.c.user_key == key)
        return self._delete("forget a user", {
            "feedback": delete(feedback).where(
                (feedback.c.user_key == key) | feedback.c.question_id.in_(theirs)),
            "question_passages": delete(question_passages).where(
                question_passages.c.question_id.in_(theirs)),
            "questions": delete(questions).where(questions.c.user_key == key),
            "deliveries": delete(deliveries).where(deliveries.c.user_key == key),
            "rate_windows": delete(rate_windows).where(rate_windows.c.user_key == key),
            "tours": delete(tours_table).where(tours_table.c.user_key == key),
            "contexts": delete(contexts_table).where(contexts_table.c.user_key == key),
            # The directory copy holds raw ids; the next refresh fetches the profile
            # again if the person is still in the workspace with a title.
            "directory_members": delete(directory_members).where(
                directory_members.c.user_id == _id(user_id)),
        })

    def _delete(self, what: str, statements: dict[str, Any], *,
                registries_before: datetime | None = None) -> Purged:
        with self._tx(what) as conn:
            counts = {name: conn.execute(stmt).rowcount for name, stmt in statements.items()}
            if registries_before is not None:
                counts["lease_registries"] = leases.purge(conn, registries_before)
        return Purged(counts={k: v for k, v in counts.items() if v})

    def close(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()
