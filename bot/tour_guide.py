"""The guided tour in the conversation: which view a "tour" line or a tour button
leads to, and remembering the position in the store (keyed by the user's pseudonym),
so a tour survives a restart, and which buttons a view has (:func:`controls`,
:func:`starts`, :func:`resume`). The tour itself (departments, steps, moves) is
:mod:`bot.core.tour`; the front ends render the :class:`~bot.core.tour.TourView` and
these buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.buttons import TourStep
from bot.core.models import Language, Passage
from bot.core.storage.guard import GuardedStore
from bot.core.tour import Tour, TourAction, TourState, TourView

# "tour" (or "tour <Bereich>") starts the guided tour; the English phrases get English UI.
TOUR_WORDS = frozenset({"tour", "rundgang", "führung"})
ENGLISH_TOUR = frozenset({"guided tour", "take the tour", "take a tour", "start tour"})


class TourGuide:
    """Decides tour views for one conversation; remembers positions in ``store``."""

    def __init__(self, store: GuardedStore | None) -> None:
        """Remember positions in ``store`` (None: only what the buttons carry)."""
        self.store = store
        self._cached: tuple[Sequence[Passage], Tour] | None = None

    def tour_of(self, passages: Sequence[Passage]) -> Tour:
        """The tour of these passages (derived again when the knowledge is reloaded)."""
        cached = self._cached
        if cached is None or cached[0] is not passages:
            cached = (passages, Tour(passages))
            self._cached = cached
        return cached[1]

    def _load(self, user: str | None) -> TourState | None:
        return self.store.load_tour(user) if self.store is not None and user else None

    def command(self, passages: Sequence[Passage], word: str, *, user: str | None,
                language: Language) -> tuple[TourView, Language]:
        """"tour": the department menu (offering to continue an unfinished tour);
        "tour <Bereich>": that department's tour from its first step."""
        tour = self.tour_of(passages)
        rest = word.split(" ", 1)[1] if " " in word and word not in ENGLISH_TOUR else ""
        department = tour.find(rest) if rest else None
        if department is not None:
            return self.click(passages, "start", user=user, department=department,
                              language=language)
        return tour.menu(self._load(user)), language

    def click(self, passages: Sequence[Passage], action: TourAction, *, user: str | None,
              department: str = "", position: int = 0, language: Language = "de",
              ) -> tuple[TourView, Language]:
        """The view after ``action``, and the UI language to show it in.

        The stored position is authoritative when it is a tour of the same department
        (so a tour survives a restart, and every message of it moves one tour); the
        ``department``/``position``/``language`` the button carried are the fallback
        when nothing is stored (the database away, or no user).

        Args:
            passages: the knowledge.
            action: what was clicked.
            user: who clicked (None: nothing is remembered).
            department: the tour's department (for "start": the one chosen).
            position: the step the button was shown on (0-based).
            language: the UI language the button was made for.
        """
        tour = self.tour_of(passages)
        stored = self._load(user)
        if action == "menu" or (action == "resume" and stored is None):
            return tour.menu(stored), language
        if action == "start":
            current = TourState(department=tour.find(department) or department,
                                language=language)
        elif stored is not None and (action == "resume" or stored.department == department):
            current = stored
        else:
            current = TourState(department=department, position=position, language=language)
        if not tour.steps(current.department):  # unknown (or no longer known) department
            return tour.menu(), current.language
        after = tour.move(current, action)
        if self.store is not None and user and after != stored:
            self.store.save_tour(user, after)
        view = tour.finished(current) if after is None else tour.view(
            after, full=action == "more")
        return view, current.language


@dataclass(frozen=True, kw_only=True)
class Control:
    """A button under a tour step: its label (a key of :mod:`bot.wording`) and its step."""

    label: str
    step: TourStep


def controls(view: TourView, language: Language) -> tuple[Control, ...]:
    """The buttons under a tour step, in order: Zurück (not on the first step), Mehr lesen
    or Weniger (when the gist is shorter than the passage), Weiter (Tour abschließen on
    the last step) and Tour beenden; none for the menu and the end."""
    if view.step is None or view.state is None:
        return ()
    state, passage = view.state, view.step.passage

    def to(action: TourAction) -> TourStep:
        return TourStep(action=action, department=state.department, position=state.position,
                        language=language)

    buttons = [] if view.first else [Control(label="tour_back", step=to("back"))]
    if view.gist and sum(map(len, view.gist)) < len(passage.text.strip()):
        buttons.append(Control(label="tour_less", step=to("less")) if view.full
                       else Control(label="tour_more", step=to("more")))
    buttons.append(Control(label="tour_finish" if view.last else "tour_next", step=to("next")))
    buttons.append(Control(label="tour_end", step=to("end")))
    return tuple(buttons)


def starts(departments: Sequence[str], language: Language, *,
           keep: bool = False) -> tuple[TourStep, ...]:
    """One "start the tour here" button per department (``keep``: answered with a new
    message, as on the welcome message)."""
    return tuple(TourStep(action="start", department=d, language=language, keep=keep)
                 for d in departments)


def resume(view: TourView) -> TourStep | None:
    """On the menu, the button that continues an unfinished tour."""
    if view.resume is None:
        return None
    state = view.resume
    return TourStep(action="resume", department=state.department, position=state.position,
                    language=state.language)
