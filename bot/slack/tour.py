"""The guided tour in Block Kit: the department menu, one step (title, the first
sentences of the quote, "Mehr lesen" for the whole passage, Weiter / Zurück / Tour
beenden) and the end. Buttons carry a :class:`TourRef`; a click replaces the message
in place (see :func:`bot.slack.listeners.actions.tour_click`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

from bot.core.models import Language
from bot.core.tour import TOUR_ACTIONS, TourAction, TourView
from bot.slack.blocks import (
    MAX_BLOCKS,
    MAX_VALUE_CHARS,
    Block,
    Message,
    actions,
    button,
    context,
    fit,
    gist_sections,
    header,
    quote_sections,
    section,
)
from bot.slack.markup import escape, shorten
from bot.texts import t

ACTION_TOUR = "tour"  # action_id: tour.<action>[.<n>]; value: TourRef
MAX_DEPARTMENT_CHARS = 200


@dataclass(frozen=True, kw_only=True)
class TourRef:
    """What a tour button carries: the tour's department, the step shown, the UI
    language, and ``keep`` (post the step as a new message instead of replacing the one
    clicked, as on the welcome message)."""

    department: str
    position: int = 0
    language: Language = "de"
    keep: bool = False

    def encode(self) -> str:
        """Compact JSON, well under Slack's 2000 characters."""
        data: dict[str, object] = {"d": self.department[:MAX_DEPARTMENT_CHARS],
                                   "p": self.position, "l": self.language}
        if self.keep:
            data["k"] = 1
        value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        assert len(value) <= MAX_VALUE_CHARS
        return value

    @classmethod
    def decode(cls, value: str | None) -> TourRef:
        """The reference in a button value; anything malformed becomes an empty
        department (which leads to the menu)."""
        try:
            data = json.loads(value or "")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls(department="")
        department, position = data.get("d"), data.get("p")
        return cls(department=department[:MAX_DEPARTMENT_CHARS]
                   if isinstance(department, str) else "",
                   position=position if isinstance(position, int) and 0 <= position < 10_000
                   else 0,
                   language="en" if data.get("l") == "en" else "de", keep=bool(data.get("k")))


def parse_action(action_id: str) -> TourAction:
    """The tour action of a button's ``action_id`` (``tour.next``, ``tour.start.2``)."""
    parts = action_id.split(".")
    name = parts[1] if len(parts) > 1 else ""
    return cast(TourAction, name) if name in TOUR_ACTIONS else "menu"


def department_buttons(departments: tuple[str, ...], language: Language, *,
                       keep: bool = False) -> list[Block]:
    """One "start the tour here" button per department."""
    return actions([button(d, f"{ACTION_TOUR}.start.{n}",
                           TourRef(department=d, language=language, keep=keep).encode())
                    for n, d in enumerate(departments)])


def tour_message(view: TourView, language: Language) -> Message:
    """The Slack message for a tour view (menu, step or end)."""
    if view.step is not None and view.state is not None:
        return _step_message(view, language)
    if view.finished and view.state is not None:
        note = t("tour_finished", language, department=view.state.department)
        blocks = [section(escape(note)), *department_buttons(view.departments, language)]
        return Message.of(escape(note), blocks)
    blocks = [section(escape(t("tour_intro", language))),
              section(f"*{escape(t('tour_question', language))}*"),
              *department_buttons(view.departments, language)]
    if view.resume is not None:
        label = t("tour_resume", language, department=view.resume.department,
                  number=view.resume.position + 1, total=view.resume_total)
        blocks.extend(actions([button(label, f"{ACTION_TOUR}.resume", TourRef(
            department=view.resume.department, position=view.resume.position,
            language=view.resume.language).encode())]))
    return Message.of(escape(t("tour_question", language)), blocks)


def _step_message(view: TourView, language: Language) -> Message:
    assert view.step is not None and view.state is not None
    state, passage = view.state, view.step.passage
    ref = TourRef(department=state.department, position=state.position,
                  language=language).encode()
    part = t(f"tour_part_{view.step.part}", language)
    progress = t("tour_step", language, department=state.department, number=view.number,
                 total=view.total)
    head = [context(escape(f"{progress} · {part}")), header(passage.title)]
    quoted = quote_sections(passage) if view.full or not view.gist else gist_sections(
        passage, view.gist)
    shortened = bool(view.gist) and sum(map(len, view.gist)) < len(passage.text.strip())
    controls = []
    if not view.first:
        controls.append(button(f"← {t('tour_back', language)}", f"{ACTION_TOUR}.back", ref))
    if shortened:
        key, action = ("tour_less", "less") if view.full else ("tour_more", "more")
        controls.append(button(t(key, language), f"{ACTION_TOUR}.{action}", ref))
    forward = t("tour_finish" if view.last else "tour_next", language)
    controls.append(button(f"{forward} →", f"{ACTION_TOUR}.next", ref, style="primary"))
    controls.append(button(t("tour_end", language), f"{ACTION_TOUR}.end", ref))
    tail = [context(escape(t("source", language, source=passage.source.label()))),
            *actions(controls)]
    body = fit(quoted, MAX_BLOCKS - len(head) - len(tail), language)
    first = " ".join(view.gist) or passage.text
    text = shorten(f"{progress}: {passage.title}: {first}", 3000)
    return Message.of(escape(text), (*head, *body, *tail))
