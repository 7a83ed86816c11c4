"""Mentions, DMs and thread follow-ups end to end: Events API callbacks in, Web API
calls out; each message answered once, bots ignored, a rate limit per user."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.core.engine import Engine
from bot.server import CONVERSATION_KEY
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_ID, BOT_USER_ID, FakeSlack, header
from tests.slack.harness import LoopThread, SlackServer
from tests.support import reconfigure

MENTION = f"<@{BOT_USER_ID}>"


def test_mention_is_answered_in_a_thread(server: SlackServer, fake_slack: FakeSlack) -> None:
    ts = p.next_ts()
    event = p.app_mention(f"{MENTION} Was macht ein Business Development Manager?", ts=ts)
    assert server.event(p.event_callback(event)).status == 200
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postMessage"
    assert post.params["channel"] == p.CHANNEL
    assert post.params["thread_ts"] == ts
    assert header(post) == "Business Development Manager"
    assert "> " in post.block_text()


def test_mention_and_message_for_the_same_ts_give_one_answer(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    ts = p.next_ts()
    text = f"{MENTION} Was macht ein Vertriebsleiter?"
    assert server.event(p.event_callback(p.channel_message(text, ts=ts))).status == 200
    assert server.event(p.event_callback(p.app_mention(text, ts=ts))).status == 200
    fake_slack.wait_posts(1)
    server.idle()
    posts = fake_slack.posts()
    assert len(posts) == 1 and header(posts[0]) == "Vertriebsleiter"


def test_retried_event_is_answered_once(server: SlackServer, fake_slack: FakeSlack) -> None:
    payload = p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                             ts=p.next_ts()))
    assert server.event(payload).status == 200
    for attempt in ("1", "2"):
        retry = server.event(payload, headers={"X-Slack-Retry-Num": attempt,
                                               "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status == 200
    fake_slack.wait_posts(1)
    server.idle()
    assert len(fake_slack.posts()) == 1


def test_follow_up_in_the_thread_needs_no_mention(server: SlackServer,
                                                  fake_slack: FakeSlack) -> None:
    ts = p.next_ts()
    server.event(p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                                ts=ts)))
    fake_slack.wait_posts(1)
    follow_up = p.channel_message("Und was macht die Vertriebsassistenz?", ts=p.next_ts(),
                                  thread_ts=ts)
    server.event(p.event_callback(follow_up))
    second = fake_slack.wait_posts(2)[1]
    assert second.params["thread_ts"] == ts
    assert header(second) == "Vertriebsassistenz"


def test_channel_chatter_without_mention_is_ignored(server: SlackServer,
                                                    fake_slack: FakeSlack) -> None:
    server.event(p.event_callback(p.channel_message("Was macht ein Sales Manager?",
                                                    ts=p.next_ts())))
    server.event(p.event_callback(p.channel_message(
        "Was macht ein Sales Manager?", ts=p.next_ts(), thread_ts="1600000000.000001")))
    server.idle()
    assert fake_slack.posts() == []


def test_direct_message_is_answered_in_the_dm(server: SlackServer,
                                              fake_slack: FakeSlack) -> None:
    event = p.im_message("What does a sales manager do?", ts=p.next_ts())
    server.event(p.event_callback(event))
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postMessage"
    assert post.params["channel"] == event["channel"]
    assert "thread_ts" not in post.params
    assert header(post) == "Sales Manager"
    assert "Source:" in post.block_text()  # English UI for an English question


@pytest.mark.parametrize("extra", [
    {"bot_id": "B0OTHER", "subtype": "bot_message"},
    {"bot_id": BOT_ID},
    {"user": BOT_USER_ID},
    {"subtype": "message_changed"},
])
def test_bots_and_non_messages_are_ignored(server: SlackServer, fake_slack: FakeSlack,
                                           extra: dict) -> None:
    event = p.im_message(f"{MENTION} Was macht ein Sales Manager?", ts=p.next_ts(), **extra)
    server.event(p.event_callback(event))
    mention = p.app_mention(f"{MENTION} Was macht ein Sales Manager?", ts=p.next_ts())
    mention.update(extra)
    server.event(p.event_callback(mention))
    server.idle()
    assert fake_slack.posts() == []


def test_mention_with_broadcast_markup_does_not_ping(server: SlackServer,
                                                     fake_slack: FakeSlack) -> None:
    text = f"{MENTION} <!channel> <!here> Wie backe ich <@U0OTHER> ein Brot?"
    server.event(p.event_callback(p.app_mention(text, ts=p.next_ts())))
    post = fake_slack.wait_posts(1)[0]
    raw = json.dumps(post.params, ensure_ascii=False)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0OTHER>" not in raw
    assert t("no_match", "de") in post.params["text"]


def test_rate_limit_replies_politely_once(loop_thread: LoopThread, slack_settings: Settings,
                                          engine: Engine, fake_slack: FakeSlack) -> None:
    limited = SlackServer(loop_thread,
                          reconfigure(slack_settings, {"rate_limit_per_minute": 2}), engine)
    try:
        for _ in range(4):
            limited.event(p.event_callback(p.im_message("Was macht ein Sales Manager?",
                                                        ts=p.next_ts())))
        channel_ts = p.next_ts()
        limited.event(p.event_callback(p.app_mention(f"{MENTION} Vertriebsleiter?",
                                                     ts=channel_ts, user="U0SECOND")))
        fake_slack.wait_posts(4)
        limited.idle()
        posts = fake_slack.posts()
        texts = [c.params["text"] for c in posts if c.params.get("channel") == "D0ASKER01"]
        assert texts.count(t("rate_limited", "de")) == 1
        assert len(texts) == 3  # two answers and one note; the fourth is dropped
        assert any(c.params.get("thread_ts") == channel_ts for c in posts)  # others unaffected
    finally:
        limited.stop()


def test_rate_limit_note_in_a_channel_is_ephemeral(
        loop_thread: LoopThread, slack_settings: Settings, engine: Engine,
        fake_slack: FakeSlack) -> None:
    limited = SlackServer(loop_thread,
                          reconfigure(slack_settings, {"rate_limit_per_minute": 1}), engine)
    try:
        first, second = p.next_ts(), p.next_ts()
        limited.event(p.event_callback(p.app_mention(f"{MENTION} Sales Manager?", ts=first)))
        fake_slack.wait_posts(1)
        limited.event(p.event_callback(p.app_mention(f"{MENTION} Vertriebsleiter?",
                                                     ts=second)))
        note = fake_slack.wait_posts(2)[1]
        assert note.method == "chat.postEphemeral"
        assert note.params["user"] == p.USER and note.params["thread_ts"] == second
        assert note.params["text"] == t("rate_limited", "de")
    finally:
        limited.stop()


def test_failure_in_a_thread_gets_the_german_error(
        server: SlackServer, fake_slack: FakeSlack, engine: Engine,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(question: str, **kwargs: object) -> None:
        raise MemoryError("out of memory")

    monkeypatch.setattr(engine, "answer", broken)
    caplog.set_level(logging.INFO)
    ts = p.next_ts()
    server.event(p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                                ts=ts)))
    post = fake_slack.wait_posts(1)[0]
    assert post.params["thread_ts"] == ts
    assert post.params["text"].startswith("Da ist bei mir etwas schiefgegangen.")
    reference = post.params["text"].split("Referenz: ")[1].rstrip(")")
    assert any(reference in r.getMessage() for r in caplog.records)


def test_questions_are_recorded_pseudonymously(server: SlackServer,
                                               fake_slack: FakeSlack) -> None:
    store = server.running.web_app[CONVERSATION_KEY].store
    assert store is not None
    server.event(p.event_callback(p.app_mention(f"{MENTION} Was macht ein Sales Manager?",
                                                ts=p.next_ts())))
    server.event(p.event_callback(p.im_message("Wie backe ich Brot?", ts=p.next_ts())))
    fake_slack.wait_posts(2)
    server.idle()
    rows = sorted(store.questions_since(datetime(2000, 1, 1, tzinfo=UTC)),
                  key=lambda q: q.surface)
    assert [(q.platform, q.surface, q.outcome) for q in rows] == [
        ("slack", "dm", "none"), ("slack", "mention", "answer")]
    assert rows[1].text == "Was macht ein Sales Manager?"
    assert rows[1].passages[0].passage_id == "sales-manager"
    assert all(q.user_key != p.USER and p.USER not in q.user_key for q in rows)
    assert rows[0].user_key == rows[1].user_key == store.user_key(p.USER)
