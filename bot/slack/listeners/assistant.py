"""Slack's assistant panel (``slack_bolt`` Assistant): a greeting with suggested
prompts when a thread starts, and answers to messages in the assistant thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.listeners import acknowledge, bind
from bot.slack.listeners.events import answer_event
from bot.slack.responder import Responder, new_request_id
from bot.slack.strings import s
from bot.slack.views import assistant_prompts

log = logging.getLogger(__name__)


def register(app: AsyncApp, responder: Responder) -> None:
    """Add the assistant middleware with our greeting and answer listeners."""
    assistant = AsyncAssistant()
    assistant.thread_started(greet)
    assistant.thread_context_changed(keep_no_context)
    answer = bind(answer_event, responder=responder)
    assistant.user_message(lazy=[answer])(acknowledge)  # type: ignore[list-item]
    app.assistant(assistant)


async def keep_no_context() -> None:
    """Ignore which channel the user is looking at: answers do not depend on it.

    (Bolt's default would store that context in message metadata, costing two Web API
    calls per channel switch.)
    """


async def greet(payload: dict[str, Any], client: AsyncWebClient) -> None:
    """Say hello in a new assistant thread and offer the example questions."""
    thread = payload.get("assistant_thread", {})
    channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
    if not channel or not thread_ts:
        return
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                      text=s("assistant_greeting"))
        await client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, thread_ts=thread_ts, prompts=assistant_prompts(),
            title=s("assistant_prompts_title"),
        )
    except Exception:
        log.exception("request_id=%s: greeting in the assistant thread failed",
                      new_request_id())
