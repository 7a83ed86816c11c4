"""The Adaptive Cards that offer instead of quoting: the welcome card (short, with the
role list one click away), help and the list (everything clickable), "Meinst du …?"
(each candidate with its line, and "Keins davon"), and no answer (why, then the ways
on)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.buttons import Decline
from bot.core.models import Language, Passage
from bot.reply import Lead, Reply
from bot.teams.cards import (
    Element,
    _block,
    _card,
    _submit,
    action_sets,
    ask_action,
    escape,
    lead_sets,
    markdown,
    show_action,
)
from bot.teams.views import switcher_row
from bot.wording import EXAMPLE_QUESTIONS, t


def _department(name: str, passages: Sequence[Passage], language: Language) -> list[Element]:
    return [_block(f"**{escape(name)}**", spacing="Medium"),
            *action_sets([show_action(p, language) for p in passages], spacing="Small")]


def _catalogue(groups: Mapping[str, Sequence[Passage]], language: Language,
               name: str) -> list[Element]:
    """Per department its name and one button per role or topic; the departments of
    topics only (no role) one click away, so that the card stays short."""
    roles = {d: ps for d, ps in groups.items() if any(p.kind == "role" for p in ps)}
    topics = {d: ps for d, ps in groups.items() if d not in roles}
    items = [item for d, ps in roles.items() for item in _department(d, ps, language)]
    if not topics:
        return items
    count = sum(map(len, topics.values()))
    hidden = [item for d, ps in topics.items() for item in _department(d, ps, language)]
    if not roles:
        return hidden
    items.append(switcher_row(name, [
        (f"{name}-show", t("show_topics", language, count=count),
         {f"{name}-topics": True, f"{name}-show": False, f"{name}-hide": True}),
        (f"{name}-hide", t("hide_topics", language),
         {f"{name}-topics": False, f"{name}-show": True, f"{name}-hide": False})],
        shown={f"{name}-show"}))
    items.append({"type": "Container", "id": f"{name}-topics", "isVisible": False,
                  "items": hidden})
    return items


def welcome_card(departments: Mapping[str, Iterable[Passage]], language: Language,
                 tour: Sequence[dict[str, Any]] = ()) -> dict:
    """The onboarding card, short enough for the first screen: what the bot does, the
    example questions as buttons that ask them, ``tour`` (the guided tour's "In welchem
    Bereich startest du?" elements), and the roles and topics by department behind
    "Rollen und Themen zeigen"."""
    questions = EXAMPLE_QUESTIONS[language]
    examples = [Lead(label=q, text=q, kind="example") for q in questions]
    groups = {d: list(ps) for d, ps in departments.items()}
    body: list[Element] = [
        _block("Rollenbot", size="Large", weight="Bolder", style="heading"),
        _block(escape(t("welcome", language)), spacing="Small"),
        *action_sets([ask_action(x, language) for x in examples]),
        *tour,
        switcher_row("list", [
            ("show-list", t("show_list", language),
             {"role-list": True, "show-list": False, "hide-list": True}),
            ("hide-list", t("hide_list", language),
             {"role-list": False, "show-list": True, "hide-list": False})],
            shown={"show-list"}),
        {"type": "Container", "id": "role-list", "isVisible": False,
         "items": _catalogue(groups, language, "welcome")},
    ]
    lines = [t("welcome", language), *questions, t("list_header", language)]
    lines += [f"{d}: {', '.join(p.title for p in ps)}" for d, ps in groups.items()]
    return _card(body, [], "\n".join(lines))


def help_card(reply: Reply) -> dict:
    """Usage, the example questions as buttons, then the list and the tour."""
    language = reply.language
    examples = [x for x in reply.leads if x.kind == "example"]
    others = [x for x in reply.leads if x.kind != "example"]
    body: list[Element] = [_block(markdown(t("help", language)))]
    if examples:
        body += [_block(escape(t("examples", language)), weight="Bolder"),
                 *action_sets([ask_action(x, language) for x in examples])]
    body += lead_sets(others, language)
    return _card(body, [], t("help", language))


def list_card(reply: Reply) -> dict:
    """The roles and topics by department, each a button, then the ways on."""
    language = reply.language
    groups = {d: list(ps) for d, ps in (reply.catalogue or {}).items()}
    body = [_block(escape(t("list_header", language)), weight="Bolder"),
            *_catalogue(groups, language, "list"), *lead_sets(reply.leads, language)]
    lines = [t("list_header", language)]
    lines += [f"{d}: {', '.join(p.title for p in ps)}" for d, ps in groups.items()]
    return _card(body, [], "\n".join(lines))


def clarify_card(reply: Reply) -> dict:
    """"Meinst du …?": each candidate as a button with its line below, "Keins davon"."""
    language = reply.language
    body: list[Element] = [_block(escape(t("did_you_mean", language)))]
    for passage in reply.offered:
        items: list[Element] = [{"type": "ActionSet",
                                 "actions": [show_action(passage, language)]}]
        if reply.blurbs.get(passage.id):
            items.append(_block(escape(reply.blurbs[passage.id]), isSubtle=True,
                                size="Small", spacing="None"))
        body.append({"type": "Container", "spacing": "Small", "items": items})
    decline = _submit(t("none_of_these", language),
                      Decline(question_id=reply.question_id, language=language))
    body.append({"type": "ActionSet", "spacing": "Medium", "actions": [decline]})
    lines = [t("did_you_mean", language),
             *(f"- {p.title}: {reply.blurbs.get(p.id, '')}" for p in reply.offered)]
    return _card(body, [], "\n".join(lines))


def no_answer_card(reply: Reply) -> dict:
    """No answer: one sentence saying why, the related passages (if any), each
    department's roles and topics, the tour and help."""
    language = reply.language
    note = t(reply.no_answer or "no_match", language)
    body: list[Element] = [_block(escape(note))]
    if reply.offered:
        body += [*action_sets([show_action(p, language) for p in reply.offered]),
                 _block(escape(t("list_header", language)), isSubtle=True, size="Small")]
    body += lead_sets(reply.leads, language)
    lines = [note, *(f"- {p.title}" for p in reply.offered),
             *(f"- {x.label}" for x in reply.leads)]
    return _card(body, [], "\n".join(lines))
