"""Unanswered questions grouped by meaning, so maintainers see which knowledge is missing.

Questions asked in the same words count together first; the distinct ones are embedded
with the bot's own :class:`Embedder` and joined greedily, most frequent first, to the
group whose mean direction is closest, if the cosine similarity reaches ``threshold``.
With all-MiniLM-L6-v2, rephrasings of one German question score about 0.62-0.88 and
different topics with the same sentence frame up to about 0.59 (tests/test_report.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bot.core.embedder import Embedder

DEFAULT_THRESHOLD = 0.62
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, kw_only=True)
class Gap:
    """A group of similar unanswered questions: how often, examples, last asked."""

    count: int
    examples: tuple[str, ...]
    last_asked: datetime


@dataclass
class _Group:
    centroid: np.ndarray  # sum of member vectors, weighted by count
    texts: list[tuple[int, str]]
    count: int
    last: datetime


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def group_questions(
    asked: Sequence[tuple[str, datetime]], embedder: Embedder, *,
    threshold: float = DEFAULT_THRESHOLD, examples: int = 3,
) -> tuple[Gap, ...]:
    """Group questions by similarity.

    Args:
        asked: (question text, when asked) pairs.
        embedder: the model that embeds the questions.
        threshold: least cosine similarity to a group's mean to join it.
        examples: distinct wordings kept per group, most frequent first.

    Returns:
        The groups, largest first (ties: most recently asked first).
    """
    same: dict[str, tuple[str, int, datetime]] = {}
    for text, when in asked:
        key = _key(text)
        if not key:
            continue
        first, count, last = same.get(key, (text, 0, when))
        same[key] = (first, count + 1, max(last, when))
    distinct = sorted(same.values(), key=lambda v: (-v[1], v[0]))
    if not distinct:
        return ()
    vectors = embedder.embed_queries([text for text, _, _ in distinct])
    groups: list[_Group] = []
    for (text, count, last), vector in zip(distinct, vectors, strict=True):
        best, best_score = None, threshold
        for group in groups:
            norm = float(np.linalg.norm(group.centroid)) or 1.0
            score = float(group.centroid @ vector) / norm
            if score >= best_score:
                best, best_score = group, score
        if best is None:
            groups.append(_Group(centroid=vector * count, texts=[(count, text)], count=count,
                                 last=last))
        else:
            best.centroid = best.centroid + vector * count
            best.texts.append((count, text))
            best.count += count
            best.last = max(best.last, last)
    ordered = sorted(groups, key=lambda g: (-g.count, -g.last.timestamp()))
    return tuple(
        Gap(count=g.count, last_asked=g.last,
            examples=tuple(t for _, t in sorted(g.texts, key=lambda c: -c[0])[:examples]))
        for g in ordered
    )
