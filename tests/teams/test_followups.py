"""Teams: a conversation's follow-ups are read against its last answer; "Keins davon"
is recorded as a miss and the card replaced by the ways on; example and lead buttons
are plain submissions answered as if typed; feedback on a card reached through a button
is stored with its question, the comment added to the 👎 without a second verdict.

The bot on loopback with a real SQLite store, Activity JSON as Teams sends it, a fake
Bot Connector recording the replies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.buttons import ShowPassage
from bot.core.storage.guard import GuardedStore
from bot.teams import cards
from bot.wording import t
from tests.support import sqlite_store
from tests.support.stub_engine import VAGUE, StubEngine, clarifying
from tests.teams import harness as teams
from tests.teams.conftest import StartBot
from tests.teams.harness import FakeConnector, TeamsClient

SINCE = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def engine() -> StubEngine:
    return clarifying()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GuardedStore]:
    with closing(sqlite_store(tmp_path)) as opened:
        yield opened


@pytest.fixture
def bot(start_bot: StartBot, anonymous_settings: Any, engine: StubEngine,
        store: GuardedStore) -> TeamsClient:
    return start_bot(anonymous_settings, engine, store=store)


def send(bot: TeamsClient, connector: FakeConnector, activity: dict[str, Any]
         ) -> dict[str, Any]:
    """POST one activity; the card of the one message the bot sent for it."""
    return teams.card_of(teams.reply_to(bot, connector, activity))


def title(card: dict[str, Any]) -> str:
    return teams.texts_of(card)[0]


def test_follow_ups_in_a_personal_chat(bot: TeamsClient, connector: FakeConnector) -> None:
    url = connector.url
    assert title(send(bot, connector, teams.personal_message(
        url, "Was macht ein Business Development Manager?"))) == "Business Development Manager"
    head = send(bot, connector, teams.personal_message(url, "und der Head davon?"))
    assert title(head) == "Head of Business Development"
    texts = teams.texts_of(head)
    assert "Deine Frage: und der Head davon?" in texts
    assert cards.escape(t("about", "de", title="Business Development Manager")) in texts
    english = send(bot, connector, teams.personal_message(url, "and in English?"))
    assert title(english) == "Head of Business Development"
    assert any(x.startswith("Source: ") for x in teams.texts_of(english))
    whole = teams.visible(send(bot, connector, teams.personal_message(url, "mehr")))
    ids = cards.element_ids(0)
    assert whole[ids["full"]] and not whole[ids["gist"]] and whole[ids["close"]]


def test_a_channel_thread_is_its_own_conversation(bot: TeamsClient,
                                                  connector: FakeConnector) -> None:
    url = connector.url
    send(bot, connector, teams.personal_message(url, "Vertriebsleiter"))
    # The channel has heard nothing before: there the words are a new question.
    card = send(bot, connector, teams.channel_message(url, "welche Aufgaben hat die Assistenz?"))
    assert teams.texts_of(card)[0] == cards.escape(t("no_match", "de"))
    assert title(send(bot, connector, teams.personal_message(
        url, "welche Aufgaben hat die Assistenz?"))) == "Vertriebsassistenz"


def test_lead_and_example_buttons_are_plain_submissions(bot: TeamsClient,
                                                        connector: FakeConnector) -> None:
    url = connector.url
    none = send(bot, connector, teams.personal_message(url, "Wie backe ich Brot?"))
    [vertrieb] = teams.actions_of(none, lambda a: a["data"].get("text") == "liste Vertrieb")
    listing = send(bot, connector, teams.card_submit(url, vertrieb["data"]))
    shows = teams.actions_of(listing, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == [
        "vertriebsleiter", "sales-manager", "vertriebsassistenz"]
    [tour] = teams.actions_of(none, lambda a: a["data"].get("text") == "tour")
    menu = send(bot, connector, teams.card_submit(url, tour["data"]))
    assert cards.escape(t("tour_question", "de")) in teams.texts_of(menu)


def test_none_of_these_replaces_the_card_and_is_a_miss(
        bot: TeamsClient, connector: FakeConnector, store: GuardedStore) -> None:
    clarify = send(bot, connector, teams.personal_message(connector.url, VAGUE))
    texts = teams.texts_of(clarify)
    assert texts[0] == cards.escape(t("did_you_mean", "de"))
    shows = teams.actions_of(clarify, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == ["vertriebsleiter", "vertriebsassistenz"]
    assert len(texts) == 3  # the note and one line per candidate
    [decline] = teams.actions_of(clarify, lambda a: a["data"][cards.ACTION_KEY] == cards.DECLINE)
    assert decline["title"] == t("none_of_these", "de") and decline["data"]["question_id"]
    bot.post(teams.card_submit(connector.url, decline["data"], reply_to="reply-1"))
    [update] = connector.wait_for_updates(1)
    card = update.body["attachments"][0]["content"]
    assert teams.texts_of(card)[0] == cards.escape(t("declined", "de"))
    [row] = [q for q in store.questions_since(SINCE) if q.text == VAGUE]
    assert row.outcome == "none"


def test_feedback_on_a_card_from_a_button_is_stored_with_its_question_once(
        bot: TeamsClient, connector: FakeConnector, store: GuardedStore) -> None:
    value = cards.submit_data(ShowPassage(passage="sales-manager"))
    card = send(bot, connector, teams.card_submit(connector.url, value))
    [down] = teams.actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.FEEDBACK
                              and a["data"]["verdict"] == "not_helpful")
    assert down["data"]["answer"]["question_id"]  # the click was recorded like a question
    bot.post(teams.card_submit(connector.url, down["data"], reply_to="reply-1"))
    [asked] = connector.wait_for_updates(1)
    [send_button] = teams.actions_of(asked.body["attachments"][0]["content"],
                               lambda a: a["data"][cards.ACTION_KEY] == cards.MISSING)
    bot.post(teams.card_submit(connector.url, {**send_button["data"],
                                         cards.MISSING_INPUT: "Gehalt <at>Alle</at>"},
                         reply_to="reply-1"))
    connector.wait_for_updates(2)
    rows = store.feedback_since(SINCE)
    assert [(f.verdict, f.comment, f.question) for f in rows] == [
        ("not_helpful", "Gehalt <at>Alle</at>", "Sales Manager")]
