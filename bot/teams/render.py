"""A decided :class:`~bot.conversation.Reply` as a Teams activity: Adaptive Cards for
quotes and "did you mean", markdown text for help, lists and refusals. Nothing is
decided here."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, TextFormatTypes
from microsoft_agents.hosting.core import CardFactory, MessageFactory

from bot.conversation import Reply
from bot.teams import cards
from bot.teams.people import people_block
from bot.teams.tour import tour_card
from bot.texts import report_lines, t


def text_activity(text: str) -> Activity:
    """A markdown chat message (``text`` already escaped)."""
    activity = MessageFactory.text(text)
    activity.text_format = TextFormatTypes.markdown
    return activity


def card_activity(card: dict[str, Any], summary: str) -> Activity:
    """A message carrying one Adaptive Card; ``summary`` shows in notifications."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = summary
    return activity


def render(reply: Reply) -> Activity:
    """The Teams message for ``reply``."""
    language = reply.language
    if reply.kind == "help":
        return text_activity(cards.markdown(t("help", language)))
    if reply.kind == "listing":
        return text_activity(cards.list_text(reply.catalogue or {}, language))
    if reply.kind in ("role", "answer") and reply.shown:
        question = reply.question if reply.kind == "answer" else None
        card = cards.answer_card(reply.shown, language, question=question or None,
                                 more=reply.offered, more_label=reply.offer_label or "more",
                                 question_id=reply.question_id, highlights=reply.highlights)
        if reply.people_asked:
            card["body"].append(people_block(reply.people, language))
        return card_activity(card, " / ".join(p.title for p in reply.shown))
    if reply.kind == "clarify":
        card = cards.offer_card(t("did_you_mean", language), reply.offered, language)
        return card_activity(card, t("did_you_mean", language))
    if reply.kind == "empty":
        return text_activity(cards.markdown(t("empty", language)))
    if reply.kind == "too_long":
        note = t("too_long", language, length=len(reply.question), limit=reply.limit)
        return text_activity(cards.markdown(note))
    if reply.kind == "rate_limited":
        return text_activity(cards.markdown(t("rate_limited", language)))
    if reply.kind == "tour" and reply.tour is not None:
        return card_activity(tour_card(reply.tour, language), t("tour_question", language))
    if reply.kind == "report":
        return text_activity(cards.markdown("\n".join(report_lines(reply.gaps, language))))
    return text_activity(cards.no_answer_text(reply.offered, language))
