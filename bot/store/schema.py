"""The tables, as SQLAlchemy Core metadata (the migrations create them; this reads them).

Times are stored as UTC: ``timestamptz`` on PostgreSQL, naive UTC text on SQLite. Users
appear only as ``user_key``, the keyed hash of their platform id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

from bot.core.storage.port import MAX_DEPARTMENT_CHARS


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

questions = Table(
    "questions", metadata,
    Column("id", String(32), primary_key=True),
    Column("asked_at", UTCDateTime, nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("surface", String(32), nullable=False),
    Column("user_key", String(64), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("latency_ms", Integer, nullable=False),
)

question_passages = Table(
    "question_passages", metadata,
    Column("question_id", String(32), ForeignKey("questions.id"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("passage_id", String(200), nullable=False),
    Column("score", Float, nullable=False),
)

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", String(32), ForeignKey("questions.id"), nullable=False, index=True),
    Column("given_at", UTCDateTime, nullable=False, index=True),
    Column("user_key", String(64), nullable=False, index=True),
    Column("verdict", String(16), nullable=False),
    Column("comment", Text, nullable=True),
)

claims = Table(
    "claims", metadata,
    Column("key", String(255), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

deliveries = Table(
    "deliveries", metadata,
    Column("key", String(255), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("user_key", String(64), nullable=False, index=True),
    Column("payload", Text, nullable=False),
    Column("target", Text, nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("accepted_at", UTCDateTime, nullable=False, index=True),
    Column("lease_until", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime, nullable=True),
)

threads = Table(
    "threads", metadata,
    Column("conversation", String(255), primary_key=True),
    Column("thread", String(255), primary_key=True),
    Column("remembered_at", UTCDateTime, nullable=False, index=True),
)

rate_windows = Table(
    "rate_windows", metadata,
    Column("user_key", String(64), primary_key=True),
    Column("window_start", Integer, primary_key=True),  # epoch seconds
    Column("count", Integer, nullable=False),
)

tours = Table(
    "tours", metadata,
    Column("user_key", String(64), primary_key=True),
    Column("department", String(MAX_DEPARTMENT_CHARS), nullable=False),
    Column("position", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
)

# Follow-ups: the last reply per conversation key (bot.core.context.Context as JSON).
contexts = Table(
    "contexts", metadata,
    Column("key", String(255), primary_key=True),
    Column("user_key", String(64), nullable=False, index=True),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
)

# "Who is ours": a copy of a platform directory (active people with a profile title),
# replaced whole on each refresh; one row per directory in ``directories``.
directories = Table(
    "directories", metadata,
    Column("source", String(32), primary_key=True),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("team_url", String(255), nullable=False),
)

directory_members = Table(
    "directory_members", metadata,
    Column("source", String(32), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("team_id", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("title", String(255), nullable=False),
)
