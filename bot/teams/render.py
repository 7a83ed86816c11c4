"""A decided :class:`~bot.conversation.Reply` as a Teams activity: Adaptive Cards for
quotes, comparisons, help, the list, "Meinst du …?" and no answer; markdown text for the
short notes. Nothing is decided here."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, TextFormatTypes
from microsoft_agents.hosting.core import CardFactory, MessageFactory

from bot.reply import Reply
from bot.teams import cards, menus
from bot.teams.compare import comparison_card, contrast_card
from bot.teams.people import people_block
from bot.teams.tour import tour_card
from bot.wording import report_lines, t


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


def answer_card(reply: Reply) -> dict[str, Any]:
    """The card for a quoting reply: one passage, two like for like, or two
    departments' comparison paragraphs side by side."""
    language = reply.language
    asked = reply.kind == "answer" or reply.about is not None  # a role by name: no echo
    question = reply.question if asked and reply.question else None
    shown, feedback = reply.shown, reply.feedback
    if reply.contrast is not None:
        return contrast_card(shown[0], reply.contrast, language, question=question,
                             more=reply.offered, question_id=reply.question_id,
                             feedback=feedback, full=reply.full)
    if reply.comparison and len(shown) >= 2:
        return comparison_card(shown[:2], language, question=question, more=reply.offered,
                               question_id=reply.question_id, feedback=feedback,
                               highlights=reply.highlights, full=reply.full,
                               about=reply.about)
    card = cards.passage_card(shown[0], language, question=question, more=reply.offered,
                              more_label=reply.offer_label or "more",
                              question_id=reply.question_id, feedback=feedback,
                              highlights=reply.gist(shown[0]), full=reply.full,
                              about=reply.about)
    if reply.people_asked:
        card["body"].append(people_block(reply.people, language))
    return card


def render(reply: Reply) -> Activity:
    """The Teams message for ``reply``."""
    language = reply.language
    if reply.kind == "help":
        return card_activity(menus.help_card(reply), t("lead_help", language))
    if reply.kind == "listing":
        return card_activity(menus.list_card(reply), t("list_header", language))
    if reply.kind in ("role", "answer") and reply.shown:
        return card_activity(answer_card(reply),
                             " / ".join(p.title for p in reply.shown))
    if reply.kind == "clarify":
        return card_activity(menus.clarify_card(reply), t("did_you_mean", language))
    if reply.kind == "empty":
        return text_activity(cards.markdown(t("empty", language)))
    if reply.kind == "thanks":
        return text_activity(cards.markdown(t("thanks_feedback", language)))
    if reply.kind == "too_long":
        note = t("too_long", language, length=len(reply.question), limit=reply.limit)
        return text_activity(cards.markdown(note))
    if reply.kind == "rate_limited":
        return text_activity(cards.markdown(t("rate_limited", language)))
    if reply.kind == "tour" and reply.tour is not None:
        return card_activity(tour_card(reply.tour, language), t("tour_question", language))
    if reply.kind == "report":
        return text_activity(cards.markdown("\n".join(report_lines(reply.gaps, language))))
    note = t(reply.no_answer or "no_match", language)
    return card_activity(menus.no_answer_card(reply), note)
