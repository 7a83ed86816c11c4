"""The engine: retrieve passages for a question, fuse dense and lexical rankings, decide
whether there is an answer at all, and compose the :class:`Answer`.

It knows nothing of Slack or Teams; adapters call :meth:`Engine.answer`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.config import Settings
from bot.core import language
from bot.core.embedder import Embedder, SentenceTransformerEmbedder
from bot.core.german import normalize
from bot.core.index import DenseIndex, Fingerprint, load_index
from bot.core.knowledge import Knowledge, by_department, load_knowledge
from bot.core.lexical import LexicalIndex, Query
from bot.core.models import Answer, Hit, Passage


@dataclass(frozen=True)
class Calibration:
    """How rankings are fused and when the engine answers.

    Calibrated on the dev questions and a held-out set (tests/data); see the README.
    """

    lexical_weight: float = 0.7  # share of the fused score from BM25 (rest: dense)
    min_coverage: float = 0.51  # share of the question's words the best passage must contain
    min_dense: float = 0.2  # below this the model says the best passage is about else
    weak_lexical: float = 1.0  # BM25 below this: only generic words ("Kunden") matched ...
    min_dense_if_weak: float = 0.5  # ... so the dense model must agree more strongly
    min_dense_alone: float = 0.62  # dense similarity that answers even without coverage
    name_bonus: float = 0.25  # added for the passage whose name the question contains
    max_hits: int = 10


def fingerprint(settings: Settings, knowledge: Knowledge) -> Fingerprint:
    """What the index for these settings and this knowledge must have been built from."""
    return Fingerprint(
        knowledge_hash=knowledge.content_hash,
        model=settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
    )


def load_embedder(settings: Settings) -> Embedder:
    """The configured sentence-transformers model."""
    return SentenceTransformerEmbedder(
        settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        offline=settings.hf_offline,
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_question(text: str) -> str:
    """Drop control and invisible characters and collapse white space."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(_CONTROL.sub(" ", text).split())


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
        self._lexical = LexicalIndex(knowledge.passages, knowledge.synonyms)
        self._names = self._name_table()
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.calibration = calibration or Calibration()

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> Engine:
        """Load knowledge, index and model as ``settings`` say.

        Raises:
            KnowledgeError, IndexMissingError, IndexStaleError, ModelLoadError: with a
            message that says what to do.
        """
        knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
        dense = load_index(settings.index_dir, fingerprint(settings, knowledge), knowledge)
        if embedder is None:
            from bot.core.runtime import runtime_embedder  # ONNX by default: no torch

            embedder = runtime_embedder(settings, dense.manifest)
        return cls(
            knowledge=knowledge,
            dense=dense,
            embedder=embedder,
            top_k=settings.top_k,
            max_question_chars=settings.max_question_chars,
        )

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
            and out-of-scope questions get ``answered=False`` with a ``reason``.
        """
        k = top_k or self.top_k
        cleaned = [clean_question(q) for q in questions]
        todo = [i for i, q in enumerate(cleaned) if q and len(q) <= self.max_question_chars]
        dense = self._dense_scores([cleaned[i] for i in todo]) if todo else None
        answers: list[Answer] = []
        row = {i: n for n, i in enumerate(todo)}
        for i, (raw, text) in enumerate(zip(questions, cleaned, strict=True)):
            lang = language.detect(text)
            if not text:
                answers.append(self._refusal(raw, lang, "empty"))
            elif len(text) > self.max_question_chars:
                answers.append(self._refusal(raw, lang, "too_long"))
            else:
                assert dense is not None
                answers.append(self._rank(raw, text, lang, dense[row[i]], k))
        return answers

    def _refusal(self, question: str, lang: language.Language, reason: str) -> Answer:
        return Answer(
            question=question,
            answered=False,
            language=lang,
            reason=reason,  # type: ignore[arg-type]
            suggestions=self.roles(),
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

    def _rank(
        self, raw: str, text: str, lang: language.Language, dense: np.ndarray, k: int
    ) -> Answer:
        query = self._lexical.analyze(text)
        lexical = self._lexical.scores(query)
        names = self._lexical.name_matches(text)
        fused = self._fuse(lexical, dense, names)
        order = np.argsort(-fused, kind="stable")[: max(k, 1)]
        best = int(order[0])
        named = names[best] > 0
        if not named and not self._in_scope(query, best, lexical, dense, german=lang == "de"):
            return self._refusal(raw, lang, "no_match")
        hits = tuple(
            Hit(passage=self.passages[i], score=round(float(fused[i]), 4))
            for i in order
            if fused[i] > 0
        )
        return Answer(question=raw, answered=True, hits=hits, language=lang)

    def _fuse(self, lexical: np.ndarray, dense: np.ndarray, names: np.ndarray) -> np.ndarray:
        """Weighted sum of max-normalised BM25 and dense similarity, plus a bonus for
        the passage(s) whose longest name the question contains; scaled to 0..1."""
        cal = self.calibration
        top = float(lexical.max())
        lex = lexical / top if top > 0 else np.zeros_like(lexical)
        fused = cal.lexical_weight * lex + (1 - cal.lexical_weight) * np.clip(dense, 0.0, 1.0)
        longest = float(names.max())
        if longest > 0:
            fused = fused + cal.name_bonus * (names == longest)
        return np.asarray(fused / (1 + cal.name_bonus), dtype=np.float32)

    def _in_scope(
        self, query: Query, best: int, lexical: np.ndarray, dense: np.ndarray, *, german: bool
    ) -> bool:
        cal = self.calibration
        if float(dense[best]) >= cal.min_dense_alone:
            return True
        if lexical[best] <= 0 or not query.content_words or dense[best] < cal.min_dense:
            return False
        if lexical[best] < cal.weak_lexical and dense[best] < cal.min_dense_if_weak:
            return False
        return self._lexical.coverage(query, best, german=german) >= cal.min_coverage

    def features(self, question: str) -> dict[str, float]:
        """Diagnostics for calibration: coverage, lexical and dense scores of the best hit."""
        text = clean_question(question)
        query = self._lexical.analyze(text)
        lexical = self._lexical.scores(query)
        dense = self._dense_scores([text])[0]
        best = int(np.argmax(self._fuse(lexical, dense, self._lexical.name_matches(text))))
        return {
            "best": float(best),
            "coverage": self._lexical.coverage(query, best, german=language.detect(text) == "de"),
            "lexical": float(lexical[best]),
            "dense": float(dense[best]),
            "dense_max": float(dense.max()),
        }


def _name_key(name: str) -> str:
    return re.sub(r"[\s\-_.]+", " ", normalize(name)).strip()
