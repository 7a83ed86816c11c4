"""What a comparison shows, decided once for every front end: two roles side by side
with the same kind of sentences (:func:`openings`), and for a question how two
departments differ, their comparison paragraphs split by side (:func:`contrast`).

Everything is verbatim and derived from the knowledge: a department such as "Marketing
und Vertrieb" names its two sides; a sentence belongs to a side when one of its words
begins with that side's name ("Marketings", "Vertriebs…") and none with the other's,
and it does not open with a pronoun ("Es ist daher … als der Vertrieb" is about the
side named before it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.models import Passage
from bot.core.retrieval.highlight import Sentence, sentences
from bot.reply import Contrast, ContrastRow

OPENING_SENTENCES = 2
OPENING_CHARS = 320
OPENING_TASKS = 3
SIDE_SENTENCES = 1  # per side and paragraph in the table
_WORD = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Words of a question that ask how two things differ.
# A sentence opening with one of these is about what the sentence before named.
_BACK_REFERENCE = frozenset({"er", "es", "sie", "dies", "dieser", "diese", "dieses", "dort",
                             "ihre", "ihr", "sein", "seine", "it", "they", "this"})
_DIFFERENCE = frozenset({
    "unterschied", "unterschiede", "unterscheiden", "unterscheidet", "unterschiedlich",
    "differenz", "vergleich", "vergleichen", "versus", "vs", "gegenueber", "abgrenzung",
    "differ", "differs", "difference", "differences", "compare", "comparison", "distinguish",
})


def _words(text: str) -> list[str]:
    return [w.lower().translate(_UMLAUTS) for w in _WORD.findall(text)]


def _prose(passage: Passage) -> list[Sentence]:
    return [s for s in sentences(passage.text)
            if not s.bullet and not s.text(passage.text).endswith(":")]


def tasks(passage: Passage) -> tuple[str, ...]:
    """The passage's task lines ("• …"), verbatim, in order."""
    return tuple(s.text(passage.text) for s in sentences(passage.text) if s.bullet)


def openings(passages: Sequence[Passage]) -> dict[str, tuple[str, ...]]:
    """The same kind of sentences for each passage of a comparison: the opening prose
    sentences when every passage has prose, else the first task lines of each."""
    if all(_prose(p) for p in passages):
        out: dict[str, tuple[str, ...]] = {}
        for passage in passages:
            chosen: list[str] = []
            for sentence in _prose(passage)[:OPENING_SENTENCES]:
                text = sentence.text(passage.text)
                if chosen and sum(map(len, chosen)) + len(text) > OPENING_CHARS:
                    break
                chosen.append(text)
            out[passage.id] = tuple(chosen)
        return out
    return {p.id: tasks(p)[:OPENING_TASKS] or tuple(
        s.text(p.text) for s in sentences(p.text)[:OPENING_SENTENCES]) for p in passages}


def asks_difference(question: str) -> bool:
    """Whether ``question`` asks how things differ ("Unterschied …", "… vs. …")."""
    return bool(_DIFFERENCE.intersection(_words(question)))


def sides(department: str, departments: Sequence[str]) -> tuple[str, str] | None:
    """The two departments a linking department is named after ("Marketing und
    Vertrieb": Marketing, Vertrieb), when both exist; else None."""
    parts = re.split(r"\s+(?:und|and|&)\s+", department)
    if len(parts) == 2 and all(part in departments for part in parts):
        return parts[0], parts[1]
    return None


def _side(sentence: str, stems: tuple[str, str]) -> int | None:
    words = _words(sentence)
    if not words or words[0] in _BACK_REFERENCE:
        return None
    hits = [any(w.startswith(stem) for w in words) for stem in stems]
    return hits.index(True) if hits.count(True) == 1 else None


def contrast(best: Passage, passages: Sequence[Passage], departments: Sequence[str],
             question: str) -> Contrast | None:
    """The comparison paragraphs of ``best``'s department side by side, when the
    question asks how its two sides differ; None otherwise (or when no paragraph has
    a sentence for each side)."""
    pair = sides(best.department, departments) if asks_difference(question) else None
    if pair is None:
        return None
    stems = (_words(pair[0])[0], _words(pair[1])[0])
    rows = []
    for passage in passages:
        if passage.kind != "comparison" or passage.department != best.department:
            continue
        by_side: tuple[list[str], list[str]] = ([], [])
        for sentence in _prose(passage):
            text = sentence.text(passage.text)
            side = _side(text, stems)
            if side is not None and len(by_side[side]) < SIDE_SENTENCES:
                by_side[side].append(text)
        if by_side[0] and by_side[1]:
            rows.append(ContrastRow(passage=passage, left=tuple(by_side[0]),
                                    right=tuple(by_side[1])))
    return Contrast(sides=pair, rows=tuple(rows)) if rows else None
