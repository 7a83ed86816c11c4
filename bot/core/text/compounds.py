"""Split German compounds into known words, by word frequency (Koehn & Knight 2003).

Every way to cut a word into 2–4 parts of at least four letters is tried where each
part is a known word: a word of the knowledge base or a common German word
(:mod:`bot.core.text.frequency`). A part that is not the last may carry a linking element
(Fugen-s, -es, -n, -en: "Vertrieb*s*leiter", "Kunde*n*betreuung") or have lost its final
"e" ("Such·maschine"). The cut whose parts are, on average, most common wins, and only
when they are more common than the whole word: "Kundenbetreuung" becomes "kunden" +
"betreuung", while "wichtiger" stays whole (it is far more common than "wich" and
"tiger").
"""

from __future__ import annotations

from functools import lru_cache

from bot.core.text.frequency import zipf
from bot.core.text.lemma import fold

MIN_PART = 4  # shorter parts ("auf", "mit") are mostly prefixes, not words
MAX_PARTS = 4
LEXICON_ZIPF = 3.0  # a knowledge-base word rarer than that counts as this common
_LINKS = ("s", "es", "n", "en")


class CompoundSplitter:
    """Splits compounds into words of ``lexicon`` (the knowledge base's words, lower
    case) and common German words. No part is one of ``stop`` (folded stop words):
    "unter·scheidet", "über·zeugen" and "sich·erstellen" are no compounds."""

    def __init__(self, lexicon: frozenset[str] = frozenset(),
                 stop: frozenset[str] = frozenset()) -> None:
        self._lexicon = lexicon
        self._stop = stop
        self.split = lru_cache(maxsize=65536)(self._split)

    def weight(self, part: str, *, last: bool) -> float:
        """How common ``part`` is as a word (0: not a word); a part before the last may
        carry a linking element or miss its final "e"."""
        if fold(part) in self._stop:
            return 0.0
        forms = [part]
        if not last:
            forms += [part[: -len(link)] for link in _LINKS if part.endswith(link)]
            forms.append(part + "e")
        best = 0.0
        for form in forms:
            if len(form) < MIN_PART:
                continue
            known = max(zipf(form, "de"), LEXICON_ZIPF if form in self._lexicon else 0.0)
            best = max(best, known)
        return best

    def _split(self, word: str) -> tuple[str, ...]:
        """The parts of ``word`` (lower case) as written, or ``()`` when it is no
        compound of known words."""
        if len(word) < 2 * MIN_PART or not word.isalpha():
            return ()
        best: tuple[float, tuple[str, ...]] = (zipf(word, "de"), ())
        for parts in self._cuts(word, 0, MAX_PARTS):
            if len(parts) < 2:
                continue
            weights = [self.weight(p, last=i == len(parts) - 1) for i, p in enumerate(parts)]
            if min(weights) <= 0:
                continue
            score = sum(weights) / len(weights)
            # Higher average wins; on a tie, fewer parts.
            if score > best[0] or (score == best[0] and best[1] and len(parts) < len(best[1])):
                best = (score, parts)
        return best[1]

    def _cuts(self, word: str, start: int, left: int) -> list[tuple[str, ...]]:
        """Every way to cut ``word[start:]`` into at most ``left`` known parts."""
        rest = word[start:]
        out: list[tuple[str, ...]] = []
        if self.weight(rest, last=True) > 0:
            out.append((rest,))
        if left <= 1:
            return out
        for end in range(start + MIN_PART, len(word) - MIN_PART + 1):
            head = word[start:end]
            if self.weight(head, last=False) <= 0:
                continue
            out.extend((head, *tail) for tail in self._cuts(word, end, left - 1))
        return out
