"""Which Slack message events are a person asking the bot something."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.markup import mentions

# Message subtypes that are still a person writing (edits, joins etc. are not).
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


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


def should_answer(event: dict[str, Any], bot_user_id: str | None, deps: SlackDeps) -> bool:
    """Whether the bot answers this ``app_mention`` or ``message`` event: a person wrote
    it, and it mentions the bot, is a direct message, or follows up in a thread the bot
    answers in."""
    if not is_from_person(event, bot_user_id) or not event.get("channel") or \
            not event.get("ts"):
        return False
    if event.get("type") == "app_mention" or is_direct(event):
        return True
    thread_ts = event.get("thread_ts")
    return mentions(event.get("text") or "", bot_user_id) or (
        thread_ts is not None and deps.records.in_thread(str(event["channel"]), thread_ts))
