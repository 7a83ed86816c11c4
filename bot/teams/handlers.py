"""Turn handlers: a Teams message or card submission in, one conversation step, a reply
out. bot/teams/app.py registers them with the SDK's routers (message, Action.Submit by
its ``rolle`` value, membersAdded). Each Teams conversation (a personal chat, a channel
thread, a group chat) is one conversation for follow-ups."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.conversation import Conversation, Reply, new_request_id
from bot.core.context import Context
from bot.core.models import Language
from bot.core.storage.port import Surface, Verdict
from bot.core.text import language as lang_detect
from bot.inflight import InFlight
from bot.logs import failure, reason
from bot.records import Records
from bot.teams import cards, menus
from bot.teams.render import card_activity, render, text_activity
from bot.teams.retry import DELIVERY_FAILURES
from bot.teams.tour import read_data, welcome_elements
from bot.teams.welcome import WelcomeMode, welcome
from bot.texts import t

logger = logging.getLogger(__name__)

_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?(?:p|div|span|br|b|i|strong|em)\b[^>]*>", re.IGNORECASE)
_MAX_ID_CHARS = 200
_QUESTION_ID = re.compile(r"[0-9a-f]{1,32}")


def question_text(text: str | None) -> str:
    """The user's question from a Teams message text (the bot's own mention is already
    removed by the SDK): other mentions become plain names, Teams' HTML is dropped."""
    text = _AT_TAG.sub(r"\1", text or "")
    text = _HTML_TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def locale_language(locale: str | None) -> Language:
    """English UI for an English Teams client, German otherwise."""
    return "en" if (locale or "").lower().startswith("en") else "de"


def _card_ref(ref: Any) -> dict[str, Any]:
    """The answer reference a card button carried, checked field by field (a submission
    is user-controlled data)."""
    if not isinstance(ref, dict):
        return {}
    ids = ref.get("ids")
    qid = ref.get("qid")
    return {
        "ids": [i for i in ids[:4] if isinstance(i, str) and len(i) <= _MAX_ID_CHARS]
        if isinstance(ids, list) else [],
        "n": 2 if ref.get("n") == 2 else 1,
        "q": html.unescape(ref["q"][:2000]) if isinstance(ref.get("q"), str) else "",
        "qid": qid if isinstance(qid, str) and _QUESTION_ID.fullmatch(qid) else None,
        "label": "related" if ref.get("label") == "related" else "more",
    }


def _submitted_language(value: dict[str, Any]) -> Language:
    return "en" if value.get("lang") == "en" else "de"


def surface_of(context: TurnContext) -> Surface:
    """Where in Teams the activity happened: personal chat, channel or group chat."""
    kind = context.activity.conversation.conversation_type if context.activity.conversation \
        else None
    return {"channel": "teams_channel", "groupChat": "teams_group"}.get(
        kind or "", "teams_personal")  # type: ignore[return-value]


def thread_of(context: TurnContext) -> str | None:
    """The conversation's key for follow-ups (None without a conversation id)."""
    conversation = context.activity.conversation
    return f"teams:{conversation.id}"[:255] if conversation and conversation.id else None


def ref_context(ref: dict[str, Any], language: Language) -> Context:
    """The reply a card's feedback reference (checked by :func:`_card_ref`) describes."""
    ids, shown = tuple(ref.get("ids", ())), int(ref.get("n", 1))
    return Context(kind="role" if ref.get("label") == "related" else "answer",
                   shown=ids[:shown], offered=ids[shown:], label=ref.get("label", "more"),
                   comparison=shown == 2, language=language, question=ref.get("q", ""),
                   question_id=ref.get("qid"))


def user_of(context: TurnContext) -> str:
    """The asker's id (Entra object id when Teams sends it, else the channel account)."""
    sender = context.activity.from_property
    if sender is None:
        return "-"
    return str(sender.aad_object_id or sender.id or "-")


