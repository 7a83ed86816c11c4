"""The engine: retrieve passages for a question, fuse dense and lexical rankings, decide
whether there is an answer at all, and compose the :class:`Answer`.

It knows nothing of Slack or Teams; adapters call :meth:`Engine.answer`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core import language
from bot.core.calibration import Calibration
from bot.core.chatter import strip_chatter
from bot.core.embedder import Embedder
from bot.core.german import fold, normalize
from bot.core.index import DenseIndex
from bot.core.knowledge import Knowledge, by_department
from bot.core.lexical import LexicalIndex
from bot.core.models import Answer, Hit, Outcome, Passage
from bot.core.text import clean_lines, clean_question

__all__ = ["Calibration", "Engine", "Signals", "clean_question"]


@dataclass(frozen=True)
class Signals:
    """What the engine knows about one question before it decides (per passage).

    They do not depend on the decision thresholds, so calibration computes them once
    and tries many :class:`Calibration` values on them.
    """

    lexical: np.ndarray  # BM25
    dense: np.ndarray  # best chunk similarity
    names: np.ndarray  # length of the longest name of the passage in the question
    coverage: np.ndarray  # share of the question's content words in the passage
    named: tuple[int, ...]  # passages named in the question, in order, distinct
    has_content: bool  # the question has a content word (not only frame words)


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
        top_k: int = 3,
        max_question_chars: int = 1000,
        calibration: Calibration | None = None,
    ) -> None:
        self.passages: tuple[Passage, ...] = knowledge.passages
        self.manifest = dense.manifest
        self._by_id = {p.id: p for p in self.passages}
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self._chunk_owner = np.array([self._position[c.passage_id] for c in dense.chunks])
        self._dense = dense
        self._embedder = embedder
        self.calibration = calibration or Calibration()
        self._lexical = LexicalIndex(knowledge.passages, knowledge.synonyms, self.calibration)
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
            question_text(q) if len(q) <= self.max_question_chars else "" for q in questions
        ]
        todo = [i for i, q in enumerate(stripped) if q]
        dense = self._dense_scores([stripped[i] for i in todo]) if todo else None
        out: list[Signals | None] = [None] * len(questions)
        for row, i in enumerate(todo):
            assert dense is not None
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
            )
        return out

    def _compose(self, raw: str, lang: language.Language, signal: Signals, k: int) -> Answer:
        outcome, order, comparison = decide(signal, self.calibration, self._kinds)
        if outcome == "none":
            return self._refusal(raw, lang, "no_match")
        fused = fuse(signal, self.calibration)
        count = max(k, 2 if comparison else 1)
        if outcome == "clarify":
            count = self.calibration.clarify_hits
        hits = tuple(
            Hit(passage=self.passages[i], score=round(float(fused[i]), 4))
            for i in order[:count]
            if fused[i] > 0 or comparison
        )
        return Answer(
            question=raw,
            answered=outcome == "answer",
            outcome=outcome,
            hits=hits,
            language=lang,
            suggestions=() if outcome == "answer" else self.roles(),
            comparison=comparison,
        )

    def _dense_scores(self, texts: list[str]) -> np.ndarray:
        """Best chunk similarity per passage, shape (len(texts), passages)."""
        vectors = self._embedder.embed_queries(texts)
        n_chunks = len(self._chunk_owner)
        sims, ids = self._dense.faiss_index.search(vectors, n_chunks)
        out = np.full((len(texts), len(self.passages)), -1.0, dtype=np.float32)
        for row in range(len(texts)):
            valid = ids[row] >= 0
            owners = self._chunk_owner[ids[row][valid]]
            np.maximum.at(out[row], owners, sims[row][valid])
        return out

    def features(self, question: str) -> dict[str, float]:
        """Diagnostics for calibration: coverage, lexical and dense scores of the best hit."""
        signal = self.signals([question])[0]
        if signal is None:
            return {}
        best = int(np.argmax(fuse(signal, self.calibration)))
        return {
            "best": float(best),
            "coverage": float(signal.coverage[best]),
            "lexical": float(signal.lexical[best]),
            "dense": float(signal.dense[best]),
            "dense_max": float(signal.dense.max()),
        }


def fuse(signal: Signals, cal: Calibration) -> np.ndarray:
    """Weighted sum of max-normalised BM25 and dense similarity, plus a bonus for the
    passage(s) whose longest name the question contains; scaled to 0..1."""
    top = float(signal.lexical.max())
    lex = signal.lexical / top if top > 0 else np.zeros_like(signal.lexical)
    dense = np.clip(signal.dense, 0.0, 1.0)
    fused = cal.lexical_weight * lex + (1 - cal.lexical_weight) * dense
    longest = float(signal.names.max())
    if longest > 0:
        fused = fused + cal.name_bonus * (signal.names == longest)
    return np.asarray(fused / (1 + cal.name_bonus), dtype=np.float32)


def decide(
    signal: Signals, cal: Calibration, kinds: Sequence[str]
) -> tuple[Outcome, list[int], bool]:
    """The outcome, the passage order and whether it is a comparison of two roles.

    - Two roles named ("Head of BD vs. BDM"): an answer with both roles first.
    - A passage named, or strong lexical evidence the dense model agrees with: an answer.
    - Medium lexical evidence: "clarify", the top passages offered as candidates.
    - Otherwise (also: no lexical evidence at all, however similar the model finds
      the text): none.
    """
    fused = fuse(signal, cal)
    order = [int(i) for i in np.argsort(-fused, kind="stable")]
    roles = [i for i in signal.named if kinds[i] == "role"]
    if len(roles) >= 2:
        return "answer", roles + [i for i in order if i not in roles], True
    best = order[0]
    if signal.names[best] > 0:
        return "answer", order, False
    lexical, dense, coverage = (
        float(signal.lexical[best]), float(signal.dense[best]), float(signal.coverage[best])
    )
    if lexical <= 0 or not signal.has_content:
        return "none", order, False
    weak = lexical < cal.weak_lexical and dense < cal.min_dense_if_weak
    if coverage >= cal.min_coverage and dense >= cal.min_dense and not weak:
        return "answer", order, False
    if coverage >= cal.clarify_coverage and dense >= cal.clarify_dense:
        return "clarify", order, False
    return "none", order, False


def _name_key(name: str) -> str:
    return fold(re.sub(r"[\s\-_.]+", " ", normalize(name)).strip())
