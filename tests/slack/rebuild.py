"""What a button that rebuilds an answer ("Ganze Beschreibung" / "Kurzfassung", and
the feedback buttons) puts in the message's place: rebuilt through the conversation
core from the button's reference, the way the click's listener does."""

from __future__ import annotations

from typing import Any

from bot.conversation import Conversation
from bot.slack.blocks import ACTION_FULL, AnswerRef, Feedback
from bot.slack.kit import Message
from bot.slack.listeners.actions import ref_context
from bot.slack.render import render


def button_value(blocks: list[dict[str, Any]] | tuple[dict[str, Any], ...],
                 action_id: str = ACTION_FULL) -> str:
    """The value of the one button ``action_id`` in ``blocks``."""
    [value] = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == action_id]
    return str(value)


def rebuilt(value: str, engine: Any, *, feedback: Feedback | None = None) -> Message:
    """The message the reference ``value`` describes, from ``engine``'s passages, in
    ``feedback`` state (default: the reference's own)."""
    ref = AnswerRef.decode(value)
    assert ref is not None, value
    reply = Conversation(engine).restore(ref_context(ref), full=ref.full)
    assert reply is not None, ref
    return render(reply, show_question=ref.echo, share=ref.share, shared_by=ref.shared_by,
                  feedback=ref.feedback if feedback is None else feedback)


def toggled(message: Message, engine: Any) -> Message:
    """What the "Ganze Beschreibung" / "Kurzfassung" button of ``message`` shows."""
    return rebuilt(button_value(message.blocks), engine)


