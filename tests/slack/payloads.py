"""Slack request payloads in their documented shapes.

Events API: https://docs.slack.dev/apis/events-api/ (event_callback envelope);
slash commands: https://docs.slack.dev/interactivity/implementing-slash-commands/;
block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload/.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.buttons import Ask, Button, ShowPassage, TourStep, parse
from bot.slack.values import value as slack_value
from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID

APP_ID = "A0ROLLE01"
CHANNEL = "C0GENERAL"
USER = "U0ASKER01"
_counter = itertools.count(1)


def next_ts() -> str:
    """A fresh message timestamp."""
    return f"1710000000.{next(_counter):06d}"


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The envelope around every Events API event."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": {"event_ts": event.get("ts", next_ts()), **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}",
        "event_time": 1710000000,
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
    }


def app_mention(text: str, *, ts: str, channel: str = CHANNEL, user: str = USER,
                thread_ts: str | None = None) -> dict[str, Any]:
    """``@Rollenbot …`` in a channel."""
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel,
             "team": TEAM_ID, "client_msg_id": f"m-{ts}",
             "blocks": [{"type": "rich_text", "block_id": "b1", "elements": []}]}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def channel_message(text: str, *, ts: str, channel: str = CHANNEL, user: str = USER,
                    thread_ts: str | None = None, **extra: Any) -> dict[str, Any]:
    """A message event in a public channel (``message.channels``)."""
    event = {"type": "message", "channel_type": "channel", "user": user, "text": text,
             "ts": ts, "channel": channel, "team": TEAM_ID, "client_msg_id": f"m-{ts}", **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def im_message(text: str, *, ts: str, user: str = USER, channel: str = "D0ASKER01",
               thread_ts: str | None = None, **extra: Any) -> dict[str, Any]:
    """A direct message to the bot (``message.im``)."""
    event = channel_message(text, ts=ts, channel=channel, user=user, thread_ts=thread_ts,
                            **extra)
    event["channel_type"] = "im"
    return event


def app_home_opened(user: str = USER, tab: str = "home") -> dict[str, Any]:
    """The user opened the app's Home (or Messages) tab."""
    return {"type": "app_home_opened", "user": user, "channel": "D0ASKER01", "tab": tab,
            "event_ts": next_ts()}


def member_joined_channel(user: str, channel: str) -> dict[str, Any]:
    """Someone joined a channel the bot is in."""
    return {"type": "member_joined_channel", "user": user, "channel": channel,
            "channel_type": "C", "team": TEAM_ID, "inviter": "U0INVITER", "event_ts": next_ts()}


def assistant_thread_started(user: str = USER, channel: str = "D0ASKER01",
                             thread_ts: str = "1710000099.000001") -> dict[str, Any]:
    """The user opened the assistant panel."""
    return {"type": "assistant_thread_started",
            "assistant_thread": {"user_id": user, "context": {"channel_id": CHANNEL,
                                                              "team_id": TEAM_ID},
                                 "channel_id": channel, "thread_ts": thread_ts},
            "event_ts": next_ts()}


def slash_command(text: str, response_url: str, *, user: str = USER,
                  channel: str = CHANNEL) -> dict[str, str]:
    """``/rolle <text>`` as Slack posts it."""
    return {
        "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "fake",
        "channel_id": channel, "channel_name": "general", "user_id": user,
        "user_name": "asker", "command": "/rolle", "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def value(button: Button) -> str:
    """A button's value as the bot makes it."""
    return slack_value(button)


def points_at(value: str) -> str:
    """What a button value points at: a passage's id, a line to ask, a tour's department."""
    button = parse(value)
    if isinstance(button, ShowPassage):
        return button.passage
    if isinstance(button, Ask):
        return button.text
    if isinstance(button, TourStep):
        return button.department
    raise AssertionError(f"no show, ask or tour button: {value!r}")


def block_actions(action_id: str, value: str, *, response_url: str | None = None,
                  user: str = USER, channel: str | None = CHANNEL, ephemeral: bool = False,
                  thread_ts: str | None = None, container_type: str = "message"
                  ) -> dict[str, Any]:
    """A button click."""
    user_obj = {"id": user, "username": "asker", "name": "asker", "team_id": TEAM_ID}
    payload: dict[str, Any] = {
        "type": "block_actions", "user": user_obj, "api_app_id": APP_ID,
        "token": "legacy-verification-token", "trigger_id": "1234.5678.abcd",
        "team": {"id": TEAM_ID, "domain": "fake"}, "enterprise": None,
        "is_enterprise_install": False, "state": {"values": {}},
        "actions": [{"action_id": action_id, "block_id": "blk", "value": value,
                     "type": "button", "action_ts": "1710000000.1",
                     "text": {"type": "plain_text", "text": "x", "emoji": True}}],
    }
    ts = next_ts()
    if container_type == "view":
        payload["container"] = {"type": "view", "view_id": "V0HOME001"}
        payload["view"] = {"id": "V0HOME001", "type": "home", "blocks": []}
        return payload
    payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel,
                            "is_ephemeral": ephemeral}
    payload["channel"] = {"id": channel, "name": "general"}
    if response_url:
        payload["response_url"] = response_url
    if not ephemeral:
        message: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "ts": ts,
                                   "text": "…", "blocks": []}
        if thread_ts:
            message["thread_ts"] = thread_ts
            payload["container"]["thread_ts"] = thread_ts
        payload["message"] = message
    return payload
