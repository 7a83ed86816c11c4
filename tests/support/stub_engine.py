"""A small, deterministic stand-in for the engine, for adapter tests.

It serves the real knowledge passages, but instead of retrieval it answers by name: a
question that contains a passage's title or alias is answered with that passage (and
the next two passages as further hits); anything else gets "no answer". Canned answers
(for "did you mean" and comparisons) can be added per question. So adapter tests test
the adapters, and a ranking change in the real engine never breaks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.knowledge import by_department, load_knowledge
from bot.core.models import Answer, Hit, Outcome, Passage, Reason
from bot.core.text import language
from bot.core.text.clean import clean_question
from tests.fakes import HashEmbedder

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-zäöüß0-9]+", text.lower()))


@dataclass(frozen=True)
class Canned:
    """A prepared answer: its outcome, the passage ids (best first), comparison or not;
    with ``reason`` "out_of_scope", no answer and the ids as the related suggestions."""

    outcome: Outcome
    ids: tuple[str, ...]
    comparison: bool = False
    reason: Reason = "ok"


@dataclass
class StubEngine:
    """Answers by name over the real knowledge; records the questions it was asked."""

    knowledge_dir: Path = KNOWLEDGE
    max_question_chars: int = 1000
    canned: dict[str, Canned] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.passages: tuple[Passage, ...] = load_knowledge(self.knowledge_dir).passages
        self._names = sorted(
            ((_key(name), p) for p in self.passages for name in (p.title, *p.aliases)),
            key=lambda pair: -len(pair[0]),
        )

    @property
    def embedder(self) -> HashEmbedder:
        """A deterministic bag-of-words embedder (for grouping questions in reports)."""
        return HashEmbedder()

    def get(self, passage_id: str) -> Passage | None:
        return next((p for p in self.passages if p.id == passage_id), None)

    def roles(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if p.kind == "role")

    def by_department(self) -> dict[str, list[Passage]]:
        return by_department(self.passages)

    def lookup(self, name: str) -> Passage | None:
        key = _key(name)
        return next((p for n, p in self._names if n == key), None)

    def answer(self, question: str) -> Answer:
        self.asked.append(question)
        text = clean_question(question)
        lang = language.detect(text)
        if not text or len(text) > self.max_question_chars:
            reason = "empty" if not text else "too_long"
            return Answer(question=question, answered=False, language=lang, reason=reason,
                          suggestions=self.roles())
        canned = self.canned.get(text)
        if canned is not None and canned.reason == "out_of_scope":
            related = tuple(filter(None, map(self.get, canned.ids)))
            return Answer(question=question, answered=False, language=lang,
                          reason="out_of_scope", suggestions=related)
        if canned is not None:
            hits = tuple(Hit(passage=p, score=0.9 - n / 10)
                         for n, p in enumerate(filter(None, map(self.get, canned.ids))))
            return Answer(question=question, answered=canned.outcome == "answer",
                          outcome=canned.outcome, comparison=canned.comparison, hits=hits,
                          language=lang, reason="ok" if hits else "no_match",
                          suggestions=() if hits else self.roles())
        padded = f" {_key(text)} "
        best = next((p for n, p in self._names if f" {n} " in padded), None)
        if best is None:
            return Answer(question=question, answered=False, language=lang, reason="no_match",
                          suggestions=self.roles())
        others = [p for p in self.passages if p.id != best.id][:2]
        hits = tuple(Hit(passage=p, score=0.9 - n / 10) for n, p in enumerate([best, *others]))
        return Answer(question=question, answered=True, outcome="answer", hits=hits,
                      language=lang)


VAGUE = "Was macht eigentlich der Vertriebsdingens?"  # answered with "Meinst du …?"


def clarifying() -> StubEngine:
    """A stub that answers :data:`VAGUE` with "Meinst du …?" (Vertriebsleiter,
    Vertriebsassistenz)."""
    stub = StubEngine()
    stub.canned[VAGUE] = Canned("clarify", ("vertriebsleiter", "vertriebsassistenz"))
    return stub
