"""Mentions in channels, direct messages and follow-ups in threads the bot answers in.

Slack delivers a channel mention twice (``app_mention`` and ``message``) and retries
events; every message is answered once (see :mod:`bot.records`). Messages from
bots, including this one, are never answered.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import new_request_id
from bot.slack.deps import acknowledge, deps_of, lazy
from bot.slack.listeners import APP_MENTION, MESSAGE
from bot.slack.markup import mentions, question_from
from bot.slack.responder import answer
from bot.slack.targets import conversation_target

# Message subtypes that are still a person writing (edits, joins etc. are not).
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def register(app: AsyncApp) -> None:
    """Listen for ``app_mention`` and ``message`` events."""
    app.event(APP_MENTION)(ack=acknowledge, lazy=[lazy(answer_mention)])
    app.event(MESSAGE)(ack=acknowledge, lazy=[lazy(answer_message)])


def is_from_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Whether a message event was written by a person other than this bot."""
    return (
        event.get("subtype") in _PERSON_SUBTYPES
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
    )


def is_direct(event: dict[str, Any]) -> bool:
    """Whether the event happened in a direct message with the bot."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


async def answer_mention(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """``@Rollenbot …`` in a channel: answer in a thread under the message."""
    await answer_event(event, context, client)


async def answer_message(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Any message the bot can see: answer DMs, mentions and follow-ups in its threads."""
    if not is_from_person(event, context.bot_user_id):
        return
    channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
    if (
        is_direct(event)
        or mentions(event.get("text") or "", context.bot_user_id)
        or (thread_ts is not None and deps_of(context).records.in_thread(channel, thread_ts))
    ):
        await answer_event(event, context, client)


async def answer_event(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Answer one message event, unless it is from a bot or already being answered."""
    deps = deps_of(context)
    channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
    if not is_from_person(event, context.bot_user_id) or not channel or not ts or not user:
        return
    # Claimed before any await: of two deliveries of one message, exactly one passes.
    if not deps.records.claim(f"slack:message:{channel}:{ts}"):
        return
    direct = is_direct(event)
    thread_ts = event.get("thread_ts") or (None if direct else ts)
    if thread_ts is not None and not direct:
        deps.records.remember_thread(channel, thread_ts)
    await answer(
        deps,
        question_from(event.get("text"), context.bot_user_id),
        user=user,
        target=conversation_target(client, channel, user, thread_ts, is_im=direct),
        request_id=new_request_id(),
        surface="dm" if direct else "mention",
    )
