"""Button clicks end to end: block_actions payloads in, replies where the click was."""

from __future__ import annotations

import json
import logging

import pytest

from bot.slack.blocks import AnswerRef
from bot.texts import EXAMPLE_QUESTIONS, t
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack, header
from tests.slack.harness import SlackServer


def test_further_match_in_a_channel_thread_is_shown_to_the_clicker_only(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.de.0", "vertriebsassistenz", thread_ts="1.000001",
                            response_url=fake_slack.response_url("unused"))
    assert server.interaction(click).status == 200
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postEphemeral"
    assert post.params["user"] == p.USER and post.params["channel"] == p.CHANNEL
    assert post.params["thread_ts"] == "1.000001"
    assert header(post) == "Vertriebsassistenz"


def test_further_match_in_an_ephemeral_reply_goes_to_the_response_url(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.en.1", "sales-manager", ephemeral=True,
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
    click = p.block_actions("show_passage.de.3", "leiter-e-commerce", container_type="view",
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
    click = p.block_actions("ask_example.2", question, channel="D0ASKER01",
                            response_url=fake_slack.response_url("dm"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert post.method == "chat.postMessage" and post.params["channel"] == "D0ASKER01"
    assert f"Deine Frage: {question}" in post.block_text()
    assert "Marketing" in (header(post) or "")


def test_unknown_passage_offers_the_roles(server: SlackServer, fake_slack: FakeSlack) -> None:
    click = p.block_actions("show_passage.de.0", "gibt-es-nicht", ephemeral=True,
                            response_url=fake_slack.response_url("gone"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert t("no_answer", "de") in post.params["text"]


@pytest.mark.parametrize(("action_id", "verdict"), [("feedback_helpful", "helpful"),
                                                    ("feedback_not_helpful", "not_helpful")])
def test_feedback_is_acknowledged_and_logged(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture,
        action_id: str, verdict: str) -> None:
    caplog.set_level(logging.INFO)
    value = AnswerRef(question="Was macht ein Sales Manager?",
                      passage_ids=("sales-manager", "vertriebsleiter")).encode()
    click = p.block_actions(action_id, value, thread_ts="1.000002", user="U0CRITIC")
    assert server.interaction(click).status == 200
    thanks = fake_slack.wait_posts(1)[0]
    assert thanks.method == "chat.postEphemeral"
    assert thanks.params["text"] == t("thanks_feedback", "de")
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("feedback")]
    assert logged == [f"feedback verdict={verdict} passage=sales-manager user=U0CRITIC "
                      "question='Was macht ein Sales Manager?'"]


def test_share_with_a_broken_value_gets_the_error(server: SlackServer,
                                                  fake_slack: FakeSlack) -> None:
    click = p.block_actions("share_answer", "{broken", ephemeral=True,
                            response_url=fake_slack.response_url("bad"))
    server.interaction(click)
    post = fake_slack.wait_posts(1)[0]
    assert post.params["text"].startswith("Da ist bei mir etwas schiefgegangen.")
    assert post.params["response_type"] == "ephemeral"
    assert "in_channel" not in json.dumps(post.params)


def test_feedback_with_a_bare_passage_id_is_logged_too(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    server.interaction(p.block_actions("feedback_not_helpful", "vertriebsleiter"))
    fake_slack.wait_posts(1)
    assert any(r.getMessage().startswith(
        "feedback verdict=not_helpful passage=vertriebsleiter user=" + p.USER)
        for r in caplog.records)
