"""The cached copy of a platform directory ("who is ours"): one head row per source and
its members, replaced whole in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from bot.core.storage.port import Member, MemberSnapshot, clean_text
from bot.core.storage.port import stored_id as _id
from bot.store.schema import directories, directory_members


def read(conn: Connection, source: str) -> MemberSnapshot | None:
    """The cached directory ``source``, or None if it was never saved."""
    head = conn.execute(select(directories).where(
        directories.c.source == source)).mappings().first()
    if head is None:
        return None
    rows = conn.execute(select(directory_members).where(
        directory_members.c.source == source).order_by(
        directory_members.c.name, directory_members.c.user_id)).mappings().all()
    return MemberSnapshot(
        source=source, fetched_at=head["fetched_at"], team_url=head["team_url"],
        members=tuple(Member(user_id=r["user_id"], name=r["name"], title=r["title"],
                             team_id=r["team_id"]) for r in rows))


def save(conn: Connection, insert: Any, snapshot: MemberSnapshot) -> None:
    """Replace the cached directory ``snapshot.source`` with ``snapshot``."""
    source = _id(snapshot.source)[:32]
    members = {_id(m.user_id)[:64]: m for m in snapshot.members}  # ids once
    rows = [{"source": source, "user_id": uid, "team_id": _id(m.team_id)[:64],
             "name": clean_text(m.name, 255), "title": clean_text(m.title, 255)}
            for uid, m in members.items()]
    head = insert(directories).values(
        source=source, fetched_at=snapshot.fetched_at, team_url=snapshot.team_url[:255])
    head = head.on_conflict_do_update(
        index_elements=[directories.c.source],
        set_={"fetched_at": head.excluded.fetched_at, "team_url": head.excluded.team_url})
    conn.execute(delete(directory_members).where(directory_members.c.source == source))
    if rows:
        conn.execute(directory_members.insert(), rows)
    conn.execute(head)
