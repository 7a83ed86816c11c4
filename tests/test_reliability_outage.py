"""PostgreSQL stopped and started under a real `rolle serve` (issue 20, items 3 and 5):
every question is answered while it is away, /healthz and /readyz say so, the log has
one line when it goes and one when it is back, and within a second of its return
everything asked, clicked and delivered meanwhile is in the database.

A real process (Slack HTTP mode, the real index), a PostgreSQL cluster of the test's
own, signed requests on loopback and the fake Slack Web API. The figures are printed;
run with ``-s`` to see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.buttons import Rating
from bot.config import Settings
from bot.slack import durable
from bot.slack.values import read_value
from bot.store import SqlStore, open_store
from tests.pg import PostgresServer, create_database, pg_private  # noqa: F401  (the fixture)
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.support.net import LoopThread, start_site
from tests.support.replica import Replica, serve_env
from tests.support.wait import wait_until
from tests.test_ops import metric

pytestmark = pytest.mark.slow
QUESTIONS = ["Was macht ein Sales Manager?", "Was macht ein BDM?",
             "Aufgaben eines Vertriebsleiters?", "Was macht ein E-Commerce Manager?"]


@pytest.fixture
def outage_env(loop_thread: LoopThread, real_settings: Settings,
               pg_private: PostgresServer,  # noqa: F811
               ) -> Iterator[tuple[dict[str, str], FakeSlack, str]]:
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    url = create_database(pg_private.admin_url)
    env = serve_env(api_url=fake.url + "/api/", database_url=url,
                    index_dir=real_settings.index_dir, ROLLE_RATE_LIMIT_PER_MINUTE="1000")
    yield env, fake, url
    loop_thread.run(runner.cleanup())


def mention(n: int) -> dict[str, object]:
    return p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> {QUESTIONS[n % 4]}",
                                          ts=p.next_ts(), user=f"U{n:08d}"))


def recorded(store: SqlStore) -> list[str]:
    return [q.user_key for q in store.questions_since(datetime.now(UTC) - timedelta(hours=1))]


def test_postgres_stopped_and_started_costs_no_answer_and_no_record(
        outage_env: tuple[dict[str, str], FakeSlack, str],
        pg_private: PostgresServer, tmp_path: Path) -> None:  # noqa: F811
    env, fake, url = outage_env
    server = Replica(env, tmp_path / "serve.log")
    reader = open_store(url)  # the test's own look into the database
    try:
        before = [mention(n) for n in range(3)]
        assert all(server.event(m) == 200 for m in before)
        fake.wait_posts(3)
        assert server.get("/healthz")[1]["database"] == "ok"
        assert server.get("/readyz")[0] == 200

        pg_private.stop("immediate")
        during = [mention(n) for n in range(3, 13)]
        assert all(server.event(m) == 200 for m in during)  # acknowledged at once
        command = {**p.slash_command("Was macht ein BDM?", fake.response_url("away")),
                   "trigger_id": "trigger.away"}
        assert server.command(command) == 200
        posts = fake.wait_posts(3 + 10 + 1)
        # 👍 on an answer given while the database was away: its question id is known.
        answer = next(c for c in posts if c.params.get("thread_ts") == during[0]["event"]["ts"])
        helpful = dict(answer.action_values())["feedback_helpful"]
        click = p.block_actions("feedback_helpful", helpful,
                                response_url=fake.response_url("thanks"))
        assert server.interaction(click) == 200
        fake.wait_for(lambda calls: any(c.path.endswith("/thanks") for c in calls),
                      what="the thanks after the click")
        status, health = server.get("/healthz")
        assert (status, health["status"], health["database"]) == (200, "degraded", "down")
        ready, why = server.get("/readyz")
        assert (ready, why["reason"]) == (503, "the database is away")
        metrics = server.get("/metrics")[1]
        assert metric(metrics, "rollenbot_database_up") == 0
        assert metric(metrics, "rollenbot_database_outages") == 1
        assert metric(metrics, "rollenbot_database_kept_writes") > 0

        pg_private.start()  # returns once PostgreSQL accepts connections
        # Polls: the server's database and /healthz send no signal to the test.
        back = wait_until(lambda: len(recorded(reader)) == 3 + 10 + 1, 10, every=0.02,
                          what="the questions asked while the database was away")
        healthy = wait_until(lambda: server.get("/healthz")[1]["database"] == "ok", 10,
                             every=0.02, what="healthz")
        after = mention(99)
        assert server.event(after) == 200
        fake.wait_posts(3 + 10 + 1 + 1 + 1)
        wait_until(lambda: len(recorded(reader)) == 3 + 10 + 1 + 1, 2, every=0.02,
                   what="the question after")
        assert server.get("/readyz")[0] == 200
        log = server.log()
    finally:
        server.stop()
    print(f"\noutage: 10 mentions, a command and a click while PostgreSQL was stopped, all "
          f"answered; everything in the database {back:.2f} s after it was back, "
          f"/healthz 'ok' after {healthy:.2f} s")
    assert back <= 1.0
    # Pending and answered while away: the deliveries are in the database, answered.
    for m in during:
        event = m["event"]
        assert reader.is_answered(durable.message_key(event["channel"], event["ts"]))
    assert reader.is_answered(durable.command_key("trigger.away"))
    [feedback] = reader.feedback_since(datetime.now(UTC) - timedelta(hours=1))
    rating = read_value(helpful, Rating)
    assert rating is not None and feedback.question_id == rating.answer.question_id
    reader.close()
    lines = [line for line in log.splitlines() if "bot.core.storage.guard" in line]
    assert len(lines) == 2, lines
    assert " WARNING " in lines[0] and "database unavailable: " in lines[0]
    assert " WARNING " in lines[1] and "database back after " in lines[1]
    assert "Traceback" not in log
