"""Where a reply goes, depending on how the question reached the bot.

* slash command: the command's ``response_url``, ephemeral;
* channel message: a thread under it (notes only for the asker: ``chat.postEphemeral``);
* direct message or assistant thread: the same conversation (and thread);
* button click: next to the clicked message (in its thread), visible to the clicker
  only; from the App Home tab, a direct message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.kit import Message

log = logging.getLogger(__name__)
Send = Callable[[Message], Awaitable[None]]
RESPONSE_URL_ATTEMPTS = 4


@dataclass(frozen=True)
class Target:
    """Where replies go: ``send`` for the answer, ``private`` for notes to the asker only."""

    send: Send
    private: Send


class ResponseUrlError(RuntimeError):
    """Slack did not accept a post to a ``response_url``."""


# How a call to Slack fails when Slack refuses it or cannot be reached (after the
# client's retries): logged as one line, never with a traceback.
API_FAILURES: tuple[type[BaseException], ...] = (
    SlackClientError, ResponseUrlError, aiohttp.ClientError, TimeoutError)


async def post_to_response_url(respond: AsyncRespond, message: Message, **options: Any) -> None:
    """``respond(...)``, retried on 429 (after ``Retry-After``, at most 10 s) and 5xx
    (after 0.5, 1, 2 s); raising when Slack still answers anything but 200."""
    for attempt in range(RESPONSE_URL_ATTEMPTS):
        response = await respond(**message.kwargs(), **options)
        status = response.status_code
        if status == 200:
            return
        if (status != 429 and status < 500) or attempt == RESPONSE_URL_ATTEMPTS - 1:
            break
        await asyncio.sleep(_retry_after(response.headers, default=0.5 * 2 ** attempt))
    raise ResponseUrlError(f"response_url answered {status}: {response.body!r:.200}")


def _retry_after(headers: Any, default: float) -> float:
    """Seconds from a ``Retry-After`` header (bounded), else ``default``."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return min(max(float(raw), 0.0), 10.0)
            except ValueError:
                break
    return default


def response_url_target(respond: AsyncRespond, *, keep_original: bool = False) -> Target:
    """Ephemeral replies through ``response_url`` (slash commands, ephemeral messages)."""
    options: dict[str, Any] = {"response_type": "ephemeral"}
    if keep_original:
        options["replace_original"] = False

    async def send(message: Message) -> None:
        await post_to_response_url(respond, message, **options)

    return Target(send=send, private=send)


def conversation_target(
    client: AsyncWebClient, channel: str, user: str, thread_ts: str | None, *, is_im: bool,
    metadata: dict[str, Any] | None = None,
) -> Target:
    """Replies in a conversation, optionally in a thread; ``metadata`` goes with the
    answer (not with private notes)."""

    async def send(message: Message) -> None:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, metadata=metadata,
                                      **message.kwargs())

    async def private(message: Message) -> None:
        await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts,
                                        **message.kwargs())

    return Target(send=send, private=send if is_im else private)


def direct_message_target(client: AsyncWebClient, user: str) -> Target:
    """Replies in the bot's direct message with ``user`` (opened if needed)."""

    async def send(message: Message) -> None:
        try:
            opened = await client.conversations_open(users=user)
            channel = (opened.get("channel") or {}).get("id") or user
        except SlackApiError as error:
            # A user ID as channel also reaches the app's DM (its Messages tab).
            data = getattr(error.response, "data", error.response)  # text from a proxy
            log.warning("conversations.open for %s failed (%s): posting to the user ID",
                        user, data.get("error") if isinstance(data, dict) else str(data)[:80])
            channel = user
        await client.chat_postMessage(channel=channel, **message.kwargs())

    return Target(send=send, private=send)


def click_target(body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> Target:
    """Where the reply to a button click goes (see the module docstring)."""
    user = body.get("user", {}).get("id", "")
    container = body.get("container") or {}
    if container.get("type") == "view" or not body.get("channel"):
        return direct_message_target(client, user)
    if container.get("is_ephemeral") and body.get("response_url"):
        return response_url_target(respond, keep_original=True)
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    target = conversation_target(client, channel, user, thread_ts,
                                 is_im=channel.startswith("D"))
    # In a channel, what one person clicks is shown to that person only.
    return Target(send=target.private, private=target.private)
