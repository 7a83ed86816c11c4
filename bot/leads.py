"""The ways on that a reply offers (:class:`~bot.reply.Lead`): every front end shows
them as buttons (the terminal as what to type), each sending its text as if typed."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.models import Language
from bot.reply import Lead
from bot.wording import EXAMPLE_QUESTIONS, t

# The command a lead sends, per UI language (the words bot.conversation understands).
_LIST = {"de": "liste", "en": "list"}
_TOUR = {"de": "tour", "en": "guided tour"}
_HELP = {"de": "hilfe", "en": "help"}


def department(name: str, language: Language) -> Lead:
    """The roles and topics of one department."""
    return Lead(label=name, text=f"{_LIST[language]} {name}", kind="department")


def commands(language: Language, *, listing: bool = False) -> tuple[Lead, ...]:
    """The guided tour and help (with ``listing``: the whole list first)."""
    out = [Lead(label=t("lead_list", language), text=_LIST[language])] if listing else []
    out += [Lead(label=t("lead_tour", language), text=_TOUR[language]),
            Lead(label=t("lead_help", language), text=_HELP[language])]
    return tuple(out)


def for_help(language: Language) -> tuple[Lead, ...]:
    """The example questions, then the list and the tour."""
    examples = tuple(Lead(label=q, text=q, kind="example") for q in EXAMPLE_QUESTIONS[language])
    return (*examples, *commands(language, listing=True)[:2])


def ways_on(departments: Iterable[str], language: Language) -> tuple[Lead, ...]:
    """Each department's roles and topics, the tour and help: after no answer."""
    return (*(department(d, language) for d in departments), *commands(language))
