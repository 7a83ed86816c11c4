"""The guided tour's position per user: one row per user key, written with one
``INSERT … ON CONFLICT DO UPDATE`` (atomic on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from bot.core.storage.port import MAX_DEPARTMENT_CHARS, clean_text
from bot.core.tour import TourState
from bot.store.schema import tours


def save(conn: Connection, insert: Any, user_key: str, state: TourState | None,
         now: datetime) -> None:
    """Store ``state`` for ``user_key`` (replacing the last one); None deletes it."""
    if state is None:
        conn.execute(delete(tours).where(tours.c.user_key == user_key))
        return
    values = {"department": clean_text(state.department, MAX_DEPARTMENT_CHARS),
              "position": max(0, int(state.position)),
              "language": "en" if state.language == "en" else "de", "updated_at": now}
    stmt = insert(tours).values(user_key=user_key, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[tours.c.user_key], set_=values))


def load(conn: Connection, user_key: str) -> TourState | None:
    """The stored state of ``user_key``, if any."""
    row = conn.execute(select(tours).where(tours.c.user_key == user_key)).mappings().first()
    if row is None:
        return None
    return TourState(department=row["department"], position=int(row["position"]),
                     language="en" if row["language"] == "en" else "de")
