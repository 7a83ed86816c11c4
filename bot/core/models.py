"""Value objects shared by the engine and the adapters: passages, hits and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["role", "comparison", "overview"]
Language = Literal["de", "en"]
# Why an answer has no passages: "ok" means it has them; "no_match": nothing in the
# knowledge matches; "out_of_scope": the question shares the articles' words but asks
# for something they do not say (a figure, a how-to in a tool, a phone number, "schreib
# mir …"), ``suggestions`` then holds the related passage.
Reason = Literal["ok", "empty", "too_long", "no_match", "out_of_scope"]
# A confident answer (quote), a "Meinst du …?" reply with candidates, or no answer.
Outcome = Literal["answer", "clarify", "none"]


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a passage is quoted from."""

    title: str
    seed: str
    author: str | None = None

    def label(self) -> str:
        """Human-readable source line, e.g. ``Die Unterschiede … (Kenneth Smit)``."""
        return f"{self.title} ({self.author})" if self.author else self.title


@dataclass(frozen=True, kw_only=True)
class Passage:
    """One knowledge entry: a role section, a comparison paragraph or an overview.

    ``text`` is quoted verbatim from the source. Paragraphs are separated by a blank
    line; task-list items are lines starting with "•".
    """

    id: str
    title: str
    kind: Kind
    department: str
    text: str
    source: Source
    aliases: tuple[str, ...] = ()
    search_terms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The text split at blank lines."""
        return tuple(p.strip() for p in self.text.split("\n\n") if p.strip())


@dataclass(frozen=True, kw_only=True)
class Hit:
    """A passage retrieved for a question, with its fused relevance score (0..1)."""

    passage: Passage
    score: float


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The engine's reply to one question.

    ``outcome`` is ``"answer"`` (``hits[0]`` is the answer, quoted), ``"clarify"``
    (evidence is medium: ``hits`` are the top candidates to offer as "Meinst du …?",
    none of them presented as the answer) or ``"none"`` (no hits; ``suggestions`` lists
    the known roles). ``answered`` is true only for ``"answer"``. ``comparison`` is
    true when the question names two roles: ``hits[0]`` and ``hits[1]`` are those
    roles, to be shown side by side. ``language`` is the language the question was
    asked in, for choosing UI strings; the quoted passages stay German.
    """

    question: str
    answered: bool
    hits: tuple[Hit, ...] = ()
    language: Language = "de"
    reason: Reason = "ok"
    suggestions: tuple[Passage, ...] = field(default=())
    outcome: Outcome | None = None  # default: "answer" when answered, else "none"
    comparison: bool = False
    confidence: float | None = None  # the decision's probability that hits[0] is right

    def __post_init__(self) -> None:
        if self.outcome is None:
            object.__setattr__(self, "outcome", "answer" if self.answered else "none")
        if self.answered != (self.outcome == "answer"):
            raise ValueError(f"answered={self.answered} contradicts outcome={self.outcome}")

    @property
    def best(self) -> Hit | None:
        """The first hit, if any."""
        return self.hits[0] if self.hits else None
