"""Block Kit building blocks, made with ``slack_sdk.models.blocks`` within Slack's limits.

Limits (https://docs.slack.dev/reference/block-kit/blocks): section text <= 3000
characters, <= 50 blocks per message, button value <= 2000, button text <= 75, header
<= 150, <= 25 elements per actions block. Texts are cut to fit here; the SDK's models
check every limit when a :class:`Message` is made (a button value beyond 2000
characters raises there), so a broken block fails where it is built, not at Slack.
The helpers take mrkdwn as it is: the caller escapes user text (:func:`quote`,
:func:`echo` and :func:`mention` do it themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InteractiveElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.models import Language, Passage
from bot.core.retrieval.highlight import excerpt
from bot.slack.markup import escape, shorten, split_text
from bot.wording import t

MAX_SECTION_CHARS = 3000
MAX_CONTEXT_CHARS = 3000
MAX_FIELD_CHARS = 2000
MAX_BLOCKS = 50
MAX_VALUE_CHARS = 2000
MAX_BUTTON_CHARS = 75
MAX_HEADER_CHARS = 150
MAX_ELEMENTS = 25
MAX_ECHO_CHARS = 500

JsonBlock = dict[str, Any]
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")  # a Slack user id, as mentions and profiles take it


@dataclass(frozen=True)
class Message:
    """A Slack message: the notification ``text`` and the ``blocks`` as the JSON that
    Slack gets."""

    text: str
    blocks: tuple[JsonBlock, ...] = ()

    @classmethod
    def of(cls, text: str, blocks: Iterable[Block]) -> Message:
        """The message of ``blocks``, each validated by its SDK model and made JSON.

        Raises:
            slack_sdk.errors.SlackObjectFormationError: a block is beyond Slack's limits.
        """
        return cls(text=text, blocks=tuple(block.to_dict() for block in blocks))

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage, chat.postEphemeral or respond()."""
        if not self.blocks:
            return {"text": self.text}
        return {"text": self.text, "blocks": list(self.blocks)}


def section(mrkdwn: str, *, accessory: InteractiveElement | None = None) -> SectionBlock:
    """A section with mrkdwn text, and optionally a button (``accessory``) beside it."""
    return SectionBlock(text=MarkdownTextObject(text=mrkdwn[:MAX_SECTION_CHARS]),
                        accessory=accessory)


def fields(*texts: str) -> SectionBlock:
    """A section whose mrkdwn ``texts`` Slack shows side by side, two to a row."""
    return SectionBlock(fields=[MarkdownTextObject(text=text[:MAX_FIELD_CHARS])
                                for text in texts])


def context(mrkdwn: str) -> ContextBlock:
    """A context line."""
    return ContextBlock(elements=[MarkdownTextObject(text=mrkdwn[:MAX_CONTEXT_CHARS])])


def header(text: str) -> HeaderBlock:
    """A header (plain text, so nothing in it is markup)."""
    return HeaderBlock(text=PlainTextObject(text=shorten(text, MAX_HEADER_CHARS), emoji=True))


def divider() -> DividerBlock:
    """A thin line between parts."""
    return DividerBlock()


def button(text: str, action_id: str, value: str, *, style: str | None = None
           ) -> ButtonElement:
    """A button; ``value`` must already fit Slack's 2000 characters (the SDK checks)."""
    return ButtonElement(text=PlainTextObject(text=shorten(text, MAX_BUTTON_CHARS), emoji=True),
                         action_id=action_id, value=value, style=style)


def actions(elements: Sequence[InteractiveElement]) -> list[Block]:
    """Actions blocks holding ``elements``, 25 per block."""
    return [ActionsBlock(elements=list(elements[i:i + MAX_ELEMENTS]))
            for i in range(0, len(elements), MAX_ELEMENTS)]


def fit(blocks: list[Block], room: int, language: Language) -> list[Block]:
    """``blocks`` if they fit into ``room`` blocks, else the first ones and a note."""
    if len(blocks) <= room:
        return blocks
    return [*blocks[: room - 1], context(escape(t("truncated", language)))]


def mention(user_id: str) -> str:
    """``<@U…>`` for a real user id; anything else is escaped and shown as text."""
    return f"<@{user_id}>" if USER_ID.fullmatch(user_id) else escape(user_id)


def echo(question: str) -> str:
    """The question as it may be shown back: shortened and escaped."""
    return escape(shorten(question, MAX_ECHO_CHARS))


def quote(text: str) -> str:
    """Escaped text as a mrkdwn blockquote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escape(text).split("\n"))


def quote_sections(passage: Passage) -> list[Block]:
    """The passage as blockquote sections: one per paragraph, long ones split."""
    return [section(quote(piece))
            for paragraph in passage.paragraphs
            for piece in split_text(paragraph, MAX_SECTION_CHARS, quote)]


def gist_sections(passage: Passage, sentences: Sequence[str]) -> list[Block]:
    """The chosen verbatim sentences as blockquote sections (usually one)."""
    text = "\n".join(excerpt(passage.text, sentences))
    return [section(quote(piece)) for piece in split_text(text, MAX_SECTION_CHARS, quote)]
