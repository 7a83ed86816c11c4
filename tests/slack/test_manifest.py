"""manifest.json stays in step with what the code listens for and calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.slack.listeners import BOT_EVENTS
from bot.slack.listeners.commands import COMMAND
from bot.wording import EXAMPLE_QUESTIONS

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.json"

# Manifest event -> the bot scope Slack requires for it
# (https://docs.slack.dev/reference/events).
EVENT_SCOPES = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "assistant_thread_started": "assistant:write",
    "assistant_thread_context_changed": "assistant:write",
    "member_joined_channel": "channels:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
}
# Web API methods the adapter calls -> their scope.
METHOD_SCOPES = {"chat.postMessage": "chat:write", "chat.postEphemeral": "chat:write",
                 "conversations.open": "im:write", "conversations.info": "channels:read",
                 "assistant.threads.setSuggestedPrompts": "assistant:write",
                 "assistant.threads.setStatus": "assistant:write",
                 "users.list": "users:read"}  # "who is ours" (bot/slack/people.py)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text("utf-8"))


def test_slash_command_and_features(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    prompts = features["assistant_view"]["suggested_prompts"]
    assert [p["message"] for p in prompts] == list(EXAMPLE_QUESTIONS["de"])
    assert len(prompts) <= 4


def test_events_and_scopes_cover_the_listeners(manifest: dict[str, Any]) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # The same constant the listeners register with:
    assert events == {e for delivered in BOT_EVENTS.values() for e in delivered}
    assert events == set(EVENT_SCOPES)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {s for s in [*EVENT_SCOPES.values(), *METHOD_SCOPES.values()] if s}
    assert needed | {"commands", "groups:read"} == scopes


def test_settings_and_limits(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert manifest["features"]["bot_user"]["display_name"] == "Rollenbot"
