"""Block Kit for the replies that offer instead of quoting: "Meinst du …?" (each
candidate with its line, and "Keins davon"), no answer (the related passages, each
department's roles and topics, the tour, help), and the ways on as buttons."""

from __future__ import annotations

from collections.abc import Sequence

from bot.buttons import Ask, Decline, ShowPassage
from bot.core.models import Language
from bot.reply import Lead, Reply
from bot.slack.blocks import (
    ACTION_ASK,
    ACTION_DECLINE,
    ACTION_SHOW,
    MAX_FALLBACK_CHARS,
    passage_buttons,
)
from bot.slack.kit import (
    MAX_BLOCKS,
    Block,
    Message,
    actions,
    button,
    context,
    echo,
    fit,
    section,
)
from bot.slack.markup import escape, shorten
from bot.slack.values import value
from bot.wording import t


def lead_buttons(leads: Sequence[Lead], language: Language) -> list[Block]:
    """The ways on as buttons that ask their text: departments in one row, the rest in
    the next."""
    rows = [[lead for lead in leads if lead.kind == "department"],
            [lead for lead in leads if lead.kind != "department"]]
    out: list[Block] = []
    start = 0
    for row in rows:
        if row:
            out.extend(actions([button(lead.label, f"{ACTION_ASK}.lead.{n}",
                                       value(Ask(text=lead.text, language=language)))
                                for n, lead in enumerate(row, start)]))
            start += len(row)
    return out


def _echo(reply: Reply, show_question: bool) -> list[Block]:
    if not (show_question and reply.question):
        return []
    return [context(t("your_question", reply.language, question=echo(reply.question)))]


def clarify_message(reply: Reply, *, show_question: bool = False) -> Message:
    """"Meinst du …?": each candidate under its title with its line and a button that
    shows it, then "Keins davon"."""
    language = reply.language
    note = t("did_you_mean", language)
    blocks = [*_echo(reply, show_question), section(escape(note))]
    for n, passage in enumerate(reply.offered):
        line = f"*{escape(passage.title)}*"
        if reply.blurbs.get(passage.id):
            line += "\n" + escape(reply.blurbs[passage.id])
        blocks.append(section(line, accessory=button(
            t("show", language), f"{ACTION_SHOW}.{language}.{n}",
            value(ShowPassage(passage=passage.id, language=language)))))
    decline = Decline(question_id=reply.question_id, language=language)
    blocks.extend(actions([button(t("none_of_these", language), ACTION_DECLINE,
                                  value(decline))]))
    names = ", ".join(p.title for p in reply.offered)
    return Message.of(escape(shorten(f"{note} {names}", MAX_FALLBACK_CHARS)),
                      fit(blocks, MAX_BLOCKS, language))


def no_answer_message(reply: Reply, *, show_question: bool = False) -> Message:
    """No answer: one sentence saying why, the related passages (if any), then each
    department's roles and topics, the tour and help as buttons."""
    language = reply.language
    note = t(reply.no_answer or "no_match", language)
    blocks = [*_echo(reply, show_question), section(escape(note))]
    if reply.offered:
        blocks += [*actions(passage_buttons(reply.offered, language)),
                   context(escape(t("list_header", language)))]
    blocks += lead_buttons(reply.leads, language)
    return Message.of(escape(note), fit(blocks, MAX_BLOCKS, language))
