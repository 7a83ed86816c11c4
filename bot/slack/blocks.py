"""Answers as Block Kit messages, within Slack's limits and with all text escaped.

Limits (https://docs.slack.dev/reference/block-kit/blocks): section text <= 3000
characters, <= 50 blocks per message, button value <= 2000, button text <= 75, header
<= 150, <= 25 elements per actions block. Long passages are split at paragraph, line or
word boundaries; if a passage still needs more blocks than a message has, the message
says that it was shortened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.buttons import AnswerRef, Missing, Rating, Share, ShowPassage, Toggle
from bot.core.highlight import excerpt, gist
from bot.core.models import Language, Passage
from bot.core.store import MAX_COMMENT_CHARS
from bot.reply import Contrast, Feedback
from bot.slack.markup import escape, shorten, split_text
from bot.slack.values import MAX_VALUE_CHARS, value
from bot.texts import t

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_BUTTON_CHARS = 75
MAX_HEADER_CHARS = 150
MAX_ELEMENTS = 25
MAX_ECHO_CHARS = 500
MAX_FALLBACK_CHARS = 3000
FURTHER_MATCHES = 2

# Action ids; every value is a button of bot.buttons (see bot.slack.values).
ACTION_SHOW = "show_passage"  # ShowPassage; action_id: show_passage.<lang>.<n>
ACTION_ASK = "ask_example"  # Ask
ACTION_SHARE = "share_answer"  # Share
ACTION_HELPFUL = "feedback_helpful"  # Rating
ACTION_NOT_HELPFUL = "feedback_not_helpful"  # Rating
ACTION_MISSING = "feedback_missing"  # Missing; the text is in the input block
ACTION_FULL = "answer_full"  # Toggle to the version to show (full or gist)
ACTION_DECLINE = "clarify_none"  # "Keins davon": Decline
MAX_FIELD_CHARS = 2000
MISSING_BLOCK = "feedback_missing_text"  # the "Was hat gefehlt?" input

Block = dict[str, Any]
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


@dataclass(frozen=True)
class Message:
    """A Slack message: the notification ``text`` and the Block Kit ``blocks``."""

    text: str
    blocks: tuple[Block, ...] = ()

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage, chat.postEphemeral or respond()."""
        if not self.blocks:
            return {"text": self.text}
        return {"text": self.text, "blocks": list(self.blocks)}


# --- building blocks ---------------------------------------------------------------------
def section(mrkdwn: str) -> Block:
    """A section with mrkdwn text (the caller escapes user text)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION_CHARS]}}


def context(mrkdwn: str) -> Block:
    """A context line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:3000]}]}


def header(text: str) -> Block:
    """A header (plain text, so nothing in it is markup)."""
    return {"type": "header",
            "text": {"type": "plain_text", "text": shorten(text, MAX_HEADER_CHARS), "emoji": True}}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    """A button; ``value`` must already fit Slack's 2000 characters."""
    if len(value) > MAX_VALUE_CHARS:
        raise ValueError(f"button value of {len(value)} characters for {action_id}")
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(text, MAX_BUTTON_CHARS), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: Sequence[Block]) -> list[Block]:
    """Actions blocks holding ``elements``, 25 per block."""
    return [{"type": "actions", "elements": list(elements[i:i + MAX_ELEMENTS])}
            for i in range(0, len(elements), MAX_ELEMENTS)]


def passage_buttons(passages: Iterable[Passage], language: Language, start: int = 0) -> list[Block]:
    """One "show this passage" button per passage, with unique action ids."""
    return [button(p.title, f"{ACTION_SHOW}.{language}.{n}",
                   value(ShowPassage(passage=p.id, language=language)))
            for n, p in enumerate(passages, start)]


