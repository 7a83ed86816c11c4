"""End to end over loopback HTTP: Activity JSON as Teams sends it goes to /api/messages,
the real engine answers, and the replies are read from a fake Bot Connector."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import compose
from bot.buttons import AnswerRef, Ask, Rating
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import Answer
from bot.core.storage.port import Verdict
from bot.teams import cards
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.support import reconfigure, sqlite_store
from tests.teams.conftest import StartBot
from tests.teams.harness import (
    BOT_ID,
    USER,
    FakeConnector,
    TeamsClient,
    actions_of,
    card_of,
    card_submit,
    channel_message,
    group_message,
    members_added,
    personal_message,
    reply_to,
    texts_of,
    visible,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
]


ask = reply_to


def test_personal_chat_answer_card(
    bot: TeamsClient, connector: FakeConnector, engine: Engine
) -> None:
    activity = personal_message(connector.url, "Was macht ein Vertriebsleiter?")
    reply = ask(bot, connector, activity)
    passage = engine.get("vertriebsleiter")
    assert passage is not None
    card = card_of(reply)
    texts = texts_of(card)
    assert texts[0] == "Vertriebsleiter"
    assert texts[1] == "Deine Frage: Was macht ein Vertriebsleiter?"
    assert cards.escape(passage.paragraphs[0]) in texts
    assert f"Quelle: {cards.escape(passage.source.label())}" in texts
    assert reply["summary"] == "Vertriebsleiter"
    assert passage.paragraphs[0] in card["fallbackText"]
    # Threaded under the question, in the same conversation, from the bot.
    [record] = [r for r in connector.recorded if r.body["type"] == "message"]
    assert record.conversation_id == "a:1personal-chat-erika"
    assert record.reply_to_id == activity["id"]
    assert reply["from"]["id"] == BOT_ID and reply["recipient"]["id"] == USER["id"]
    more = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert 1 <= len(more) <= 2


def test_group_chat_mention_is_removed(bot: TeamsClient, connector: FakeConnector) -> None:
    reply = ask(bot, connector,
                      group_message(connector.url, "Was macht ein Business Development Manager?"))
    texts = texts_of(card_of(reply))
    assert texts[0] == "Business Development Manager"
    assert texts[1] == "Deine Frage: Was macht ein Business Development Manager?"


def test_channel_mention_answers_in_the_thread(
    bot: TeamsClient, connector: FakeConnector
) -> None:
    activity = channel_message(connector.url, "Wer ist Head of Online Marketing?")
    reply = ask(bot, connector, activity)
    texts = texts_of(card_of(reply))
    assert texts[1] == "Deine Frage: Wer ist Head of Online Marketing?"
    assert "Rollenbot" not in texts[1] and "nbsp" not in texts[1]
    [record] = [r for r in connector.recorded if r.body["type"] == "message"]
    assert record.conversation_id == activity["conversation"]["id"]
    assert record.reply_to_id == activity["id"]


def test_english_question_gets_english_ui(bot: TeamsClient, connector: FakeConnector
                                                ) -> None:
    reply = ask(bot, connector, personal_message(
        connector.url, "What does a sales manager do?", locale="en-US"))
    card = card_of(reply)
    texts = texts_of(card)
    assert texts[1] == "Your question: What does a sales manager do?"
    assert any(x.startswith("Source: ") for x in texts)
    assert {"👍 Helpful", "👎 Not helpful"} <= {a["title"] for a in actions_of(card)}


@pytest.mark.parametrize(("word", "language"), [("hilfe", "de"), ("Help", "en"), ("?", "de")])
def test_help(bot: TeamsClient, connector: FakeConnector, word: str, language: str
                    ) -> None:
    reply = ask(bot, connector, channel_message(connector.url, word))
    card = card_of(reply)
    first_line = t("help", language).splitlines()[0]  # type: ignore[arg-type]
    assert texts_of(card)[0].startswith(cards.escape(first_line))
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["text"] for a in asks][:3] == list(EXAMPLE_QUESTIONS[language])  # type: ignore[index]


@pytest.mark.parametrize(("word", "language"), [("liste", "de"), ("list", "en")])
def test_list(bot: TeamsClient, connector: FakeConnector, engine: Engine, word: str,
                    language: str) -> None:
    reply = ask(bot, connector, personal_message(connector.url, word))
    card = card_of(reply)
    texts = texts_of(card)
    assert texts[0] == cards.escape(t("list_header", language))  # type: ignore[arg-type]
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == [
        p.id for ps in engine.by_department().values() if any(x.kind == "role" for x in ps)
        for p in ps] + [p.id for p in engine.passages if p.department == "Marketing und Vertrieb"]
    for department in engine.by_department():
        assert f"**{cards.escape(department)}**" in texts


def test_role_name_shows_that_role(bot: TeamsClient, connector: FakeConnector,
                                         engine: Engine) -> None:
    reply = ask(bot, connector, group_message(connector.url, "Marketingleiter"))
    card = card_of(reply)
    texts = texts_of(card)
    passage = engine.get("leiter-marketing")
    assert passage is not None
    assert texts[0] == passage.title
    assert not any(x.startswith("Deine Frage") for x in texts)
    related = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in related] == list(passage.related[:2])


def test_no_answer_leads_on(bot: TeamsClient, connector: FakeConnector,
                            engine: Engine) -> None:
    reply = ask(bot, connector,
                personal_message(connector.url, "Wie backe ich einen Käsekuchen?"))
    card = card_of(reply)
    assert texts_of(card)[0] == cards.escape(t("no_match", "de"))
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["text"] for a in asks] == [
        *(f"liste {d}" for d in engine.by_department()), "tour", "hilfe"]


def test_mention_without_question(bot: TeamsClient, connector: FakeConnector) -> None:
    reply = ask(bot, connector, channel_message(connector.url, ""))
    assert reply["text"] == cards.markdown(t("empty", "de"))


def test_too_long_question(bot: TeamsClient, connector: FakeConnector,
                                 anonymous_settings: Settings) -> None:
    question = "Was macht der Vertrieb eigentlich den ganzen Tag? " * 40
    reply = ask(bot, connector, personal_message(connector.url, question))
    limit = anonymous_settings.max_question_chars
    assert f"höchstens {limit}" in reply["text"]


def test_user_text_is_escaped_in_the_card(bot: TeamsClient, connector: FakeConnector
                                                ) -> None:
    # Teams HTML-encodes what the user typed; other people's mentions arrive as <at>.
    text = ("<at>Max Muster</at> was macht ein **Vertriebsleiter** &lt;script&gt; "
            "[hier](https://evil.example)?")
    reply = ask(bot, connector, group_message(connector.url, text))
    line = texts_of(card_of(reply))[1]
    assert line == ("Deine Frage: Max Muster was macht ein \\*\\*Vertriebsleiter\\*\\* "
                    "\\<script\\> \\[hier\\](https://evil.example)?")
    assert "<" not in line.replace("\\<", "")


def test_show_more_button(bot: TeamsClient, connector: FakeConnector, engine: Engine
                                ) -> None:
    first = ask(bot, connector, personal_message(connector.url, "Was macht ein CMO?"))
    [button, *_] = actions_of(card_of(first),
                              lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    reply = ask(bot, connector, card_submit(connector.url, button["data"]))
    passage = engine.get(button["data"]["passage"])
    assert passage is not None
    assert texts_of(card_of(reply))[0] == cards.escape(passage.title)


def test_feedback_is_stored_and_the_card_updated_in_place(
    start_bot: StartBot, anonymous_settings: Settings, engine: Engine,
    connector: FakeConnector, tmp_path: Path,
) -> None:
    store = sqlite_store(tmp_path)
    bot = start_bot(anonymous_settings, engine, store=store)
    answer = ask(bot, connector, personal_message(connector.url, "Was macht ein CMO?"))
    [down] = actions_of(card_of(answer), lambda a: a["data"].get("verdict") == "not_helpful")
    assert down["data"]["answer"]["question_id"]
    bot.post(card_submit(connector.url, down["data"], reply_to="reply-1"))
    [update] = connector.updates()
    assert update.path.endswith("/activities/reply-1")
    card = card_of(update.body)
    assert texts_of(card)[0] == "Leiter Marketing"  # the same answer, in place
    assert t("thanks_feedback", "de") in texts_of(card)
    [missing] = [e for e in card["body"] if e.get("type") == "Input.Text"]
    [send] = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.MISSING)
    bot.post(card_submit(connector.url, {**send["data"], missing["id"]: "Das Gehalt"},
                         reply_to="reply-1"))
    assert len(connector.updates()) == 2
    final = card_of(connector.updates()[1].body)
    assert not [e for e in final["body"] if e.get("type") == "Input.Text"]
    assert not actions_of(final, lambda a: a["data"][cards.ACTION_KEY] != cards.SHOW)
    rows = store.feedback_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert [(f.verdict, f.comment) for f in rows] == [("not_helpful", "Das Gehalt")]
    assert connector.messages() == [answer]  # no new message for the feedback
    store.close()


@pytest.mark.parametrize("verdict", ["helpful", "not_helpful"])
def test_feedback_from_an_old_card_is_thanked(
    bot: TeamsClient, connector: FakeConnector, caplog: pytest.LogCaptureFixture,
    verdict: Verdict,
) -> None:
    gone = AnswerRef(passages=("gibt-es-nicht-mehr",), language="en")
    value = cards.submit_data(Rating(verdict=verdict, answer=gone))
    with caplog.at_level(logging.INFO, logger="bot.teams.handlers"):
        reply = ask(bot, connector, card_submit(connector.url, value))
    assert reply["text"] == cards.markdown(t("thanks_feedback", "en"))
    assert any(r.getMessage().startswith("Teams feedback: ") for r in caplog.records)
    # Data that is no button of ours (an older version's): thanked too.
    old = {cards.ACTION_KEY: cards.FEEDBACK, "passage": "vertriebsleiter", "helpful": True}
    assert ask(bot, connector, card_submit(connector.url, old))["text"] == cards.markdown(
        t("thanks_feedback", "de"))


def test_example_question_button(bot: TeamsClient, connector: FakeConnector) -> None:
    question = "Was macht der Vertriebsleiter?"
    value = cards.submit_data(Ask(text=question))
    activity = card_submit(connector.url, value, conversation_type="channel")
    activity["text"] = question  # messageBack sends the text along with the value
    reply = ask(bot, connector, activity)
    assert texts_of(card_of(reply))[1] == f"Deine Frage: {question}"


def test_forged_submission_gets_a_polite_reply(bot: TeamsClient, connector: FakeConnector
                                                     ) -> None:
    value = {cards.ACTION_KEY: cards.SHOW, "passage": "../../etc/passwd" * 30}
    reply = ask(bot, connector, card_submit(connector.url, value))
    assert texts_of(card_of(reply))[0] == cards.escape(t("no_match", "de"))  # the ways on


@pytest.mark.parametrize(
    ("members", "locale", "language", "where"),
    [([{"id": BOT_ID}], None, "de", "channel"),
     ([{"id": "29:1new-colleague", "name": "Neu"}], "de-DE", "de", "channel"),
     ([{"id": BOT_ID}, {"id": USER["id"]}], "en-US", "en", "personal")],
    ids=["bot-installed", "member-joined", "english-client"],
)
def test_welcome_card(bot: TeamsClient, connector: FakeConnector, engine: Engine,
                      members: list[dict], locale: str | None, language: str,
                      where: str) -> None:
    reply = ask(bot, connector, members_added(connector.url, members, where, locale=locale))
    card = card_of(reply)
    texts = texts_of(card)
    assert cards.escape(t("welcome", language)) in texts  # type: ignore[arg-type]
    assert all(f"**{cards.escape(d)}**" in texts for d in engine.by_department())
    assert visible(card)["role-list"] is False  # one click away
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert len(asks) == 3
    connector.wait_messages(1)
    assert len(connector.messages()) == 1  # one card, however many joined


def test_expect_replies_returns_the_card_in_the_response(
    bot: TeamsClient, connector: FakeConnector
) -> None:
    activity = personal_message(connector.url, "Was macht ein Vertriebsleiter?",
                                deliveryMode="expectReplies")
    status, body = bot.post(activity)
    assert status == 200
    [reply] = [a for a in body["activities"] if a["type"] == "message"]
    assert texts_of(card_of(reply))[0] == "Vertriebsleiter"
    assert connector.recorded == []


class BrokenEngine:
    """The real engine, except that answering fails."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def answer(self, question: str, *, top_k: int | None = None) -> Answer:
        raise RuntimeError("index exploded")


