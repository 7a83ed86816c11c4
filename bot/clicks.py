"""What a click on a button (:mod:`bot.buttons`) leads to, decided once for every front
end: a line to ask is answered as if typed; a passage is shown; "Keins davon" records
the miss; a tour button moves the tour; 👍/👎 and "Was hat gefehlt?" are stored with the
answer's recorded question, and the answer is shown again with the thanks; "Ganze
Beschreibung" / "Kurzfassung" and "Im Kanal teilen" show the answer again. An answer
shown again has its people when its question asked who holds the role here.

A click whose payload is no button of ours (broken, forged, or from an older version)
leads where such a button leads without it (:func:`refused`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import replies
from bot.buttons import (
    AnswerRef,
    Ask,
    Button,
    ButtonKind,
    Decline,
    Missing,
    Rating,
    ShowPassage,
    Toggle,
    TourStep,
)
from bot.core.storage.port import Platform, Surface
from bot.reply import Feedback, Reply

if TYPE_CHECKING:
    from bot.conversation import Conversation


def click(conversation: Conversation, button: Button, *, user: str | None,
          platform: Platform, surface: Surface, thread: str | None,
          comment: str | None = None) -> Reply:
    """The reply to ``user`` clicking ``button`` (``comment``: the line typed under "Was
    hat gefehlt?"). Blocking (the store, the directory)."""
    if isinstance(button, Ask):
        return conversation.respond(button.text, user=user, platform=platform,
                                    surface=surface, thread=thread)
    if isinstance(button, ShowPassage):
        return conversation.show(button.passage, button.language, user=user,
                                 platform=platform, surface=surface, thread=thread)
    if isinstance(button, Decline):
        return conversation.decline(button.question_id, button.language)
    if isinstance(button, TourStep):
        return conversation.tour(button.action, user=user, department=button.department,
                                 position=button.position, language=button.language)
    if isinstance(button, Rating | Missing):
        return _feedback(conversation, button, user, platform, comment)
    ref = button.answer
    if isinstance(button, Toggle):  # the version the button names, the rest as it was
        shown = again(conversation, ref, platform, full=ref.full, feedback=ref.feedback)
    else:  # shared: the short version, with 👍/👎
        shown = again(conversation, ref, platform)
    return shown or replies.no_answer("no_match", ref.language, conversation.engine)


def refused(conversation: Conversation, kind: ButtonKind, *, user: str | None) -> Reply:
    """The reply to a click of ``kind`` whose payload is no button of ours: the tour's
    menu, the thanks for feedback, the ways on otherwise."""
    if kind == "tour":
        return conversation.tour("menu", user=user)
    if kind in ("feedback", "missing"):
        return Reply(kind="thanks")
    if kind == "decline":
        return conversation.decline(None)
    if kind == "ask":
        return Reply(kind="empty")
    return replies.no_answer("no_match", "de", conversation.engine)


def again(conversation: Conversation, ref: AnswerRef, platform: Platform, *,
          full: bool = False, feedback: Feedback = "ask") -> Reply | None:
    """The answer ``ref`` describes once more (whole if ``full``, its feedback line in
    state ``feedback``), with its people when its question asked for them; None when none
    of its passages exists any more."""
    engine = conversation.engine
    reply = conversation.restore(ref.context(), full=full, engine=engine)
    if reply is None:
        return None
    return replace(conversation.with_people(reply, engine, platform), feedback=feedback)


def _feedback(conversation: Conversation, button: Rating | Missing, user: str | None,
              platform: Platform, comment: str | None) -> Reply:
    """Store 👍/👎 (or the line under "Was hat gefehlt?", added to the 👎) with the
    answer's question; the answer again with the thanks (after 👎 with the line)."""
    ref, store = button.answer, conversation.store
    if ref.question_id and store is not None:
        if isinstance(button, Rating):
            store.record_feedback(ref.question_id, user_id=user or "-", verdict=button.verdict)
        elif comment:
            store.record_comment(ref.question_id, user_id=user or "-", comment=comment)
    then: Feedback = "missing" if isinstance(button, Rating) \
        and button.verdict == "not_helpful" else "thanks"
    shown = again(conversation, ref, platform, full=ref.full, feedback=then)
    return shown or Reply(kind="thanks", language=ref.language)
