"""The decided reply that every front end renders: :class:`Reply` and its parts (the
ways on, a marketing-vs-sales table). Made by :mod:`bot.conversation`, never by a
renderer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.core.models import Hit, Language, Passage
from bot.core.people import Person
from bot.core.tour import TourView
from bot.report.gaps import Gap

ReplyKind = Literal[
    "help", "listing", "role", "answer", "clarify", "none", "empty", "too_long", "rate_limited",
    "report", "tour", "thanks",
]
# Which heading the offered passages get (keys of bot.wording).
OfferLabel = Literal["more", "related", "did_you_mean", "no_answer", ""]
# Why there is no answer: nothing matched, the question asks for something the articles
# do not cover, or the asker said none of the "Meinst du …?" candidates fitted.
NoAnswer = Literal["", "no_match", "out_of_scope", "declined"]
LeadKind = Literal["example", "department", "command"]
# Under a quote: the 👍/👎 buttons ("ask"), the thanks after a click ("thanks"), or after
# a 👎 the thanks and the optional "Was hat gefehlt?" line ("missing").
Feedback = Literal["ask", "thanks", "missing"]


@dataclass(frozen=True, kw_only=True)
class Lead:
    """A way on: a button (in the terminal, a hint) that sends ``text`` as if typed."""

    label: str
    text: str
    kind: LeadKind = "command"


@dataclass(frozen=True, kw_only=True)
class ContrastRow:
    """One comparison paragraph split by side: its verbatim sentences about each."""

    passage: Passage
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Contrast:
    """How two departments differ, paragraph by paragraph ("Marketing" | "Vertrieb")."""

    sides: tuple[str, str]
    rows: tuple[ContrastRow, ...]


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What to tell the asker, decided once for every front end.

    Attributes:
        kind: what sort of reply this is.
        language: the UI language (quoted passages stay German).
        question: the question as cleaned for answering ("" for buttons).
        shown: passages quoted, best first (two for a comparison).
        offered: passages offered as buttons below (further matches, related roles,
            "did you mean" candidates, or the related roles after "out of scope").
        offer_label: the text key of the heading above ``offered``.
        hits: the engine's scored hits, for the terminal and JSON.
        catalogue: departments and their passages, for ``listing``.
        comparison: ``shown`` holds two passages to read side by side.
        limit: the maximum question length, for ``too_long``.
        notify: for ``rate_limited``: tell the asker (first time) or stay quiet.
        question_id: the recorded question's id (for feedback), None if not recorded.
        gaps: for ``report``: the largest groups of unanswered questions.
        highlights: for each passage in ``shown`` (by id), its gist: the verbatim
            sentences shown first by every front end (for a comparison, the same kind
            of sentences for both).
        tour: for ``tour``: the guided tour's menu, step or end.
        people: for a question who holds the role here ("Wer ist bei uns …?"): the
            colleagues holding the quoted role, by name (never to be shown as mentions).
        people_asked: the question asked for people and the directory was read, so an
            empty ``people`` means "nobody found" (False: show the role alone).
        no_answer: for ``none``: why there is no answer.
        leads: the ways on (department role lists, the tour, help, example questions).
        blurbs: for ``clarify``: one verbatim line per offered passage (by id), so the
            asker sees what each candidate is.
        full: show the quoted passages whole (after "mehr"), not their gist first.
        contrast: for a question how two departments differ: their comparison
            paragraphs side by side.
        about: for a follow-up, the passage of the earlier answer it was read against.
        feedback: for a quote, what its feedback line shows (after a click: thanks).
    """

    kind: ReplyKind
    language: Language = "de"
    question: str = ""
    shown: tuple[Passage, ...] = ()
    offered: tuple[Passage, ...] = ()
    offer_label: OfferLabel = ""
    hits: tuple[Hit, ...] = ()
    catalogue: Mapping[str, Sequence[Passage]] | None = None
    comparison: bool = False
    limit: int = 0
    notify: bool = True
    question_id: str | None = None
    gaps: tuple[Gap, ...] = ()
    highlights: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tour: TourView | None = None
    people: tuple[Person, ...] = ()
    people_asked: bool = False
    no_answer: NoAnswer = ""
    leads: tuple[Lead, ...] = ()
    blurbs: Mapping[str, str] = field(default_factory=dict)
    full: bool = False
    contrast: Contrast | None = None
    about: Passage | None = None
    feedback: Feedback = "ask"

    def gist(self, passage: Passage) -> tuple[str, ...]:
        """The highlighted sentences of a shown ``passage`` (empty if none)."""
        return tuple(self.highlights.get(passage.id, ()))

    @property
    def best(self) -> Passage | None:
        """The first quoted passage, if any."""
        return self.shown[0] if self.shown else None

    @property
    def quotes(self) -> bool:
        """Whether this reply quotes the knowledge base (role or answer)."""
        return self.kind in ("role", "answer") and bool(self.shown)