def test_failure_gets_a_short_error_with_a_reference(
    start_bot: StartBot, anonymous_settings: Settings, engine: Engine,
    connector: FakeConnector, caplog: pytest.LogCaptureFixture,
) -> None:
    bot = start_bot(anonymous_settings, BrokenEngine(engine))
    with caplog.at_level(logging.ERROR, logger="bot.teams.handlers"):
        reply = ask(bot, connector, personal_message(connector.url, "Was macht der CMO?"))
    match = re.search(r"Referenz: ([0-9a-f]{12})", reply["text"])
    assert match, reply["text"]
    assert "index exploded" not in reply["text"] and "Traceback" not in reply["text"]
    [record] = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert record.exc_info and "index exploded" in str(record.exc_info[1])


def test_served_by_the_shared_web_app(
    start_bot: StartBot, anonymous_settings: Settings, engine: Engine,
    connector: FakeConnector,
) -> None:
    from bot.server import create_web_app

    bot = start_bot(anonymous_settings, engine,
                          app=create_web_app(anonymous_settings,
                                             compose.conversation(anonymous_settings, engine)))
    reply = ask(bot, connector, personal_message(connector.url, "Was macht ein CMO?"))
    assert texts_of(card_of(reply))[0] == "Leiter Marketing"


def test_a_repeated_activity_is_answered_once(bot: TeamsClient, connector: FakeConnector
                                              ) -> None:
    activity = personal_message(connector.url, "Was macht ein Sales Manager?")
    assert bot.post(activity)[0] == 202
    assert bot.post(activity)[0] == 202  # the same activity id again (a redelivery)
    other = personal_message(connector.url, "Was macht ein Sales Manager?")
    assert bot.post(other)[0] == 202
    assert len(connector.wait_messages(2)) == 2
    assert len(connector.messages()) == 2  # each POST returns after its reply went out


def test_bericht_for_admins_only(start_bot: StartBot, anonymous_settings: Settings,
                                 engine: Engine, connector: FakeConnector,
                                 tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    settings = reconfigure(anonymous_settings, {"admins": [USER["aadObjectId"]]})
    bot = start_bot(settings, engine, store=store)
    ask(bot, connector, personal_message(connector.url, "Wo ist die Kantine?"))
    report = ask(bot, connector, personal_message(connector.url, "bericht"))
    assert report["text"].startswith(cards.markdown(t("report_header", days=30)))
    assert "Kantine" in report["text"]
    store.close()
    others = start_bot(anonymous_settings, engine, store=sqlite_store(tmp_path / "other"))
    reply = ask(others, connector, personal_message(connector.url, "bericht"))
    assert t("report_header", days=30)[:20] not in json.dumps(reply, ensure_ascii=False)
