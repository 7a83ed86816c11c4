"""Smoke test with the real engine (packaged model, real index) behind the Teams adapter."""

from __future__ import annotations

from bot.config import Settings
from bot.core.engine import Engine
from tests.teams.conftest import StartBot
from tests.teams.harness import FakeConnector, card_of, personal_message, texts_of


def test_personal_question_is_answered_by_the_real_engine(
        start_bot: StartBot, anonymous_settings: Settings, real_engine: Engine,
        connector: FakeConnector) -> None:
    bot = start_bot(anonymous_settings, real_engine)
    status, _ = bot.post(personal_message(connector.url, "Was macht ein Vertriebsleiter?"))
    assert status == 202
    [reply] = connector.wait_messages(1)
    texts = texts_of(card_of(reply))
    assert texts[0] == "Vertriebsleiter"
    assert texts[1] == "Deine Frage: Was macht ein Vertriebsleiter?"
