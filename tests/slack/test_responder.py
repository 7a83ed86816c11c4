"""The Slack responder: the reply goes to the target, the rate-limit note privately and
once, and any failure becomes the German error with a logged reference."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.ratelimit import RateLimiter
from bot.records import Records
from bot.slack.deps import SlackDeps
from bot.slack.kit import Message
from bot.slack.onboarding import OnboardingChannel
from bot.slack.responder import answer, deliver
from bot.slack.targets import Target
from bot.wording import t
from tests.conftest import make_settings
from tests.support.stub_engine import StubEngine


def run_answers(questions: list[str], per_minute: int) -> tuple[list[str], list[str]]:
    conversation = Conversation(StubEngine(), limiter=RateLimiter(per_minute))
    deps = SlackDeps(conversation=conversation, settings=make_settings(Path("unused")),
                     onboarding=OnboardingChannel(None), records=Records(None))
    public: list[str] = []
    private: list[str] = []

    async def send(message: Message) -> None:
        public.append(message.text)

    async def note(message: Message) -> None:
        private.append(message.text)

    async def main() -> None:
        for question in questions:
            await answer(deps, question, user="U1", target=Target(send=send, private=note),
                         request_id="r1", surface="dm")

    asyncio.run(main())
    return public, private


def test_rate_limit_note_goes_privately_and_once() -> None:
    public, private = run_answers(["hilfe", "Sales Manager", "Vertrieb?", "Vertrieb??"], 1)
    assert public[0] == t("help", "de")
    assert public[1].startswith("Sales Manager")
    assert private == [t("rate_limited", "de")]  # the fourth is dropped quietly
    assert len(public) == 2


def test_deliver_sends_the_error_when_building_fails(caplog: pytest.LogCaptureFixture) -> None:
    sent: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message.text)

    async def build() -> Message:
        raise KeyError("boom")

    asyncio.run(deliver(send, build, request_id="abc123"))
    assert sent == [t("error", "de", request_id="abc123")]
    assert "request_id=abc123" in caplog.text


def test_a_failing_slack_api_is_logged_and_not_called_again(
        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    async def send(message: Message) -> None:
        calls.append(message.text)
        raise ConnectionError("Slack is down")

    async def build() -> Message:
        return Message(text="x")

    assert asyncio.run(deliver(send, build, request_id="r9")) is False
    assert calls == ["x"]  # no error note into the same failing API
    assert "request_id=r9: delivering the reply to Slack failed" in caplog.text
