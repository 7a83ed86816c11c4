"""Where replies go: slash commands, channels, DMs, clicks from messages and the Home tab."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

import pytest
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.slack_response import SlackResponse

from bot.slack.kit import Message
from bot.slack.targets import (
    ResponseUrlError,
    click_target,
    conversation_target,
    direct_message_target,
    response_url_target,
)
from tests.slack import payloads as p

MESSAGE = Message(text="Antwort", blocks=({"type": "section",
                                           "text": {"type": "mrkdwn", "text": "x"}},))


class Recorder:
    """Stands in for AsyncWebClient and respond(): records calls."""

    def __init__(self, *, open_fails: bool = False, status: int = 200,
                 open_answer: Any = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.open_fails = open_fails
        self.status = status
        self.open_answer = open_answer or {"ok": False, "error": "missing_scope"}

    async def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("chat.postMessage", kwargs))
        return {"ok": True}

    async def chat_postEphemeral(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("chat.postEphemeral", kwargs))
        return {"ok": True}

    async def conversations_open(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("conversations.open", kwargs))
        if self.open_fails:
            raise SlackApiError("nope", self.open_answer)
        return {"ok": True, "channel": {"id": "D0DM"}}

    async def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(("respond", kwargs))
        return type("Response", (), {"status_code": self.status, "body": "ok"})()


def run(step: Awaitable[None]) -> None:
    async def main() -> None:
        await step

    asyncio.run(main())


def client(recorder: Recorder) -> AsyncWebClient:
    return cast(AsyncWebClient, recorder)


def respond(recorder: Recorder) -> AsyncRespond:
    return cast(AsyncRespond, recorder)


def test_slash_command_replies_are_ephemeral() -> None:
    rec = Recorder()
    run(response_url_target(respond(rec)).send(MESSAGE))
    assert rec.calls == [("respond", {**MESSAGE.kwargs(), "response_type": "ephemeral"})]


def test_response_url_failure_raises() -> None:
    with pytest.raises(ResponseUrlError):
        run(response_url_target(respond(Recorder(status=404))).send(MESSAGE))


def test_channel_answers_are_visible_notes_private() -> None:
    rec = Recorder()
    target = conversation_target(client(rec), "C1", "U1", "1.0", is_im=False)
    run(target.send(MESSAGE))
    run(target.private(MESSAGE))
    assert [(m, k["channel"], k["thread_ts"]) for m, k in rec.calls] == [
        ("chat.postMessage", "C1", "1.0"), ("chat.postEphemeral", "C1", "1.0")]
    assert rec.calls[1][1]["user"] == "U1"


def test_dm_falls_back_to_the_user_id_when_open_fails() -> None:
    rec = Recorder(open_fails=True)
    run(direct_message_target(client(rec), "U1").send(MESSAGE))
    assert rec.calls[-1][0] == "chat.postMessage" and rec.calls[-1][1]["channel"] == "U1"
    # An answer that is no JSON (from a proxy in between) is no reason to give up either.
    rec = Recorder(open_fails=True, open_answer=SlackResponse(
        client=None, http_verb="POST", api_url="x", req_args={}, data="<html>502</html>",
        headers={}, status_code=502))
    run(direct_message_target(client(rec), "U1").send(MESSAGE))
    assert rec.calls[-1][0] == "chat.postMessage" and rec.calls[-1][1]["channel"] == "U1"
    rec = Recorder()
    run(direct_message_target(client(rec), "U1").send(MESSAGE))
    assert rec.calls[-1][1]["channel"] == "D0DM"


@pytest.mark.parametrize(("payload", "method", "where"), [
    (p.block_actions("x", "v", container_type="view", channel=None), "chat.postMessage",
     "D0DM"),
    (p.block_actions("x", "v", ephemeral=True, response_url="http://127.0.0.1/r"), "respond",
     None),
    (p.block_actions("x", "v", channel="D0ASKER01", thread_ts="5.0"), "chat.postMessage",
     "D0ASKER01"),
    (p.block_actions("x", "v", thread_ts="5.0"), "chat.postEphemeral", p.CHANNEL),
])
def test_click_replies_go_next_to_the_click(payload: dict[str, Any], method: str,
                                            where: str | None) -> None:
    rec = Recorder()
    run(click_target(payload, client(rec), respond(rec)).send(MESSAGE))
    name, kwargs = rec.calls[-1]
    assert name == method
    if where:
        assert kwargs["channel"] == where
    if method == "respond":
        assert kwargs["replace_original"] is False
    if "thread_ts" in kwargs and where != "D0DM":
        assert kwargs["thread_ts"] == "5.0"
