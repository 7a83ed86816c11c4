"""Button clicks: show a passage, ask an example question, share an answer into the
channel, and feedback (acknowledged and logged)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import new_request_id
from bot.core.models import Language
from bot.slack.blocks import (
    ACTION_ASK,
    ACTION_HELPFUL,
    ACTION_NOT_HELPFUL,
    ACTION_SHARE,
    ACTION_SHOW,
    AnswerRef,
    Message,
    error_message,
    passages_message,
    text_message,
)
from bot.slack.deps import acknowledge, deps_of, lazy
from bot.slack.render import render
from bot.slack.responder import answer, constant, deliver
from bot.slack.targets import click_target, post_to_response_url, response_url_target
from bot.texts import t

log = logging.getLogger(__name__)
_PASSAGE_ID = re.compile(r"[\w.-]{1,100}")


def register(app: AsyncApp) -> None:
    """Listen for the buttons that :mod:`bot.slack.blocks` and ``views`` create."""
    show = re.compile(rf"^{ACTION_SHOW}(\..*)?$")
    ask = re.compile(rf"^{ACTION_ASK}(\..*)?$")
    feedback = re.compile(rf"^({ACTION_HELPFUL}|{ACTION_NOT_HELPFUL})$")
    app.action(show)(ack=acknowledge, lazy=[lazy(show_passage)])
    app.action(ask)(ack=acknowledge, lazy=[lazy(ask_example)])
    app.action(ACTION_SHARE)(ack=acknowledge, lazy=[lazy(share_answer)])
    app.action(feedback)(ack=acknowledge, lazy=[lazy(record_feedback)])


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

    async def build() -> Message:
        return render(await asyncio.to_thread(conversation.show, passage_id, language))

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
        surface="dm" if (body.get("channel") or {}).get("id", "D").startswith("D") else "mention",
        show_question=True,
    )


async def share_answer(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    respond: AsyncRespond,
) -> None:
    """Post the answer from an ephemeral reply visibly, naming who shared it."""
    engine = deps_of(context).conversation.engine
    request_id = new_request_id()
    user = body.get("user", {}).get("id", "")
    try:
        ref = AnswerRef.decode(action.get("value"))
        if ref is None:
            raise ValueError(f"not an answer reference: {action.get('value')!r}")
        passages = [p for p in map(engine.get, ref.passage_ids) if p is not None]
        if not passages:
            raise LookupError(f"none of the passages {ref.passage_ids} exists any more")
        message = passages_message(passages, ref.language, shown=min(ref.shown, len(passages)),
                                   question=ref.question, shared_by=user)
        await post_to_response_url(respond, message, response_type="in_channel",
                                   replace_original=False)
        log.info("request_id=%s user=%s shared passage=%s", request_id, user, passages[0].id)
    except Exception:
        log.exception("request_id=%s: sharing failed", request_id)
        await deliver(response_url_target(respond, keep_original=True).send,
                      constant(error_message(request_id)), request_id=request_id)


async def record_feedback(
    action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext,
    client: AsyncWebClient, respond: AsyncRespond,
) -> None:
    """Log a helpful / not helpful click and thank the clicker."""
    verdict = "helpful" if action.get("action_id") == ACTION_HELPFUL else "not_helpful"
    value = str(action.get("value") or "")
    ref = AnswerRef.decode(value)
    if ref and ref.passage_ids:
        passage_id = ref.passage_ids[0]
    else:  # a bare passage id, as other clients of this action might send
        passage_id = value if _PASSAGE_ID.fullmatch(value) else "-"
    user = body.get("user", {}).get("id", "")
    log.info("feedback verdict=%s passage=%s user=%s question=%r",
             verdict, passage_id, user, ref.question if ref else None)
    language: Language = ref.language if ref else "de"
    await deliver(click_target(body, client, respond).private,
                  constant(text_message(t("thanks_feedback", language))),
                  request_id=new_request_id())
