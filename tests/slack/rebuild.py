"""What a button that rebuilds an answer ("Ganze Beschreibung" / "Kurzfassung", and
the feedback buttons) puts in the message's place: rebuilt through the conversation
core from the button's answer, as the click does (:func:`bot.clicks.again`)."""

from __future__ import annotations

from typing import Any

from bot import clicks
from bot.buttons import AnswerRef, Missing, Rating, Share, Toggle, parse
from bot.conversation import Conversation
from bot.reply import Feedback
from bot.slack.blocks import ACTION_FULL
from bot.slack.kit import Message
from bot.slack.render import render


def button_value(blocks: list[dict[str, Any]] | tuple[dict[str, Any], ...],
                 action_id: str = ACTION_FULL) -> str:
    """The value of the one button ``action_id`` in ``blocks``."""
    [value] = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == action_id]
    return str(value)


def answer_of(value: str) -> AnswerRef:
    """The answer a toggle, share or feedback button's ``value`` carries."""
    button = parse(value)
    assert isinstance(button, Toggle | Share | Rating | Missing), value
    return button.answer


def rebuilt(value: str, engine: Any, *, feedback: Feedback | None = None) -> Message:
    """The message the button ``value`` describes, from ``engine``'s passages, in
    ``feedback`` state (default: the answer's own)."""
    ref = answer_of(value)
    reply = clicks.again(Conversation(engine), ref, "slack", full=ref.full,
                         feedback=ref.feedback if feedback is None else feedback)
    assert reply is not None, ref
    return render(reply, show_question=ref.echo, share=ref.share, shared_by=ref.shared_by)


def toggled(message: Message, engine: Any) -> Message:
    """What the "Ganze Beschreibung" / "Kurzfassung" button of ``message`` shows."""
    return rebuilt(button_value(message.blocks), engine)
