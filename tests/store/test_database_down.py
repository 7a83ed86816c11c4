"""A database that goes away mid-run (issue 20, items 2 and 3): only an outage switches
the guard off (one warning), a refused value or a bug does not; while the database is
away everything is answered from memory and what happened is kept; it is probed at
once when next used, and within a second of its return the kept writes are in it and
recording goes on (one more warning)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import NewDelivery, NewQuestion, StoreError
from bot.store import SqlStore, open_store
from tests.pg import PostgresServer, create_database
from tests.store.test_concurrency import race
from tests.support.wait import Logged

GUARD_LOG = "bot.core.storage.guard"  # the guard's one logger (bot.core.storage.breaker)


def ask(text: str, **changes: object) -> NewQuestion:
    values: dict[str, object] = {"platform": "teams", "surface": "teams_personal",
                                 "user_id": "29:abc", "text": text, "language": "de",
                                 "outcome": "none", "latency_ms": 7, **changes}
    return NewQuestion(**values)  # type: ignore[arg-type]


def texts(store: SqlStore) -> list[str]:
    return [q.text for q in store.questions_since(datetime.now(UTC) - timedelta(hours=1))]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_outage_is_one_warning_and_nothing_done_meanwhile_is_lost(
    pg_private: PostgresServer, caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(create_database(pg_private.admin_url), secret="s")
    guarded = GuardedStore(store)
    before = guarded.record_question(ask("vorher"))
    assert before is not None
    pg_private.stop("immediate")  # a crash, not a polite shutdown

    delivery = NewDelivery(key="slack:message:C1:1.0", platform="slack", kind="message",
                           user_id="U1", payload={"text": "x"}, target={"channel": "C1"})
    with caplog.at_level(logging.INFO), Logged(GUARD_LOG, logging.WARNING) as said:
        started = time.monotonic()
        during = guarded.record_question(ask("währenddessen"))
        assert time.monotonic() - started < 5  # refused quickly, no hanging caller
        assert during is not None  # its id, so that its feedback buttons work
        assert not guarded.up
        for n in range(20):  # more questions: answered at once, no line each
            guarded.record_question(ask(f"Frage {n}"))
        assert guarded.record_feedback(during, user_id="29:abc", verdict="not_helpful",
                                       comment="mehr")
        # Claims, threads and rate counts carry on in process memory meanwhile.
        assert guarded.claim("teams:activity:A1", ttl_seconds=600)
        assert not guarded.claim("teams:activity:A1", ttl_seconds=600)
        guarded.remember_thread("C1", "1.0")
        assert guarded.in_thread("C1", "1.0")
        assert [guarded.count_question("29:abc") for _ in range(2)] == [1, 2]
        assert guarded.accept(delivery) and not guarded.accept(delivery)
        guarded.mark_answered(delivery.key)
        assert guarded.take_pending(max_age_seconds=600) == ()
        assert guarded.kept == 26
        down = warnings(caplog)
        assert len(down) == 1 and down[0].startswith("database unavailable: the database "
                                                      "could not record a question")
        assert re.search(r"\(ref [0-9a-f]{8}\)", down[0])
        caplog.clear()

        pg_private.start()  # returns once the server accepts connections
        back = said.wait_for("database back", timeout=5)
        assert guarded.up
    print(f"\nrecording resumed {back:.2f} s after PostgreSQL was back")
    assert back <= 1.0
    assert len(warnings(caplog)) == 1 and warnings(caplog)[0].startswith(
        "database back after ") and "26 kept writes written" in warnings(caplog)[0]
    assert guarded.kept == 0
    # Everything that happened while it was away is in the database now.
    assert texts(store) == ["vorher", "währenddessen", *(f"Frage {n}" for n in range(20))]
    [feedback] = store.feedback_since(datetime.now(UTC) - timedelta(hours=1))
    assert (feedback.question_id, feedback.comment) == (during, "mehr")
    assert store.is_answered(delivery.key)
    assert store.in_thread("C1", "1.0")
    assert not store.claim("teams:activity:A1", ttl_seconds=600)  # shared with replicas
    after = guarded.record_question(ask("nachher"))
    assert after is not None and texts(store)[-1] == "nachher"
    guarded.close()


def test_the_database_is_probed_at_once_when_used_again() -> None:
    """Half-open: not a fixed pause after the failure, but a probe on the next use."""
    flaky = Flaky()
    guarded = GuardedStore(flaky, probe_seconds=3600)  # the periodic probe never fires
    assert guarded.record_question(ask("x")) is not None
    assert not guarded.up
    flaky.broken = False
    with Logged(GUARD_LOG, logging.WARNING) as said:
        guarded.record_question(ask("y"))  # kept, and wakes the probe
        assert said.wait_for("database back", timeout=1.0) < 1.0
    assert guarded.up
    assert flaky.recorded == ["x", "y"]
    guarded.close()


class Flaky:
    """A store whose database is away while ``broken``."""

    def __init__(self) -> None:
        self.broken = True
        self.recorded: list[str] = []

    def _check(self) -> None:
        if self.broken:
            raise StoreError("the database could not connect", reference="0000abcd")

    def ping(self) -> None:
        self._check()

    def record_question(self, question: NewQuestion) -> str:
        self._check()
        self.recorded.append(question.text)
        return str(question.id)

    def close(self) -> None:
        pass


def test_the_kept_writes_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky()
    guarded = GuardedStore(flaky, max_kept=3, probe_seconds=3600)
    with caplog.at_level(logging.WARNING):
        for n in range(6):
            guarded.record_question(ask(f"q{n}"))
    assert guarded.kept == 3 and guarded.dropped == 3
    assert len(warnings(caplog)) == 2  # away; the buffer is full (once)
    flaky.broken = False
    with Logged(GUARD_LOG, logging.WARNING) as said:
        guarded.record_question(ask("q6"))
        said.wait_for("database back", timeout=1.0)
    assert flaky.recorded == ["q4", "q5", "q6"]  # the newest are kept
    assert "4 dropped while the buffer was full" in caplog.records[-1].getMessage()
    guarded.close()


def test_a_value_the_database_refuses_does_not_switch_it_off(
    pg_private: PostgresServer, caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(create_database(pg_private.admin_url), secret="s")
    guarded = GuardedStore(store)
    with caplog.at_level(logging.ERROR):
        # An integer column on PostgreSQL: a DataError for this one row.
        assert guarded.record_question(ask("zu lang", latency_ms=10**12)) is None
        # A thread id that is no string: a bug in this call, not an outage.
        guarded.remember_thread("C1", [1])  # type: ignore[arg-type]
    assert guarded.up
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and all("carrying on with the database" in r.getMessage()
                                    for r in errors)
    assert re.search(r"ref [0-9a-f]{8}", errors[0].getMessage())
    assert errors[0].exc_info is None and errors[1].exc_info is not None  # the bug's
    assert guarded.record_question(ask("danach")) is not None
    assert texts(store) == ["danach"]
    guarded.close()


class Broken:
    """A store whose every call hits a bug (not an outage)."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object, **kwargs: object) -> None:
            raise ValueError("a bug")
        return fail


