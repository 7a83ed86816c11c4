"""Several `rolle serve` processes sharing one PostgreSQL: a Slack retry delivered to
another replica is not answered twice, and a restarted server still follows its threads.

Real processes, a real PostgreSQL started by the tests, the real engine, signed HTTP on
loopback and the fake Slack Web API recording what the replicas post.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.pg import create_database, pg_admin_url  # noqa: F401  (the fixture)
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.support.net import LoopThread, start_site
from tests.support.replica import Replica, serve_env
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow
MENTION = f"<@{BOT_USER_ID}>"


@pytest.fixture
def replica_env(loop_thread: LoopThread, real_settings: Settings, pg_admin_url: str,  # noqa: F811
                tmp_path: Path) -> Iterator[tuple[dict[str, str], FakeSlack]]:
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    env = serve_env(api_url=fake.url + "/api/", database_url=create_database(pg_admin_url),
                    index_dir=real_settings.index_dir)
    yield env, fake
    loop_thread.run(runner.cleanup())


def test_a_retry_to_another_replica_is_answered_once(
        replica_env: tuple[dict[str, str], FakeSlack], tmp_path: Path) -> None:
    env, fake = replica_env
    first, second = Replica(env, tmp_path / "a.log"), Replica(env, tmp_path / "b.log")
    try:
        payload = p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                                 ts=p.next_ts()))
        assert first.event(payload) == 200
        # Acknowledged by the second replica after the first claimed the event id: the
        # claim is checked before the acknowledgement, so no answer can follow later.
        assert second.event(payload, retry=1) == 200
        fake.wait_posts(1)
        # Nothing in flight on either replica: nothing more can be posted.
        wait_until(lambda: first.idle() and second.idle(), 30, what="no answer in flight")
        assert len(fake.posts()) == 1
    finally:
        first.stop()
        second.stop()


def test_thread_follow_up_is_answered_after_a_restart(
        replica_env: tuple[dict[str, str], FakeSlack], tmp_path: Path) -> None:
    env, fake = replica_env
    server = Replica(env, tmp_path / "a.log")
    ts = p.next_ts()
    try:
        server.event(p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                                    ts=ts)))
        fake.wait_posts(1)
    finally:
        server.stop()
    restarted = Replica(env, tmp_path / "b.log")
    try:
        follow_up = p.channel_message("Und was macht ein Vertriebsleiter?", ts=p.next_ts(),
                                      thread_ts=ts)
        assert restarted.event(p.event_callback(follow_up)) == 200
        answer = fake.wait_posts(2)[1]
        assert answer.params["thread_ts"] == ts
    finally:
        restarted.stop()
