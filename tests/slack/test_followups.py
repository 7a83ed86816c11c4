"""Slack: follow-ups in a thread, a DM, the assistant panel and slash commands are read
against the last answer of that conversation; "Keins davon" is recorded as a miss;
feedback on a card reached through a button is stored with its question, and the
"Was hat gefehlt?" line is added to the 👎 instead of counting a second verdict.

The real server on loopback with a real SQLite store, signed requests, the fake Web API.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.buttons import Ask, Rating, ShowPassage
from bot.server import CONVERSATION_KEY
from bot.slack.values import read_value
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, Call, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support.net import http
from tests.support.stub_engine import VAGUE, StubEngine, clarifying

MENTION = f"<@{BOT_USER_ID}>"
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def engine() -> StubEngine:
    return clarifying()


def dm(server: SlackServer, fake_slack: FakeSlack, text: str, **extra: str) -> Call:
    """A DM to the bot; the one message it posts for it."""
    before = len(fake_slack.posts())
    server.event(p.event_callback(p.im_message(text, ts=p.next_ts(), **extra)))
    server.idle()
    posts = fake_slack.wait_posts(before + 1)
    assert len(posts) == before + 1
    return posts[-1]


def store_of(server: SlackServer):  # type: ignore[no-untyped-def]
    store = server.running.web_app[CONVERSATION_KEY].store
    assert store is not None
    return store


def test_follow_up_in_a_channel_thread(server: SlackServer, fake_slack: FakeSlack) -> None:
    root = p.next_ts()
    server.event(p.event_callback(p.app_mention(
        f"{MENTION} Was macht ein Business Development Manager?", ts=root)))
    assert header(fake_slack.wait_posts(1)[0]) == "Business Development Manager"
    server.event(p.event_callback(p.channel_message("und der Head davon?", ts=p.next_ts(),
                                                    thread_ts=root)))
    answer = fake_slack.wait_posts(2)[1]
    assert answer.params["thread_ts"] == root
    assert header(answer) == "Head of Business Development"
    assert t("about", "de", title="Business Development Manager") in answer.block_text()
    # Another thread has its own conversation: there the same words are a new question.
    server.event(p.event_callback(p.app_mention(f"{MENTION} und der Head davon?",
                                                ts=p.next_ts())))
    elsewhere = fake_slack.wait_posts(3)[2]
    assert t("no_match", "de") in elsewhere.params["text"]


def test_follow_ups_in_a_dm_more_and_english(server: SlackServer, fake_slack: FakeSlack
                                             ) -> None:
    first = dm(server, fake_slack, "Vertriebsleiter")
    assert "Führung einer Vertriebsmannschaft" not in first.block_text()  # the gist
    whole = dm(server, fake_slack, "mehr")
    assert header(whole) == "Vertriebsleiter"
    assert "Führung einer Vertriebsmannschaft" in whole.block_text()
    english = dm(server, fake_slack, "and in English?")
    assert header(english) == "Vertriebsleiter" and "Source:" in english.block_text()
    assistant = dm(server, fake_slack, "welche Aufgaben hat die Assistenz?")
    assert header(assistant) == "Vertriebsassistenz"
    # A question naming a role starts afresh.
    assert header(dm(server, fake_slack, "Was macht ein Sales Manager?")) == "Sales Manager"
    assert header(dm(server, fake_slack, "und der Head davon?")) == "Vertriebsleiter"


def test_follow_up_in_the_assistant_panel(server: SlackServer, fake_slack: FakeSlack) -> None:
    thread = "1710000099.000777"
    assert header(dm(server, fake_slack, "Was macht ein BDM?",
                     thread_ts=thread)) == "Business Development Manager"
    answer = dm(server, fake_slack, "und der Head davon?", thread_ts=thread)
    assert answer.params["thread_ts"] == thread
    assert header(answer) == "Head of Business Development"


def test_follow_up_with_a_slash_command(server: SlackServer, fake_slack: FakeSlack) -> None:
    server.command(p.slash_command("Vertriebsleiter", fake_slack.response_url("c1")))
    fake_slack.wait_posts(1)
    server.command(p.slash_command("und die Assistenz?", fake_slack.response_url("c2")))
    reply = fake_slack.wait_posts(2)[1]
    assert reply.params["response_type"] == "ephemeral"
    assert header(reply) == "Vertriebsassistenz"


def test_a_button_sets_the_conversation_too(server: SlackServer, fake_slack: FakeSlack) -> None:
    server.interaction(p.block_actions("show_passage.de.0",
                                       p.value(ShowPassage(passage="sales-manager")),
                                       channel="D0ASKER01"))
    assert header(fake_slack.wait_posts(1)[0]) == "Sales Manager"
    assert header(dm(server, fake_slack, "und der Head davon?")) == "Vertriebsleiter"


def test_none_of_these_is_recorded_as_a_miss(server: SlackServer, fake_slack: FakeSlack) -> None:
    clarify = dm(server, fake_slack, VAGUE)
    sections = [b for b in clarify.blocks if b["type"] == "section" and "accessory" in b]
    # Each candidate with its line, and a button that shows it.
    assert [p.points_at(b["accessory"]["value"]) for b in sections] == [
        "vertriebsleiter", "vertriebsassistenz"]
    assert all("\n" in b["text"]["text"] for b in sections)
    [value] = [v for a, v in clarify.action_values() if a == "clarify_none"]
    url = fake_slack.response_url("none")
    server.interaction(p.block_actions("clarify_none", value, channel="D0ASKER01",
                                       response_url=url))
    server.idle()
    replaced = fake_slack.wait_posts(len(fake_slack.posts()))[-1]
    assert replaced.method == "response_url" and replaced.params["replace_original"] is True
    assert t("declined", "de") in replaced.params["text"]
    assert ("ask_example.lead.0", Ask(text="liste Marketing und Vertrieb")) in replaced.buttons()
    [row] = [q for q in store_of(server).questions_since(SINCE) if q.text == VAGUE]
    assert row.outcome == "none"  # the gap report counts it


def test_typed_none_of_these_after_a_clarify(server: SlackServer, fake_slack: FakeSlack) -> None:
    dm(server, fake_slack, VAGUE)
    declined = dm(server, fake_slack, "keins davon")
    assert t("declined", "de") in declined.params["text"]
    [row] = [q for q in store_of(server).questions_since(SINCE) if q.text == VAGUE]
    assert row.outcome == "none"
    assert not [q for q in store_of(server).questions_since(SINCE) if q.text == "keins davon"]


def test_feedback_on_a_card_from_a_button_is_stored_with_its_question_once(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server.interaction(p.block_actions("show_passage.de.0",
                                       p.value(ShowPassage(passage="vertriebsassistenz")),
                                       channel="D0ASKER01"))
    card = fake_slack.wait_posts(1)[0]
    value = dict(card.action_values())["feedback_not_helpful"]
    rating = read_value(value, Rating)
    assert rating is not None and rating.answer.question_id  # recorded like a question
    url = fake_slack.response_url("fb")
    server.interaction(p.block_actions("feedback_not_helpful", value, response_url=url))
    asked = fake_slack.wait_posts(2)[1]
    send = dict(asked.action_values())["feedback_missing"]
    click = p.block_actions("feedback_missing", send, response_url=url)
    click["state"] = {"values": {"feedback_missing_text": {"feedback_missing_text": {
        "type": "plain_text_input", "value": "Wer ist das bei uns?"}}}}
    server.interaction(click)
    fake_slack.wait_posts(3)
    server.idle()
    rows = store_of(server).feedback_since(SINCE)
    assert [(f.verdict, f.comment, f.question, f.passage_id) for f in rows] == [
        ("not_helpful", "Wer ist das bei uns?", "Vertriebsassistenz", "vertriebsassistenz")]
    verdicts = [r.getMessage() for r in caplog.records if "feedback verdict=" in r.getMessage()]
    assert len(verdicts) == 1  # the comment is not logged as a second "not helpful"
    assert any("feedback comment=True" in r.getMessage() for r in caplog.records)
    metrics = http("GET", server.url + "/metrics").body
    assert 'rollenbot_feedback_total{verdict="not_helpful"} 1.0' in metrics
