"""Follow-ups: a line that names no role but refers back is read against the last reply
of its conversation (:class:`~bot.core.context.Context`, kept in the store).

* "and in English?", "auf Deutsch" - the last reply again, in that language;
* "mehr", "more" - the last quote again, whole;
* "keins davon", "none of these" after a "Meinst du …?" - none fitted (a miss);
* a part of a role's name ("und der Head davon?", "welche Aufgaben hat die Assistenz?")
  - the role with that word in its name in the earlier role's department, else among
  its related roles, when exactly one fits;
* a back-reference ("und welche Aufgaben hat er?", "what about their tasks?") - the
  question asked again with the earlier role's title, so the engine decides.

A line that names a role or topic (its title or an alias) starts afresh, and so does a
line with more than a couple of words of its own (a new topic). Everything else is a
new question as well. Names come from the knowledge; the short word lists below are
the grammar of a follow-up, not knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.context import Context
from bot.core.models import Language, Passage

ReadingKind = Literal["again", "role", "ask", "decline"]
MAX_OWN_WORDS = 1  # a follow-up naming part of a role has at most this many words of its own
MAX_ASK_WORDS = 2  # ... and one that refers back with a pronoun
_WORD = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SWITCH = re.compile(
    r"^(?:(?:und|and|jetzt|now|nochmal|again)\s+)*(?:(?:bitte|please)\s+)?(?:(?:auf|in)\s+)?"
    r"(?P<language>englisch|english|deutsch|german)(?:\s+(?:bitte|please))?$")
_MORE = frozenset({"mehr", "mehr dazu", "mehr bitte", "mehr lesen", "ganze beschreibung",
                   "alles", "more", "tell me more", "read more", "full description"})
_DECLINE = frozenset({"keins", "keins davon", "keine davon", "nichts davon", "keiner davon",
                      "none", "none of these", "none of them", "neither"})
# Words that refer back to what was said before.
_BACK = frozenset({
    "davon", "dazu", "darueber", "dessen", "deren", "er", "ihm", "ihn", "seine", "seinen",
    "seiner", "seinem", "ihre", "ihren", "ihrer", "dort", "da", "dabei", "denen",
    "he", "she", "him", "his", "her", "they", "them", "their", "it", "its", "there", "that",
})
_AND = frozenset({"und", "and", "also", "auch"})
# Function words and question frames: not words of a topic of their own.
_FRAME = _BACK | _AND | frozenset({
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
    "eines", "the", "a", "an", "of", "for", "to", "in", "im", "auf", "bei", "beim", "mit",
    "von", "vom", "zu", "zum", "zur", "fuer", "ueber", "about", "what", "who", "how",
    "which", "was", "wer", "wie", "welche", "welcher", "welches", "welchen", "macht",
    "machen", "tut", "tun", "ist", "sind", "hat", "haben", "does", "do", "is", "are",
    "has", "have", "denn", "eigentlich", "genau", "so", "noch", "mal", "bitte", "please",
    "sie", "es", "man", "oder", "or", "aufgabe", "aufgaben", "taetigkeiten", "task",
    "tasks", "duties", "zustaendig", "verantwortlich", "responsible", "rolle", "role",
    "job", "dann", "then", "with", "wo", "where", "sich",
})


@dataclass(frozen=True, kw_only=True)
class Reading:
    """How a line is read against the conversation's last reply.

    ``again``: that reply again (``language`` to switch to, ``full`` for the whole
    passages); ``role``: show ``passage``; ``ask``: ask ``question`` (the line with the
    earlier role's title) instead; ``decline``: none of the candidates fitted.
    ``about`` is the earlier passage the line was read against.
    """

    kind: ReadingKind
    language: Language | None = None
    full: bool = False
    passage: Passage | None = None
    question: str = ""
    about: Passage | None = None


def words(text: str) -> list[str]:
    """The words of ``text``: lower case, umlauts folded (ä→ae, ß→ss)."""
    return [w.lower().translate(_UMLAUTS) for w in _WORD.findall(text)]


class Names:
    """The names (titles and aliases) of the passages, as word sequences, and which
    roles each word of a role name belongs to."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        """Index ``passages`` (the knowledge, in order)."""
        self.passages = passages
        self._names = {tuple(words(n)) for p in passages for n in (p.title, *p.aliases)}
        self._names.discard(())
        self.role_words: dict[str, set[str]] = {}
        for passage in passages:
            if passage.kind != "role":
                continue
            for name in (passage.title, *passage.aliases):
                for word in words(name):
                    if word not in _FRAME and len(word) > 1:  # not the "E" of E-Commerce
                        self.role_words.setdefault(word, set()).add(passage.id)

    def named(self, tokens: Sequence[str]) -> bool:
        """Whether ``tokens`` contain a whole name of a passage."""
        return any(tuple(tokens[i:i + len(name)]) == name
                   for name in self._names for i in range(len(tokens) - len(name) + 1))


def read(text: str, context: Context, names: Names,
         get: Callable[[str], Passage | None]) -> Reading | None:
    """How ``text`` follows up on ``context``; None when it is a question of its own."""
    tokens = words(text)
    line = " ".join(tokens)
    switch = _SWITCH.match(line)
    if switch:
        wanted: Language = "en" if switch["language"] in ("englisch", "english") else "de"
        return Reading(kind="again", language=wanted)
    if context.kind == "clarify":
        return Reading(kind="decline") if line in _DECLINE else None
    subject = get(context.shown[0]) if context.shown else None
    if subject is None:
        return None
    if line in _MORE:
        return Reading(kind="again", full=True)
    if names.named(tokens):
        return None  # names a role or topic: a question of its own
    own = [t for t in tokens if t not in _FRAME and t not in names.role_words]
    parts = [t for t in tokens if t in names.role_words]
    if parts and len(own) <= MAX_OWN_WORDS:
        role = _role_by_part(parts, subject, names, get)
        if role is not None:
            return Reading(kind="role", passage=role, about=subject)
    refers_back = bool(_BACK.intersection(tokens)) or (bool(tokens) and tokens[0] in _AND)
    if refers_back and not parts and len(own) <= MAX_ASK_WORDS:
        return Reading(kind="ask", question=f"{text.strip()} ({subject.title})", about=subject)
    return None


def _role_by_part(parts: Sequence[str], subject: Passage, names: Names,
                  get: Callable[[str], Passage | None]) -> Passage | None:
    """The one role whose name has every word of ``parts``: in ``subject``'s department
    first, else among its related roles."""
    ids = set.intersection(*(names.role_words[p] for p in parts))
    roles = [p for p in names.passages if p.id in ids]
    for pool in ([r for r in roles if r.department == subject.department],
                 [r for r in roles if r.id in subject.related]):
        if len(pool) == 1:
            return get(pool[0].id)
    return None
