"""The gist of a passage for a question: the verbatim sentences that match it best.

Chat readers read the first lines; the answer shows these sentences first and the whole
passage one action away. Nothing is rewritten: a highlight is an exact substring of
``Passage.text`` (a sentence of a paragraph, or one "•" task line), and the chosen ones
keep their order in the passage.

Scoring is deliberately small and local (no index, no model): the question's content
words, lemmatised and folded with :mod:`bot.core.text.german`, minus the words that only name
the role, are matched against each sentence's words; rarer words within the passage
weigh more. When nothing but the role's name matches ("Was macht ein Vertriebsleiter?",
a "show" button) the passage's first sentences are its gist: they define the role.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.core.models import Passage
from bot.core.text.german import fold, lemma, stop_words

MAX_SENTENCES = 3
MAX_CHARS = 400
BULLET = "•"
# Words that ask for the role itself rather than a detail of it.
_GENERIC = frozenset(fold(w) for w in (
    "machen tun arbeiten genau eigentlich eigentlich so rolle job beruf stelle position "
    "person jemand zuständig zuständigkeit verantwortlich was wer wie welche "
    "do does role job what who person").split())
# Words that ask for the task list: they favour the "•" lines.
_TASK_WORDS = frozenset(fold(w) for w in (
    "aufgabe aufgaben aufgabenbereich tätigkeit tätigkeiten task tasks duty duties "
    "responsibility responsibilities").split())
_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before
# whitespace and a capital letter, digit or opening quote.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'“”»)]*)\s+(?=[A-ZÄÖÜ0-9„\"“»(])")
# Abbreviations that end with a dot inside a sentence ("u. a.", "z. B.", "bzw.").
_ABBREVIATIONS = frozenset({
    "u", "a", "z", "b", "bzw", "ca", "d", "h", "etc", "evtl", "ggf", "inkl", "usw", "vgl",
    "s", "o", "dr", "prof", "nr", "bspw", "zb", "ua", "sog", "i", "e", "v", "m", "al"})


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage: where it is in ``Passage.text`` and whether it is a
    "•" task line."""

    start: int
    end: int
    bullet: bool

    def text(self, source: str) -> str:
        """The sentence as it stands in ``source``."""
        return source[self.start:self.end]


def sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of ``text`` in order: each "•" line is one, prose lines are split
    at sentence ends (not after common abbreviations). Offsets index ``text``."""
    out: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        if stripped:
            start = offset + lead
            if stripped.startswith(BULLET):
                out.append(Sentence(start, start + len(stripped), True))
            else:
                out.extend(_split_prose(stripped, start))
        offset += len(line)
    return tuple(out)


def _split_prose(line: str, base: int) -> list[Sentence]:
    out: list[Sentence] = []
    begin = 0
    for match in _BOUNDARY.finditer(line):
        stop = match.start() + len(match.group(1))  # a closing quote ends the sentence
        before = line[begin:match.start()].rstrip(".!?")
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        last = last.split(".")[-1] if "." in last else last
        if last.lower().strip("(") in _ABBREVIATIONS or len(last) == 1:
            continue
        piece = line[begin:stop].rstrip()
        if piece:
            out.append(Sentence(base + begin, base + begin + len(piece), False))
        begin = match.end()
    piece = line[begin:].rstrip()
    if piece:
        out.append(Sentence(base + begin, base + begin + len(piece), False))
    return out


@lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    """Folded lemmas of the content words of ``text`` (German and English stop words
    dropped)."""
    stop = stop_words("de") | stop_words("en")
    terms = set()
    for word in _WORD.findall(text):
        if len(word) < 2 or word.isdigit():
            continue
        term = lemma(word)
        if term not in stop and fold(word.lower()) not in stop:
            terms.add(term)
    return frozenset(terms)


def _name_terms(passage: Passage) -> frozenset[str]:
    """Words that merely name the passage (title and aliases)."""
    names: set[str] = set()
    for name in (passage.title, *passage.aliases):
        names |= _terms(name)
    return frozenset(names)


def _matches(term: str, words: frozenset[str]) -> float:
    """1 for the same term, 0.5 when one is a part of a compound of the other."""
    if term in words:
        return 1.0
    if len(term) >= 5 and any(len(w) >= 5 and (term in w or w in term) for w in words):
        return 0.5
    return 0.0


def gist(passage: Passage, question: str = "", *, max_sentences: int = MAX_SENTENCES,
         max_chars: int = MAX_CHARS) -> tuple[str, ...]:
    """The verbatim sentences of ``passage`` that best answer ``question``.

    Args:
        passage: the passage to quote.
        question: what was asked; empty for a role lookup or a "show" button.
        max_sentences: at most this many sentences.
        max_chars: at most this many characters together (the first sentence is taken
            even when it alone is longer).

    Returns:
        Exact substrings of ``passage.text``, in passage order; empty only for an
        empty passage.
    """
    text = passage.text
    found = sentences(text)
    if not found:
        return ()
    asked = _terms(question) - _name_terms(passage) - _GENERIC
    wants_tasks = bool(_terms(question) & _TASK_WORDS) or any(
        fold(w.lower()).startswith("aufgabe") for w in _WORD.findall(question))
    asked -= _TASK_WORDS
    words = [_terms(s.text(text)) for s in found]
    scores = [_score(asked, w, words) for w in words]
    if wants_tasks:
        scores = [score + (1.0 if s.bullet else 0.0)
                  for score, s in zip(scores, found, strict=True)]
    if not any(scores):
        return _first(text, found, max_sentences, max_chars)
    ranked = sorted(range(len(found)), key=lambda i: (-scores[i], i))
    floor = scores[ranked[0]] / 2  # weak partial matches do not fill the gist
    chosen: list[int] = []
    used = 0
    for i in ranked:
        if scores[i] <= 0 or scores[i] < floor or len(chosen) >= max_sentences:
            break
        size = found[i].end - found[i].start
        if chosen and used + size > max_chars:
            continue
        chosen.append(i)
        used += size
    return tuple(found[i].text(text) for i in sorted(chosen))


def _score(asked: frozenset[str], words: frozenset[str],
           every: list[frozenset[str]]) -> float:
    """Matched question terms, weighted by how rare they are among the sentences."""
    total = 0.0
    for term in asked:
        match = _matches(term, words)
        if match:
            frequency = sum(1 for w in every if _matches(term, w))
            total += match * (1.0 + math.log(len(every) / frequency))
    return total


def _first(text: str, found: Iterable[Sentence], max_sentences: int,
           max_chars: int) -> tuple[str, ...]:
    """The opening sentences within the limits: the prose before the task list, or for
    a passage that is only a task list its heading ("Aufgaben-Beispiele:") and first
    tasks (a heading does not count as a sentence)."""
    out: list[str] = []
    used = counted = 0
    prose = False
    for sentence in found:
        size = sentence.end - sentence.start
        heading = sentence.text(text).endswith(":")
        if out and (counted >= max_sentences or used + size > max_chars
                    or (prose and (sentence.bullet or heading))):
            break
        out.append(sentence.text(text))
        used += size
        counted += 0 if heading else 1
        prose = prose or not (heading or sentence.bullet)
    return tuple(out)


def highlights(passages: Iterable[Passage], question: str = "") -> dict[str, tuple[str, ...]]:
    """:func:`gist` for each passage, by passage id."""
    return {p.id: gist(p, question) for p in passages}


def excerpt(text: str, chosen: Iterable[str], *, gap: str = " … ") -> tuple[str, ...]:
    """The chosen sentences as display lines: sentences that follow each other on one
    line of ``text`` become one verbatim slice of it; a skipped sentence within a line
    is marked with ``gap``; every task line and every other line stays its own line.

    Each line is made only of verbatim slices of ``text`` (and ``gap``).
    """
    spans = sorted(locate(text, tuple(chosen)))
    lines: list[list[tuple[int, int]]] = []
    for start, end in spans:
        previous = lines[-1][-1] if lines else None
        if previous is not None and "\n" not in text[previous[1]:start]:
            if text[previous[1]:start].strip():
                lines[-1].append((start, end))
            else:
                lines[-1][-1] = (previous[0], end)
            continue
        lines.append([(start, end)])
    return tuple(gap.join(text[s:e] for s, e in line) for line in lines)


def locate(text: str, chosen: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where each chosen sentence stands in ``text`` (the first place not yet taken)."""
    found: list[tuple[int, int]] = []
    for sentence in chosen:
        at = text.find(sentence)
        while at >= 0 and any(s <= at < e for s, e in found):
            at = text.find(sentence, at + 1)
        if at < 0:
            raise ValueError(f"not a sentence of the passage: {sentence[:60]!r}")
        found.append((at, at + len(sentence)))
    return found
