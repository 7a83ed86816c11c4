"""Button clicks: show a passage, ask an example question (or any other way on), share
an answer into the channel, feedback (stored with its question; the message is updated
in place; the "Was hat gefehlt?" line is added to the 👎), "Ganze Beschreibung" /
"Kurzfassung" (the message is replaced by its full or short version), "Keins davon"
(recorded as a miss; the "Meinst du …?" is replaced by the ways on), and the guided
tour's buttons (the tour message is replaced by the next view). A message is rebuilt
through the conversation core from what its buttons carry, so it looks as it did."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import Conversation, Reply, new_request_id
from bot.core.context import Context
from bot.core.models import Language
from bot.core.storage.port import Surface, Verdict
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
    AnswerRef,
    Feedback,
    Message,
    error_message,
    text_message,
)
from bot.slack.deps import after_ack, deps_of
from bot.slack.keys import click_key
from bot.slack.offers import read_decline
from bot.slack.render import render
from bot.slack.responder import answer, constant, deliver
from bot.slack.targets import (
    API_FAILURES,
    click_target,
    post_to_response_url,
    response_url_target,
)
from bot.slack.tour import ACTION_TOUR, TourRef, parse_action
from bot.texts import t

log = logging.getLogger(__name__)
_PASSAGE_ID = re.compile(r"[\w.-]{1,100}")


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


def _language(action_id: str) -> Language:
    """The UI language a show button was made for (``show_passage.<lang>.<n>``)."""
    parts = action_id.split(".")
    return "en" if len(parts) > 1 and parts[1] == "en" else "de"


async def show_passage(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """Show the passage whose id is the button's value, to the person who clicked."""
    conversation = deps_of(context).conversation
    language = _language(action.get("action_id", ""))
    passage_id = str(action.get("value", ""))
    user = str(body.get("user", {}).get("id", "")) or None

    async def build() -> Message:
        return render(await asyncio.to_thread(
            conversation.show, passage_id, language, user=user, platform="slack",
            surface=_surface(body), thread=click_key(body)))

    await deliver(click_target(body, client, respond).send, build, request_id=new_request_id())


