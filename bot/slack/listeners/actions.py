"""Button clicks: show a passage, ask an example question (or any other way on), share
an answer into the channel, feedback (stored with its question; the message is updated
in place; the "Was hat gefehlt?" line is added to the 👎), "Ganze Beschreibung" /
"Kurzfassung" (the message is replaced by its full or short version), "Keins davon"
(recorded as a miss; the "Meinst du …?" is replaced by the ways on), and the guided
tour's buttons (the tour message is replaced by the next view). Each value is a button
of :mod:`bot.buttons`; what a click leads to is decided by the conversation core
(:meth:`~bot.conversation.Conversation.click`), a message is only rendered here."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.buttons import (
    Ask,
    Button,
    ButtonKind,
    Decline,
    Missing,
    Rating,
    Share,
    ShowPassage,
    Toggle,
    TourStep,
)
from bot.conversation import Conversation, Reply, new_request_id
from bot.core.storage.port import Surface
from bot.logs import failure
from bot.slack.blocks import (
    ACTION_ASK,
    ACTION_DECLINE,
    ACTION_FULL,
    ACTION_HELPFUL,
    ACTION_MISSING,
    ACTION_NOT_HELPFUL,
    ACTION_SHARE,
    ACTION_SHOW,
    MISSING_BLOCK,
    Message,
    error_message,
    text_message,
)
from bot.slack.deps import after_ack, deps_of
from bot.slack.keys import click_key
from bot.slack.render import render
from bot.slack.responder import answer, constant, deliver
from bot.slack.targets import (
    API_FAILURES,
    click_target,
    post_to_response_url,
    response_url_target,
)
from bot.slack.tour import ACTION_TOUR
from bot.slack.values import read_value
from bot.wording import t

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Listen for the buttons that :mod:`bot.slack.blocks` and ``views`` create."""
    show = re.compile(rf"^{ACTION_SHOW}(\..*)?$")
    ask = re.compile(rf"^{ACTION_ASK}(\..*)?$")
    feedback = re.compile(rf"^({ACTION_HELPFUL}|{ACTION_NOT_HELPFUL})$")
    app.action(ACTION_MISSING)(after_ack(record_missing))
    app.action(show)(after_ack(show_passage))
    app.action(ask)(after_ack(ask_example))
    app.action(ACTION_SHARE)(after_ack(share_answer))
    app.action(feedback)(after_ack(record_feedback))
    app.action(ACTION_FULL)(after_ack(toggle_full))
    app.action(ACTION_DECLINE)(after_ack(decline))
    app.action(re.compile(rf"^{ACTION_TOUR}\.[a-z]+(\.\d+)?$"))(after_ack(tour_click))


def _surface(body: dict[str, Any]) -> Surface:
    """Where a clicked message is: a slash command's private reply, a DM, a channel."""
    if (body.get("container") or {}).get("is_ephemeral"):
        return "slash"
    return "dm" if (body.get("channel") or {}).get("id", "D").startswith("D") else "mention"


def _user(body: dict[str, Any]) -> str:
    return str(body.get("user", {}).get("id", ""))


def _decide(conversation: Conversation, kind: ButtonKind, button: Button | None,
            body: dict[str, Any], comment: str | None = None) -> Reply:
    """The core's reply to the click (``button`` None: its value was no button of ours).
    Blocking: call it in a worker thread."""
    if button is None:
        log.info("a %s click whose value is no button of ours", kind)
        return conversation.refused(kind, user=_user(body) or None)
    return conversation.click(button, user=_user(body) or None, platform="slack",
                              surface=_surface(body), thread=click_key(body), comment=comment)


