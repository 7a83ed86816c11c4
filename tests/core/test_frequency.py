"""bot.core.frequency reads wordfreq's small lists itself: the same Zipf values and top
lists as wordfreq, without importing it for plain words."""

from __future__ import annotations

import random

import pytest
from wordfreq import top_n_list, zipf_frequency

from bot.core import frequency
from bot.core.models import Language
from tests.support import fresh_python

LANGS: tuple[Language, ...] = ("de", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_every_listed_word_has_wordfreqs_value(lang: Language) -> None:
    words = [w for bucket in frequency._buckets(lang) for w in bucket]
    assert len(words) > 20_000
    cased = random.Random(3).sample(words, 3000)
    forms = [*words, *(w.capitalize() for w in cased), *(w.upper() for w in cased)]
    assert [frequency.zipf(f, lang) for f in forms] \
        == [zipf_frequency(f, lang, wordlist="small") for f in forms]


@pytest.mark.parametrize("lang", LANGS)
def test_top_lists_are_wordfreqs(lang: Language) -> None:
    for n in (1, 300, 5000):
        assert frequency.most_common(lang, n) == top_n_list(lang, n, wordlist="small")


def test_unlisted_and_unusual_words_match_too() -> None:
    # Unlisted words, ß and umlauts, and what goes to wordfreq itself (digits, hyphens,
    # apostrophes, dots).
    words = ["xyzzyq", "Vertriebsleiterin", "Straße", "GRÖSSE", "über", "e-commerce",
             "b2b", "don't", "1990er", "100", "K.O.", "", "Kunden­betreuung"]
    for lang in LANGS:
        assert [frequency.zipf(w, lang) for w in words] \
            == [zipf_frequency(w, lang, wordlist="small") for w in words]
    assert frequency.zipf("und", "de") > 6 > frequency.zipf("Vertriebsleiterin", "de") == 0


def test_plain_words_do_not_import_wordfreq() -> None:
    code = ("import sys; from bot.core.frequency import zipf, most_common; "
            "assert zipf('Kunden', 'de') > 3 and len(most_common('en', 300)) == 300; "
            "print('wordfreq' in sys.modules)")
    assert fresh_python(code) == "False"
