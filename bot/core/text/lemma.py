"""Lemmas of German (and English) words with ``simplemma``, folded for matching.

A term is a lemma, lower-cased, with umlauts and ß spelled out (ä→ae, ö→oe, ü→ue,
ß→ss), so "Umsätze", "Umsatz" and "Umsaetze" meet.

simplemma's dictionaries are read with its memory-frugal backend (``low_memory``): the
same lemmas (checked on every word of the knowledge and the labelled questions), 19 MiB
instead of 133 MiB for German and English; a lookup takes about 25 µs instead of 10 µs,
and every result here is cached. That backend still takes about 0.7 s of each start to
unpack; :func:`use_tables` switches to the SQLite copies ``rolle build`` writes
(:mod:`bot.core.text.lemma_tables`), which open at once and give the same lemmas.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY, DictionaryFactory
from simplemma.utils import normalize_token

from bot.core.text.lemma_tables import TableFactory

Lang = str | tuple[str, ...]


class _Simplemma:
    """simplemma's lemmatizer and dictionary lookup over one dictionary backend."""

    def __init__(self, dictionaries: DictionaryFactory) -> None:
        self.lemmatizer = Lemmatizer(
            lemmatization_strategy=DefaultStrategy(dictionary_factory=dictionaries))
        self.lookup = DictionaryLookupStrategy(dictionaries)


_simplemma = _Simplemma(LOW_MEMORY_DICTIONARY_FACTORY)
_tables: Path | None = None


def use_tables(folder: Path | None) -> None:
    """Read simplemma's dictionaries from the tables in ``folder`` (None: from its own
    memory-frugal backend). The lemmas are the same either way, so cached results stay
    valid; a process calls this before its first lemma to start fast."""
    global _simplemma, _tables
    if folder == _tables:
        return
    factory = LOW_MEMORY_DICTIONARY_FACTORY if folder is None else TableFactory(folder)
    _simplemma, _tables = _Simplemma(factory), folder


def lemmatize(word: str, lang: Lang) -> str:
    """simplemma's lemma of ``word`` (as written, not folded)."""
    return str(_simplemma.lemmatizer.lemmatize(word, lang))


def is_known(word: str, lang: Lang) -> bool:
    """Whether simplemma's dictionary of ``lang`` has ``word``."""
    token = normalize_token(word)
    codes = (lang,) if isinstance(lang, str) else lang
    return any(_simplemma.lookup.get_lemma(token, code) is not None for code in codes)


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(word: str) -> str:
    """Umlauts and ß spelled out: "größe" → "groesse"."""
    return word.translate(_FOLD)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The folded lower-case lemma of a word as written (case matters for nouns).

    A lower-case word whose capitalised form is a known German noun form is taken as
    that noun ("aufgaben" → "aufgabe", not the verb "aufgeben").
    """
    if word[:1].islower():
        capital = word[:1].upper() + word[1:]
        if is_known(capital, "de"):
            word = capital
    if not word.isalpha():
        return fold(word.lower())
    return fold(lemmatize(word, ("de", "en")).lower())


@lru_cache(maxsize=65536)
def readings(word: str) -> tuple[str, ...]:
    """The lemmas of ``word``, best first. A word typed in lower case may be a noun or
    a verb/adjective ("einzelne", "schulen"): both readings count. A capitalised word
    is read as written (the knowledge base's "Messen" are trade fairs, not "messen")."""
    first = lemma(word)
    if not word.isalpha() or not word[:1].islower():
        return (first,)
    capital = word[:1].upper() + word[1:]
    verb = fold(lemmatize(word, ("de", "en")).lower())
    noun = fold(lemmatize(capital, ("de", "en")).lower())
    return tuple(dict.fromkeys((first, verb, noun, *nominalizations(verb))))


def nominalizations(word: str) -> tuple[str, ...]:
    """The regular German nouns of a verb or adjective lemma: "-ung" for verbs
    ("beraten" → "beratung", "entwickeln" → "entwicklung", "steuern" → "steuerung"),
    "-heit"/"-keit" for adjectives ("zufrieden" → "zufriedenheit", "langfristig" →
    "langfristigkeit"). Tasks and topics are written as nouns ("Entwicklung von …"),
    questions ask with verbs and adjectives ("Wer entwickelt …?")."""
    if len(word) < 6:
        return ()
    if word.endswith("eln"):
        return (word[:-3] + "lung",)
    if word.endswith("ern"):
        return (word[:-1] + "ung",)
    if word.endswith("en"):
        return (word[:-2] + "ung", word + "heit")
    if word.endswith(("ig", "lich", "bar", "sam")):
        return (word + "keit",)
    return ()


@lru_cache(maxsize=65536)
def looks_like_noun(word: str, *, sentence_start: bool) -> bool:
    """Whether a German word is (probably) a noun: capitalised, unless it stands at the
    start of a sentence and is an inflected verb there ("Spricht", "Weckt")."""
    if not word[:1].isupper():
        return False
    if not sentence_start:
        return True
    lower = word.lower()
    base = lemmatize(lower, "de").lower()
    return base == lower or not base.endswith("n")
