"""German-aware BM25 over the knowledge base, with aliases, search terms and glossary.

Each passage is one BM25 document whose title and aliases count more than its body.
A question's words are matched by stem and by compound parts, and expanded with the
glossary (``knowledge/glossary.yaml``). Besides scores, the index tells how much of a
question a passage *covers*: the share of its content words, weighted by rarity, that
the passage contains. Low coverage is the main sign of an out-of-scope question.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import bm25s
import numpy as np

from bot.core.german import WORD_PATTERN, Analyzer, Word, normalize, stem, surface_words
from bot.core.models import Passage

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

TITLE_BOOST = 3  # title terms are repeated this often in the BM25 document
ALIAS_BOOST = 2
PART_WEIGHT = 0.5  # a compound part counts half a word
EXPANSION_WEIGHT = 0.6  # a glossary synonym counts a bit less than the word itself
FRAME_WEIGHT = 0.3  # "Aufgaben", "zuständig": they frame a question, not its topic
FUZZY_WEIGHT = 0.8  # "screent" ~ "screening", "betreut" ~ "betreuung"
MIN_PREFIX = 4
UNKNOWN_VERB_WEIGHT = 0.7  # an unknown lower-case German word: a verb or adjective
UNKNOWN_COMPOUND_CREDIT = 0.5  # an unknown compound found only through its parts
LOWERCASE_FACTOR = 0.5  # known lower-case German words say less about the topic than nouns


@dataclass(frozen=True)
class Query:
    """An analysed question."""

    words: tuple[Word, ...]
    expansions: dict[str, tuple[str, ...]]  # word stem -> glossary terms

    @property
    def content_words(self) -> tuple[Word, ...]:
        return tuple(w for w in self.words if not w.frame)


class LexicalIndex:
    """BM25 and coverage over the passages."""

    def __init__(self, passages: tuple[Passage, ...], synonyms: dict[str, tuple[str, ...]]):
        lexicon: set[str] = set()
        for p in passages:
            lexicon |= surface_words(" ".join((p.title, p.text, *p.aliases, *p.search_terms)))
        self.analyzer = Analyzer(frozenset(lexicon))
        # Glossary keys match as stem sequences, so "trains" finds "train" and
        # "neuen Kunden" finds "neue kunden".
        self._synonyms = [(_stem_sequence(key), values) for key, values in synonyms.items()]
        docs = [self._document(p) for p in passages]
        self._names = [
            [(f" {_phrase_key(n)} ", len(_phrase_key(n).split())) for n in (p.title, *p.aliases)]
            for p in passages
        ]
        self._term_sets = [frozenset(doc) for doc in docs]
        self._df: dict[str, int] = {}
        for terms in self._term_sets:
            for term in terms:
                self._df[term] = self._df.get(term, 0) + 1
        self._n = len(docs)
        self._by_prefix: dict[str, list[str]] = {}
        for term in self._df:
            self._by_prefix.setdefault(term[:MIN_PREFIX], []).append(term)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.5)
        self._bm25.index(docs, show_progress=False)

    def _document(self, p: Passage) -> list[str]:
        # Aliases and search terms count once per distinct term: twenty spellings of
        # "Marketing Manager" must not make "marketing" dominate the passage.
        aliases = dict.fromkeys(t for a in p.aliases for t in self.analyzer.terms(a))
        topics = dict.fromkeys(t for s in p.search_terms for t in self.analyzer.terms(s))
        return (
            self.analyzer.terms(p.title) * TITLE_BOOST
            + list(aliases) * ALIAS_BOOST
            + list(topics)
            + self.analyzer.terms(p.text)
        )

    def name_matches(self, question: str) -> np.ndarray:
        """Per passage, the length in words of its longest title or alias that the
        question contains as a phrase (0 for none)."""
        text = f" {_phrase_key(question)} "
        return np.array(
            [max((n for key, n in names if key in text), default=0) for names in self._names],
            dtype=np.float32,
        )

    def analyze(self, question: str) -> Query:
        """Split a question into words and find its glossary expansions."""
        words = tuple(self.analyzer.words(question))
        sequence = _stem_sequence(question)
        expansions: dict[str, list[str]] = {}
        for key, values in self._synonyms:
            if not key or not _contains(sequence, key):
                continue
            terms = [t for value in values for t in self.analyzer.terms(value)]
            for word_stem in key:  # every word of the key counts as found through it
                expansions.setdefault(word_stem, []).extend(terms)
        return Query(words, {k: tuple(dict.fromkeys(v)) for k, v in expansions.items()})

    def variants(self, term: str) -> tuple[str, ...]:
        """Indexed terms that ``term`` stands for: itself, or words sharing most of it.

        An unknown stem matches indexed stems that share at least three quarters of it
        and most of themselves as a prefix: German inflection and derivation that the
        stemmer leaves apart ("screent" ~ "screening", "betreut" ~ "betreuung"), but
        not a compound's head ("steuerberat" !~ "steuer").
        """
        if term in self._df:
            return (term,)
        if len(term) < MIN_PREFIX:
            return ()
        out = []
        for candidate in self._by_prefix.get(term[:MIN_PREFIX], ()):
            shared = _shared_prefix(term, candidate)
            if shared >= 0.75 * len(term) and shared >= 0.6 * len(candidate):
                out.append(candidate)
        return tuple(out)

    def idf(self, term: str) -> float:
        """Inverse document frequency; unknown terms get the highest value."""
        df = self._df.get(term, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def scores(self, query: Query) -> np.ndarray:
        """BM25 score of every passage for the query (0 where nothing matches)."""
        weighted: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            for found in self.variants(term):
                factor = 1.0 if found == term else FUZZY_WEIGHT
                weighted[found] = max(weighted.get(found, 0.0), weight * factor)

        for word in query.words:
            scale = FRAME_WEIGHT if word.frame else 1.0
            add(word.stem, scale)
            for part in word.parts:
                add(part, scale * PART_WEIGHT)
        for terms in query.expansions.values():
            for term in terms:
                add(term, EXPANSION_WEIGHT)
        total = np.zeros(self._n, dtype=np.float32)
        for term, weight in weighted.items():
            total += weight * self._bm25.get_scores([term])
        return total

    def coverage(self, query: Query, doc: int, *, german: bool = True) -> float:
        """Share (0..1) of the question's content words found in passage ``doc``.

        A word counts as found when the passage has its stem, all its compound parts, or
        one of its glossary synonyms (each also in a close variant). Words weigh by how
        rare they are; a word the knowledge base lacks weighs most when it is a German
        noun ("Steuerberater", "Feiertag") and little when it is a lower-case German
        verb or adjective ("vereinbart", "orientiert").
        """
        terms = self._term_sets[doc]

        def has(term: str) -> bool:
            return any(v in terms for v in self.variants(term))

        found = wanted = 0.0
        for word in query.content_words:
            known = [t for t in (word.stem, *word.parts) if self.variants(t)]
            if known:
                weight = max(self.idf(self.variants(t)[0]) for t in known)
                if german and not word.capitalized:
                    weight *= LOWERCASE_FACTOR
            elif german and not word.capitalized:
                weight = UNKNOWN_VERB_WEIGHT
            else:
                weight = self.idf(word.stem)
            wanted += weight
            if has(word.stem) or any(t in terms for t in query.expansions.get(word.stem, ())):
                found += weight
            elif word.parts and all(has(p) for p in word.parts):
                # Parts alone are weaker evidence when the whole word is unknown:
                # "Produktmanager" is not "Produkt..." plus "...Manager".
                found += weight * (1.0 if self.variants(word.stem) else UNKNOWN_COMPOUND_CREDIT)
        return found / wanted if wanted else 0.0


def _phrase_key(text: str) -> str:
    """Lower-case words joined by single spaces, for phrase matching."""
    return " ".join(re.findall(r"[a-z0-9äöüß]+", normalize(text)))


def _shared_prefix(a: str, b: str) -> int:
    """How many leading characters two strings share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _stem_sequence(text: str) -> tuple[str, ...]:
    """Every word of ``text`` (hyphenated words joined), stemmed, stop words kept."""
    return tuple(
        stem(match.group(0).replace("-", "").replace("/", ""))
        for match in WORD_PATTERN.finditer(normalize(text))
    )


def _contains(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(sequence[i : i + n] == part for i in range(len(sequence) - n + 1))
