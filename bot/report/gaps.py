"""Unanswered questions grouped by meaning, so maintainers see which knowledge is missing.

Questions asked in the same words count together first. The distinct ones, most asked
first, are embedded with the bot's own :class:`Embedder`; each joins the group whose
first (leading) question is most similar, if the cosine similarity reaches ``threshold``
and the two share a topic word (German stems and compound parts, question frames
ignored) unless they are near-identical (``same_word``). Comparing with the leader, not a
running mean, keeps groups from drifting into one blob of "Was macht ein …?" questions;
the shared word keeps the same sentence frame from joining different topics.

How similar is "the same question" depends on the model (multilingual-e5 compresses
its similarities into 0.8-1.0): an embedder may say so in its ``grouping`` attribute
(join, join without a shared word); otherwise all-MiniLM-L6-v2's values apply. Both were
chosen on 32 out-of-scope questions (8 topics in 3-4 wordings, 6 one-offs;
tests/test_report.py) as the middle of the range with pairwise precision 1.00.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bot.core.embedding.protocol import Embedder
from bot.core.text.german import Analyzer

DEFAULT_GROUPING = (0.55, 0.85)  # join; above the second no shared topic word is needed
_ANALYZER = Analyzer()
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, kw_only=True)
class Gap:
    """A group of similar unanswered questions: how often, examples, last asked."""

    count: int
    examples: tuple[str, ...]
    last_asked: datetime


@dataclass
class _Group:
    leader: np.ndarray  # the vector of the group's first (most asked) question
    texts: list[tuple[int, str]]
    count: int
    last: datetime
    terms: set[str]  # topic terms of all members


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def topic_terms(text: str) -> set[str]:
    """Terms (and compound-part terms) of the words that name a topic: no stop words,
    no question frames ("Aufgaben", "zuständig")."""
    out: set[str] = set()
    for word in _ANALYZER.words(text):
        if not word.frame:
            out.add(word.term)
            out.update(word.parts)
    return out


def grouping(embedder: Embedder) -> tuple[float, float]:
    """The embedder's (join, join without a shared word) similarities."""
    values = getattr(embedder, "grouping", DEFAULT_GROUPING)
    return float(values[0]), float(values[1])


def group_questions(
    asked: Sequence[tuple[str, datetime]], embedder: Embedder, *,
    threshold: float | None = None, examples: int = 3,
) -> tuple[Gap, ...]:
    """Group questions by similarity.

    Args:
        asked: (question text, when asked) pairs.
        embedder: the model that embeds the questions.
        threshold: least cosine similarity to a group's leader to join it (default: the
            embedder's, see :func:`grouping`).
        examples: distinct wordings kept per group, most frequent first.

    Returns:
        The groups, largest first (ties: most recently asked first).
    """
    join, same_word = grouping(embedder)
    threshold = join if threshold is None else threshold
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
        terms = topic_terms(text)
        best, best_score = None, threshold
        for group in groups:
            score = float(group.leader @ vector)
            related = score >= same_word or bool(group.terms & terms)
            if score >= best_score and related:
                best, best_score = group, score
        if best is None:
            groups.append(_Group(leader=vector, texts=[(count, text)], count=count,
                                 last=last, terms=set(terms)))
        else:
            best.texts.append((count, text))
            best.count += count
            best.last = max(best.last, last)
            best.terms |= terms
    ordered = sorted(groups, key=lambda g: (-g.count, -g.last.timestamp()))
    return tuple(
        Gap(count=g.count, last_asked=g.last,
            examples=tuple(t for _, t in sorted(g.texts, key=lambda c: -c[0])[:examples]))
        for g in ordered
    )
