"""German-aware BM25 over the knowledge base, with aliases, search terms and glossary.

Each passage is one BM25 document whose title and aliases count more than its body.
A question's words are matched by lemma and by compound parts (typos corrected first),
and expanded with the glossary (``knowledge/glossary.yaml``). Besides scores, the index
tells how much of a question a passage *covers*: the share of its content words,
weighted by rarity, that the passage contains. Low coverage is the main sign of an
out-of-scope question.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from bot.core.models import Language, Passage
from bot.core.retrieval.bm25 import term_scores
from bot.core.text.german import (
    WORD_PATTERN,
    Analyzer,
    Word,
    fold,
    normalize,
    readings,
    surface_words,
)


@dataclass(frozen=True)
class LexicalWeights:
    """How the lexical signals are built: BM25's parameters and what a term is worth.
    They change the signals themselves, so they were compared as whole cross-validation
    runs of the learned decision, a few values each (the README's ablation table)."""

    title_boost: int = 3  # title terms are repeated this often in the BM25 document
    alias_boost: int = 2
    bm25_k1: float = 1.2
    bm25_b: float = 0.75  # the usual default; in CV better than 0.3, 0.5 and 0.6
    part_weight: float = 0.6  # a compound part: in CV 0.6-0.7 beat 0.5 and 0.8
    doc_part_credit: float = 0.7  # coverage of a word a passage has only in its compounds
    expansion_weight: float = 0.6  # a glossary synonym counts a bit less than the word
    frame_weight: float = 0.3  # "Aufgaben", "zuständig": they frame a question
    typo_weight: float = 0.8  # a corrected typo counts a bit less than the word
    typo_max_zipf: float = 3.0  # words this common (wordfreq) are never corrected
    unknown_verb_weight: float = 1.0  # an unknown lower-case German word in coverage
    unknown_compound_credit: float = 0.5  # an unknown compound found only through parts


@dataclass(frozen=True)
class Query:
    """An analysed question."""

    words: tuple[Word, ...]
    expansions: dict[str, tuple[str, ...]]  # word term -> glossary terms
    phrase: str  # the question's words, typos corrected, for name matching
    german: bool = True

    @property
    def content_words(self) -> tuple[Word, ...]:
        return tuple(w for w in self.words if not w.frame)


def word_readings(word: Word) -> tuple[str, ...]:
    """A word's term and its other readings."""
    return (word.term, *word.alternatives)


class LexicalIndex:
    """BM25, name matches and coverage over the passages."""

    def __init__(
        self,
        passages: tuple[Passage, ...],
        synonyms: dict[str, tuple[str, ...]],
        weights: LexicalWeights | None = None,
    ) -> None:
        self.cal = cal = weights or LexicalWeights()
        lexicon: set[str] = set()
        for p in passages:
            lexicon |= surface_words(" ".join((p.title, p.text, *p.aliases, *p.search_terms)))
        self.analyzer = Analyzer(frozenset(lexicon), max_zipf=cal.typo_max_zipf)
        # Glossary keys match as lemma sequences, so "trains" finds "train" and
        # "neuen Kunden" finds "neue kunden".
        self._synonyms = [(_term_sequence(key), values) for key, values in synonyms.items()]
        documents = [self._document(p) for p in passages]
        docs = [full for full, _ in documents]
        # The terms a passage has as words, not only inside its compounds.
        self._whole_sets = [frozenset(whole) for _, whole in documents]
        self._names = [
            [tuple(_phrase_key(n).split()) for n in (p.title, *p.aliases)] for p in passages
        ]
        self._topics = [[tuple(_phrase_key(t).split()) for t in p.search_terms]
                        for p in passages]
        self._term_sets = [frozenset(doc) for doc in docs]
        self._df: dict[str, int] = {}
        for terms in self._term_sets:
            for term in terms:
                self._df[term] = self._df.get(term, 0) + 1
        self._n = len(docs)
        # Per-term scores once at load: a question's score is then a weighted sum.
        self._term_scores = term_scores(docs, k1=cal.bm25_k1, b=cal.bm25_b)

    def _document(self, p: Passage) -> tuple[list[str], list[str]]:
        """The passage's BM25 document: its terms with compound parts, and without them
        (each text analysed once)."""
        full: list[list[str]] = []
        whole: list[list[str]] = []
        for texts in ([p.title], p.aliases, p.search_terms, [p.text]):
            with_parts: list[str] = []
            without: list[str] = []
            for text in texts:
                for word in self.analyzer.words(text, "de", correct=False):
                    terms = (word.term, *word.alternatives)
                    with_parts += [*terms, *word.parts]
                    without += terms
            full.append(with_parts)
            whole.append(without)
        return self._weighted(full), self._weighted(whole)

    def _weighted(self, parts: list[list[str]]) -> list[str]:
        # Aliases and search terms count once per distinct term: twenty spellings of
        # "Marketing Manager" must not make "marketing" dominate the passage.
        title, aliases, topics, text = parts
        return (
            title * self.cal.title_boost
            + list(dict.fromkeys(aliases)) * self.cal.alias_boost
            + list(dict.fromkeys(topics))
            + text
        )

    def analyze(self, question: str, lang: Language = "de") -> Query:
        """Split a question into words, correct typos and find glossary expansions."""
        words = tuple(self.analyzer.words(question, lang))
        phrase = _phrase_key(question)
        fixes = {w.typed: w.surface for w in words if w.corrected}
        if fixes:
            phrase = " ".join(fixes.get(t, t) for t in phrase.split())
        sequence = _term_sequence(question)
        expansions: dict[str, list[str]] = {}
        for key, values in self._synonyms:
            if not key or not _contains(sequence, key):
                continue
            found = [t for value in values for t in self.analyzer.terms(value)]
            for word in words:  # every word of the key counts as found through it
                if any(set(word_readings(word)) & k for k in key):
                    expansions.setdefault(word.term, []).extend(found)
        return Query(
            words,
            {k: tuple(dict.fromkeys(v)) for k, v in expansions.items()},
            phrase,
            lang == "de",
        )

    def name_spans(self, query: Query) -> list[tuple[int, int, int]]:
        """Where the question names passages: ``(passage, start, end)`` word spans.

        Longest names win and spans do not overlap, so "Head of Business Development"
        names one role, not also "Business Development".
        """
        return _spans(query, self._names)

    def topic_matches(self, query: Query) -> np.ndarray:
        """Per passage, whether the question contains one of its search terms (a topic
        the role covers: "Marketingbudget", "Key Accounts")."""
        out = np.zeros(self._n, dtype=np.float32)
        for doc, _, _ in _spans(query, self._topics):
            out[doc] = 1.0
        return out

    def name_matches(self, query: Query) -> np.ndarray:
        """Per passage, the length in words of its longest name in the question (or 0)."""
        out = np.zeros(self._n, dtype=np.float32)
        for doc, start, end in self.name_spans(query):
            out[doc] = max(out[doc], end - start)
        return out

    def known(self, term: str) -> bool:
        """Whether any passage has this term."""
        return term in self._df

    def idf(self, term: str) -> float:
        """Inverse document frequency; unknown terms get the highest value."""
        df = self._df.get(term, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def scores(self, query: Query) -> np.ndarray:
        """BM25 score of every passage for the query (0 where nothing matches).

        A word's readings are alternatives (the best one counts, not their sum); its
        compound parts and glossary synonyms add with lower weights.
        """
        cal = self.cal
        zero = np.zeros(self._n, dtype=np.float32)
        weighted: dict[str, float] = {}  # parts and synonyms, each term once
        total = zero.copy()
        seen: set[str] = set()
        for word in query.words:
            if word.term in seen:
                continue
            seen.add(word.term)
            scale = (cal.frame_weight if word.frame else 1.0) * (
                cal.typo_weight if word.corrected else 1.0
            )
            vectors = [self._term_scores[t] for t in word_readings(word) if t in self._df]
            if vectors:
                total += scale * np.maximum.reduce(vectors)
            for part in word.parts:
                if part in self._df:
                    weighted[part] = max(weighted.get(part, 0.0), scale * cal.part_weight)
        for terms in query.expansions.values():
            for term in terms:
                if term in self._df:
                    weighted[term] = max(weighted.get(term, 0.0), cal.expansion_weight)
        for term, weight in weighted.items():
            total += weight * self._term_scores[term]
        return total

    def coverage(self, query: Query, doc: int) -> float:
        """Share (0..1) of the question's content words found in passage ``doc``.

        A word counts as found when the passage has its lemma, all its compound parts,
        or one of its glossary synonyms; a lemma the passage has only as a part of its
        compounds counts ``doc_part_credit``. Words weigh by how rare they are; a word the
        knowledge base lacks weighs most when it is a German noun ("Steuerberater",
        "Drucker") and little when it is a lower-case German verb or adjective.
        """
        cal = self.cal
        terms, wholes = self._term_sets[doc], self._whole_sets[doc]
        found = wanted = 0.0
        for word in query.content_words:
            lower = query.german and not word.capitalized
            readings = (word.term, *word.alternatives)
            known = [t for t in (*readings, *word.parts) if t in self._df]
            if known:
                weight = max(self.idf(t) for t in known)
            elif lower:
                weight = cal.unknown_verb_weight
            else:
                weight = self.idf(word.term)
            wanted += weight
            synonyms = query.expansions.get(word.term, ())
            if any(t in wholes for t in readings) or any(t in terms for t in synonyms):
                found += weight
            elif any(t in terms for t in readings):
                # Only inside the passage's compounds: "Raum" in "Zeitraum", "Ziel" in
                # "Zielgruppen" are weaker evidence than the word itself.
                found += weight * cal.doc_part_credit
            elif word.parts and all(p in terms for p in word.parts):
                # Parts alone are weaker evidence when the whole word is unknown:
                # "Produktmanager" is not "Produkt..." plus "...Manager".
                whole = any(t in self._df for t in readings)
                found += weight * (1.0 if whole else cal.unknown_compound_credit)
        return found / wanted if wanted else 0.0

    def coverages(self, query: Query) -> np.ndarray:
        """:meth:`coverage` for every passage."""
        return np.array([self.coverage(query, d) for d in range(self._n)], dtype=np.float32)


def _spans(query: Query, table: list[list[tuple[str, ...]]]) -> list[tuple[int, int, int]]:
    """Where the question contains a phrase of ``table`` (per passage): ``(passage,
    start, end)`` word spans, the longest first, none overlapping."""
    tokens = tuple(query.phrase.split())
    found: list[tuple[int, int, int]] = []
    for doc, phrases in enumerate(table):
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if n and tokens[i : i + n] == phrase:
                    found.append((doc, i, i + n))
    found.sort(key=lambda s: (s[1] - s[2], s[1]))
    taken: set[int] = set()
    spans: list[tuple[int, int, int]] = []
    for doc, start, end in found:
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            spans.append((doc, start, end))
    return sorted(spans, key=lambda s: s[1])


def _phrase_key(text: str) -> str:
    """Lower-case folded words joined by single spaces, for phrase matching."""
    return " ".join(fold(w) for w in re.findall(r"[a-z0-9äöüß]+", normalize(text)))


def _term_sequence(text: str) -> tuple[frozenset[str], ...]:
    """Every word of ``text`` (hyphenated words joined) as its readings, stop words kept."""
    return tuple(
        frozenset(readings(match.group(0).replace("-", "").replace("/", "")))
        for match in WORD_PATTERN.finditer(normalize(text))
    )


def _contains(sequence: tuple[frozenset[str], ...], part: tuple[frozenset[str], ...]) -> bool:
    """Whether ``part`` occurs in ``sequence``, word by word sharing a reading."""
    n = len(part)
    return any(
        all(sequence[i + j] & part[j] for j in range(n)) for i in range(len(sequence) - n + 1)
    )
