"""The guided tour as Adaptive Cards: the department menu, one step (title, the first
sentences of the quote, "Mehr lesen" for the whole passage, Weiter / Zurück / Tour
beenden) and the end. Every button is an Action.Submit with ``rolle: tour``; the
handler replaces the clicked card with the next view."""

from __future__ import annotations

from typing import Any, cast

from bot.core.models import Language
from bot.core.retrieval.highlight import excerpt
from bot.core.tour import TOUR_ACTIONS, TourAction, TourView
from bot.teams.cards import ACTION_KEY, _block, _card, _submit, escape
from bot.teams.cards import quote as _quote
from bot.texts import t

TOUR = "tour"  # the ACTION_KEY value of every tour button
MAX_DEPARTMENT_CHARS = 200


def tour_data(action: TourAction, department: str, position: int, language: Language, *,
              keep: bool = False) -> dict[str, Any]:
    """The Action.Submit data of a tour button (``keep``: answer with a new card instead
    of replacing the clicked one, as on the welcome card)."""
    data: dict[str, Any] = {ACTION_KEY: TOUR, "a": action, "d": department,
                            "p": position, "lang": language}
    if keep:
        data["k"] = True
    return data


def read_data(value: dict[str, Any]) -> tuple[TourAction, str, int, Language, bool]:
    """Action, department, position, language and ``keep`` from submitted data, each
    checked (a submission is user-controlled)."""
    action = value.get("a")
    department = value.get("d")
    position = value.get("p")
    return (cast(TourAction, action) if action in TOUR_ACTIONS else "menu",
            department[:MAX_DEPARTMENT_CHARS] if isinstance(department, str) else "",
            position if isinstance(position, int) and 0 <= position < 10_000 else 0,
            "en" if value.get("lang") == "en" else "de", value.get("k") is True)


def department_actions(departments: tuple[str, ...], language: Language, *,
                       keep: bool = False) -> dict[str, Any]:
    """An ActionSet with one "start the tour here" button per department."""
    return {"type": "ActionSet",
            "actions": [_submit(d, tour_data("start", d, 0, language, keep=keep))
                        for d in departments]}


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
    if view.resume is not None:
        resume = view.resume
        label = t("tour_resume", language, department=resume.department,
                  number=resume.position + 1, total=view.resume_total)
        body.append({"type": "ActionSet", "actions": [_submit(label, tour_data(
            "resume", resume.department, resume.position, resume.language))]})
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

    def data(action: TourAction) -> dict[str, Any]:
        return tour_data(action, state.department, state.position, language)

    actions = []
    if not view.first:
        actions.append(_submit(t("tour_back", language), data("back")))
    if view.gist and sum(map(len, view.gist)) < len(passage.text.strip()):
        if view.full:
            actions.append(_submit(t("tour_less", language), data("less")))
        else:
            actions.append(_submit(t("tour_more", language), data("more")))
    forward = t("tour_finish" if view.last else "tour_next", language)
    actions.append({**_submit(forward, data("next")), "style": "positive"})
    actions.append(_submit(t("tour_end", language), data("end")))
    fallback = f"{progress}\n{passage.title}\n\n{' '.join(view.gist) or passage.text}"
    return _card(body, actions, fallback)


def welcome_elements(departments: tuple[str, ...], language: Language) -> list[dict[str, Any]]:
    """"In welchem Bereich startest du?" and a button per department, for the welcome
    card (a click answers with a new card: the welcome stays)."""
    if not departments:
        return []
    return [_block(escape(t("tour_question", language)), weight="Bolder", spacing="Large"),
            department_actions(departments, language, keep=True)]
