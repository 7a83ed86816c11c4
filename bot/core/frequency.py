"""How common a word is in German or English: ``wordfreq``'s Zipf scale (log10 of
occurrences per billion words) from its *small* word lists.

The small lists hold every word at Zipf 3 or above (about 40,000 German and 30,000
English words, 7 MiB in memory); the default "best" lists add the rarer words and cost
100 MiB. Rarer words count as 0 here: every use in Rollenbot asks whether a word is
common (typo correction never touches words at Zipf ≥ 3, the English stop words are the
300 most common words, compound parts must be real words, language detection weighs
common words).

The lists are read straight from wordfreq's data files (gzipped msgpack, one list of
words per centibel of frequency). A plain word (letters only, after wordfreq's own
NFC normalisation and case folding) is looked up there with wordfreq's arithmetic, so
the value is wordfreq's to the last digit (a test compares every listed word) without
importing wordfreq and its language-tag and text-repair packages: about 0.1 s of every
start. Anything else (digits, apostrophes, hyphens) goes to ``wordfreq`` itself, which
is then imported.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import msgpack

from bot.core.models import Language

WORDLIST = "small"
_NUMBER = re.compile(r"\d[\d.,]+")  # wordfreq leaves these out of its top lists


@lru_cache(maxsize=65536)
def zipf(word: str, lang: Language) -> float:
    """How common ``word`` is in ``lang`` (0 when rarer than Zipf 3 or unknown)."""
    token = unicodedata.normalize("NFC", word).casefold()
    if token.isalpha():
        return _zipf_by_word(lang).get(token, 0.0)
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang, wordlist=WORDLIST))


def most_common(lang: Language, n: int) -> list[str]:
    """The ``n`` most common words of ``lang`` (as wordfreq's ``top_n_list``)."""
    words = (w for bucket in _buckets(lang) for w in bucket if not _NUMBER.match(w))
    return [w for _, w in zip(range(n), words, strict=False)]


@cache
def _buckets(lang: Language) -> list[list[str]]:
    """wordfreq's small list of ``lang``: the words at 0, -1, -2, … centibels."""
    spec = importlib.util.find_spec("wordfreq")  # its folder, without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"small_{lang}.msgpack.gz"
    data = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=False)
    header = data[0]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"{path}: not a wordfreq cBpack file")
    return list(data[1:])


@cache
def _zipf_by_word(lang: Language) -> dict[str, float]:
    table: dict[str, float] = {}
    for index, bucket in enumerate(_buckets(lang)):
        value = _zipf_of_centibels(-index)
        for word in bucket:
            table[word] = value  # a later (rarer) bucket wins, as in wordfreq
    return table


def _zipf_of_centibels(centibels: int) -> float:
    """wordfreq's ``zipf_frequency`` of a word listed at ``centibels`` (its steps: the
    frequency, combined over the one token, rounded to 3 significant digits, on the
    Zipf scale to 2 decimals; the same float operations in the same order)."""
    freq = 1.0 / (0.0 + 1.0 / 10 ** (centibels / 100))
    unrounded = max(freq, 10**0 / 1e9)
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(math.log(round(unrounded, leading_zeroes + 3), 10) + 9, 2)
