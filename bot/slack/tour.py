"""The guided tour in Block Kit: the department menu, one step (title, the first
sentences of the quote, "Mehr lesen" for the whole passage, Weiter / Zurück / Tour
beenden) and the end. Its buttons (decided by :mod:`bot.tour_guide`) carry a
:class:`~bot.buttons.TourStep`; a click replaces the message in place (see
:func:`bot.slack.listeners.actions.tour_click`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import tour_guide
from bot.core.models import Language
from bot.core.tour import TourView
from bot.slack.blocks import (
    MAX_BLOCKS,
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
from bot.slack.values import value
from bot.wording import t

ACTION_TOUR = "tour"  # action_id: tour.<action>[.<n>]; value: TourStep


def department_buttons(departments: Sequence[str], language: Language, *,
                       keep: bool = False) -> list[Block]:
    """One "start the tour here" button per department."""
    return actions([button(step.department, f"{ACTION_TOUR}.start.{n}", value(step))
                    for n, step in enumerate(tour_guide.starts(departments, language,
                                                               keep=keep))])


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
    resume = tour_guide.resume(view)
    if resume is not None:
        label = t("tour_resume", language, department=resume.department,
                  number=resume.position + 1, total=view.resume_total)
        blocks.extend(actions([button(label, f"{ACTION_TOUR}.resume", value(resume))]))
    return Message.of(escape(t("tour_question", language)), blocks)


def _step_message(view: TourView, language: Language) -> Message:
    assert view.step is not None and view.state is not None
    state, passage = view.state, view.step.passage
    part = t(f"tour_part_{view.step.part}", language)
    progress = t("tour_step", language, department=state.department, number=view.number,
                 total=view.total)
    head = [context(escape(f"{progress} · {part}")), header(passage.title)]
    quoted = quote_sections(passage) if view.full or not view.gist else gist_sections(
        passage, view.gist)
    controls = []
    for control in tour_guide.controls(view, language):
        action, label = control.step.action, t(control.label, language)
        label = f"← {label}" if action == "back" else f"{label} →" if action == "next" else label
        controls.append(button(label, f"{ACTION_TOUR}.{action}", value(control.step),
                               style="primary" if action == "next" else None))
    tail = [context(escape(t("source", language, source=passage.source.label()))),
            *actions(controls)]
    body = fit(quoted, MAX_BLOCKS - len(head) - len(tail), language)
    first = " ".join(view.gist) or passage.text
    text = shorten(f"{progress}: {passage.title}: {first}", 3000)
    return Message.of(escape(text), (*head, *body, *tail))
