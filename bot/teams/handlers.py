"""Turn handlers: a Teams message or card submission in, one conversation step, a reply
out. bot/teams/app.py registers them with the SDK's routers (message, Action.Submit by
its ``rolle`` value, membersAdded). Each Teams conversation (a personal chat, a channel
thread, a group chat) is one conversation for follow-ups. A submission's data is a
button of :mod:`bot.buttons`; what it leads to is decided by the conversation core.
Every handler runs in :meth:`TeamsHandlers._guard`: counted in flight (a shutdown waits
for it) and apologising with a reference when it fails."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.buttons import Ask, Button, ButtonKind, Decline, Missing, Rating, ShowPassage, TourStep
from bot.conversation import Conversation, Reply, new_request_id
from bot.core.models import Language
from bot.core.storage.port import Surface
from bot.core.text import language as lang_detect
from bot.inflight import InFlight
from bot.logs import failure, reason
from bot.records import Records
from bot.teams import cards, menus
from bot.teams.render import card_activity, render, text_activity
from bot.teams.retry import DELIVERY_FAILURES
from bot.teams.tour import welcome_elements
from bot.teams.welcome import WelcomeMode, welcome
from bot.wording import t

logger = logging.getLogger(__name__)

_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?(?:p|div|span|br|b|i|strong|em)\b[^>]*>", re.IGNORECASE)


def activity_text(text: str | None) -> str:
    """The user's question from a Teams message text (the bot's own mention is already
    removed by the SDK): other mentions become plain names, Teams' HTML is dropped."""
    text = _AT_TAG.sub(r"\1", text or "")
    text = _HTML_TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def locale_language(locale: str | None) -> Language:
    """English UI for an English Teams client, German otherwise."""
    return "en" if (locale or "").lower().startswith("en") else "de"


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

    @contextlib.asynccontextmanager
    async def _guard(self, context: TurnContext, language: Language = "de"
                     ) -> AsyncIterator[None]:
        """Count the handler in flight (shutdown waits for it); on failure log it and
        apologise with a reference, unless it was the reply that could not be delivered
        (one line: the apology would go the same way)."""
        async with self.inflight.track():
            try:
                yield
            except DELIVERY_FAILURES as error:
                logger.error("Teams: the reply could not be delivered (request %s): %s",
                             new_request_id(), reason(error))
            except Exception:
                request_id = new_request_id()
                logger.exception("Teams: failed to answer (request %s)", request_id)
                await _apologise(context, language, request_id)

    async def _click(self, context: TurnContext, kind: ButtonKind, button: Button | None,
                     comment: str | None = None) -> Reply:
        """The core's reply to a submission (``button`` None: its data was no button of
        ours)."""
        user = user_of(context)
        clicker = None if user == "-" else user
        if button is None:
            logger.info("Teams: a %s submission that is no button of ours", kind)
            return await asyncio.to_thread(self.conversation.refused, kind, user=clicker)
        return await asyncio.to_thread(
            self.conversation.click, button, user=clicker, platform="teams",
            surface=surface_of(context), thread=thread_of(context), comment=comment)

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        """A chat message (or a card submission no other route took): one question."""
        activity = context.activity
        text = activity_text(activity.text)
        async with self._guard(context, lang_detect.detect(text) if text else "de"):
            if not self._first_delivery(context):
                return
            if not text and isinstance(activity.value, dict):
                logger.warning("Teams: ignored card submission (action %.40r)",
                               activity.value.get(cards.ACTION_KEY))
            reply = await asyncio.to_thread(self.conversation.respond, text,
                                            user=user_of(context), platform="teams",
                                            surface=surface_of(context),
                                            thread=thread_of(context))
            await self._send(context, reply)

    async def on_show(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A "show this passage" button: the passage and its related ones."""
        button = cards.read_data(value, ShowPassage)
        async with self._guard(context, button.language if button else "de"):
            await self._send(context, await self._click(context, "show", button))

    async def on_ask(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A button that asks a line (an example question, a department's roles, the
        tour, help): answered as if typed."""
        button = cards.read_data(value, Ask)
        async with self._guard(context, button.language if button else "de"):
            await self._send(context, await self._click(context, "ask", button))

    async def on_decline(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """"Keins davon" under a "Meinst du …?": recorded as a miss; the card is
        replaced by the ways on."""
        button = cards.read_data(value, Decline)
        async with self._guard(context, button.language if button else "de"):
            reply = await self._click(context, "decline", button)
            logger.info("Teams: none of the candidates fitted, question %s",
                        (button.question_id if button else None) or "-")
            activity = render(reply)
            if not await _updated(context, activity, "the clarify card"):
                await context.send_activity(activity)

    async def on_feedback(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """👍/👎 on an answer card: stored, and the card updated in place with thanks
        (after 👎 with the optional "Was hat gefehlt?" line)."""
        await self._feedback(context, "feedback", cards.read_data(value, Rating))

    async def on_missing(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """"Senden" under "Was hat gefehlt?": the line is added to the 👎 (no second
        verdict)."""
        comment = value.get(cards.MISSING_INPUT) if isinstance(value, dict) else None
        comment = comment.strip() if isinstance(comment, str) else ""
        await self._feedback(context, "missing", cards.read_data(value, Missing),
                             comment or None)

    async def _feedback(self, context: TurnContext, kind: ButtonKind,
                        button: Rating | Missing | None, comment: str | None = None) -> None:
        """The core stores the feedback; the card is rebuilt in place with the thanks
        (no card to update, or no answer to show: the thanks as a message)."""
        ref = button.answer if button else None
        async with self._guard(context, ref.language if ref else "de"):
            reply = await self._click(context, kind, button, comment)
            logger.info("Teams feedback: %s for passage %s, question %s (%s conversation)",
                        button.verdict if isinstance(button, Rating) else
                        f"comment={bool(comment)}", reply.shown[0].id if reply.quotes else "-",
                        (ref.question_id if ref else None) or "-",
                        context.activity.conversation.conversation_type or "unknown")
            if reply.quotes and await _updated(context, render(reply),
                                               "the card after feedback"):
                return
            await context.send_activity(
                text_activity(cards.markdown(t("thanks_feedback", reply.language))))

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        """The bot was installed or people joined: the welcome card, where
        ROLLE_TEAMS_WELCOME says (see :mod:`bot.teams.welcome`)."""
        language = locale_language(context.activity.locale)
        async with self._guard(context, language):
            conversation = self.conversation
            departments = await asyncio.to_thread(conversation.engine.by_department)
            card = menus.welcome_card(departments, language, welcome_elements(
                conversation.tour_departments(), language))
            store = conversation.store

            def claim(key: str, seconds: float) -> bool:
                return store.claim(key, ttl_seconds=seconds) if store else self.records.claim(key)

            await welcome(context, self.welcome,
                          lambda: card_activity(card, t("welcome", language)), claim)

    async def on_tour(self, context: TurnContext, state: TurnState, value: Any) -> None:
        """A guided-tour button: the next view replaces the clicked card (a department
        button on the welcome card answers with a new card instead)."""
        button = cards.read_data(value, TourStep)
        async with self._guard(context, button.language if button else "de"):
            activity = render(await self._click(context, "tour", button))
            logger.info("Teams tour: action=%s department=%.60r",
                        button.action if button else None, button.department if button else None)
            if not (button and button.keep) and await _updated(context, activity,
                                                               "the tour card"):
                return
            await context.send_activity(activity)

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
