"""Which Slack conversation a message or a click belongs to, as the key its follow-ups
are remembered under (see :mod:`bot.followup`): a thread, the direct message with one
person (also reached from the App Home tab), or one person's slash commands in a
channel (their replies are private)."""

from __future__ import annotations

from typing import Any


def thread_key(channel: str, thread_ts: str | None, *, user: str, direct: bool) -> str:
    """A message's conversation: its thread, else the DM with ``user``, else the channel."""
    if thread_ts:
        return f"slack:{channel}:{thread_ts}"
    return f"slack:dm:{user}" if direct else f"slack:{channel}"


def command_key(channel: str, user: str) -> str:
    """``/rolle`` in a channel: the person's private replies there."""
    return f"slack:command:{channel}:{user}"


def click_key(body: dict[str, Any]) -> str:
    """The conversation of the message whose button was clicked."""
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    channel = str((body.get("channel") or {}).get("id", ""))
    if container.get("type") == "view" or not channel:
        return thread_key("", None, user=user, direct=True)
    if container.get("is_ephemeral"):
        return command_key(channel, user)
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    if channel.startswith("D"):
        return thread_key(channel, thread_ts, user=user, direct=True)
    return thread_key(channel, thread_ts or message.get("ts"), user=user, direct=False)
