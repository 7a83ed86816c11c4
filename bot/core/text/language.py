"""Tell German from English questions, to pick UI strings and stop words (passages stay
German).

Each word votes with how common it is in either language (``wordfreq``'s Zipf scale,
:mod:`bot.core.text.frequency`);
letters only German has (ä, ö, ü, ß) count extra.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.models import Language
from bot.core.text.frequency import zipf

_GERMAN_LETTERS = re.compile(r"[äöüß]")


@lru_cache(maxsize=65536)
def _lean(word: str) -> float:
    """Positive when ``word`` is more common in English than in German."""
    return zipf(word, "en") - zipf(word, "de")


def detect(text: str) -> Language:
    """``"en"`` when the text reads as English, else ``"de"`` (the default)."""
    lower = text.lower()
    words = re.findall(r"[a-zäöüß']+", lower)
    score = sum(_lean(w) for w in words) - 3 * len(_GERMAN_LETTERS.findall(lower))
    return "en" if score > 1.0 else "de"
