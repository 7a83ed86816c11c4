"""BM25 scores per term and passage, computed once when the lexical index loads.

The Lucene variant (Kamphuis et al., ECIR 2020) as ``bm25s`` computes it, in the same
arithmetic, so the scores are the same (a test compares them with ``bm25s``): idf =
ln(1 + (N − df + 0.5) / (df + 0.5)), weight = idf · tf / (tf + k1 · (1 − b + b · |d| /
avgdl)). Written out here because the engine needs nothing else of that package, and
importing it (with SciPy, where that is installed) cost a server 25 MiB and 0.3–1 s of
its start.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np


def term_scores(docs: list[list[str]], *, k1: float, b: float) -> dict[str, np.ndarray]:
    """For every term of ``docs`` (lists of terms), its BM25 score in each document
    (float32, 0 where the term does not occur)."""
    n = len(docs)
    counts = [Counter(doc) for doc in docs]
    frequencies = Counter(term for count in counts for term in count)
    idf = {term: np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
           for term, df in frequencies.items()}
    average = np.array([len(doc) for doc in docs]).mean() if docs else 1.0
    out = {term: np.zeros(n, dtype=np.float32) for term in frequencies}
    for i, (doc, count) in enumerate(zip(docs, counts, strict=True)):
        terms = list(count)
        tf = np.array([count[t] for t in terms], dtype=np.float32)
        weight = tf / (k1 * ((1 - b) + b * len(doc) / average) + tf)
        scores = (np.array([idf[t] for t in terms], dtype=np.float32) * weight)
        for term, score in zip(terms, scores.astype(np.float32), strict=True):
            out[term][i] = score
    return out
