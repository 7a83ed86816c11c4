"""The directory cache for "who is ours" on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect

from bot.core.storage.port import Member, MemberSnapshot
from bot.store import SqlStore
from tests.support import Clock


def snapshot(clock: Clock, *members: Member) -> MemberSnapshot:
    return MemberSnapshot(source="slack", fetched_at=clock.now, members=members,
                          team_url="https://acme.slack.com/")


def test_directory_tables_exist(store: SqlStore) -> None:
    assert {"directories", "directory_members"} <= set(
        inspect(store.engine).get_table_names())


def test_directory_is_saved_read_and_replaced_whole(store: SqlStore, clock: Clock) -> None:
    assert store.directory("slack") is None
    erika = Member(user_id="U1", name="Erika", title="Vertriebsleiterin", team_id="T1")
    max_ = Member(user_id="U2", name="Max", title="Sales Manager", team_id="T1")
    store.save_directory(snapshot(clock, max_, erika))
    saved = store.directory("slack")
    assert saved == snapshot(clock, erika, max_)  # read back by name
    clock.advance(hours=1)
    nora = Member(user_id="U3", name="Nora", title="Head of Sales", team_id="T1")
    store.save_directory(snapshot(clock, nora))
    again = store.directory("slack")
    assert again is not None and again.members == (nora,)
    assert again.fetched_at == clock.now and again.fetched_at - saved.fetched_at == timedelta(
        hours=1)
    assert store.directory("teams") is None


def test_directory_text_is_cleaned_and_capped(store: SqlStore, clock: Clock) -> None:
    odd = Member(user_id="U1", name="<!channel>\x00 Erika\u200b", title="Leiterin" * 60)
    store.save_directory(snapshot(clock, odd, odd))  # the same id twice is stored once
    saved = store.directory("slack")
    assert saved is not None
    [member] = saved.members
    assert member.name == "<!channel> Erika" and len(member.title) == 255


def test_forget_removes_the_person_from_the_directory(store: SqlStore, clock: Clock) -> None:
    store.save_directory(snapshot(clock, Member(user_id="U1", name="Erika", title="CMO"),
                                  Member(user_id="U2", name="Max", title="CMO")))
    assert store.forget("U1").counts.get("directory_members") == 1
    saved = store.directory("slack")
    assert saved is not None and [m.user_id for m in saved.members] == ["U2"]


def test_purge_drops_a_directory_copy_older_than_a_day(store: SqlStore, clock: Clock) -> None:
    store.save_directory(snapshot(clock, Member(user_id="U1", name="Erika", title="CMO")))
    clock.advance(hours=23)
    assert "directory_members" not in store.purge(retention_days=90).counts
    clock.advance(hours=2)
    assert store.purge(retention_days=90).counts == {"directory_members": 1, "directories": 1}
    assert store.directory("slack") is None
