"""How common a word is in German or English: ``wordfreq``'s Zipf scale (log10 of
occurrences per billion words) from its *small* word lists, through wordfreq's public API.

The small lists hold every word at Zipf 3 or above (about 40,000 German and 30,000
English words); the default "best" lists add the rarer words and cost far more memory.
Rarer words count as 0 here: every use in Rollenbot asks whether a word is common (typo
correction never touches common words, the English stop words are the 300 most common
words, compound parts must be real words, language detection weighs common words).
"""

from __future__ import annotations

from functools import cache, lru_cache

from wordfreq import top_n_list, zipf_frequency

from bot.core.models import Language

WORDLIST = "small"


@lru_cache(maxsize=65536)
def zipf(word: str, lang: Language) -> float:
    """How common ``word`` is in ``lang`` (0 when rarer than Zipf 3 or unknown)."""
    return float(zipf_frequency(word, lang, wordlist=WORDLIST))


@cache
def _top(lang: Language, n: int) -> tuple[str, ...]:
    return tuple(top_n_list(lang, n, wordlist=WORDLIST))


def most_common(lang: Language, n: int) -> list[str]:
    """The ``n`` most common words of ``lang``."""
    return list(_top(lang, n))
