"""The engine: retrieve passages for a question, rank them by dense and lexical evidence,
decide with the learned :class:`~bot.core.retrieval.decision.Decision` whether there is an answer
at all, and compose the :class:`Answer`.

It knows nothing of Slack or Teams; adapters call :meth:`Engine.answer`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.core.embedding.index import DenseIndex
from bot.core.embedding.protocol import Embedder
from bot.core.errors import ModelLoadError
from bot.core.knowledge import Knowledge, by_department
from bot.core.models import Answer, Hit, Passage
from bot.core.retrieval.decision import Decision, Signals, decide
from bot.core.retrieval.lexical import LexicalIndex, LexicalWeights
from bot.core.text import language
from bot.core.text.chatter import strip_chatter
from bot.core.text.clean import clean_lines, clean_question
from bot.core.text.german import fold, normalize

CLARIFY_HITS = 3  # candidates offered by "Meinst du …?"

__all__ = ["Decision", "Engine", "Health", "Signals", "clean_question", "decide", "self_check"]


def question_text(text: str) -> str:
    """The question to analyse: cleaned, with chatter and quoted lines stripped (quotes
    are recognised line by line, so this runs before white space is collapsed)."""
    return clean_question(strip_chatter(clean_lines(text)))


class Engine:
    """Answers questions from the knowledge base."""

    def __init__(
        self,
        *,
        knowledge: Knowledge,
        dense: DenseIndex,
        embedder: Embedder,
        decision: Decision | None,
        top_k: int = 3,
        max_question_chars: int = 1000,
        lexical_weights: LexicalWeights | None = None,
    ) -> None:
        self.passages: tuple[Passage, ...] = knowledge.passages
        self.manifest = dense.manifest
        self._by_id = {p.id: p for p in self.passages}
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self._chunk_owner = np.array([self._position[c.passage_id] for c in dense.chunks])
        self._dense = dense
        self._embedder = embedder
        self.decision = decision
        self._lexical = LexicalIndex(knowledge.passages, knowledge.synonyms, lexical_weights)
        self._kinds = tuple(p.kind for p in self.passages)
        self._names = self._name_table()
        self.top_k = top_k
        self.max_question_chars = max_question_chars

    @property
    def embedder(self) -> Embedder:
        """The model that embeds questions."""
        return self._embedder

    # --- catalogue -------------------------------------------------------------------
    def get(self, passage_id: str) -> Passage | None:
        """The passage with this id."""
        return self._by_id.get(passage_id)

    def roles(self) -> tuple[Passage, ...]:
        """All role passages, in knowledge order."""
        return tuple(p for p in self.passages if p.kind == "role")

    def by_department(self) -> dict[str, list[Passage]]:
        """All passages grouped by department, departments in order of appearance."""
        return by_department(self.passages)

    def _name_table(self) -> dict[str, Passage]:
        table: dict[str, Passage] = {}
        for p in self.passages:
            for name in (p.title, *p.aliases):
                table.setdefault(_name_key(name), p)
        return table

    def lookup(self, name: str) -> Passage | None:
        """The role or topic called exactly ``name`` (title or alias), if any."""
        return self._names.get(_name_key(name))

    # --- answering -------------------------------------------------------------------
    def answer(self, question: str, *, top_k: int | None = None) -> Answer:
        """Answer one question; see :meth:`answer_many`."""
        return self.answer_many([question], top_k=top_k)[0]

    def answer_many(self, questions: Sequence[str], *, top_k: int | None = None) -> list[Answer]:
        """Answer questions in one batch (the model embeds them together).

        Args:
            questions: raw user text; any length, any characters.
            top_k: passages per answer (default: settings' top_k).

        Returns:
            One :class:`Answer` per question, in order. Empty or over-long questions
            get ``outcome="none"`` with a ``reason``; see :meth:`decide` for the rest.
        """
        k = top_k or self.top_k
        cleaned = [clean_question(q) for q in questions]
        signals = self.signals(questions)
        answers: list[Answer] = []
        for raw, text, signal in zip(questions, cleaned, signals, strict=True):
            lang = language.detect(question_text(raw) or text)
            if not text:
                answers.append(self._refusal(raw, lang, "empty"))
            elif len(text) > self.max_question_chars:
                answers.append(self._refusal(raw, lang, "too_long"))
            elif signal is None:
                answers.append(self._refusal(raw, lang, "no_match"))
            else:
                answers.append(self._compose(raw, lang, signal, k))
        return answers

    def _refusal(self, question: str, lang: language.Language, reason: str) -> Answer:
        return Answer(
            question=question,
            answered=False,
            outcome="none",
            language=lang,
            reason=reason,  # type: ignore[arg-type]
            suggestions=self.roles(),
        )

    def signals(self, questions: Sequence[str]) -> list[Signals | None]:
        """:class:`Signals` per raw question; None for empty, over-long or chatter-only
        text."""
        stripped = [
            question_text(q) if len(q) <= self.max_question_chars else ""
            for q in questions
        ]
        todo = [i for i, q in enumerate(stripped) if q]
        vectors = self._embedder.embed_queries([stripped[i] for i in todo])
        dense = self._dense_scores(vectors)
        out: list[Signals | None] = [None] * len(questions)
        for row, i in enumerate(todo):
            text = stripped[i]
            query = self._lexical.analyze(text, language.detect(text))
            named = tuple(dict.fromkeys(doc for doc, _, _ in self._lexical.name_spans(query)))
            out[i] = Signals(
                lexical=self._lexical.scores(query),
                dense=dense[row],
                names=self._lexical.name_matches(query),
                coverage=self._lexical.coverages(query),
                named=named,
                has_content=bool(query.content_words),
                vector=vectors[row],
                topics=self._lexical.topic_matches(query),
            )
        return out

    def _compose(self, raw: str, lang: language.Language, signal: Signals, k: int) -> Answer:
        if self.decision is None:
            raise ModelLoadError("this engine was loaded without an answer decision "
                                 "(for fitting one: `rolle calibrate`)")
        verdict = decide(signal, self.decision, self._kinds)
        if verdict.outcome == "none":
            answer = replace(self._refusal(raw, lang, verdict.reason),
                             confidence=round(verdict.probability, 3))
            if verdict.reason == "out_of_scope":  # offer the related passage
                return replace(answer, suggestions=(self.passages[verdict.order[0]],))
            return answer
        count = max(k, 2 if verdict.comparison else 1)
        if verdict.outcome == "clarify":
            count = CLARIFY_HITS
        hits = tuple(Hit(passage=self.passages[i], score=round(float(verdict.scores[i]), 4))
                     for i in verdict.order[:count])
        return Answer(
            question=raw,
            answered=verdict.outcome == "answer",
            outcome=verdict.outcome,
            hits=hits,
            language=lang,
            suggestions=() if verdict.outcome == "answer" else self.roles(),
            comparison=verdict.comparison,
            confidence=round(verdict.probability, 3),
        )

    def _dense_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Best chunk similarity per passage, shape (len(vectors), passages)."""
        out = np.full((len(vectors), len(self.passages)), -1.0, dtype=np.float32)
        if not len(vectors):
            return out
        n_chunks = len(self._chunk_owner)
        sims, ids = self._dense.faiss_index.search(vectors, n_chunks)
        for row in range(len(vectors)):
            valid = ids[row] >= 0
            owners = self._chunk_owner[ids[row][valid]]
            np.maximum.at(out[row], owners, sims[row][valid])
        return out


def _name_key(name: str) -> str:
    return fold(re.sub(r"[\s\-_.]+", " ", normalize(name)).strip())


@dataclass(frozen=True)
class Health:
    """The outcome of :func:`self_check`."""

    ok: bool
    detail: str
    seconds: float


def self_check(engine: Engine) -> Health:
    """Embed and search one real question (the first role's name) end to end.

    For ``/healthz`` at start: ok only when the answer names that role first. Never
    raises.
    """
    started = time.perf_counter()
    roles = engine.roles() or engine.passages
    if not roles:
        return Health(False, "the knowledge has no passages", 0.0)
    expected = roles[0]
    try:
        answer = engine.answer(f"Was macht ein {expected.title}?")
    except Exception as exc:  # a health check reports, never raises
        return Health(False, f"answering failed: {exc}", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if not answer.answered or not answer.hits:
        return Health(False, f"no answer for '{expected.title}' ({answer.reason})", seconds)
    if answer.hits[0].passage.id != expected.id:
        return Health(False, f"'{expected.title}' found '{answer.hits[0].passage.id}' first",
                      seconds)
    return Health(True, f"'{expected.title}' answered in {seconds * 1000:.0f} ms", seconds)
