"""The guided tour as Adaptive Cards: the department menu, one step (title, the first
sentences of the quote, "Mehr lesen" for the whole passage, Weiter / Zurück / Tour
beenden) and the end. Every button (decided by :mod:`bot.tour_guide`) is an
Action.Submit carrying a :class:`~bot.buttons.TourStep`; the handler replaces the
clicked card with the next view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import tour_guide
from bot.buttons import ButtonKind
from bot.core.models import Language
from bot.core.retrieval.highlight import excerpt
from bot.core.tour import TourView
from bot.teams.cards import _block, _card, _submit, escape
from bot.teams.cards import quote as _quote
from bot.wording import t

TOUR: ButtonKind = "tour"  # the ACTION_KEY value of every tour button


def department_actions(departments: Sequence[str], language: Language, *,
                       keep: bool = False) -> dict[str, Any]:
    """An ActionSet with one "start the tour here" button per department."""
    return {"type": "ActionSet",
            "actions": [_submit(step.department, step)
                        for step in tour_guide.starts(departments, language, keep=keep)]}


def tour_card(view: TourView, language: Language) -> dict[str, Any]:
    """The card for a tour view (menu, step or end)."""
    if view.step is not None and view.state is not None:
        return _step_card(view, language)
    if view.finished and view.state is not None:
        note = t("tour_finished", language, department=view.state.department)
        return _card([_block(escape(note)), department_actions(view.departments, language)],
                     [], note)
    body = [_block(escape(t("tour_intro", language))),
            _block(escape(t("tour_question", language)), weight="Bolder"),
            department_actions(view.departments, language)]
    resume = tour_guide.resume(view)
    if resume is not None:
        label = t("tour_resume", language, department=resume.department,
                  number=resume.position + 1, total=view.resume_total)
        body.append({"type": "ActionSet", "actions": [_submit(label, resume)]})
    lines = [t("tour_question", language), *view.departments]
    return _card(body, [], "\n".join(lines))


def _step_card(view: TourView, language: Language) -> dict[str, Any]:
    assert view.step is not None and view.state is not None
    state, passage = view.state, view.step.passage
    progress = t("tour_step", language, department=state.department, number=view.number,
                 total=view.total)
    part = t(f"tour_part_{view.step.part}", language)
    body: list[dict[str, Any]] = [
        _block(escape(f"{progress} · {part}"), isSubtle=True, size="Small"),
        _block(escape(passage.title), size="Medium", weight="Bolder", style="heading",
               spacing="None"),
    ]
    if view.full or not view.gist:
        body.append(_quote(passage))
    else:
        lines = excerpt(passage.text, view.gist)
        body.append({"type": "Container", "style": "emphasis",
                     "items": [_block(escape(line)) for line in lines]})
    body.append(_block(escape(t("source", language, source=passage.source.label())),
                       isSubtle=True, size="Small"))
    actions = []
    for control in tour_guide.controls(view, language):
        action = _submit(t(control.label, language), control.step)
        actions.append({**action, "style": "positive"} if control.step.action == "next"
                       else action)
    fallback = f"{progress}\n{passage.title}\n\n{' '.join(view.gist) or passage.text}"
    return _card(body, actions, fallback)


def welcome_elements(departments: tuple[str, ...], language: Language) -> list[dict[str, Any]]:
    """"In welchem Bereich startest du?" and a button per department, for the welcome
    card (a click answers with a new card: the welcome stays)."""
    if not departments:
        return []
    return [_block(escape(t("tour_question", language)), weight="Bolder", spacing="Large"),
            department_actions(departments, language, keep=True)]