def test_guard_logs_a_bug_with_its_traceback_and_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guarded = GuardedStore(Broken())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        assert guarded.record_question(ask("x")) is None
    assert any(r.exc_info for r in caplog.records)
    assert "record a question failed" in caplog.text
    assert guarded.up


def test_claims_in_process_memory_are_atomic_across_threads() -> None:
    guarded = GuardedStore(Broken())  # type: ignore[arg-type]
    keys = [f"k{i}" for i in range(200)]
    wins = race(6, lambda i: [k for k in keys if guarded.claim(k, ttl_seconds=60)])
    won = Counter(k for w in wins for k in w)
    assert set(won) == set(keys) and set(won.values()) == {1}


def test_guard_opens_the_store_once_the_database_is_up(
    pg_private: PostgresServer, caplog: pytest.LogCaptureFixture,
) -> None:
    url = create_database(pg_private.admin_url)
    pg_private.stop("fast")  # down before the bot starts
    opened: list[SqlStore] = []
    lock = threading.Lock()

    def opener() -> SqlStore:
        with lock:
            opened.append(open_store(url, secret="s"))
            return opened[-1]

    with caplog.at_level(logging.WARNING), Logged(GUARD_LOG, logging.WARNING) as said:
        try:
            opener()
        except StoreError as exc:
            guarded = GuardedStore(opener, down=exc)
        assert not guarded.up and not opened
        assert guarded.record_question(ask("beim Start")) is not None  # kept
        assert guarded.claim("Ev1", ttl_seconds=60)  # answered from memory meanwhile
        assert not guarded.check()
        assert len(warnings(caplog)) == 1  # the probe's failed attempts say nothing
        pg_private.start()
        assert said.wait_for("database back", timeout=5) <= 1.0
    assert guarded.check()
    assert [q.text for q in guarded.questions_since(datetime.now(UTC) - timedelta(hours=1))
            ] == ["beim Start"]
    assert len(opened) == 1
    guarded.close()
