"""German-aware text analysis for lexical search: normalising, umlaut folding, stop words
per language, lemmatising, typo correction and compound splitting.

A word becomes a *term*: its lemma (``simplemma``), lower-cased with umlauts and ß
folded (ä→ae, ö→oe, ü→ue, ß→ss), so "Umsätze", "Umsatz" and "Umsaetze" meet. Compounds
are split into parts, so "Vertrieb" finds "Vertriebsleiter" and "Vertriebsmannschaft"
finds "Mannschaft". Stop words come from the ``stop-words`` package for the question's
language; unknown rare words are corrected against the knowledge base (``typos``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stop_words import get_stop_words

from bot.core.models import Language
from bot.core.text.compounds import MIN_PART as _MIN_PART
from bot.core.text.compounds import CompoundSplitter
from bot.core.text.frequency import most_common
from bot.core.text.lemma import (
    fold,
    is_known,
    lemma,
    lemmatize,
    looks_like_noun,
    nominalizations,
    readings,
)
from bot.core.text.typos import TypoCorrector

__all__ = ["Analyzer", "Word", "fold", "lemma", "nominalizations", "readings",
           "separable_verbs", "stop_words", "surface_words"]

# Words that frame a question rather than name its topic, beyond the library's lists.
# Short on purpose: everything else is the lemmatizer's and the stop-word lists' job.
_EXTRA_STOP = {
    "de": "macht tut tun bedeutet heißt erklär erkläre genau eigentlich gibt mal ne "
    # pronominal adverbs, a closed class the library's list lacks
    "woran worauf wofür womit wozu wodurch worüber wovon worum wobei daran darauf dafür "
    "dadurch darüber davon dabei",
    "en": "does doing explain tell mean means",
}
# English has a long library list; only its common words (wordfreq's top 300) are
# function words, the rest ("pages", "results", "groups") can be the topic.
_COMMON_EN = 300
# Words that frame a question about a role ("Aufgaben", "zuständig"): scored weakly, and
# a question made only of them is not in scope. Lemmas, folded.
FRAME_WORDS = frozenset(
    """
    aufgabe rolle job beruf position stelle taetigkeit verantwortlich verantwortung
    zustaendig zustaendigkeit kuemmern sorgen arbeit arbeiten
    role task responsible responsibility duty work handle charge take care
    """.split()
)

WORD_PATTERN = re.compile(r"[a-z0-9äöüß]+(?:[-/][a-z0-9äöüß]+)*")


@lru_cache(maxsize=2)
def stop_words(lang: Language) -> frozenset[str]:
    """The stop words of ``lang`` (lower-case, folded)."""
    words = get_stop_words("de" if lang == "de" else "en")
    if lang == "en":
        common = set(most_common("en", _COMMON_EN))
        words = [w for w in words if w in common]
    return frozenset(fold(w.lower()) for w in [*words, *_EXTRA_STOP[lang].split()])


@dataclass(frozen=True)
class Word:  # keyword-only: Word(surface=…, term=…, parts=…)
    """One content word of a text: its term and the terms of its compound parts."""

    surface: str  # lower-case, folded, hyphens removed
    term: str
    parts: tuple[str, ...]
    frame: bool = False
    capitalized: bool = False  # written with a capital: in German, likely a noun
    corrected: bool = False  # a typo, replaced by the closest knowledge word
    typed: str = ""  # as typed (lower-case, folded), when corrected
    alternatives: tuple[str, ...] = ()  # other readings of the lemma (noun/adjective)


def normalize(text: str) -> str:
    """Unicode-normalise, lower-case and unify dashes and quotes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[‐‑‒–—]", "-", text)


_OTHER: dict[Language, Language] = {"de": "en", "en": "de"}

# Separable-verb particles: "Wer legt die Zielgruppen fest?" asks about "festlegen".
PARTICLES = frozenset(
    "ab an auf aus bei dar durch ein fest fort her hin los mit nach um vor weg weiter zu "
    "zurück zusammen".split()
)


def separable_verbs(text: str) -> dict[int, tuple[int, str]]:
    """Finite verbs whose particle stands at the end of their clause.

    Returns:
        For each such verb, its start offset in ``text`` -> (the particle's start
        offset, the infinitive, e.g. "festlegen"). Only infinitives the lemmatizer
        knows count.
    """
    out: dict[int, tuple[int, str]] = {}
    for clause in re.finditer(r"[^,.!?;:\n]+", text):
        tokens = list(re.finditer(r"[A-Za-zÄÖÜäöüß]+", clause.group(0)))
        if len(tokens) < 3 or tokens[-1].group(0).lower() not in PARTICLES:
            continue
        first = tokens[0].group(0).lower()
        verb = tokens[1] if first in stop_words("de") else tokens[0]
        infinitive = tokens[-1].group(0).lower() + lemmatize(verb.group(0).lower(), "de")
        if is_known(infinitive, "de"):
            offset = clause.start()
            out[offset + verb.start()] = (offset + tokens[-1].start(), infinitive)
    return out


