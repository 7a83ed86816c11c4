"""Typo tolerance against the knowledge base's own vocabulary.

A word the knowledge base does not know is corrected to its closest knowledge word
(Damerau-Levenshtein, via ``rapidfuzz``) unless it is a real, common word of German or
English (``wordfreq``): "Vertriebsleitr" becomes "vertriebsleiter", but "Drucker" is
never turned into "druck".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.text.frequency import zipf as _zipf

MIN_LENGTH = 5  # shorter words have too many close neighbours to correct safely


def max_edits(word: str) -> int:
    """How many edits a word of this length may be away from its correction."""
    return 1 if len(word) < 9 else 2


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common ``word`` is in German or English, on the Zipf scale (0 = rarer than
    Zipf 3 or unknown, see :mod:`bot.core.text.frequency`)."""
    return max(_zipf(word, "de"), _zipf(word, "en"))


class TypoCorrector:
    """Corrects rare unknown words to the closest word of a vocabulary."""

    def __init__(self, vocabulary: Iterable[str], *, max_zipf: float = 3.0) -> None:
        self._words = sorted({w for w in vocabulary if len(w) >= MIN_LENGTH - 1})
        self._known = frozenset(self._words)
        self.max_zipf = max_zipf
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str, *, spelled: str = "") -> str | None:
        """The vocabulary word ``word`` is a typo of, or None (known, common or no match).

        Args:
            word: a lower-case word (umlauts as typed or folded).
            spelled: the word as typed (lower case, umlauts kept), when ``word`` is its
                folded form: word lists spell "wünschen", never "wuenschen", so how
                common the word is must be looked up as typed.
        """
        key = f"{word}|{spelled}"
        if key not in self._cache:
            self._cache[key] = self._correct(word, spelled or word)
        return self._cache[key]

    def _correct(self, word: str, spelled: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._known or not word.isalpha():
            return None
        if max(zipf(word), zipf(spelled)) >= self.max_zipf:
            return None
        limit = max_edits(word)
        matches = process.extract(
            word, self._words, scorer=DamerauLevenshtein.distance, score_cutoff=limit,
            limit=5,
        )
        if not matches:
            return None
        best = min(m[1] for m in matches)
        # Among equally close words prefer the one sharing the longest start with ``word``.
        candidates = [m[0] for m in matches if m[1] == best]
        return max(candidates, key=lambda c: (_shared_prefix(word, c), -abs(len(c) - len(word))))


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
