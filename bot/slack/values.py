"""Buttons (:mod:`bot.buttons`) as Slack button values and back: the button's JSON, with
``<``, ``>`` and ``&`` written as JSON escapes so that no user text travels as Slack
markup, within Slack's 2000 characters (a long question is shortened to fit)."""

from __future__ import annotations

import json

from bot.buttons import B, Button, Missing, Rating, Share, Toggle, dump, read
from bot.slack.kit import MAX_VALUE_CHARS
from bot.slack.markup import shorten

_MARKUP = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json(button: Button) -> str:
    return json.dumps(dump(button), ensure_ascii=False,
                      separators=(",", ":")).translate(_MARKUP)


def value(button: Button) -> str:
    """The button value for ``button``.

    Raises:
        ValueError: when it cannot be made to fit (no question left to shorten).
    """
    text = _json(button)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    if isinstance(button, Rating | Missing | Toggle | Share) and button.answer.question:
        answer, question = button.answer, button.answer.question

        def shortened(limit: int) -> str:
            cut = shorten(question, limit) if limit else ""
            return _json(button.model_copy(update={
                "answer": answer.model_copy(update={"question": cut})}))

        low, high = 0, len(question)  # the longest question that fits, by bisection
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if len(shortened(middle)) <= MAX_VALUE_CHARS \
                else (low, middle - 1)
        text = shortened(low)
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(f"a {button.kind} button of {len(text)} characters")
    return text


def read_value(raw: object, kind: type[B]) -> B | None:
    """The button of type ``kind`` in a clicked button's value; None when it is not one."""
    return read(raw, kind) if isinstance(raw, str) else None
