"""Value objects shared by the engine and the adapters: passages, hits and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["role", "comparison", "overview"]
Language = Literal["de", "en"]
# Why an answer has no passages: "ok" means it has them.
Reason = Literal["ok", "empty", "too_long", "no_match"]
# "answer": a confident quote; "clarify": medium evidence, offer candidates ("Meinst du …?");
# "none": nothing fits.
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

    ``hits`` is best first: the answer for ``outcome == "answer"`` (``answered``), the
    candidates for ``"clarify"``, empty for ``"none"``. ``comparison`` means the first
    two hits are to be read side by side. ``language`` is the language the question was
    asked in, for choosing UI strings; the quoted passages stay German.
    """

    question: str
    answered: bool
    outcome: Outcome = "none"
    comparison: bool = False
    hits: tuple[Hit, ...] = ()
    language: Language = "de"
    reason: Reason = "ok"
    suggestions: tuple[Passage, ...] = field(default=())

    @property
    def best(self) -> Hit | None:
        """The first hit, if any."""
        return self.hits[0] if self.hits else None
