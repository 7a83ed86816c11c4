"""The guided tour: a department's roles one step at a time, then how it works with its
neighbours. Platform-free: the front ends only render a :class:`TourView`.

Everything is derived from the knowledge, nothing is listed here:

* the departments of the tour are those with at least one role, in knowledge order;
* a department's steps are its roles in knowledge order, then the overview and comparison
  passages of the departments whose name contains this one's as a word ("Marketing und
  Vertrieb" links Marketing and Vertrieb), overviews first;
* a department without such passages ends with the passages of other departments its
  roles are ``related`` to, in the order they are named.

A :class:`TourState` (department, position, language) is what the store remembers per
user, so a tour survives a restart; :meth:`Tour.move` is the only transition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from bot.core.models import Language, Passage
from bot.core.retrieval.highlight import gist

# What a button (or a typed word) asks of the tour.
TourAction = Literal["start", "next", "back", "more", "less", "end", "resume", "menu"]
TOUR_ACTIONS: tuple[TourAction, ...] = (
    "start", "next", "back", "more", "less", "end", "resume", "menu")
# Which part of the tour a step belongs to: the department's own roles, the passages
# linking it with its neighbours, or (without those) the roles it is related to.
Part = Literal["role", "neighbour", "related"]
_KIND_ORDER = {"overview": 0, "comparison": 1, "role": 2}


@dataclass(frozen=True, kw_only=True)
class TourState:
    """Where someone is in a tour: the department, the step (0-based) and the UI language
    the tour was started in (button clicks carry no text to detect it from)."""

    department: str
    position: int = 0
    language: Language = "de"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of a tour: the passage shown and which part of the tour it is."""

    passage: Passage
    part: Part


@dataclass(frozen=True, kw_only=True)
class TourView:
    """What to show: the department menu (``state`` None), a step, or the end.

    Attributes:
        departments: the departments a tour can start in (for the menu buttons).
        state: the tour shown; None for the menu.
        step: the current step (None for the menu and the end).
        total: how many steps the department's tour has.
        gist: the first sentences of the step's passage (verbatim).
        full: show the whole passage instead of its gist ("Mehr lesen").
        finished: the tour was ended (or run to its end).
        resume: on the menu, an unfinished tour that can be continued.
        resume_total: how many steps the tour to continue has.
    """

    departments: tuple[str, ...]
    state: TourState | None = None
    step: Step | None = None
    total: int = 0
    gist: tuple[str, ...] = ()
    full: bool = False
    finished: bool = False
    resume: TourState | None = None
    resume_total: int = 0

    @property
    def number(self) -> int:
        """The step's number, counted from 1 (0 for the menu)."""
        return self.state.position + 1 if self.state is not None and self.step else 0

    @property
    def first(self) -> bool:
        """Whether this is the first step (no "Zurück")."""
        return self.number == 1

    @property
    def last(self) -> bool:
        """Whether this is the last step ("Weiter" ends the tour)."""
        return self.step is not None and self.number == self.total


def _contains_word(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack, re.IGNORECASE) is not None


class Tour:
    """The tours of one knowledge base (build a new one when the knowledge changes)."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        """Derive the departments and their steps from ``passages`` (knowledge order)."""
        self.passages = tuple(passages)
        self._by_id = {p.id: p for p in self.passages}
        seen: dict[str, None] = {}
        for passage in self.passages:
            if passage.kind == "role":
                seen.setdefault(passage.department, None)
        self.departments: tuple[str, ...] = tuple(seen)
        self._steps = {d: self._derive(d) for d in self.departments}

    def _derive(self, department: str) -> tuple[Step, ...]:
        roles = [p for p in self.passages if p.kind == "role" and p.department == department]
        linking = sorted(
            (p for p in self.passages if p.kind != "role" and p.department != department
             and _contains_word(p.department, department)),
            key=lambda p: _KIND_ORDER[p.kind])  # stable: knowledge order within a kind
        steps = [Step(passage=p, part="role") for p in roles]
        if linking:
            return (*steps, *(Step(passage=p, part="neighbour") for p in linking))
        shown = {p.id for p in roles}
        for role in roles:
            for ref in role.related:
                other = self._by_id.get(ref)
                if other is not None and other.id not in shown \
                        and other.department != department:
                    shown.add(other.id)
                    steps.append(Step(passage=other, part="related"))
        return tuple(steps)

    def steps(self, department: str) -> tuple[Step, ...]:
        """The steps of ``department``'s tour (empty for an unknown department)."""
        return self._steps.get(department, ())

    def find(self, name: str) -> str | None:
        """The department called ``name`` (case and surrounding space ignored)."""
        wanted = " ".join(name.split()).casefold()
        return next((d for d in self.departments if d.casefold() == wanted), None)

    def menu(self, resume: TourState | None = None) -> TourView:
        """The department menu, offering to continue ``resume`` if it is still valid."""
        total = len(self.steps(resume.department)) if resume is not None else 0
        if resume is None or not 0 <= resume.position < total:
            return TourView(departments=self.departments)
        return TourView(departments=self.departments, resume=resume, resume_total=total)

    def view(self, state: TourState, *, full: bool = False) -> TourView:
        """The step ``state`` points at; the menu when its department no longer exists
        (the knowledge changed), the last step when the position is beyond the end."""
        steps = self.steps(state.department)
        if not steps:
            return self.menu()
        state = replace(state, position=min(max(state.position, 0), len(steps) - 1))
        step = steps[state.position]
        return TourView(departments=self.departments, state=state, step=step,
                        total=len(steps), gist=gist(step.passage), full=full)

    def finished(self, state: TourState) -> TourView:
        """The end of a tour: a closing note and the menu to start another."""
        return TourView(departments=self.departments, state=state, finished=True,
                        total=len(self.steps(state.department)))

    def move(self, state: TourState, action: TourAction) -> TourState | None:
        """The state after ``action``; None when the tour ends ("Tour beenden", or
        "Weiter" on the last step). "start", "resume", "more", "less" and "menu" keep
        the position."""
        if action == "end":
            return None
        total = len(self.steps(state.department))
        if action == "next":
            if state.position + 1 >= total:
                return None
            return replace(state, position=state.position + 1)
        if action == "back":
            return replace(state, position=max(state.position - 1, 0))
        return state
