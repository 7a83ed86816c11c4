"""Smoke test with the real engine (packaged model, real index) behind the Slack adapter."""

from __future__ import annotations

from bot.config import Settings
from bot.core.engine import Engine
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support.net import LoopThread


def test_mention_is_answered_by_the_real_engine(
        loop_thread: LoopThread, slack_settings: Settings, real_engine: Engine,
        fake_slack: FakeSlack) -> None:
    server = SlackServer(loop_thread, slack_settings, real_engine)
    try:
        ts = p.next_ts()
        text = f"<@{BOT_USER_ID}> Was macht ein Business Development Manager?"
        assert server.event(p.event_callback(p.app_mention(text, ts=ts))).status == 200
        post = fake_slack.wait_posts(1)[0]
        assert post.params["thread_ts"] == ts
        assert header(post) == "Business Development Manager"
        assert "> " in post.block_text()
    finally:
        server.stop()
