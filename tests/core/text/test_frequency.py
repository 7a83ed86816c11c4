"""bot.core.text.frequency: wordfreq's small lists through its public API."""

from __future__ import annotations

import pytest

from bot.core.models import Language
from bot.core.text import frequency

LANGS: tuple[Language, ...] = ("de", "en")


def test_common_words_are_common_and_rare_ones_zero() -> None:
    assert frequency.zipf("und", "de") > 6
    assert frequency.zipf("the", "en") > 6
    assert frequency.zipf("Vertriebsleiterin", "de") == 0
    assert frequency.zipf("xyzzyq", "en") == 0
    assert 3 <= frequency.zipf("Kunden", "de") < 6


def test_case_and_unusual_tokens_are_wordfreqs() -> None:
    # Case folding, ß and umlauts, digits, hyphens and apostrophes are wordfreq's business.
    assert frequency.zipf("KUNDEN", "de") == frequency.zipf("kunden", "de")
    assert frequency.zipf("Straße", "de") > 3
    for word in ("e-commerce", "b2b", "don't", "1990er", "100", ""):
        for lang in LANGS:
            assert frequency.zipf(word, lang) >= 0


@pytest.mark.parametrize("lang", LANGS)
def test_top_lists_are_ordered_and_sized(lang: Language) -> None:
    top = frequency.most_common(lang, 300)
    assert len(top) == len(set(top)) == 300
    assert frequency.most_common(lang, 5) == top[:5]
    values = [frequency.zipf(w, lang) for w in top[:50]]
    assert values == sorted(values, reverse=True)
    assert ("und" if lang == "de" else "the") in top[:5]
