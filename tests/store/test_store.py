"""The store on real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from bot.core.storage.port import NewDelivery, NewQuestion, PassageScore
from bot.store import SqlStore, open_store
from bot.store.migrate import current_revision, head_revision, shipped_head
from bot.store.schema import deliveries, feedback, questions, rate_windows
from tests.support import Clock, fresh_python


def question(user: str = "U123", text: str = "Was macht ein BDM?", **kw: object) -> NewQuestion:
    values: dict[str, object] = {
        "platform": "slack", "surface": "mention", "user_id": user, "text": text,
        "language": "de", "outcome": "answer", "latency_ms": 42,
        "passages": (PassageScore(passage_id="bdm", score=0.81),
                     PassageScore(passage_id="sales", score=0.40)),
    }
    values.update(kw)
    return NewQuestion(**values)  # type: ignore[arg-type]


def test_open_migrates_to_head_once(db_url: str) -> None:
    first = open_store(db_url, secret="s")
    assert current_revision(first.engine) == head_revision()
    assert {"questions", "feedback", "claims", "deliveries", "threads", "rate_windows"} <= set(
        inspect(first.engine).get_table_names())
    first.close()
    again = open_store(db_url, secret="s")  # already at head: nothing to do, no error
    assert current_revision(again.engine) == head_revision()
    again.close()


def test_an_up_to_date_database_is_opened_without_alembic(db_url: str) -> None:
    assert shipped_head() == head_revision()  # the files read as Alembic reads them
    open_store(db_url, secret="s").close()  # migrated
    code = ("import sys; from bot.store import open_store; "
            f"open_store({db_url!r}, secret='s').close(); print('alembic' in sys.modules)")
    assert fresh_python(code) == "False"


def test_question_is_recorded_with_its_passages(store: SqlStore, clock: Clock) -> None:
    qid = store.record_question(question())
    [row] = store.questions_since(clock.now - timedelta(minutes=1))
    assert row.id == qid and row.text == "Was macht ein BDM?" and row.outcome == "answer"
    assert row.asked_at == clock.now and row.latency_ms == 42 and row.surface == "mention"
    assert [(p.passage_id, p.score) for p in row.passages] == [("bdm", 0.81), ("sales", 0.40)]


def test_long_question_with_control_characters_is_cleaned_and_capped(
    store: SqlStore, clock: Clock,
) -> None:
    nasty = ("Was\x00 macht\x07 ein\r\n BDM\u200b?\x1b[31m \ud800" * 40)[:1000]
    assert len(nasty) == 1000
    store.record_question(question(text=nasty))
    [row] = store.questions_since(clock.now)
    assert len(row.text) <= 1000
    assert row.text.startswith("Was macht ein BDM ? [31m Was macht")
    assert not any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF or c == "\u200b"
                   for c in row.text)


def test_raw_user_id_is_never_stored(store: SqlStore) -> None:
    qid = store.record_question(question(user="U0SECRETID"))
    store.record_feedback(qid, user_id="U0SECRETID", verdict="helpful")
    store.accept(NewDelivery(key="Ev1", platform="slack", kind="event", user_id="U0SECRETID",
                             payload={"text": "hi"}))
    store.count_question("U0SECRETID")
    with store.engine.connect() as conn:
        for table in (questions, feedback, deliveries, rate_windows):
            for row in conn.execute(select(table)):
                assert "U0SECRETID" not in repr(row)
            key = conn.execute(select(table.c.user_key)).scalar()
            assert key == store.user_key("U0SECRETID") and len(key) == 64


def test_generated_secret_is_kept_in_the_database(db_url: str) -> None:
    a = open_store(db_url)
    b = open_store(db_url)  # a second replica on the same database
    c = open_store(db_url, secret="x")
    assert a.user_key("U1") == b.user_key("U1") != c.user_key("U1")
    for s in (a, b, c):
        s.close()


def test_feedback_links_to_its_question(store: SqlStore, clock: Clock) -> None:
    qid = store.record_question(question())
    assert store.record_feedback(qid, user_id="U9", verdict="not_helpful",
                                 comment="Gehalt\nfehlt\x00 " + "x" * 400)
    [fb] = store.feedback_since(clock.now)
    assert fb.question_id == qid and fb.verdict == "not_helpful" and fb.passage_id == "bdm"
    assert fb.comment is not None and fb.comment.startswith("Gehalt fehlt x")
    assert "\n" not in fb.comment and len(fb.comment) == 300
    assert fb.question == "Was macht ein BDM?"


def test_one_verdict_per_person_and_question(store: SqlStore, clock: Clock) -> None:
    qid = store.record_question(question())
    assert store.record_feedback(qid, user_id="U9", verdict="not_helpful")
    assert store.record_feedback(qid, user_id="U9", verdict="not_helpful",
                                 comment="Das Gehalt fehlt")
    assert store.record_feedback(qid, user_id="U8", verdict="helpful")
    rows = sorted(store.feedback_since(clock.now), key=lambda f: f.verdict)
    assert [(f.verdict, f.comment) for f in rows] == [("helpful", None),
                                                      ("not_helpful", "Das Gehalt fehlt")]


@pytest.mark.parametrize("bad_id", ["0" * 32, "nope", "x" * 500, ""])
def test_feedback_for_unknown_question_is_refused_cleanly(
    store: SqlStore, clock: Clock, caplog: pytest.LogCaptureFixture, bad_id: str,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.store"):
        assert store.record_feedback(bad_id, user_id="U9", verdict="helpful") is False
    assert "unknown question" in caplog.text
    assert store.feedback_since(clock.now - timedelta(days=1)) == ()


def test_claim_once_until_it_expires(store: SqlStore, clock: Clock) -> None:
    assert store.claim("slack:event:Ev1", ttl_seconds=600)
    assert not store.claim("slack:event:Ev1", ttl_seconds=600)
    assert store.claim("slack:event:Ev2", ttl_seconds=600)
    clock.advance(seconds=601)
    assert store.claim("slack:event:Ev1", ttl_seconds=600)  # expired: claimable again
    assert not store.claim("slack:event:Ev1", ttl_seconds=600)


def test_threads_are_remembered(store: SqlStore) -> None:
    assert not store.in_thread("C1", "1700000000.000100")
    store.remember_thread("C1", "1700000000.000100")
    store.remember_thread("C1", "1700000000.000100")  # twice is fine
    assert store.in_thread("C1", "1700000000.000100")
    assert not store.in_thread("C2", "1700000000.000100")


def test_questions_are_counted_per_user_and_window(store: SqlStore, clock: Clock) -> None:
    clock.now = clock.now.replace(second=0)
    assert [store.count_question("U1") for _ in range(3)] == [1, 2, 3]
    assert store.count_question("U2") == 1
    clock.advance(seconds=60)
    assert store.count_question("U1") == 1


def test_durable_delivery_lifecycle(store: SqlStore, clock: Clock) -> None:
    event = NewDelivery(key="Ev1", platform="slack", kind="event", user_id="U1",
                        payload={"text": "Was macht ein BDM?", "ü": "ß"},
                        target={"channel": "C1", "thread_ts": "1.2"})
    assert store.accept(event, lease_seconds=60)
    assert not store.accept(event)  # Slack's retry of the same event
    assert not store.is_answered("Ev1")
    assert store.take_pending(max_age_seconds=600) == ()  # still leased to its process
    clock.advance(seconds=61)  # the process died; its lease ran out
    [resumed] = store.take_pending(max_age_seconds=600, lease_seconds=60)
    assert resumed.key == "Ev1" and resumed.status == "pending"
    assert resumed.payload == {"text": "Was macht ein BDM?", "ü": "ß"}
    assert resumed.target == {"channel": "C1", "thread_ts": "1.2"}
    assert store.take_pending(max_age_seconds=600) == ()  # leased again: nobody else takes it
    store.mark_answered("Ev1")
    assert store.is_answered("Ev1")
    clock.advance(seconds=61)
    assert store.take_pending(max_age_seconds=600) == ()


def test_old_pending_deliveries_expire_for_an_apology(store: SqlStore, clock: Clock) -> None:
    store.accept(NewDelivery(key="old", platform="teams", kind="activity", user_id="U1",
                             payload={}, target={"conversation": "a:1"}), lease_seconds=60)
    clock.advance(minutes=5)
    store.accept(NewDelivery(key="young", platform="slack", kind="event", user_id="U1",
                             payload={}), lease_seconds=60)
    clock.advance(minutes=6)
    [old] = store.expire_pending(max_age_seconds=600)
    assert old.key == "old" and old.status == "expired" and old.target == {"conversation": "a:1"}
    assert [d.key for d in store.take_pending(max_age_seconds=600)] == ["young"]
    assert store.expire_pending(max_age_seconds=600) == ()


def test_purge_keeps_only_the_retention_period(store: SqlStore, clock: Clock) -> None:
    old = store.record_question(question(text="alt"))
    store.record_feedback(old, user_id="U2", verdict="not_helpful")
    store.claim("k-old", ttl_seconds=60)
    store.accept(NewDelivery(key="d-old", platform="slack", kind="event", user_id="U1",
                             payload={}))
    store.remember_thread("C1", "1.1")
    clock.advance(days=91)
    new = store.record_question(question(text="neu"))
    store.record_feedback(new, user_id="U2", verdict="helpful")
    purged = store.purge(retention_days=90)
    assert purged.counts["questions"] == 1 and purged.counts["feedback"] == 1
    assert purged.counts["claims"] == 1 and purged.counts["deliveries"] == 1
    assert purged.counts["threads"] == 1
    since = clock.now - timedelta(days=400)
    assert [q.text for q in store.questions_since(since)] == ["neu"]
    assert [f.question_id for f in store.feedback_since(since)] == [new]
    assert store.purge(retention_days=90).total == 0


def test_forget_removes_one_user_only(store: SqlStore, clock: Clock) -> None:
    mine = store.record_question(question(user="U-ME"))
    theirs = store.record_question(question(user="U-OTHER", text="Was macht ein CMO?"))
    store.record_feedback(mine, user_id="U-OTHER", verdict="helpful")
    store.record_feedback(theirs, user_id="U-ME", verdict="not_helpful", comment="mein Text")
    store.record_feedback(theirs, user_id="U-OTHER", verdict="helpful")
    store.accept(NewDelivery(key="E-ME", platform="slack", kind="event", user_id="U-ME",
                             payload={"user": "U-ME"}))
    store.count_question("U-ME")
    gone = store.forget("U-ME")
    assert gone.counts == {"feedback": 2, "question_passages": 2, "questions": 1,
                           "deliveries": 1, "rate_windows": 1}
    since = clock.now - timedelta(days=1)
    assert [q.id for q in store.questions_since(since)] == [theirs]
    assert [(f.question_id, f.verdict) for f in store.feedback_since(since)] == [
        (theirs, "helpful")]
    assert store.forget("U-ME").total == 0


def test_odd_ids_and_keys_are_stored_safely(store: SqlStore) -> None:
    odd = "Ev\x00" + "ü" * 300  # NUL (refused by PostgreSQL as such) and too long
    assert store.claim(odd, ttl_seconds=60) and not store.claim(odd, ttl_seconds=60)
    store.remember_thread("C\x00", odd)
    assert store.in_thread("C\x00", odd)
    assert store.accept(NewDelivery(key=odd, platform="slack", kind="event\x00",
                                    user_id="U\x00", payload={"text": "a\x00b\ud800"}))
    store.mark_answered(odd)
    assert store.is_answered(odd)
    assert store.record_question(question(user="\ud800\x00", language="d\x00e"))
