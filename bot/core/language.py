"""Tell German from English questions, to pick UI strings (passages stay German)."""

from __future__ import annotations

import re

from bot.core.models import Language

_EN = frozenset(
    "what who whom which where when why how does do is are the a an of for to in and "
    "with about between vs role roles job difference responsible tasks task sales "
    "does doing can could should manager's hello hi please thanks there this that "
    "work works our my your".split()
)
_DE = frozenset(
    "was wer wen wem welche welcher welches wo wann warum wie macht machen tut ist sind "
    "der die das ein eine einen einem für und mit von zum zur im den dem des ich du "
    "aufgaben unterschied zuständig verantwortlich vertrieb kümmert gibt es nicht "
    "bitte danke hallo über zwischen werde wird".split()
)
_GERMAN_LETTERS = re.compile(r"[äöüß]")


def detect(text: str) -> Language:
    """``"en"`` when the text reads as English, else ``"de"`` (the default)."""
    words = re.findall(r"[a-zäöüß']+", text.lower())
    english = sum(w in _EN for w in words)
    german = sum(w in _DE for w in words) + 2 * len(_GERMAN_LETTERS.findall(text.lower()))
    return "en" if english > german else "de"
