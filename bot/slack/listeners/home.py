"""Onboarding: the App Home tab, and a welcome DM for people joining the onboarding
channel (setting ``ROLLE_ONBOARDING_CHANNEL``: a channel ID like ``C0123ABCD`` or a
name like ``#onboarding``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import new_request_id
from bot.logs import failure
from bot.slack.deps import after_ack, deps_of
from bot.slack.listeners import APP_HOME_OPENED, MEMBER_JOINED
from bot.slack.responder import constant, deliver
from bot.slack.targets import API_FAILURES, direct_message_target
from bot.slack.views import home_view, welcome_message

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Listen for ``app_home_opened`` and ``member_joined_channel``."""
    app.event(APP_HOME_OPENED)(after_ack(publish_home))
    app.event(MEMBER_JOINED)(after_ack(welcome_member))


async def publish_home(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """Publish the Home tab for the user who opened it."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    conversation = deps_of(context).conversation
    try:
        gaps = None
        if conversation.is_admin(event["user"]):
            gaps = await asyncio.to_thread(conversation.gaps)
        view = home_view(conversation.engine.by_department(), gaps=gaps)
        await client.views_publish(user_id=event["user"], view=view)
    except Exception as error:
        failure(log, error, API_FAILURES, "request_id=%s: publishing the App Home failed",
                new_request_id())


async def welcome_member(
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Send the welcome DM to someone who joined the onboarding channel."""
    deps = deps_of(context)
    user = event.get("user")
    if not user or user == context.bot_user_id:
        return
    request_id = new_request_id()
    try:
        if not await deps.onboarding.matches(event.get("channel"), client):
            return
    except Exception as error:
        failure(log, error, API_FAILURES,
                "request_id=%s: looking up the onboarding channel failed", request_id)
        return
    log.info("request_id=%s user=%s joined the onboarding channel: welcome DM", request_id, user)

    conversation = deps.conversation
    message = welcome_message(conversation.engine.by_department(),
                              conversation.tour_departments())
    await deliver(direct_message_target(client, user).send, constant(message),
                  request_id=request_id)
