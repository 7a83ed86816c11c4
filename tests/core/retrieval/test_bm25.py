"""BM25 written out equals bm25s (now only a development dependency) on the real
knowledge base's documents."""

from __future__ import annotations

import bm25s
import numpy as np

from bot.core.knowledge import Knowledge
from bot.core.retrieval.bm25 import term_scores
from bot.core.retrieval.lexical import LexicalIndex, LexicalWeights


def test_term_scores_equal_bm25s_on_the_knowledge(knowledge: Knowledge,
                                                  lexical: LexicalIndex) -> None:
    cal = LexicalWeights()
    docs = [lexical._document(p)[0] for p in knowledge.passages]
    ours = term_scores(docs, k1=cal.bm25_k1, b=cal.bm25_b)
    reference = bm25s.BM25(k1=cal.bm25_k1, b=cal.bm25_b)
    reference.index(docs, show_progress=False)
    assert len(ours) > 500
    for term, scores in ours.items():
        expected = np.asarray(reference.get_scores([term]), np.float32)
        assert scores.dtype == np.float32
        assert np.array_equal(scores, expected), term


def test_a_term_in_fewer_and_shorter_documents_scores_higher() -> None:
    docs = [["vertrieb", "kunde"], ["vertrieb", "marketing", "kampagne", "kunde"], ["kunde"]]
    scores = term_scores(docs, k1=1.2, b=0.75)
    assert scores["marketing"][0] == 0 and scores["marketing"][1] > 0
    assert scores["vertrieb"][0] > scores["vertrieb"][1] > 0  # shorter document
    assert scores["marketing"][1] > scores["kunde"][1]  # rarer term
