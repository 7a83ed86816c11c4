"""From a question to a reply in Slack: ask the conversation core (off the event loop),
render its reply, send it where it belongs, and send the German error reply with a
reference when anything fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.conversation import Reply
from bot.core.storage.port import Surface
from bot.logs import failure
from bot.slack.blocks import error_message
from bot.slack.deps import SlackDeps
from bot.slack.kit import Message
from bot.slack.render import render
from bot.slack.targets import API_FAILURES, Target

log = logging.getLogger(__name__)


async def deliver(
    send: Callable[[Message], Awaitable[None]],
    build: Callable[[], Awaitable[Message | None]],
    *,
    request_id: str,
) -> bool:
    """Build a reply and send it.

    When building fails, the German error reply (with ``request_id``) is sent instead.
    When sending fails (after the client's own retries), the failure is logged with
    ``request_id`` and nothing more is sent: the same failing API would fail again.

    Returns:
        Whether a reply (the answer or the error note) reached Slack.
    """
    try:
        message = await build()
    except Exception:
        log.exception("request_id=%s: answering failed", request_id)
        message = error_message(request_id)
    if message is None:
        return True
    try:
        await send(message)
    except Exception as error:
        failure(log, error, API_FAILURES, "request_id=%s: delivering the reply to Slack failed",
                request_id)
        return False
    return True


def constant(message: Message) -> Callable[[], Awaitable[Message]]:
    """A ``build`` for :func:`deliver` that returns a ready message."""

    async def build() -> Message:
        return message

    return build


async def answer(
    deps: SlackDeps,
    question: str,
    *,
    user: str,
    target: Target,
    request_id: str,
    surface: Surface,
    show_question: bool = False,
    share: bool = False,
    thread: str | None = None,
) -> bool:
    """Answer ``question`` from ``user``, asked through ``surface``, at ``target`` (the
    rate-limit note, if any, goes to ``target.private``), as part of the conversation
    ``thread`` (see :mod:`bot.slack.keys`; its follow-ups are read against it).

    Returns:
        Whether the reply reached Slack (see :func:`deliver`).
    """
    try:
        reply: Reply = await asyncio.to_thread(deps.conversation.respond, question, user=user,
                                               platform="slack", surface=surface,
                                               thread=thread)
    except Exception:
        log.exception("request_id=%s: answering failed", request_id)
        return await deliver(target.send, constant(error_message(request_id)),
                             request_id=request_id)
    best = reply.best
    log.info("request_id=%s user=%s kind=%s passage=%s", request_id, user, reply.kind,
             best.id if best else "-")
    if reply.kind == "rate_limited":
        if not reply.notify:
            return True
        return await deliver(target.private, constant(render(reply)), request_id=request_id)
    message = render(reply, show_question=show_question and reply.kind not in ("help", "listing"),
                     share=share)
    return await deliver(target.send, constant(message), request_id=request_id)
