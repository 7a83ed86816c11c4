"""The store port: what the bot remembers, defined by the core, implemented elsewhere.

The core and the adapters depend only on :class:`Store` and the frozen dataclasses here;
``bot.store`` implements them with SQLAlchemy (SQLite or PostgreSQL). Users appear only
as a pseudonymous key (HMAC-SHA256 of the platform's user id); the implementation
derives it, callers pass the raw id and never see or store it.

Every method may raise :class:`StoreError`. Callers that must never lose an answer over
the database wrap the store in :class:`bot.core.storage.guard.GuardedStore`, which logs
the failure with a reference and carries on with a safe default (it can also open the
store lazily, so the bot starts while the database is down).

Durable answering, the intended flow: on receipt, ``accept`` the event (False: a retry
of one already accepted, drop it); answer; ``mark_answered`` once the reply went out.
While a process holds deliveries it ``renew``s their leases every few seconds, so a
lease can be short. A process that starts ``adopt``s what its dead predecessor (the
same instance name) held, at once; and every process runs ``take_pending``
periodically (every few seconds): it returns the accepted events whose process died
(lease run out) and leases them to the caller, so exactly one replica resumes each;
``expire_pending`` hands back the ones too old to answer now, for a short apology.
Before resuming or answering a retry, ``is_answered`` says whether the reply already
went out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from bot.core.context import Context
from bot.core.errors import RollenbotError
from bot.core.models import Outcome
from bot.core.tour import TourState

Platform = Literal["slack", "teams", "terminal"]
Surface = Literal[
    "slash", "mention", "dm", "assistant",
    "teams_personal", "teams_channel", "teams_group", "terminal",
]
Verdict = Literal["helpful", "not_helpful"]
DeliveryStatus = Literal["pending", "answered", "expired"]

MAX_COMMENT_CHARS = 300
MAX_DEPARTMENT_CHARS = 200  # a tour's department, as stored and as its buttons carry it

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class StoreError(RollenbotError):
    """The store could not do what was asked (database down, write failed).

    ``reference`` is a short id that is also in the log line, so an operator can find
    the failure a user reports. ``outage`` says whether the database could not be used
    at all (no connection, an operational error: the next call would fail too), not
    just this one statement (a value the database refused).
    """

    def __init__(self, message: str, *, reference: str, outage: bool = True) -> None:
        super().__init__(f"{message} (ref {reference})")
        self.reference = reference
        self.outage = outage


def clean_text(text: str, limit: int) -> str:
    """One line of printable text: control, invisible and lone-surrogate characters
    become spaces, runs of white space collapse, and the result is cut to ``limit``.
    """
    text = _SURROGATE.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def stored_id(value: str) -> str:
    """An event, channel or thread id as stored: no NUL (PostgreSQL refuses it), at most
    255 characters."""
    return value.replace("\x00", "")[:255]


@dataclass(frozen=True, kw_only=True)
class PassageScore:
    """One retrieved passage and its score, best first in a question's list."""

    passage_id: str
    score: float


@dataclass(frozen=True, kw_only=True)
class NewQuestion:
    """A question as the adapter saw it and the engine's outcome.

    ``user_id`` is the platform's raw id; the store keeps only its keyed hash.
    ``text`` is cleaned and cut to the store's limit on the way in.
    """

    platform: Platform
    surface: Surface
    user_id: str
    text: str
    language: str
    outcome: Outcome
    passages: tuple[PassageScore, ...] = ()
    latency_ms: int = 0
    asked_at: datetime | None = None  # None: now
    id: str | None = None  # None: the store makes one (32 hex digits)


