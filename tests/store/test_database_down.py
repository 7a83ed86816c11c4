"""A database that goes away mid-run: the store raises StoreError with a reference, the
guarded store logs it and carries on, and both recover when the server is back."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.store import NewDelivery, NewQuestion, StoreError
from bot.core.store_guard import GuardedStore
from bot.store import open_store
from tests.pg import PostgresServer, create_database
from tests.store.test_concurrency import race


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ask(text: str) -> NewQuestion:
    return NewQuestion(platform="teams", surface="teams_personal", user_id="29:abc",
                       text=text, language="de", outcome="none", latency_ms=7)


def test_store_survives_postgres_stopping_and_starting(
    pg_private: PostgresServer, caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(create_database(pg_private.admin_url), secret="s")
    before = store.record_question(ask("vorher"))
    pg_private.stop("immediate")  # a crash, not a polite shutdown

    started = time.monotonic()
    with caplog.at_level(logging.ERROR), pytest.raises(StoreError) as raised:
        store.record_question(ask("währenddessen"))
    assert time.monotonic() - started < 10  # refused quickly, no hanging caller
    ref = raised.value.reference
    assert re.fullmatch(r"[0-9a-f]{8}", ref) and f"ref {ref}" in caplog.text

    clock = Monotonic()
    guarded = GuardedStore(store, cooldown_seconds=10, clock=clock)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert guarded.record_question(ask("währenddessen")) is None
        assert guarded.record_feedback(before, user_id="29:abc", verdict="helpful") is False
        # Claims, threads and rate counts carry on in process memory meanwhile.
        assert guarded.claim("teams:activity:A1", ttl_seconds=600)
        assert not guarded.claim("teams:activity:A1", ttl_seconds=600)
        guarded.remember_thread("19:chan", "root-1")
        assert guarded.in_thread("19:chan", "root-1")
        assert [guarded.count_question("29:abc") for _ in range(2)] == [1, 2]
        delivery = NewDelivery(key="A2", platform="teams", kind="activity", user_id="29:abc",
                               payload={})
        assert guarded.accept(delivery) and not guarded.accept(delivery)
        assert guarded.is_answered("A2") is False
        assert guarded.take_pending(max_age_seconds=600) == ()
    assert not guarded.healthy
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2  # the store's line and the guard's, once: then it skips
    assert all(ref_ in caplog.text for ref_ in re.findall(r"ref ([0-9a-f]{8})",
                                                          errors[-1].getMessage()))
    assert "skipped, database unavailable" in caplog.text

    pg_private.start()
    clock.now += 11  # the cooldown is over: the guard tries the database again
    assert guarded.healthy
    after = guarded.record_question(ask("nachher"))
    assert after is not None
    assert guarded.record_feedback(after, user_id="29:abc", verdict="helpful")
    texts = [q.text for q in store.questions_since(datetime.now(UTC) - timedelta(hours=1))]
    assert texts == ["vorher", "nachher"]
    store.close()


class Broken:
    """A store whose every call hits a bug (not an outage)."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object, **kwargs: object) -> None:
            raise ValueError("a bug")
        return fail


def test_guard_logs_a_bug_with_its_traceback_and_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guarded = GuardedStore(Broken(), clock=Monotonic())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        assert guarded.record_question(ask("x")) is None
    assert any(r.exc_info for r in caplog.records)
    assert "record a question failed" in caplog.text


def test_claims_in_process_memory_are_atomic_across_threads() -> None:
    guarded = GuardedStore(Broken(), clock=Monotonic())  # type: ignore[arg-type]
    keys = [f"k{i}" for i in range(200)]
    wins = race(6, lambda i: [k for k in keys if guarded.claim(k, ttl_seconds=60)])
    won = Counter(k for w in wins for k in w)
    assert set(won) == set(keys) and set(won.values()) == {1}


def test_guard_opens_the_store_once_the_database_is_up(
    pg_private: PostgresServer, caplog: pytest.LogCaptureFixture,
) -> None:
    url = create_database(pg_private.admin_url)
    pg_private.stop("fast")  # down before the bot starts
    clock = Monotonic()
    guarded = GuardedStore(lambda: open_store(url, secret="s"), cooldown_seconds=10,
                           clock=clock)
    with caplog.at_level(logging.ERROR):
        assert guarded.record_question(ask("beim Start")) is None
        assert guarded.claim("Ev1", ttl_seconds=60)  # answered from memory meanwhile
    assert "cannot open" in caplog.text and not guarded.healthy
    pg_private.start()
    clock.now += 11
    qid = guarded.record_question(ask("danach"))
    assert qid is not None and guarded.record_feedback(qid, user_id="u", verdict="helpful")
    assert [q.text for q in guarded.questions_since(datetime.now(UTC) - timedelta(hours=1))] == [
        "danach"]
    guarded.close()
