"""The last reply per conversation key (for follow-ups): one row per key, written with
one ``INSERT … ON CONFLICT DO UPDATE`` (atomic on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from bot.core.context import Context
from bot.store.schema import contexts

MAX_KEY_CHARS = 255


def save(conn: Connection, insert: Any, key: str, user_key: str, context: Context,
         now: datetime) -> None:
    """Store ``context`` for ``key`` (replacing the one before)."""
    values = {"user_key": user_key, "data": context.encode(), "updated_at": now}
    stmt = insert(contexts).values(key=key.replace("\x00", "")[:MAX_KEY_CHARS], **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[contexts.c.key], set_=values))


def load(conn: Connection, key: str) -> Context | None:
    """The stored context of ``key``, if any (None also for an unreadable row)."""
    data = conn.execute(select(contexts.c.data).where(
        contexts.c.key == key.replace("\x00", "")[:MAX_KEY_CHARS])).scalar()
    return Context.decode(data) if data is not None else None