def mention(user_id: str) -> str:
    """``<@U…>`` for a real user id; anything else is escaped and shown as text."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape(user_id)


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


def fields(*texts: str) -> Block:
    """A section whose mrkdwn ``texts`` Slack shows side by side, two to a row."""
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": text[:MAX_FIELD_CHARS]}
                                          for text in texts]}


def fit(blocks: list[Block], room: int, language: Language) -> list[Block]:
    """``blocks`` if they fit into ``room`` blocks, else the first ones and a note."""
    if len(blocks) <= room:
        return blocks
    return [*blocks[: room - 1], context(escape(t("truncated", language)))]


# --- messages ------------------------------------------------------------------------------
def passages_message(
    passages: Sequence[Passage],
    language: Language,
    *,
    shown: int = 1,
    question: str | None = None,
    show_question: bool = False,
    share: bool = False,
    shared_by: str | None = None,
    more_label: str = "more",
    question_id: str | None = None,
    feedback: Feedback = "ask",
    full: bool = False,
    highlights: Mapping[str, Sequence[str]] | None = None,
    extra: Sequence[Block] = (),
    about: str | None = None,
    contrast: Contrast | None = None,
) -> Message:
    """The first ``shown`` passages quoted (two: side by side, each under its own
    title, the same kind of sentences aligned): their gist first, with a button that
    shows them in full ("Ganze Beschreibung"; in the full version "Kurzfassung"), the
    next two as buttons, feedback below.

    Args:
        passages: best first; at least ``shown``.
        language: language of the UI strings (the quote stays German).
        shown: how many passages are quoted (1, or 2 for a comparison).
        question: what was asked, for the echo and the share/feedback buttons.
        show_question: repeat the question on top (for replies only the asker sees).
        share: add the "Im Kanal teilen" button.
        shared_by: user id of who shared this into the channel.
        more_label: text key of the further-passage heading ("more" or "related").
        question_id: the recorded question, carried by the feedback buttons.
        feedback: the 👍/👎 buttons ("ask"), or after a click the thanks ("thanks"), or
            after a 👎 the thanks and the optional "Was hat gefehlt?" line ("missing").
        full: quote the whole passages instead of their gist.
        highlights: the gist of each quoted passage by id (default: chosen for
            ``question`` by :func:`bot.core.highlight.gist`).
        extra: blocks shown below the quote (the people holding the role).
        about: for a follow-up, the title of the earlier answer it was read against.
        contrast: two departments' comparison paragraphs, side by side, in place of
            the quote (the whole paragraphs in the full version).
    """
    quoted = list(passages[:max(shown, 1)])
    more = list(passages[len(quoted):len(quoted) + FURTHER_MATCHES])
    best = quoted[0]
    title = " ↔ ".join(p.title for p in quoted) if contrast is None else t(
        "contrast_title", language, left=contrast.sides[0], right=contrast.sides[1])
    head = [header(title)]
    if about:
        head.append(context(escape(t("about", language, title=about))))
    if shared_by:
        line = t("shared_by", language, user=mention(shared_by))
        if question:
            line += " · " + t("question", language, question=echo(question))
        head.append(context(line))
    elif show_question and question:
        head.append(context(t("your_question", language, question=echo(question))))
    cited = quoted if contrast is None else [row.passage for row in contrast.rows]
    sources = dict.fromkeys(p.source.label() for p in cited)
    tail = [context(t("source", language, source=escape(" · ".join(sources))))]
    chosen = {p.id: tuple((highlights or {}).get(p.id) or gist(p, question or "")) for p in quoted}
    ref = AnswerRef(question=question or best.title, shown=2 if len(quoted) == 2 else 1,
                    passages=tuple(p.id for p in [*quoted, *more]), language=language,
                    question_id=question_id, echo=show_question, share=share,
                    shared_by=shared_by if shared_by and _USER_ID.fullmatch(shared_by) else None,
                    label="related" if more_label == "related" else "more",
                    full=full, feedback=feedback)
    if full or contrast is not None or any(
            sum(map(len, chosen[p.id])) < len(p.text.strip()) for p in quoted):
        toggle = value(Toggle(answer=ref.model_copy(update={"full": not full})))
        label = t("short_version" if full else "full_description", language)
        tail.extend(actions([button(label, ACTION_FULL, toggle)]))
    if more:
        tail.append(section(f"*{escape(t(more_label, language))}*"))
        tail.extend(actions(passage_buttons(more, language)))
    asking = ref.model_copy(update={"feedback": "ask"})
    controls = [button(t("share", language), ACTION_SHARE, value(Share(answer=asking)),
                       style="primary")] if share else []
    if feedback == "ask":
        controls += [button(f"👍 {t('helpful', language)}", ACTION_HELPFUL,
                            value(Rating(verdict="helpful", answer=asking))),
                     button(f"👎 {t('not_helpful', language)}", ACTION_NOT_HELPFUL,
                            value(Rating(verdict="not_helpful", answer=asking)))]
    else:
        tail.append(context(escape(t("thanks_feedback", language))))
    if feedback == "missing":
        tail.append(missing_input(language))
        controls.append(button(t("send", language), ACTION_MISSING,
                               value(Missing(answer=asking))))
    tail.extend(actions(controls))
    room = MAX_BLOCKS - len(head) - len(tail) - len(extra)

    def quoting(passage: Passage) -> list[Block]:
        if full or not chosen[passage.id]:
            return quote_sections(passage)
        return gist_sections(passage, chosen[passage.id])

    if contrast is not None and not full:
        body = fit(contrast_blocks(contrast), room, language)
    elif len(quoted) == 1 and contrast is None:
        body = fit(quoting(best), room, language)
    elif not full:  # side by side, aligned: the titles in one row, the gists in the next
        body = [fields(*(f"*{escape(p.title)}*" for p in quoted)),
                fields(*(quote("\n".join(excerpt(p.text, chosen[p.id]))) for p in quoted))]
    else:  # whole: one passage under the other, each under its bold title
        body = []
        for passage in cited:
            part = [section(f"*{escape(passage.title)}*"), *quote_sections(passage)]
            body.extend(fit(part, room // len(cited), language))
    first = " ".join(chosen[best.id]) or (best.paragraphs[0] if best.paragraphs else "")
    text = shorten(f"{' / '.join(p.title for p in quoted)}: {first}", MAX_FALLBACK_CHARS)
    return Message(text=escape(text), blocks=(*head, *body, *extra, *tail))


def contrast_blocks(contrast: Contrast) -> list[Block]:
    """Per comparison paragraph its title, then what it says of each side, side by side."""
    left, right = (escape(side) for side in contrast.sides)
    blocks: list[Block] = []
    for row in contrast.rows:
        blocks += [section(f"*{escape(row.passage.title)}*"),
                   fields(f"*{left}*\n" + quote(" ".join(row.left)),
                          f"*{right}*\n" + quote(" ".join(row.right)))]
    return blocks


def message_for(ref: AnswerRef, passages: Sequence[Passage], *,
                feedback: Feedback | None = None, extra: Sequence[Block] = ()) -> Message:
    """The answer message ``ref`` describes, for its ``passages`` (those that still
    exist, at least one), in ``feedback`` state (default: the one in ``ref``), with the
    ``extra`` blocks below the quote."""
    return passages_message(passages, ref.language, shown=min(ref.shown, len(passages)),
                            question=ref.question, show_question=ref.echo, share=ref.share,
                            shared_by=ref.shared_by, more_label=ref.label,
                            question_id=ref.question_id, full=ref.full,
                            feedback=ref.feedback if feedback is None else feedback,
                            extra=extra)


def missing_input(language: Language) -> Block:
    """The optional one-line "Was hat gefehlt?" input shown after a 👎."""
    return {
        "type": "input", "block_id": MISSING_BLOCK, "optional": True,
        "label": {"type": "plain_text", "text": t("what_was_missing", language)},
        "element": {"type": "plain_text_input", "action_id": MISSING_BLOCK,
                    "max_length": MAX_COMMENT_CHARS},
    }


def offer_message(
    note: str, offered: Sequence[Passage], language: Language, *,
    question: str | None = None,
) -> Message:
    """Our ``note`` (e.g. "nothing found", "did you mean"), the ``offered`` passages as
    buttons, and optionally the asker's question above."""
    blocks: list[Block] = []
    if question is not None:
        blocks.append(context(t("your_question", language, question=echo(question))))
    blocks.append(section(escape(note)))
    blocks.extend(actions(passage_buttons(offered, language)))
    names = ", ".join(p.title for p in offered)
    text = shorten(f"{note} {names}", MAX_FALLBACK_CHARS)
    return Message(text=escape(text), blocks=tuple(fit(blocks, MAX_BLOCKS, language)))


def text_message(text: str, *, question: str | None = None, language: Language = "de") -> Message:
    """A plain message of our own text, optionally with the (escaped) question above."""
    if question is None:
        return Message(text=escape(text))
    line = t("your_question", language, question=echo(question))
    return Message(text=escape(text), blocks=(context(line), section(escape(text))))


def error_message(request_id: str) -> Message:
    """The short German error reply, with the reference that is also in the log."""
    return Message(text=escape(t("error", "de", request_id=request_id)))
