"""The responder: what a question turns into, the rate limit, the error reply."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.core.engine import Engine
from bot.slack.blocks import Message
from bot.slack.responder import Responder, Target, deliver
from bot.texts import t


def run_handle(responder: Responder, questions: list[str], user: str = "U1") -> list[str]:
    sent: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message.text)

    async def main() -> None:
        for question in questions:
            await responder.handle(question, user=user, target=Target(send=send, private=send),
                                   request_id="r1")

    asyncio.run(main())
    return sent


def test_help_and_list_do_not_count_against_the_limit(settings: Settings,
                                                      engine: Engine) -> None:
    responder = Responder(engine, settings.model_copy(update={"rate_limit_per_minute": 1}))
    sent = run_handle(responder, ["hilfe", "liste", "help", "Sales Manager", "Vertrieb?",
                                  "Vertrieb??"])
    assert sent[:3] == [t("help", "de"), sent[1], t("help", "en")]
    assert sent[1].startswith(t("list_header", "de"))
    assert sent[3].startswith("Sales Manager")
    assert sent[4] == t("rate_limited", "de")
    assert len(sent) == 5  # the sixth is dropped quietly


def test_role_name_shows_the_role_with_related_ones(settings: Settings,
                                                    engine: Engine) -> None:
    message = asyncio.run(Responder(engine, settings).compose("vertriebsleiter"))
    assert message.blocks[0]["text"]["text"] == "Vertriebsleiter"
    related = engine.get("vertriebsleiter")
    assert related is not None
    shown = [e["value"] for b in message.blocks if b["type"] == "actions"
             for e in b["elements"] if e["action_id"].startswith("show_passage")]
    assert shown == list(related.related[:2])
    assert any("Verwandt" in str(b) for b in message.blocks)


def test_deliver_sends_the_error_when_building_fails(caplog: pytest.LogCaptureFixture) -> None:
    sent: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message.text)

    async def build() -> Message:
        raise KeyError("boom")

    asyncio.run(deliver(send, build, request_id="abc123"))
    assert sent == [t("error", "de", request_id="abc123")]
    assert "request_id=abc123" in caplog.text


def test_deliver_survives_when_even_the_error_cannot_be_sent(
        caplog: pytest.LogCaptureFixture) -> None:
    async def send(message: Message) -> None:
        raise ConnectionError("Slack is down")

    async def build() -> Message:
        return Message(text="x")

    asyncio.run(deliver(send, build, request_id="r9"))
    assert "sending the error reply failed too" in caplog.text