class TeamsHandlers:
    """The bot's behaviour in Teams, independent of HTTP and authentication."""

    def __init__(self, conversation: Conversation, inflight: InFlight, *,
                 welcome: WelcomeMode = "personal") -> None:
        self.conversation = conversation
        self.inflight = inflight
        self.records = Records(conversation.store)
        self.welcome = welcome

    def _first_delivery(self, context: TurnContext) -> bool:
        """False for a repeated delivery of an activity already being answered."""
        activity_id = context.activity.id
        if not activity_id or self.records.claim(f"teams:activity:{activity_id}"):
            return True
        logger.info("Teams: skipping repeated delivery of activity %.80s", activity_id)
        return False

    async def _send(self, context: TurnContext, reply: Reply) -> None:
        best = reply.best
        logger.info("Teams: kind=%s passage=%s", reply.kind, best.id if best else "-")
        if reply.kind == "rate_limited" and not reply.notify:
            return
        await context.send_activity(render(reply))

    async def _guarded(self, context: TurnContext, language: Language, work: Any) -> None:
        """Run ``work`` (a coroutine); on failure log it and apologise with a reference,
        unless it was the reply that could not be delivered (one line: the apology would
        go the same way)."""
        async with self.inflight.track():
            try:
                await work
            except DELIVERY_FAILURES as error:
                logger.error("Teams: the reply could not be delivered (request %s): %s",
                             new_request_id(), reason(error))
            except Exception:
                request_id = new_request_id()
                logger.exception("Teams: failed to answer (request %s)", request_id)
                await _apologise(context, language, request_id)

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        """A chat message (or a card submission no other route took): one question."""
        activity = context.activity
        if not self._first_delivery(context):
            return
        text = question_text(activity.text)
        if not text and isinstance(activity.value, dict):
            logger.warning("Teams: ignored card submission (action %.40r)",
                           activity.value.get(cards.ACTION_KEY))
        language = lang_detect.detect(text) if text else "de"

        async def work() -> None:
            reply = await asyncio.to_thread(self.conversation.respond, text,
                                            user=user_of(context), platform="teams",
                                            surface=surface_of(context),
                                            thread=thread_of(context))
            await self._send(context, reply)

        await self._guarded(context, language, work())

    async def on_show(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A "show this passage" button: the passage and its related ones."""
        language = _submitted_language(value)
        passage_id = value.get("passage")
        passage_id = passage_id if isinstance(passage_id, str) else ""

        async def work() -> None:
            reply = await asyncio.to_thread(
                self.conversation.show, passage_id[:_MAX_ID_CHARS], language,
                user=user_of(context), platform="teams", surface=surface_of(context),
                thread=thread_of(context))
            await self._send(context, reply)

        await self._guarded(context, language, work())

    async def on_ask(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A button that asks a line (an example question, a department's roles, the
        tour, help): answered as if typed."""
        question = value.get("q")

        async def work() -> None:
            text = question_text(question if isinstance(question, str) else "")
            reply = await asyncio.to_thread(self.conversation.respond, text,
                                            user=user_of(context), platform="teams",
                                            surface=surface_of(context),
                                            thread=thread_of(context))
            await self._send(context, reply)

        await self._guarded(context, _submitted_language(value), work())

    async def on_decline(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """"Keins davon" under a "Meinst du …?": recorded as a miss; the card is
        replaced by the ways on."""
        language = _submitted_language(value)
        qid = value.get("qid")
        qid = qid if isinstance(qid, str) and _QUESTION_ID.fullmatch(qid) else None

        async def work() -> None:
            reply = await asyncio.to_thread(self.conversation.decline, qid, language)
            logger.info("Teams: none of the candidates fitted, question %s", qid or "-")
            activity = render(reply)
            if not await _updated(context, activity, "the clarify card"):
                await context.send_activity(activity)

        await self._guarded(context, language, work())

    async def on_feedback(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """👍/👎 on an answer card: stored, and the card updated in place with thanks
        (after 👎 with the optional "Was hat gefehlt?" line)."""
        helpful = value.get("helpful") is True
        await self._guarded(context, _submitted_language(value), self._feedback(
            context, value, "helpful" if helpful else "not_helpful",
            "thanks" if helpful else "missing"))

    async def on_missing(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """"Senden" under "Was hat gefehlt?": the line is added to the 👎 (no second
        verdict)."""
        comment = value.get(cards.MISSING_INPUT)
        comment = comment.strip() if isinstance(comment, str) else ""
        await self._guarded(context, _submitted_language(value), self._feedback(
            context, value, None, "thanks", comment or None))

    async def _feedback(self, context: TurnContext, value: dict[str, Any],
                        verdict: Verdict | None, then: cards.Feedback,
                        comment: str | None = None) -> None:
        """Store ``verdict`` (None: only ``comment``, added to the earlier 👎) with the
        card's question, and rebuild the card in place with ``then``."""
        language = _submitted_language(value)
        ref = _card_ref(value.get("ref"))
        conversation = self.conversation
        engine = conversation.engine
        question_id = ref.get("qid")
        store = conversation.store
        if question_id and store is not None and verdict is not None:
            await asyncio.to_thread(store.record_feedback, question_id,
                                    user_id=user_of(context), verdict=verdict)
        elif question_id and store is not None and comment:
            await asyncio.to_thread(store.record_comment, question_id,
                                    user_id=user_of(context), comment=comment)
        reply = await asyncio.to_thread(conversation.restore, ref_context(ref, language))
        logger.info("Teams feedback: %s for passage %s, question %s (%s conversation)",
                    verdict or f"comment={bool(comment)}", reply.shown[0].id if reply else "-",
                    question_id or "-",
                    context.activity.conversation.conversation_type or "unknown")
        if reply is not None and context.activity.reply_to_id:
            reply = await asyncio.to_thread(conversation.with_people, reply, engine, "teams")
            if await _updated(context, render(reply, feedback=then), "the card after feedback"):
                return
        known = reply is not None or engine.get(str(value.get("passage"))[:_MAX_ID_CHARS])
        if not known:
            logger.warning("Teams: feedback for an unknown passage %.80r", value.get("passage"))
        note = t("thanks_feedback", language) if known else t("empty", language)
        await context.send_activity(text_activity(cards.markdown(note)))

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        """The bot was installed or people joined: the welcome card, where
        ROLLE_TEAMS_WELCOME says (see :mod:`bot.teams.welcome`)."""
        language = locale_language(context.activity.locale)
        conversation = self.conversation
        departments = await asyncio.to_thread(conversation.engine.by_department)
        card = menus.welcome_card(departments, language, welcome_elements(
            conversation.tour_departments(), language))
        store = conversation.store

        def claim(key: str, seconds: float) -> bool:
            return store.claim(key, ttl_seconds=seconds) if store else self.records.claim(key)

        await self._guarded(context, language, welcome(
            context, self.welcome, lambda: card_activity(card, t("welcome", language)), claim))

    async def on_tour(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A guided-tour button: the next view replaces the clicked card (a department
        button on the welcome card answers with a new card instead)."""
        action, department, position, language, keep = read_data(value)
        user = user_of(context)

        async def work() -> None:
            reply = await asyncio.to_thread(
                self.conversation.tour, action, user=None if user == "-" else user,
                department=department, position=position, language=language)
            activity = render(reply)
            logger.info("Teams tour: action=%s department=%.60r", action, department)
            if not keep and await _updated(context, activity, "the tour card"):
                return
            await context.send_activity(activity)

        await self._guarded(context, language, work())

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Last resort for errors outside the handlers: log (a reply that could not be
        delivered in one line), and apologise unless the connector is what failed."""
        request_id = new_request_id()
        if isinstance(error, DELIVERY_FAILURES):
            logger.error("Teams: the reply could not be delivered (request %s): %s",
                         request_id, reason(error))
            return
        logger.error("Teams: turn failed (request %s)", request_id, exc_info=error)
        await _apologise(context, "de", request_id)


async def _apologise(context: TurnContext, language: Language, request_id: str) -> None:
    """The error message with its reference; a failure to send it is one line."""
    try:
        await context.send_activity(
            text_activity(cards.markdown(t("error", language, request_id=request_id))))
    except Exception as error:
        failure(logger, error, DELIVERY_FAILURES,
                "Teams: could not send the error message (request %s)", request_id)


async def _updated(context: TurnContext, activity: Activity, what: str) -> bool:
    """Replace the clicked card with ``activity`` in place; False when the click names no
    card or the update failed (logged), so the caller sends ``activity`` as is."""
    if not context.activity.reply_to_id:
        return False
    activity.id = context.activity.reply_to_id
    try:
        await context.update_activity(activity)
    except Exception as error:
        failure(logger, error, DELIVERY_FAILURES, "Teams: could not update %s", what)
        activity.id = None
        return False
    return True