async def show_passage(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """Show the passage the button names, to the person who clicked."""
    conversation = deps_of(context).conversation
    button = read_value(action.get("value"), ShowPassage)

    async def build() -> Message:
        return render(await asyncio.to_thread(_decide, conversation, "show", button, body))

    await deliver(click_target(body, client, respond).send, build, request_id=new_request_id())


async def ask_example(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """Ask the line on the button (an example, or a way on), as if the clicker had
    typed it."""
    button = read_value(action.get("value"), Ask)
    await answer(
        deps_of(context),
        button.text if button else "",
        user=_user(body),
        target=click_target(body, client, respond),
        request_id=new_request_id(),
        surface=_surface(body),
        show_question=True,
        thread=click_key(body),
    )


async def share_answer(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    respond: AsyncRespond,
) -> None:
    """Post the answer from an ephemeral reply visibly, naming who shared it."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    user = _user(body)
    if not body.get("response_url"):  # the button only exists on ephemeral answers
        log.warning("request_id=%s: a share click without a response_url ignored", request_id)
        return
    try:
        button = read_value(action.get("value"), Share)
        if button is None:
            raise ValueError(f"not a share button: {action.get('value')!r:.200}")
        reply = await asyncio.to_thread(_decide, conversation, "share", button, body)
        if not reply.quotes:
            raise LookupError(f"none of the passages {button.answer.passages} exists any more")
        message = render(reply, shared_by=user)
        await post_to_response_url(respond, message, response_type="in_channel",
                                   replace_original=False)
        log.info("request_id=%s user=%s shared passage=%s", request_id, user, reply.shown[0].id)
    except Exception as error:
        # An old or forged button (ValueError, LookupError) is no bug.
        failure(log, error, (ValueError, LookupError, *API_FAILURES),
                "request_id=%s: sharing failed", request_id)
        await deliver(response_url_target(respond, keep_original=True).send,
                      constant(error_message(request_id)), request_id=request_id)


async def toggle_full(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Ganze Beschreibung" / "Kurzfassung": replace the answer with the version the
    button names (the whole passage, or its gist again). Without a message to replace,
    the full version goes to the clicker privately; without the answer (an old or broken
    button), the ways on."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    button = read_value(action.get("value"), Toggle)
    reply = await asyncio.to_thread(_decide, conversation, "full", button, body)
    log.info("request_id=%s toggle full=%s passages=%s", request_id,
             button.answer.full if button else None, button.answer.passages if button else None)
    if button is None or not reply.quotes:
        await deliver(click_target(body, client, respond).private, constant(render(reply)),
                      request_id=request_id)
        return
    ref = button.answer
    message = render(reply, show_question=ref.echo, share=ref.share, shared_by=ref.shared_by)
    if await _replaced(body, respond, message, request_id, "the message"):
        return
    await deliver(click_target(body, client, respond).private, constant(message),
                  request_id=request_id)


async def _replaced(body: dict[str, Any], respond: AsyncRespond, message: Message,
                    request_id: str, what: str) -> bool:
    """Replace the clicked message in place through its ``response_url``; False when
    the click has none or replacing failed (logged), so the caller delivers otherwise."""
    if not body.get("response_url"):
        return False
    try:
        await post_to_response_url(respond, message, replace_original=True)
    except Exception as error:
        failure(log, error, API_FAILURES, "request_id=%s: replacing %s failed", request_id, what)
        return False
    return True


async def record_feedback(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """👍/👎: store the verdict and replace the buttons on that very message with a
    thanks (after 👎 also the optional "Was hat gefehlt?" line)."""
    await _feedback(body, context, client, respond, "feedback",
                    read_value(action.get("value"), Rating))


async def record_missing(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Senden" under "Was hat gefehlt?": the line is added to the 👎 (no second
    verdict), then thanks."""
    values = ((body.get("state") or {}).get("values") or {}).get(MISSING_BLOCK) or {}
    comment = str((values.get(MISSING_BLOCK) or {}).get("value") or "").strip()
    await _feedback(body, context, client, respond, "missing",
                    read_value(action.get("value"), Missing), comment=comment or None)


async def _feedback(
    body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient,
    respond: AsyncRespond, kind: ButtonKind, button: Rating | Missing | None,
    comment: str | None = None,
) -> None:
    """The core stores the feedback; the message is shown again in its place with the
    thanks (no message to replace, or no answer to show: thanks privately)."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    reply = await asyncio.to_thread(_decide, conversation, kind, button, body, comment)
    ref = button.answer if button else None
    what = f"verdict={button.verdict}" if isinstance(button, Rating) else (
        f"comment={bool(comment)}" if button else "refused")
    log.info("request_id=%s feedback %s passage=%s question_id=%s", request_id, what,
             ref.passages[0] if ref else "-", ref.question_id if ref else None)
    if ref is not None and reply.quotes:
        message = render(reply, show_question=ref.echo, share=ref.share,
                         shared_by=ref.shared_by)
        if await _replaced(body, respond, message, request_id, "the message after feedback"):
            return
    await deliver(click_target(body, client, respond).private,
                  constant(text_message(t("thanks_feedback", reply.language))),
                  request_id=request_id)


async def decline(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Keins davon": the question is recorded as a miss, and the "Meinst du …?" is
    replaced by the ways on (each department's roles and topics, the tour, help)."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    button = read_value(action.get("value"), Decline)
    log.info("request_id=%s none of the candidates fitted, question_id=%s", request_id,
             button.question_id if button else None)
    message = render(await asyncio.to_thread(_decide, conversation, "decline", button, body))
    if await _replaced(body, respond, message, request_id, "the clarify message"):
        return
    await deliver(click_target(body, client, respond).send, constant(message),
                  request_id=request_id)


async def tour_click(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """A guided-tour button: the next view replaces the clicked message in place
    (through its ``response_url``); a department button on the welcome message (``keep``)
    starts the tour in a new message below it, so the welcome stays."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    button = read_value(action.get("value"), TourStep)
    log.info("request_id=%s user=%s tour action=%s department=%.60r position=%s",
             request_id, _user(body), button.action if button else None,
             button.department if button else None, button.position if button else None)

    try:  # decided once: the move is stored, so it must not run again on a retry
        message = render(await asyncio.to_thread(_decide, conversation, "tour", button, body))
    except Exception:
        log.exception("request_id=%s: the tour step failed", request_id)
        message = error_message(request_id)
    if not (button and button.keep) and await _replaced(body, respond, message, request_id,
                                                        "the tour message"):
        return
    await deliver(click_target(body, client, respond).send, constant(message),
                  request_id=request_id)
