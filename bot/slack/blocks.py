"""Answers as Block Kit messages (made with :mod:`bot.slack.kit`): the quoted passages
with their gist first, the buttons that show more or fewer of them, share the answer
and ask for feedback, and the short replies of our own text. All user text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)

from bot.buttons import AnswerRef, Missing, Rating, Share, ShowPassage, Toggle
from bot.core.models import Language, Passage
from bot.core.retrieval.highlight import excerpt, gist
from bot.core.storage.port import MAX_COMMENT_CHARS
from bot.reply import Contrast, Reply
from bot.slack.kit import (
    MAX_BLOCKS,
    USER_ID,
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
from bot.slack.markup import escape, shorten
from bot.slack.values import value
from bot.wording import t

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
MISSING_BLOCK = "feedback_missing_text"  # the "Was hat gefehlt?" input

def passage_buttons(passages: Iterable[Passage], language: Language, start: int = 0
                    ) -> list[ButtonElement]:
    """One "show this passage" button per passage, with unique action ids."""
    return [button(p.title, f"{ACTION_SHOW}.{language}.{n}",
                   value(ShowPassage(passage=p.id, language=language)))
            for n, p in enumerate(passages, start)]


# --- messages ------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Look:
    """How an answer message looks beyond what its reply says: whether it repeats the
    question on top (``echo``, for replies only the asker sees), offers "Im Kanal
    teilen" (``share``) and names who shared it (``shared_by``, a user id)."""

    echo: bool = False
    share: bool = False
    shared_by: str | None = None


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
    shared_by = look.shared_by if look.shared_by and USER_ID.fullmatch(look.shared_by) \
        else None
    ref = AnswerRef(question=question or best.title, shown=2 if len(quoted) == 2 else 1,
                    passages=tuple(p.id for p in [*quoted, *more]), language=language,
                    question_id=reply.question_id, echo=look.echo, share=look.share,
                    shared_by=shared_by, label="related" if label == "related" else "more",
                    full=reply.full, feedback=reply.feedback)
    head = _head(reply, look)
    sources = dict.fromkeys(p.source.label() for p in cited)
    tail: list[Block] = [context(t("source", language, source=escape(" · ".join(sources))))]
    if reply.full or contrast is not None or any(
            sum(map(len, chosen[p.id])) < len(p.text.strip()) for p in quoted):
        toggle = value(Toggle(answer=ref.model_copy(update={"full": not reply.full})))
        text = t("short_version" if reply.full else "full_description", language)
        tail.extend(actions([button(text, ACTION_FULL, toggle)]))
    if more:
        tail.append(section(f"*{escape(t(label, language))}*"))
        tail.extend(actions(passage_buttons(more, language)))
    tail += _feedback(ref.model_copy(update={"feedback": "ask"}), reply, look)
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


def _feedback(asking: AnswerRef, reply: Reply, look: Look) -> list[Block]:
    """Share (if ``look`` offers it) and the feedback line in ``reply.feedback``'s state:
    the 👍/👎 buttons ("ask"), after a click the thanks ("thanks"), after a 👎 the thanks
    and the optional "Was hat gefehlt?" line ("missing"); each button carries ``asking``."""
    language, blocks = reply.language, list[Block]()
    controls = [button(t("share", language), ACTION_SHARE, value(Share(answer=asking)),
                       style="primary")] if look.share else []
    if reply.feedback == "ask":
        controls += [button(f"👍 {t('helpful', language)}", ACTION_HELPFUL,
                            value(Rating(verdict="helpful", answer=asking))),
                     button(f"👎 {t('not_helpful', language)}", ACTION_NOT_HELPFUL,
                            value(Rating(verdict="not_helpful", answer=asking)))]
    else:
        blocks.append(context(escape(t("thanks_feedback", language))))
    if reply.feedback == "missing":
        blocks.append(missing_input(language))
        controls.append(button(t("send", language), ACTION_MISSING,
                               value(Missing(answer=asking))))
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
