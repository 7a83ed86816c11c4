"""Answers as Block Kit messages (made with :mod:`bot.slack.kit`): the quoted passages
with their gist first, the buttons that show more or fewer of them, share the answer
and ask for feedback, and the short replies of our own text. All user text is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from slack_sdk.models.blocks import (
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)

from bot.core.models import Language, Passage
from bot.core.retrieval.highlight import excerpt, gist
from bot.reply import Contrast, Reply
from bot.slack.kit import (
    MAX_BLOCKS,
    MAX_VALUE_CHARS,
    Block,
    Message,
    actions,
    button,
    context,
    echo,
    fields,
    fit,
    gist_sections,
    header,
    mention,
    quote,
    quote_sections,
    section,
)
from bot.slack.markup import escape, shorten, unescape
from bot.texts import t

MAX_FALLBACK_CHARS = 3000
FURTHER_MATCHES = 2

ACTION_SHOW = "show_passage"  # value: passage id; action_id: show_passage.<lang>.<n>
ACTION_ASK = "ask_example"  # value: the question
ACTION_SHARE = "share_answer"  # value: AnswerRef
ACTION_HELPFUL = "feedback_helpful"  # value: AnswerRef
ACTION_NOT_HELPFUL = "feedback_not_helpful"  # value: AnswerRef
ACTION_MISSING = "feedback_missing"  # value: AnswerRef; the text is in the input block
ACTION_FULL = "answer_full"  # value: AnswerRef of the version to show (full or gist)
ACTION_DECLINE = "clarify_none"  # "Keins davon"; value: {"i": question id, "l": language}
MISSING_BLOCK = "feedback_missing_text"  # the "Was hat gefehlt?" input
MAX_COMMENT_CHARS = 300

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_QUESTION_ID = re.compile(r"[0-9a-f]{1,32}")
Feedback = Literal["ask", "thanks", "missing"]


@dataclass(frozen=True, kw_only=True)
class AnswerRef:
    """What the share and feedback buttons carry: enough to show the answer again.

    ``question_id`` is the recorded question (for feedback), ``echo``/``share``/
    ``shared_by``/``label`` say how the message looked, so that a feedback click can
    replace it with the same message, thanks in place of the buttons. ``full`` says
    whether the whole passage is quoted (else its gist) and ``feedback`` which feedback
    state the message shows, so that "Ganze Beschreibung" keeps the rest as it was.
    """

    question: str
    passage_ids: tuple[str, ...]
    language: Language = "de"
    shown: int = 1  # how many of the passages were quoted (2: a comparison)
    question_id: str | None = None
    echo: bool = False
    share: bool = False
    shared_by: str | None = None
    label: str = "more"
    full: bool = False
    feedback: Feedback = "ask"

    def encode(self) -> str:
        """JSON of at most 2000 characters; a long question is shortened to fit.

        The question is stored escaped, so that no markup from user text travels in a
        payload, even an invisible one.
        """
        question = self.question
        extra = {"i": self.question_id, "e": int(self.echo), "s": int(self.share),
                 "b": self.shared_by, "m": self.label, "f": int(self.full),
                 "k": "" if self.feedback == "ask" else self.feedback}
        extra = {k: v for k, v in extra.items() if v}
        while True:
            value = json.dumps(
                {"q": escape(question), "p": list(self.passage_ids), "l": self.language,
                 "n": self.shown, **extra},
                ensure_ascii=False, separators=(",", ":"),
            )
            if len(value) <= MAX_VALUE_CHARS or not question:
                return value
            excess = len(value) - MAX_VALUE_CHARS
            question = shorten(question, max(len(question) - excess - 1, 1))

    @classmethod
    def decode(cls, value: str | None) -> AnswerRef | None:
        """The reference in a button value, or None if it is not one."""
        try:
            data = json.loads(value or "")
            question, ids, language = data["q"], data["p"], data.get("l", "de")
            shown, qid, by = data.get("n", 1), data.get("i"), data.get("b")
            label, feedback = data.get("m", "more"), data.get("k", "ask")
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not isinstance(question, str) or not isinstance(ids, list):
            return None
        if not all(isinstance(i, str) for i in ids):
            return None
        return cls(question=unescape(question), passage_ids=tuple(ids),
                   language="en" if language == "en" else "de",
                   shown=2 if shown == 2 else 1,
                   question_id=qid if isinstance(qid, str) and _QUESTION_ID.fullmatch(qid)
                   else None,
                   echo=bool(data.get("e")), share=bool(data.get("s")),
                   shared_by=by if isinstance(by, str) and _USER_ID.fullmatch(by) else None,
                   label=label if label in ("more", "related") else "more",
                   full=bool(data.get("f")),
                   feedback=feedback if feedback in ("thanks", "missing") else "ask")


def passage_buttons(passages: Iterable[Passage], language: Language, start: int = 0
                    ) -> list[ButtonElement]:
    """One "show this passage" button per passage, with unique action ids."""
    return [button(p.title, f"{ACTION_SHOW}.{language}.{n}", p.id)
            for n, p in enumerate(passages, start)]


# --- messages ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Look:
    """How an answer message looks beyond what its reply says: whether it repeats the
    question on top (``echo``, for replies only the asker sees), offers "Im Kanal
    teilen" (``share``), names who shared it (``shared_by``, a user id), and which
    feedback state it shows: the 👍/👎 buttons ("ask"), after a click the thanks
    ("thanks"), after a 👎 the thanks and the optional "Was hat gefehlt?" ("missing")."""

    echo: bool = False
    share: bool = False
    shared_by: str | None = None
    feedback: Feedback = "ask"


def passages_message(reply: Reply, *, look: Look = Look(), extra: Sequence[Block] = ()
                     ) -> Message:
    """A reply that quotes passages (``reply.shown``, at least one; two: side by side,
    each under its own title, the same kind of sentences aligned): their gist first
    (``reply.highlights``, else chosen for the question), with a button that shows them
    in full ("Ganze Beschreibung"; in the full version "Kurzfassung"), the next two
    offered passages as buttons, feedback below; ``extra`` blocks (the people holding
    the role) below the quote. For a question how two departments differ,
    ``reply.contrast`` is shown side by side in place of the quote."""
    language, question, contrast = reply.language, reply.question, reply.contrast
    quoted, more = list(reply.shown), list(reply.offered[:FURTHER_MATCHES])
    best, label = quoted[0], reply.offer_label or "more"
    cited = quoted if contrast is None else [row.passage for row in contrast.rows]
    chosen = {p.id: tuple(reply.highlights.get(p.id) or gist(p, question)) for p in quoted}
    ref_of = AnswerRef(question=question or best.title, shown=len(quoted),
                       passage_ids=tuple(p.id for p in [*quoted, *more]), language=language,
                       question_id=reply.question_id, echo=look.echo, share=look.share,
                       shared_by=look.shared_by, label=label, full=reply.full,
                       feedback=look.feedback)
    head = _head(reply, look)
    sources = dict.fromkeys(p.source.label() for p in cited)
    tail: list[Block] = [context(t("source", language, source=escape(" · ".join(sources))))]
    if reply.full or contrast is not None or any(
            sum(map(len, chosen[p.id])) < len(p.text.strip()) for p in quoted):
        toggle = replace(ref_of, full=not reply.full).encode()
        text = t("short_version" if reply.full else "full_description", language)
        tail.extend(actions([button(text, ACTION_FULL, toggle)]))
    if more:
        tail.append(section(f"*{escape(t(label, language))}*"))
        tail.extend(actions(passage_buttons(more, language)))
    tail += _feedback(replace(ref_of, feedback="ask").encode(), look, language)
    room = MAX_BLOCKS - len(head) - len(tail) - len(extra)
    body = _quotes(reply, cited, chosen, room)
    first = " ".join(chosen[best.id]) or (best.paragraphs[0] if best.paragraphs else "")
    text = shorten(f"{' / '.join(p.title for p in quoted)}: {first}", MAX_FALLBACK_CHARS)
    return Message.of(escape(text), (*head, *body, *extra, *tail))


def _head(reply: Reply, look: Look) -> list[Block]:
    """The title, what a follow-up was read against, and who shared it or the echo."""
    language, question, contrast = reply.language, reply.question, reply.contrast
    title = " ↔ ".join(p.title for p in reply.shown) if contrast is None else t(
        "contrast_title", language, left=contrast.sides[0], right=contrast.sides[1])
    head: list[Block] = [header(title)]
    if reply.about:
        head.append(context(escape(t("about", language, title=reply.about.title))))
    if look.shared_by:
        line = t("shared_by", language, user=mention(look.shared_by))
        if question:
            line += " · " + t("question", language, question=echo(question))
        head.append(context(line))
    elif look.echo and question:
        head.append(context(t("your_question", language, question=echo(question))))
    return head


def _feedback(ref: str, look: Look, language: Language) -> list[Block]:
    """Share and 👍/👎 (each button carrying ``ref``), or the thanks, as ``look`` says."""
    blocks: list[Block] = []
    controls = [button(t("share", language), ACTION_SHARE, ref, style="primary")
                ] if look.share else []
    if look.feedback == "ask":
        controls += [button(f"👍 {t('helpful', language)}", ACTION_HELPFUL, ref),
                     button(f"👎 {t('not_helpful', language)}", ACTION_NOT_HELPFUL, ref)]
    else:
        blocks.append(context(escape(t("thanks_feedback", language))))
    if look.feedback == "missing":
        blocks.append(missing_input(language))
        controls.append(button(t("send", language), ACTION_MISSING, ref))
    return [*blocks, *actions(controls)]


def _quotes(reply: Reply, cited: list[Passage], chosen: Mapping[str, tuple[str, ...]],
            room: int) -> list[Block]:
    """The quote in at most ``room`` blocks: the gist (``chosen``) or, if ``reply.full``,
    the whole passages; a comparison side by side; a contrast row by row."""
    language, contrast, full = reply.language, reply.contrast, reply.full
    if contrast is not None and not full:
        return fit(contrast_blocks(contrast), room, language)
    if len(reply.shown) == 1 and contrast is None:
        best = reply.shown[0]
        sections = quote_sections(best) if full or not chosen[best.id] else gist_sections(
            best, chosen[best.id])
        return fit(sections, room, language)
    if not full:  # side by side, aligned: the titles in one row, the gists in the next
        return [fields(*(f"*{escape(p.title)}*" for p in reply.shown)),
                fields(*(quote("\n".join(excerpt(p.text, chosen[p.id]))) for p in reply.shown))]
    body: list[Block] = []  # whole: one passage under the other, each under its bold title
    for passage in cited:
        part = [section(f"*{escape(passage.title)}*"), *quote_sections(passage)]
        body.extend(fit(part, room // len(cited), language))
    return body


def contrast_blocks(contrast: Contrast) -> list[Block]:
    """Per comparison paragraph its title, then what it says of each side, side by side."""
    left, right = (escape(side) for side in contrast.sides)
    blocks: list[Block] = []
    for row in contrast.rows:
        blocks += [section(f"*{escape(row.passage.title)}*"),
                   fields(f"*{left}*\n" + quote(" ".join(row.left)),
                          f"*{right}*\n" + quote(" ".join(row.right)))]
    return blocks


def missing_input(language: Language) -> InputBlock:
    """The optional one-line "Was hat gefehlt?" input shown after a 👎."""
    return InputBlock(block_id=MISSING_BLOCK, optional=True,
                      label=PlainTextObject(text=t("what_was_missing", language)),
                      element=PlainTextInputElement(action_id=MISSING_BLOCK,
                                                    max_length=MAX_COMMENT_CHARS))


def text_message(text: str, *, question: str | None = None, language: Language = "de") -> Message:
    """A plain message of our own text, optionally with the (escaped) question above."""
    if question is None:
        return Message(text=escape(text))
    line = t("your_question", language, question=echo(question))
    return Message.of(escape(text), (context(line), section(escape(text))))


def error_message(request_id: str) -> Message:
    """The short German error reply, with the reference that is also in the log."""
    return Message(text=escape(t("error", "de", request_id=request_id)))
