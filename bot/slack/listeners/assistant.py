"""Slack's assistant panel, with Bolt's assistant utilities: a greeting with suggested
prompts when a thread starts (``say``, ``set_suggested_prompts``), and answers to
messages in the assistant thread (``set_status`` while looking, then ``say``)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.say.async_say import AsyncSay
from slack_bolt.context.set_status.async_set_status import AsyncSetStatus
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import (
    AsyncSetSuggestedPrompts,
)
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant

from bot.conversation import new_request_id
from bot.logs import failure
from bot.slack import durable
from bot.slack.deps import after_ack, deps_of
from bot.slack.keys import thread_key
from bot.slack.kit import Message
from bot.slack.markup import question_from
from bot.slack.messages import is_from_person
from bot.slack.responder import answer
from bot.slack.targets import API_FAILURES, Target
from bot.slack.views import assistant_prompts
from bot.wording import t

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Add the assistant middleware with our greeting and answer listeners."""
    assistant = AsyncAssistant()
    assistant.thread_started(after_ack(greet))
    assistant.thread_context_changed(keep_no_context)
    assistant.user_message(after_ack(answer_in_thread))
    app.assistant(assistant)


async def keep_no_context() -> None:
    """Ignore which channel the user is looking at: answers do not depend on it.

    (Bolt's default would store that context in message metadata, costing two Web API
    calls per channel switch.)
    """


async def greet(context: AsyncBoltContext, say: AsyncSay,
                set_suggested_prompts: AsyncSetSuggestedPrompts) -> None:
    """Say hello in a new assistant thread and offer the example questions (``context``
    carries the worker this runs in)."""
    try:
        await say(t("assistant_greeting"))
        await set_suggested_prompts(prompts=assistant_prompts(),
                                    title=t("assistant_prompts_title"))
    except Exception as error:
        failure(log, error, API_FAILURES,
                "request_id=%s: greeting in the assistant thread failed", new_request_id())


async def answer_in_thread(
    payload: dict[str, Any], context: AsyncBoltContext, say: AsyncSay,
    set_status: AsyncSetStatus,
) -> None:
    """A question in the assistant thread: show a status while looking, then answer."""
    deps = deps_of(context)
    channel, ts, user = payload.get("channel"), payload.get("ts"), payload.get("user")
    if not is_from_person(payload, context.bot_user_id) or not ts or not user:
        return
    if not channel or not deps.records.claim(f"slack:message:{channel}:{ts}"):
        return
    request_id = new_request_id()
    try:
        await set_status(t("looking"))
    except Exception:  # the status is a nicety; the answer matters
        log.warning("request_id=%s: assistant status could not be set", request_id)

    async def send(message: Message) -> None:
        await say(**message.kwargs())

    thread_ts = payload.get("thread_ts")
    key = durable.message_key(channel, ts)
    with deps.leases.answering(key):
        await answer(deps, question_from(payload.get("text"), context.bot_user_id),
                     user=user, target=Target(send=send, private=send),
                     request_id=request_id, surface="assistant", thread=thread_key(
                         str(channel), str(thread_ts) if thread_ts else None, user=str(user),
                         direct=True))
        await durable.answered(deps, key)
