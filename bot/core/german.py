"""German-aware text analysis for lexical search: normalising, tokenising, stop words,
Snowball stemming and compound splitting.

A word becomes a *term*: its stem plus the stems of its compound parts, so that
"Vertrieb" finds "Vertriebsleiter" and "Vertriebsmannschaft" finds "Mannschaft".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from compound_split import char_split

# Question frames and function words in German and English. They say nothing about which
# role is meant, so they are neither scored nor required to match.
STOP_WORDS = frozenset(
    """
    a ab aber alle als also am an and any are as at auch auf aus bei bin bis bitte bzw
    can could da damit dann das dass dem den denen denn der des dessen did die dies diese
    dieser dieses do does doing du durch ein eine einem einen einer eines er es etc etwas
    euch for from für gibt gut hab habe haben hat hatte hello hallo hey hi how ich ihr im
    in into is ist it its ja je jemand kann kannst kein keine könnte man me mein meine mich
    mir mit muss my nach nicht noch nur ob oder of on or our out sein seine sich sie sind
    so soll some sowie such than that the their them then there these they this those to
    um und uns unser unsere uns us von vor war was we welche welcher welches wem wen wenn
    wer werde werden what when where which who whom whose why wie wir wird wo worum would
    you your zu zum zur über eigentlich genau denn mal eigentlich einfach überhaupt
    macht machen mache tut tun does doing erklär erkläre erklären explain tell sag sage
    sagen bedeutet bedeuten means mean meant heißt heisst wann nächste nächsten
    nächster gerade immer oft viel viele sehr eher woran worauf wozu wofür womit wodurch
    fürs vom beim ins ans ab wichtig wichtige wichtigste mehr warum weshalb wieso
    fest los dar her hin weiter zurück zusammen
    """.split()
)

# Words that frame a question about a role ("Aufgaben", "zuständig") rather than name
# one. They are stemmed and scored, but a question made only of them is not in scope.
FRAME_WORDS = frozenset(
    """
    aufgabe aufgaben rolle rollen job jobs beruf berufe position positionen stelle
    tätigkeit tätigkeiten verantwortlich verantwortung zuständig zuständigkeit kümmert
    kümmern role roles task tasks responsible responsibility responsibilities duties
    work works working arbeitet arbeit handles handle charge take takes taking care
    kümmere kümmert sorgt sorgen
    """.split()
)

WORD_PATTERN = re.compile(r"[a-z0-9äöüß]+(?:[-/][a-z0-9äöüß]+)*")
_STEMMER = Stemmer.Stemmer("german")
_MIN_PART = 4  # shorter compound parts ("auf", "mit") are mostly prefixes, not words
_MIN_SPLIT_SCORE = 0.5


@dataclass(frozen=True)
class Word:
    """One content word of a text: its stem and the stems of its compound parts."""

    surface: str
    stem: str
    parts: tuple[str, ...]
    frame: bool = False
    capitalized: bool = False  # written with a capital: in German, likely a noun


def normalize(text: str) -> str:
    """Unicode-normalise, lower-case and unify dashes and quotes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[‐‑‒–—]", "-", text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball German stem of a lower-case word (ß folded to ss)."""
    return str(_STEMMER.stemWord(word.replace("ß", "ss")))


@lru_cache(maxsize=65536)
def _statistical_split(word: str) -> tuple[str, str] | None:
    """The compound-split package's best split, when it is confident."""
    candidates = char_split.split_compound(word)
    if not candidates:
        return None
    score, head, tail = candidates[0]
    if score < _MIN_SPLIT_SCORE or min(len(head), len(tail)) < _MIN_PART:
        return None
    return head.lower(), tail.lower()


class Analyzer:
    """Turns text into :class:`Word` objects.

    Compounds are split by the compound-split statistics; where those decline, a word
    that starts or ends with a word of ``lexicon`` (the knowledge base's own words) is
    split there, so "vertriebsinnendienst" becomes "vertriebs" + "innendienst".
    """

    def __init__(self, lexicon: frozenset[str] = frozenset()) -> None:
        self._lexicon = frozenset(w for w in lexicon if len(w) >= _MIN_PART)
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
        pair = (
            self._lexicon_split(word, both=True)
            or self._lexicon_split(word, both=False)
            or _statistical_split(word)
        )
        if pair is None:
            return ()
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

    def words(self, text: str) -> list[Word]:
        """The content words of ``text``, stop words removed.

        Hyphenated and slashed words ("E-Mail-Marketing") yield their joined form as
        the word and their pieces as parts; other long words are split as compounds.
        """
        out: list[Word] = []
        original = unicodedata.normalize("NFKC", text)
        for match in WORD_PATTERN.finditer(normalize(text)):
            token = match.group(0)
            capitalized = original[match.start() : match.start() + 1].isupper()
            pieces = [p for p in re.split(r"[-/]", token) if p]
            joined = "".join(pieces)
            if joined in STOP_WORDS or (len(pieces) == 1 and len(joined) < 2):
                continue
            part_words: list[str] = []
            if len(pieces) > 1:
                for piece in pieces:
                    part_words.extend(self.split(piece) or (piece,))
            else:
                part_words.extend(self.split(joined))
            word_stem = stem(joined)
            parts = dict.fromkeys(
                stem(p) for p in part_words if len(p) >= _MIN_PART and p not in STOP_WORDS
            )
            parts.pop(word_stem, None)
            out.append(Word(joined, word_stem, tuple(parts), joined in FRAME_WORDS, capitalized))
        return out

    def terms(self, text: str) -> list[str]:
        """Every term of ``text`` for indexing: word stems and compound-part stems."""
        out: list[str] = []
        for word in self.words(text):
            out.append(word.stem)
            out.extend(word.parts)
        return out


def surface_words(text: str) -> set[str]:
    """The plain lower-case words of ``text`` (for building a lexicon)."""
    return {w for w in re.findall(r"[a-z0-9äöüß]+", normalize(text)) if w not in STOP_WORDS}