@dataclass(frozen=True, kw_only=True)
class QuestionRow:
    """A recorded question, as read back for the report."""

    id: str
    asked_at: datetime
    platform: str
    surface: str
    user_key: str
    text: str
    language: str
    outcome: str
    latency_ms: int
    passages: tuple[PassageScore, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FeedbackRow:
    """A 👍/👎 on a question, with the question's best passage (None if it had none)."""

    question_id: str
    given_at: datetime
    verdict: str
    comment: str | None
    question: str
    passage_id: str | None


@dataclass(frozen=True, kw_only=True)
class NewDelivery:
    """An accepted event, command or activity that must be answered exactly once.

    ``key`` is its platform id (Slack event_id, a slash command's trigger id, a Teams
    activity id). ``payload`` and ``target`` are JSON-serialisable: what to answer and
    where to post it; they may hold raw ids and live only until answered plus a day.
    """

    key: str
    platform: Platform
    kind: str
    user_id: str
    payload: Mapping[str, Any]
    target: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """A recorded delivery, as handed back for resuming or an apology."""

    key: str
    platform: str
    kind: str
    payload: Mapping[str, Any]
    target: Mapping[str, Any] | None
    status: DeliveryStatus
    accepted_at: datetime


@dataclass(frozen=True, kw_only=True)
class Purged:
    """How many rows a purge or forget removed, per kind."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All rows removed."""
        return sum(self.counts.values())


@dataclass(frozen=True, kw_only=True)
class Member:
    """One person of a platform directory, as cached for "who is ours": only what the
    title match and the link need (no e-mail, no photo, no status)."""

    user_id: str
    name: str
    title: str
    team_id: str = ""


@dataclass(frozen=True, kw_only=True)
class MemberSnapshot:
    """A platform directory as fetched at ``fetched_at`` (active people with a title).

    ``source`` names the directory ("slack"); ``team_url`` is the workspace's address
    (``https://acme.slack.com/``), for profile links.
    """

    source: str
    fetched_at: datetime
    members: tuple[Member, ...] = ()
    team_url: str = ""


class Store(Protocol):
    """What the bot needs to remember, across restarts and replicas."""

    def ping(self) -> None:
        """Check that the database answers (raises :class:`StoreError` if not)."""
        ...

    def user_key(self, user_id: str) -> str:
        """The pseudonymous key stored for ``user_id`` (hex HMAC-SHA256)."""
        ...

    def record_question(self, question: NewQuestion) -> str:
        """Store a question and its outcome; returns its id (for feedback buttons)."""
        ...

    def record_feedback(
        self, question_id: str, *, user_id: str, verdict: Verdict, comment: str | None = None,
    ) -> bool:
        """Store a verdict on a question; False (and a log line) if the id is unknown."""
        ...

    def record_comment(self, question_id: str, *, user_id: str, comment: str) -> bool:
        """Add ``comment`` ("Was hat gefehlt?") to the person's verdict on a question,
        without a second verdict (a 👎 is stored with it if there was none); False if
        the question is unknown."""
        ...

    def mark_missed(self, question_id: str) -> bool:
        """Record that none of a "Meinst du …?" question's candidates fitted: its outcome
        becomes "none" (so the knowledge-gap report counts it); False if unknown."""
        ...

    def save_context(self, key: str, user_id: str, context: Context) -> None:
        """Remember the last reply of the conversation ``key`` (replacing the one before)."""
        ...

    def load_context(self, key: str) -> Context | None:
        """The last reply remembered for the conversation ``key``, if any."""
        ...

    def claim(self, key: str, *, ttl_seconds: float) -> bool:
        """Claim ``key`` once: True for exactly one caller across all processes until
        the claim expires after ``ttl_seconds``."""
        ...

    def accept(self, delivery: NewDelivery, *, lease_seconds: float = 60.0) -> bool:
        """Record a delivery as pending, leased to this process for ``lease_seconds``.
        True if new; False if the key was already accepted (a retry)."""
        ...

    def mark_answered(self, key: str) -> None:
        """Mark a delivery answered (its reply went out)."""
        ...

    def is_answered(self, key: str) -> bool:
        """Whether a delivery with this key has been answered."""
        ...

    def take_pending(
        self, *, max_age_seconds: float, lease_seconds: float = 60.0,
    ) -> tuple[Delivery, ...]:
        """Atomically lease the pending deliveries younger than ``max_age_seconds``
        whose lease ran out (their process died), oldest first, for resuming."""
        ...

    def renew(self, owner: str, keys: Collection[str], *, lease_seconds: float) -> None:
        """Extend the leases of the pending deliveries ``keys`` that the live process
        ``owner`` holds to ``lease_seconds`` from now, and record them as ``owner``'s."""
        ...

    def adopt(self, owner: str, *, max_age_seconds: float, lease_seconds: float
              ) -> tuple[Delivery, ...]:
        """Lease to the caller, a process that just started as ``owner`` (so its
        predecessor of that name is dead), the pending deliveries that predecessor held
        at its last renewal, younger than ``max_age_seconds``; oldest first."""
        ...

    def expire_pending(self, *, max_age_seconds: float) -> tuple[Delivery, ...]:
        """Mark pending deliveries older than ``max_age_seconds`` expired and return
        them (for a short apology where a target is known)."""
        ...

    def remember_thread(self, conversation: str, thread: str) -> None:
        """Remember that the bot answers in this thread."""
        ...

    def in_thread(self, conversation: str, thread: str) -> bool:
        """Whether the bot answers in this thread."""
        ...

    def count_question(self, user_id: str, *, window_seconds: int = 60) -> int:
        """Count one question of ``user_id`` in the current fixed window and return the
        count so far, this one included (1 = first). Atomic across processes."""
        ...

    def save_tour(self, user_id: str, state: TourState | None) -> None:
        """Remember where ``user_id`` is in the guided tour (None: the tour ended)."""
        ...

    def load_tour(self, user_id: str) -> TourState | None:
        """Where ``user_id`` is in the guided tour, if a tour is under way."""
        ...

    def questions_since(self, since: datetime) -> tuple[QuestionRow, ...]:
        """Questions asked at or after ``since``, oldest first."""
        ...

    def feedback_since(self, since: datetime) -> tuple[FeedbackRow, ...]:
        """Feedback given at or after ``since``, oldest first."""
        ...

    def directory(self, source: str) -> MemberSnapshot | None:
        """The cached directory ``source`` (None: never fetched)."""
        ...

    def save_directory(self, snapshot: MemberSnapshot) -> None:
        """Replace the cached directory ``snapshot.source`` with ``snapshot``."""
        ...

    def purge(self, *, retention_days: int) -> Purged:
        """Delete records older than ``retention_days`` (deliveries, claims, windows
        and threads sooner: they are only needed briefly)."""
        ...

    def forget(self, user_id: str) -> Purged:
        """Delete every record of one user (a data-protection request)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