class Analyzer:
    """Turns text into :class:`Word` objects.

    A compound that starts or ends with a word of ``lexicon`` (the knowledge base's own
    words) is split there, so "vertriebsinnendienst" becomes "vertriebs" +
    "innendienst"; other compounds are split into common words by word frequency
    (:class:`~bot.core.text.compounds.CompoundSplitter`).
    """

    def __init__(self, lexicon: frozenset[str] = frozenset(), *, max_zipf: float = 3.0) -> None:
        self._lexicon = frozenset(w for w in lexicon if len(w) >= _MIN_PART)
        self._folded = frozenset(fold(w) for w in lexicon)
        self._spelling = {fold(w): w for w in lexicon}
        self.typos = TypoCorrector(self._folded, max_zipf=max_zipf) if lexicon else None
        self._compounds = CompoundSplitter(frozenset(lexicon), stop_words("de"))
        self._cache: dict[str, tuple[str, ...]] = {}

    def split(self, word: str, depth: int = 2) -> tuple[str, ...]:
        """The parts of a compound (unstemmed), or ``()`` when it is none."""
        key = f"{depth}:{word}"
        if key not in self._cache:
            self._cache[key] = self._split(word, depth)
        return self._cache[key]

    def _split(self, word: str, depth: int) -> tuple[str, ...]:
        if depth <= 0 or len(word) < 2 * _MIN_PART or not word.isalpha():
            return ()
        pair = self._lexicon_split(word, both=True) or self._lexicon_split(word, both=False)
        if pair is None:  # every part of a frequency split is a word already
            return self._compounds.split(word)
        parts: list[str] = []
        for part in pair:
            known = self._known(part)
            parts.extend((() if known else self.split(part, depth - 1)) or (part,))
        return tuple(parts)

    def _known(self, head: str) -> bool:
        """A known word, possibly with a linking "s" (Fugen-s: "vertriebs")."""
        return head in self._lexicon or (head.endswith("s") and head[:-1] in self._lexicon)

    def _lexicon_split(self, word: str, *, both: bool) -> tuple[str, str] | None:
        # Longest known head first. With ``both`` the tail must be known too; otherwise
        # the head must be a long word, so "marke" + "ting" is no split.
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            if not self._known(head):
                continue
            if tail in self._lexicon if both else len(head) >= 7:
                return head, tail
        return None

    def words(self, text: str, lang: Language = "de", *, correct: bool = True) -> list[Word]:
        """The content words of ``text``, stop words of ``lang`` removed.

        Stop words of the other language are removed only when written in lower case,
        so "IT" in a German question stays. Hyphenated and slashed words
        ("E-Mail-Marketing") yield their joined form as the word and their pieces as
        parts; other long words are split as compounds.
        """
        original = unicodedata.normalize("NFKC", text)
        separable = separable_verbs(original) if lang == "de" else {}
        particles = {particle for particle, _ in separable.values()}
        out: list[Word] = []
        for match in WORD_PATTERN.finditer(normalize(text)):
            if match.start() in particles:  # read with its verb
                continue
            infinitive = separable.get(match.start(), (0, ""))[1]
            word = self._word(match, original, lang, correct=correct, infinitive=infinitive)
            if word is not None:
                out.append(word)
        return out

    def _word(self, match: re.Match[str], original: str, lang: Language, *, correct: bool,
              infinitive: str) -> Word | None:
        """One token as a :class:`Word`, or None for a stop word or a lone letter."""
        at, token = match.start(), match.group(0)
        written = original[at : at + len(token)]
        before = original[:at]
        start = not before.strip() or bool(re.search(r"[.!?:]\s*$", before))
        capitalized = looks_like_noun(written, sentence_start=start)
        pieces = [p for p in re.split(r"[-/]", token) if p]
        joined = "".join(pieces)
        folded = typed = fold(joined)
        primary = stop_words(lang)
        if folded in primary or (folded in stop_words(_OTHER[lang]) and written.islower()):
            return None
        if len(pieces) == 1 and len(joined) < 2:
            return None
        fix = self._correction(folded, joined) if correct else None
        if fix is not None:
            joined, folded = self._spelling.get(fix, fix), fix
        if len(pieces) > 1 and fix is None:
            part_words = [w for piece in pieces for w in (self.split(piece) or (piece,))]
        else:
            part_words = list(self.split(joined))
        spelled = written if len(pieces) == 1 and fix is None else joined
        term, *others = readings(infinitive or spelled)  # "legt … fest": "festlegen"
        parts = dict.fromkeys(lemma(p.capitalize()) for p in part_words
                              if len(p) >= _MIN_PART and fold(p) not in primary)
        parts.pop(term, None)
        return Word(surface=folded, term=term, parts=tuple(parts), frame=term in FRAME_WORDS,
                    capitalized=capitalized, corrected=fix is not None,
                    typed=typed, alternatives=tuple(others))

    def _correction(self, folded: str, spelled: str) -> str | None:
        """The knowledge word a typo stands for, or None for a known or unfixable word."""
        if self.typos is None or folded in self._folded:
            return None
        return self.typos.correct(folded, spelled=spelled)

    def terms(self, text: str, lang: Language = "de", *, correct: bool = False,
              parts: bool = True) -> list[str]:
        """Every term of ``text`` for indexing: word terms and (with ``parts``)
        compound-part terms."""
        out: list[str] = []
        for word in self.words(text, lang, correct=correct):
            out.append(word.term)
            out.extend(word.alternatives)
            if parts:
                out.extend(word.parts)
        return out


def surface_words(text: str) -> set[str]:
    """The plain lower-case words of ``text`` and its hyphenated words joined
    ("e-commerce" gives "e", "commerce" and "ecommerce"), for building a lexicon."""
    tokens = WORD_PATTERN.findall(normalize(text))
    return {w for t in tokens for w in (*re.split(r"[-/]", t), re.sub(r"[-/]", "", t)) if w}