async def ask_example(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """Ask the question on the button (an example, or a "did you mean" candidate), as if
    the clicker had typed it."""
    await answer(
        deps_of(context),
        str(action.get("value", "")),
        user=body.get("user", {}).get("id", ""),
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
    user = body.get("user", {}).get("id", "")
    if not body.get("response_url"):  # the button only exists on ephemeral answers
        log.warning("request_id=%s: a share click without a response_url ignored", request_id)
        return
    try:
        ref = AnswerRef.decode(action.get("value"))
        if ref is None:
            raise ValueError(f"not an answer reference: {action.get('value')!r}")
        reply = await asyncio.to_thread(_restore, conversation, replace(ref, full=False))
        if reply is None:
            raise LookupError(f"none of the passages {ref.passage_ids} exists any more")
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


def ref_context(ref: AnswerRef) -> Context:
    """The reply a button's :class:`AnswerRef` describes, as the core's context."""
    return Context(kind="role" if ref.label == "related" else "answer",
                   shown=ref.passage_ids[:ref.shown], offered=ref.passage_ids[ref.shown:],
                   label=ref.label, comparison=ref.shown == 2, language=ref.language,
                   question=ref.question, question_id=ref.question_id)


def _restore(conversation: Conversation, ref: AnswerRef) -> Reply | None:
    """The reply the reference describes, again from the core (with the people when
    the question asked who holds the role here); None when none of its passages exists
    any more. Blocking (the directory may be read): call it in a worker thread."""
    reply = conversation.restore(ref_context(ref), full=ref.full)
    if reply is None:
        return None
    return conversation.with_people(reply, conversation.engine, "slack")


def _rebuild(conversation: Conversation, ref: AnswerRef, feedback: Feedback) -> Message | None:
    """The answer message the reference describes, in ``feedback`` state."""
    reply = _restore(conversation, ref)
    if reply is None:
        return None
    return render(reply, show_question=ref.echo, share=ref.share, shared_by=ref.shared_by,
                  feedback=feedback)


async def toggle_full(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Ganze Beschreibung" / "Kurzfassung": replace the answer with the version the
    button's reference describes (the whole passage, or its gist again). Without a
    message to replace, the full version goes to the clicker privately."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    ref = AnswerRef.decode(str(action.get("value") or ""))
    message = await asyncio.to_thread(_rebuild, conversation, ref, ref.feedback) if ref else None
    log.info("request_id=%s toggle full=%s passages=%s", request_id,
             ref.full if ref else None, ref.passage_ids if ref else None)
    if message is None:  # an old or broken button: "no answer" and the known roles
        passage_id = ref.passage_ids[0] if ref and ref.passage_ids else ""
        language: Language = ref.language if ref else "de"

        async def build() -> Message:
            return render(await asyncio.to_thread(conversation.show, passage_id, language))

        await deliver(click_target(body, client, respond).private, build,
                      request_id=request_id)
        return
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
    helpful = action.get("action_id") == ACTION_HELPFUL
    await _feedback(action, body, context, client, respond,
                    verdict="helpful" if helpful else "not_helpful",
                    then="thanks" if helpful else "missing")


async def record_missing(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Senden" under "Was hat gefehlt?": the line is added to the 👎 (no second
    verdict), then thanks."""
    values = ((body.get("state") or {}).get("values") or {}).get(MISSING_BLOCK) or {}
    comment = str((values.get(MISSING_BLOCK) or {}).get("value") or "").strip()
    await _feedback(action, body, context, client, respond, verdict=None,
                    then="thanks", comment=comment or None)


async def _feedback(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond, *, verdict: Verdict | None,
    then: Feedback, comment: str | None = None,
) -> None:
    """Store ``verdict`` (None: only ``comment``, added to the earlier 👎) with the
    question the message answered, and show ``then`` in its place."""
    conversation = deps_of(context).conversation
    store = conversation.store
    request_id = new_request_id()
    value = str(action.get("value") or "")
    ref = AnswerRef.decode(value)
    user = body.get("user", {}).get("id", "")
    if ref and ref.question_id and store is not None:
        if verdict is not None:
            await asyncio.to_thread(store.record_feedback, ref.question_id, user_id=user,
                                    verdict=verdict)
        elif comment:
            await asyncio.to_thread(store.record_comment, ref.question_id, user_id=user,
                                    comment=comment)
    passage_id = (ref.passage_ids[0] if ref and ref.passage_ids
                  else value if _PASSAGE_ID.fullmatch(value) else "-")
    if verdict is not None:
        log.info("request_id=%s feedback verdict=%s passage=%s question_id=%s", request_id,
                 verdict, passage_id, ref.question_id if ref else None)
    else:
        log.info("request_id=%s feedback comment=%s passage=%s question_id=%s", request_id,
                 bool(comment), passage_id, ref.question_id if ref else None)
    message = await asyncio.to_thread(_rebuild, conversation, ref, then) if ref else None
    if message is not None and await _replaced(body, respond, message, request_id,
                                               "the message after feedback"):
        return
    # No message to replace (a bare passage id, an old button): thank privately.
    language: Language = ref.language if ref else "de"
    await deliver(click_target(body, client, respond).private,
                  constant(text_message(t("thanks_feedback", language))), request_id=request_id)


async def decline(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """"Keins davon": the question is recorded as a miss, and the "Meinst du …?" is
    replaced by the ways on (each department's roles and topics, the tour, help)."""
    conversation = deps_of(context).conversation
    request_id = new_request_id()
    question_id, language = read_decline(str(action.get("value") or ""))
    log.info("request_id=%s none of the candidates fitted, question_id=%s", request_id,
             question_id)
    message = render(await asyncio.to_thread(conversation.decline, question_id, language))
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
    tour_action = parse_action(str(action.get("action_id") or ""))
    ref = TourRef.decode(str(action.get("value") or ""))
    user = body.get("user", {}).get("id", "")
    log.info("request_id=%s user=%s tour action=%s department=%.60r position=%d",
             request_id, user, tour_action, ref.department, ref.position)

    try:  # decided once: the move is stored, so it must not run again on a retry
        message = render(await asyncio.to_thread(
            conversation.tour, tour_action, user=user or None, department=ref.department,
            position=ref.position, language=ref.language))
    except Exception:
        log.exception("request_id=%s: the tour step failed", request_id)
        message = error_message(request_id)
    if not ref.keep and await _replaced(body, respond, message, request_id,
                                        "the tour message"):
        return
    await deliver(click_target(body, client, respond).send, constant(message),
                  request_id=request_id)
