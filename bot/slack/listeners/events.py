"""Mentions in channels, direct messages and follow-ups in threads the bot answers in.

Slack delivers a channel mention twice (``app_mention`` and ``message``) and retries
events; every message is answered once (see :mod:`bot.records`), and a question that
was acknowledged is answered even after a crash (see :mod:`bot.slack.durable`).
Messages from bots, including this one, are never answered.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import new_request_id
from bot.slack import durable
from bot.slack.deps import after_ack, deps_of
from bot.slack.keys import thread_key
from bot.slack.listeners import APP_MENTION, MESSAGE
from bot.slack.markup import question_from
from bot.slack.messages import is_direct, should_answer
from bot.slack.responder import answer
from bot.slack.targets import conversation_target


def register(app: AsyncApp) -> None:
    """Listen for ``app_mention`` and ``message`` events."""
    app.event(APP_MENTION)(after_ack(answer_event))
    app.event(MESSAGE)(after_ack(answer_event))


async def answer_event(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Answer one message event (in a thread under a channel message, in the DM), unless
    it is not for the bot or already being answered."""
    deps = deps_of(context)
    if not should_answer(event, context.bot_user_id, deps):
        return
    channel, ts, user = str(event["channel"]), str(event["ts"]), str(event["user"])
    # Claimed before any await: of two deliveries of one message, exactly one passes.
    if not deps.records.claim(f"slack:message:{channel}:{ts}"):
        return
    direct = is_direct(event)
    thread_ts = event.get("thread_ts") or (None if direct else ts)
    if thread_ts is not None and not direct:
        deps.records.remember_thread(channel, thread_ts)
    key = durable.message_key(channel, ts)
    target = conversation_target(client, channel, user, thread_ts, is_im=direct,
                                 metadata=durable.metadata(key))
    with deps.leases.answering(key):
        await answer(deps, question_from(event.get("text"), context.bot_user_id), user=user,
                     target=target, request_id=new_request_id(),
                     surface="dm" if direct else "mention",
                     thread=thread_key(channel, thread_ts, user=user, direct=direct))
        await durable.answered(deps, key)
