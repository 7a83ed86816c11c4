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

from bot.core.compounds import MIN_PART as _MIN_PART
from bot.core.compounds import CompoundSplitter
from bot.core.frequency import most_common
from bot.core.lemma import (
    fold,
    is_known,
    lemma,
    lemmatize,
    looks_like_noun,
    nominalizations,
    readings,
)
from bot.core.models import Language
from bot.core.typos import TypoCorrector

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
class Word:
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
    (:class:`~bot.core.compounds.CompoundSplitter`).
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
        primary, other = stop_words(lang), stop_words("en" if lang == "de" else "de")
        out: list[Word] = []
        original = unicodedata.normalize("NFKC", text)
        separable = separable_verbs(original) if lang == "de" else {}
        particles = {particle for particle, _ in separable.values()}
        for match in WORD_PATTERN.finditer(normalize(text)):
            at, token = match.start(), match.group(0)
            if at in particles:
                continue
            written = original[at : at + len(token)]
            start = not original[:at].strip() or bool(
                re.search(r"[.!?:]\s*$", original[:at])
            )
            capitalized = looks_like_noun(written, sentence_start=start)
            pieces = [p for p in re.split(r"[-/]", token) if p]
            joined = "".join(pieces)
            folded = fold(joined)
            if folded in primary or (folded in other and written.islower()):
                continue
            if len(pieces) == 1 and len(joined) < 2:
                continue
            corrected, typed = False, folded
            if correct and self.typos is not None and folded not in self._folded:
                fix = self.typos.correct(folded, spelled=joined)
                if fix is not None:
                    joined, folded, corrected = self._spelling.get(fix, fix), fix, True
            if len(pieces) > 1 and not corrected:
                part_words = [w for piece in pieces for w in (self.split(piece) or (piece,))]
            else:
                part_words = list(self.split(joined))
            cased = written if not corrected else (joined.capitalize() if capitalized else joined)
            term, *others = readings(cased if len(pieces) == 1 and not corrected else joined)
            if at in separable:  # "legt … fest": read as "festlegen"
                term, *others = readings(separable[at][1])
            parts = dict.fromkeys(
                lemma(p.capitalize()) for p in part_words
                if len(p) >= _MIN_PART and fold(p) not in primary
            )
            parts.pop(term, None)
            out.append(
                Word(folded, term, tuple(parts), term in FRAME_WORDS, capitalized, corrected, typed,
                     tuple(others))
            )
        return out

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
