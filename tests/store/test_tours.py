"""The guided tour's position in the store, on SQLite and PostgreSQL (migration 0002)."""

from __future__ import annotations

from sqlalchemy import inspect, select

from bot.core.tour import TourState
from bot.store import SqlStore, open_store
from bot.store.migrate import current_revision, head_revision
from bot.store.schema import tours
from tests.support import Clock


def test_migrating_to_head_adds_the_tours_table(db_url: str) -> None:
    store = open_store(db_url, secret="s")
    assert current_revision(store.engine) == head_revision()
    assert "tours" in inspect(store.engine).get_table_names()
    store.close()


def test_position_is_saved_replaced_and_deleted(store: SqlStore) -> None:
    assert store.load_tour("U1") is None
    store.save_tour("U1", TourState(department="Marketing", position=2, language="en"))
    store.save_tour("U2", TourState(department="Vertrieb"))
    store.save_tour("U1", TourState(department="Marketing", position=3, language="en"))
    assert store.load_tour("U1") == TourState(department="Marketing", position=3,
                                              language="en")
    assert store.load_tour("U2") == TourState(department="Vertrieb", position=0, language="de")
    store.save_tour("U1", None)  # the tour ended
    assert store.load_tour("U1") is None and store.load_tour("U2") is not None


def test_only_the_pseudonym_is_stored_and_odd_input_is_cleaned(store: SqlStore) -> None:
    store.save_tour("U0SECRETID", TourState(department="Ver\x00trieb\u200b" * 50,
                                            position=-4))
    with store.engine.connect() as conn:
        [row] = conn.execute(select(tours)).mappings().all()
    assert row["user_key"] == store.user_key("U0SECRETID") and "U0SECRETID" not in repr(row)
    assert len(row["department"]) <= 200 and "\x00" not in row["department"]
    assert row["position"] == 0


def test_forget_and_purge_remove_tours(store: SqlStore, clock: Clock) -> None:
    store.save_tour("U1", TourState(department="Marketing"))
    store.save_tour("U2", TourState(department="Vertrieb"))
    assert store.forget("U1").counts.get("tours") == 1
    assert store.load_tour("U1") is None
    clock.advance(days=91)
    assert store.purge(retention_days=90).counts.get("tours") == 1
    assert store.load_tour("U2") is None
