"""Several `rolle serve` processes sharing one PostgreSQL: a Slack retry delivered to
another replica is not answered twice, and a restarted server still follows its threads.

Real processes, a real PostgreSQL started by the tests, the real engine, signed HTTP on
loopback and the fake Slack Web API recording what the replicas post.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from tests.pg import create_database, pg_admin_url  # noqa: F401  (the fixture)
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.harness import SECRET
from tests.support.net import LoopThread, http, start_site

pytestmark = pytest.mark.slow
MENTION = f"<@{BOT_USER_ID}>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica:
    """One `rolle serve` process on a loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env={**env, "PORT": str(self.port)}, stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + 180
        while http("GET", self.url + "/healthz").status != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"replica did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def event(self, payload: dict, retry: int | None = None) -> int:
        body = json.dumps(payload)
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
                       timestamp=ts, body=body) or ""}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return http("POST", self.url + "/slack/events", body.encode(), headers).status

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def replica_env(loop_thread: LoopThread, real_settings: Settings, pg_admin_url: str,  # noqa: F811
                tmp_path: Path) -> Iterator[tuple[dict[str, str], FakeSlack]]:
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLLE_"))},
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url + "/api/", "ROLLE_HOST": "127.0.0.1",
        "ROLLE_DATABASE_URL": create_database(pg_admin_url),
        "ROLLE_INDEX_DIR": str(real_settings.index_dir), "HF_HUB_OFFLINE": "1",
    }
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
        time.sleep(1.0)  # what the first replica posts arrives within this
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
