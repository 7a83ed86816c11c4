"""A decided :class:`~bot.conversation.Reply` as a Slack message. Nothing is decided
here: the conversation core chose what to say, this module only says it in Block Kit."""

from __future__ import annotations

from bot.reply import Reply
from bot.slack.blocks import Look, passages_message, text_message
from bot.slack.kit import MAX_SECTION_CHARS, Block, Message, section
from bot.slack.markup import escape
from bot.slack.offers import clarify_message, no_answer_message
from bot.slack.tour import tour_message
from bot.slack.views import catalogue_message, help_message
from bot.wording import report_lines, t


def render(reply: Reply, *, show_question: bool = False, share: bool = False,
           shared_by: str | None = None) -> Message:
    """The Slack message for ``reply``.

    Args:
        reply: what the conversation core decided.
        show_question: repeat the asker's question on top (replies only they see).
        share: offer "Im Kanal teilen" under quoted answers.
        shared_by: the user id of who shared it into the channel.
    """
    language = reply.language
    echo = reply.question if show_question and reply.question else None
    if reply.kind == "help":
        return help_message(language, reply.leads)
    if reply.kind == "listing":
        return catalogue_message(reply.catalogue or {}, language, reply.leads)
    if reply.kind in ("role", "answer") and reply.shown:
        look = Look(echo=echo is not None, share=share, shared_by=shared_by)
        return passages_message(reply, look=look, extra=people_blocks(reply))
    if reply.kind == "empty":
        return text_message(t("empty", language))
    if reply.kind == "thanks":
        return text_message(t("thanks_feedback", language))
    if reply.kind == "too_long":
        note = t("too_long", language, length=len(reply.question), limit=reply.limit)
        return text_message(note, question=echo, language=language)
    if reply.kind == "rate_limited":
        return text_message(t("rate_limited", language))
    if reply.kind == "tour" and reply.tour is not None:
        return tour_message(reply.tour, language)
    if reply.kind == "report":
        return text_message("\n".join(report_lines(reply.gaps, language)))
    if reply.kind == "clarify":
        return clarify_message(reply, show_question=echo is not None)
    return no_answer_message(reply, show_question=echo is not None)


def person_link(name: str, url: str | None) -> str:
    """A colleague as mrkdwn: a link to their profile (``<url|name>``, the name escaped),
    which notifies no one, unlike a ``<@U…>`` mention; without a URL the escaped name."""
    label = escape(" ".join(name.split())).replace("|", "∣")
    return f"<{url}|{label}>" if url else label


def people_blocks(reply: Reply) -> list[Block]:
    """The people holding the quoted role (or "nobody found"), when the question asked
    for them; as many sections as Slack's 3,000 characters per section need."""
    if not reply.people_asked:
        return []
    if not reply.people:
        return [section(escape(t("people_none", reply.language)))]
    chunks = [f"*{escape(t('people_here', reply.language))}*"]
    for person in reply.people:
        line = f"• {person_link(person.name, person.url)}"
        if len(chunks[-1]) + 1 + len(line) > MAX_SECTION_CHARS:
            chunks.append(line)
        else:
            chunks[-1] += "\n" + line
    return [section(chunk) for chunk in chunks]
