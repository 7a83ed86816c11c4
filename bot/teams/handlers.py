"""Turn handlers: a Teams message or card submission in, an engine call, a reply out.

Each handler is a method of :class:`TeamsHandlers`, which only holds the engine and the
settings; bot/teams/app.py registers them on the AgentApplication.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, TextFormatTypes
from microsoft_agents.hosting.core import CardFactory, MessageFactory, TurnContext, TurnState

from bot.config import Settings
from bot.core import language as lang_detect
from bot.core.models import Language, Passage
from bot.teams import cards
from bot.texts import HELP_WORDS, LIST_WORDS, t

if TYPE_CHECKING:
    from bot.core.engine import Engine

logger = logging.getLogger(__name__)

_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?(?:p|div|span|br|b|i|strong|em)\b[^>]*>", re.IGNORECASE)
_ENGLISH_COMMANDS = frozenset({"help", "list", "roles", "topics"})
_MAX_ID_CHARS = 200


def question_text(text: str | None) -> str:
    """The user's question from a Teams message text (the bot's own mention is already
    removed by the SDK): other mentions become plain names, Teams' HTML is dropped."""
    text = _AT_TAG.sub(r"\1", text or "")
    text = _HTML_TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def locale_language(locale: str | None) -> Language:
    """English UI for an English Teams client, German otherwise."""
    return "en" if (locale or "").lower().startswith("en") else "de"


def new_request_id() -> str:
    """A short id that ties a user-visible error to the log line."""
    return uuid.uuid4().hex[:12]


def _text(text: str) -> Activity:
    activity = MessageFactory.text(text)
    activity.text_format = TextFormatTypes.markdown
    return activity


def _card(card: dict[str, Any], summary: str) -> Activity:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    # Shown in notifications and by clients that cannot render the card.
    activity.summary = summary
    return activity


class TeamsHandlers:
    """The bot's behaviour in Teams, independent of HTTP and authentication."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        """A chat message or an Action.Submit from one of the bot's cards."""
        activity = context.activity
        text = question_text(activity.text)
        request_id = new_request_id()
        try:
            if isinstance(activity.value, dict) and activity.value.get(cards.ACTION_KEY):
                await self._on_submit(context, activity.value, text)
            else:
                await self._on_question(context, text)
        except Exception:
            logger.exception("Teams: failed to answer (request %s)", request_id)
            language = lang_detect.detect(text) if text else "de"
            await context.send_activity(_text(t("error", language, request_id=request_id)))

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        """The bot was installed or people joined: send the welcome card once."""
        language = locale_language(context.activity.locale)
        departments = await asyncio.to_thread(self.engine.by_department)
        card = cards.welcome_card(departments, language)
        await context.send_activity(_card(card, t("welcome", language)))

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Last resort for errors outside the handlers: log, apologise, no traceback."""
        request_id = new_request_id()
        logger.error("Teams: turn failed (request %s)", request_id, exc_info=error)
        try:
            await context.send_activity(_text(t("error", "de", request_id=request_id)))
        except Exception:
            logger.exception("Teams: could not send the error message (request %s)", request_id)

    # --- questions ---------------------------------------------------------------------
    async def _on_question(self, context: TurnContext, text: str) -> None:
        command = text.lower().rstrip("!.")
        if command in HELP_WORDS:
            language: Language = "en" if command in _ENGLISH_COMMANDS else "de"
            await context.send_activity(_text(cards.markdown(t("help", language))))
            return
        if command in LIST_WORDS:
            language = "en" if command in _ENGLISH_COMMANDS else "de"
            departments = await asyncio.to_thread(self.engine.by_department)
            await context.send_activity(_text(cards.list_text(departments, language)))
            return
        passage = await asyncio.to_thread(self.engine.lookup, text) if text else None
        if passage is not None:
            await self._send_passage(context, passage, lang_detect.detect(text), related=True)
            return
        await self._answer(context, text)

    async def _answer(self, context: TurnContext, question: str) -> None:
        answer = await asyncio.to_thread(self.engine.answer, question)
        language = answer.language
        if answer.answered and answer.best is not None:
            card = cards.answer_card(answer)
            await context.send_activity(_card(card, answer.best.passage.title))
        elif answer.reason == "empty":
            await context.send_activity(_text(cards.markdown(t("empty", language))))
        elif answer.reason == "too_long":
            limit = self.settings.max_question_chars
            message = t("too_long", language, length=len(question), limit=limit)
            await context.send_activity(_text(cards.markdown(message)))
        else:
            suggestions = answer.suggestions or await asyncio.to_thread(self.engine.roles)
            await context.send_activity(_text(cards.no_answer_text(suggestions, language)))

    async def _send_passage(
        self, context: TurnContext, passage: Passage, language: Language, *, related: bool
    ) -> None:
        more: list[Passage] = []
        if related:
            found = await asyncio.to_thread(lambda: [self.engine.get(i) for i in passage.related])
            more = [p for p in found if p is not None]
        card = cards.passage_card(passage, language, more=more)
        await context.send_activity(_card(card, passage.title))

    # --- card submissions --------------------------------------------------------------
    async def _on_submit(self, context: TurnContext, value: dict[str, Any], text: str) -> None:
        action = value.get(cards.ACTION_KEY)
        language: Language = "en" if value.get("lang") == "en" else "de"
        if action == cards.ASK:
            # Example-question buttons (messageBack): the question is in the data and,
            # as the user's visible message, in the text.
            question = value.get("q")
            await self._answer(context, question_text(question) if isinstance(question, str)
                               else text)
            return
        passage_id = value.get("passage")
        passage = None
        if isinstance(passage_id, str) and len(passage_id) <= _MAX_ID_CHARS:
            passage = await asyncio.to_thread(self.engine.get, passage_id)
        if action == cards.SHOW and passage is not None:
            await self._send_passage(context, passage, language, related=False)
        elif action == cards.FEEDBACK and passage is not None:
            helpful = value.get("helpful") is True
            logger.info(
                "Teams feedback: %s for passage %s (%s conversation)",
                "helpful" if helpful else "not helpful",
                passage.id,
                context.activity.conversation.conversation_type or "unknown",
            )
            await context.send_activity(_text(cards.markdown(t("thanks_feedback", language))))
        else:
            logger.warning("Teams: ignored card submission (action %.40r, passage %.80r)",
                           action, passage_id)
            await context.send_activity(_text(cards.markdown(t("empty", language))))
