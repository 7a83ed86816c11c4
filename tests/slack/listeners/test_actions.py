"""Button clicks end to end: block_actions payloads in, replies where the click was."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from bot.buttons import Ask, Rating, ShowPassage
from bot.server import CONVERSATION_KEY
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.slack import payloads as p
from tests.slack.fake_slack import Call, FakeSlack, header
from tests.slack.harness import SlackServer


def test_further_match_in_a_channel_thread_is_shown_to_the_clicker_only(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.de.0", p.value(ShowPassage(passage="vertriebsassistenz")),
                            thread_ts="1.000001",
                            response_url=fake_slack.response_url("unused"))
    assert server.interaction(click).status == 200
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postEphemeral"
    assert post.params["user"] == p.USER and post.params["channel"] == p.CHANNEL
    assert post.params["thread_ts"] == "1.000001"
    assert header(post) == "Vertriebsassistenz"


def test_further_match_in_an_ephemeral_reply_goes_to_the_response_url(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.en.1",
                            p.value(ShowPassage(passage="sales-manager", language="en")),
                            ephemeral=True,
                            response_url=fake_slack.response_url("eph"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert post.path == "/response/eph"
    assert post.params["response_type"] == "ephemeral"
    assert post.params["replace_original"] is False
    assert header(post) == "Sales Manager"
    assert "Source:" in post.block_text()  # the button was made for an English answer


def test_role_button_on_the_home_tab_answers_in_a_dm(server: SlackServer,
                                                     fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.de.3", p.value(ShowPassage(passage="leiter-e-commerce")),
                            container_type="view",
                            channel=None)
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    opened = fake_slack.of("conversations.open")
    assert opened and opened[0].params["users"] == p.USER
    assert post.method == "chat.postMessage" and post.params["channel"] == "D" + p.USER
    assert header(post) == "Leiter E-Commerce"


def test_example_question_in_the_welcome_dm_is_answered_there(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    question = EXAMPLE_QUESTIONS["de"][2]
    click = p.block_actions("ask_example.2", p.value(Ask(text=question)), channel="D0ASKER01",
                            response_url=fake_slack.response_url("dm"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postMessage" and post.params["channel"] == "D0ASKER01"
    assert f"Deine Frage: {question}" in post.block_text()
    assert "Marketing" in (header(post) or "")


def test_unknown_passage_leads_on(server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.de.0", p.value(ShowPassage(passage="gibt-es-nicht")),
                            ephemeral=True,
                            response_url=fake_slack.response_url("gone"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert t("no_match", "de") in post.params["text"]
    assert ("ask_example.lead.0", Ask(text="liste Marketing und Vertrieb")) in post.buttons()


def ask_recorded(server: SlackServer, fake_slack: FakeSlack) -> Call:
    """Ask a question by DM; return the answer posted (its buttons carry the id under
    which the question was recorded)."""
    server.event(p.event_callback(p.im_message("Was macht ein Sales Manager?", ts=p.next_ts())))
    answer = fake_slack.wait_posts(1)[0]
    server.idle()
    [rating] = [b for a, b in answer.buttons() if a == "feedback_helpful"]
    assert isinstance(rating, Rating) and rating.verdict == "helpful"
    assert rating.answer.question_id
    fake_slack.reset()
    return answer


def feedback_rows(server: SlackServer) -> list[tuple[str, str | None]]:
    store = server.running.web_app[CONVERSATION_KEY].store
    assert store is not None
    return [(f.verdict, f.comment) for f in store.feedback_since(datetime(2000, 1, 1, tzinfo=UTC))]


def test_helpful_replaces_the_buttons_with_thanks_and_is_stored(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask_recorded(server, fake_slack)
    value = dict(answer.action_values())["feedback_helpful"]
    click = p.block_actions("feedback_helpful", value, user="U0FAN",
                            response_url=fake_slack.response_url("fb1"))
    assert server.interaction(click).status == 200
    [update] = fake_slack.wait_posts(1)
    assert update.method == "response_url" and update.params["replace_original"] is True
    assert header(update) == "Sales Manager"  # the same answer, in place
    assert t("thanks_feedback", "de") in update.block_text()
    assert not [a for a, _ in update.action_values() if a.startswith("feedback_")]
    assert feedback_rows(server) == [("helpful", None)]


def test_not_helpful_asks_what_was_missing_and_stores_the_line(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask_recorded(server, fake_slack)
    value = dict(answer.action_values())["feedback_not_helpful"]
    url = fake_slack.response_url("fb2")
    server.interaction(p.block_actions("feedback_not_helpful", value, response_url=url))
    [asked] = fake_slack.wait_posts(1)
    assert asked.params["replace_original"] is True
    [missing] = [b for b in asked.blocks if b["type"] == "input"]
    assert missing["label"]["text"] == t("what_was_missing", "de")
    assert feedback_rows(server) == [("not_helpful", None)]
    send = dict(asked.action_values())["feedback_missing"]
    click = p.block_actions("feedback_missing", send, response_url=url)
    click["state"] = {"values": {"feedback_missing_text": {"feedback_missing_text": {
        "type": "plain_text_input", "value": "Das Gehalt <!channel>"}}}}
    server.interaction(click)
    final = fake_slack.wait_posts(2)[1]
    assert not [b for b in final.blocks if b["type"] == "input"]
    assert t("thanks_feedback", "de") in final.block_text()
    assert feedback_rows(server) == [("not_helpful", "Das Gehalt <!channel>")]


def test_share_with_a_broken_value_gets_the_error(server: SlackServer,
                                                  fake_slack: FakeSlack) -> None:
    click = p.block_actions("share_answer", "{broken", ephemeral=True,
                            response_url=fake_slack.response_url("bad"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert post.params["text"].startswith("Da ist bei mir etwas schiefgegangen.")
    assert post.params["response_type"] == "ephemeral"
    assert "in_channel" not in json.dumps(post.params)


def test_feedback_whose_value_is_no_button_is_logged_and_thanked_privately(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server.interaction(p.block_actions("feedback_not_helpful", "vertriebsleiter"))
    [thanks] = fake_slack.wait_posts(1)
    assert thanks.method == "chat.postEphemeral"
    assert thanks.params["text"] == t("thanks_feedback", "de")
    assert any("feedback refused passage=-" in r.getMessage() for r in caplog.records)
    assert feedback_rows(server) == []


def test_full_description_replaces_the_gist_with_the_whole_passage_and_back(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask_recorded(server, fake_slack)
    engine = server.running.web_app[CONVERSATION_KEY].engine
    passage = engine.get("sales-manager")
    assert passage is not None
    tasks = [line for line in passage.text.splitlines() if line.startswith("•")]
    assert tasks and not all(task in answer.block_text() for task in tasks)  # the gist only
    value = dict(answer.action_values())["answer_full"]
    url = fake_slack.response_url("full")
    assert server.interaction(p.block_actions("answer_full", value, response_url=url)).status == 200
    [whole] = fake_slack.wait_posts(1)
    assert whole.method == "response_url" and whole.params["replace_original"] is True
    assert header(whole) == "Sales Manager"
    assert all(task in whole.block_text() for task in tasks)  # one click: the whole passage
    back = dict(whole.action_values())["answer_full"]
    # Feedback on the full version keeps it full.
    helpful = dict(whole.action_values())["feedback_helpful"]
    server.interaction(p.block_actions("feedback_helpful", helpful, response_url=url))
    thanked = fake_slack.wait_posts(2)[1]
    assert all(task in thanked.block_text() for task in tasks)
    assert t("thanks_feedback", "de") in thanked.block_text()
    server.interaction(p.block_actions("answer_full", back, response_url=url))
    short = fake_slack.wait_posts(3)[2]
    assert short.blocks == answer.blocks


def test_full_description_with_a_broken_value_leads_on(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("answer_full", "kaputt", ephemeral=True,
                            response_url=fake_slack.response_url("broken"))
    assert server.interaction(click).status == 200
    [post] = fake_slack.wait_posts(1)
    assert t("no_match", "de") in post.params["text"]
