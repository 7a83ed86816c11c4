"""Onboarding: the App Home tab, and a welcome DM for people joining the onboarding
channel (setting ``ROLLE_ONBOARDING_CHANNEL``: a channel ID like ``C0123ABCD`` or a
name like ``#onboarding``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.listeners import acknowledge, bind
from bot.slack.responder import Responder, constant, deliver, new_request_id
from bot.slack.targets import direct_message_target
from bot.slack.views import home_view, welcome_message

log = logging.getLogger(__name__)
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,}")


class OnboardingChannel:
    """The configured onboarding channel, given by ID or by name."""

    def __init__(self, setting: str | None) -> None:
        """Remember the setting; names are resolved when the first join arrives."""
        self.wanted = (setting or "").strip().lstrip("#")
        self._names: dict[str, str] = {}

    async def matches(self, channel_id: str | None, client: AsyncWebClient) -> bool:
        """Whether ``channel_id`` is the onboarding channel (looks its name up once)."""
        if not self.wanted or not channel_id:
            return False
        if channel_id == self.wanted or _CHANNEL_ID.fullmatch(self.wanted):
            return channel_id == self.wanted
        name = self._names.get(channel_id)
        if name is None:
            info = await client.conversations_info(channel=channel_id)
            name = str(info["channel"].get("name", ""))
            if len(self._names) > 1000:
                self._names.clear()
            self._names[channel_id] = name
        return name.lower() == self.wanted.lower()


def register(app: AsyncApp, responder: Responder) -> None:
    """Listen for ``app_home_opened`` and ``member_joined_channel``."""
    onboarding = OnboardingChannel(responder.settings.onboarding_channel)
    app.event("app_home_opened")(ack=acknowledge, lazy=[bind(publish_home, responder=responder)])
    app.event("member_joined_channel")(
        ack=acknowledge,
        lazy=[bind(welcome_member, responder=responder, onboarding=onboarding)],
    )


async def publish_home(
    event: dict[str, Any], client: AsyncWebClient, *, responder: Responder
) -> None:
    """Publish the Home tab for the user who opened it."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    try:
        view = home_view(responder.engine.by_department())
        await client.views_publish(user_id=event["user"], view=view)
    except Exception:
        log.exception("request_id=%s: publishing the App Home failed", new_request_id())


async def welcome_member(
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    *,
    responder: Responder,
    onboarding: OnboardingChannel,
) -> None:
    """Send the welcome DM to someone who joined the onboarding channel."""
    user = event.get("user")
    if not user or user == context.bot_user_id:
        return
    request_id = new_request_id()
    try:
        if not await onboarding.matches(event.get("channel"), client):
            return
    except Exception:
        log.exception("request_id=%s: looking up the onboarding channel failed", request_id)
        return
    log.info("request_id=%s user=%s joined the onboarding channel: welcome DM", request_id, user)

    message = welcome_message(responder.engine.by_department())
    await deliver(direct_message_target(client, user).send, constant(message),
                  request_id=request_id)
