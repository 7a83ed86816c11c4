"""Build the Bolt app: ``create_app(settings, engine)``.

HTTP mode (``/slack/events``, requests verified with ``SLACK_SIGNING_SECRET``) unless
``SLACK_APP_TOKEN`` is set, then Socket Mode. ``SLACK_API_URL`` points all Web API
calls elsewhere (a proxy, or the fake Slack in the tests).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.errors import RollenbotError
from bot.slack.listeners import actions, assistant, bind, commands, events, home
from bot.slack.responder import Responder

log = logging.getLogger(__name__)


class _SkipTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns that the
    client we pass (with that very token) wins; that warning only confuses admins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_bolt_log = logging.getLogger("bot.slack.bolt")
_bolt_log.addFilter(_SkipTokenWarning())


class SlackConfigError(RollenbotError):
    """The Slack settings are incomplete; the message says which variable to set."""


def check_settings(settings: Settings) -> None:
    """Fail early, and clearly, when a required Slack setting is missing.

    Raises:
        SlackConfigError: naming the variable and where to find its value.
    """
    if not settings.slack_bot_token:
        raise SlackConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from "
            "your Slack app's page, OAuth & Permissions.")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode, i.e. without "
            "SLACK_APP_TOKEN): copy it from your Slack app's page, Basic Information, "
            "App Credentials.")


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, pointed at ``SLACK_API_URL`` when that is set."""
    if settings.slack_api_url:
        base_url = settings.slack_api_url.rstrip("/") + "/"
        return AsyncWebClient(token=settings.slack_bot_token, base_url=base_url)
    return AsyncWebClient(token=settings.slack_bot_token)


def create_app(settings: Settings, engine: Engine) -> AsyncApp:
    """The Bolt app with all Rollenbot listeners registered.

    Args:
        settings: the Slack settings must be complete (see :func:`check_settings`).
        engine: the loaded engine; it is called off the event loop.

    Raises:
        SlackConfigError: a required setting is missing.
    """
    check_settings(settings)
    socket_mode = bool(settings.slack_app_token)
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode connections are authenticated by the app token instead.
        request_verification_enabled=not socket_mode,
        logger=_bolt_log,
    )
    responder = Responder(engine, settings)
    # Before any listener: a retried delivery of an event is acknowledged and dropped.
    app.middleware(bind(skip_repeated_events, responder=responder))
    for module in (assistant, commands, events, actions, home):
        module.register(app, responder)
    return app


async def skip_repeated_events(
    body: dict[str, Any],
    ack: Callable[[], Awaitable[Any]],
    next_: Callable[[], Awaitable[Any]],
    *,
    responder: Responder,
) -> Any:
    """Let each Events API ``event_id`` through once; Slack's retries reuse the id."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not responder.events.claim(str(event_id)):
        log.info("skipping repeated delivery of event %s", event_id)
        return await ack()
    return await next_()
