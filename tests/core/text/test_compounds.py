"""The compound splitter: real compounds split into known words, other words stay whole."""

from __future__ import annotations

import pytest

from bot.core.retrieval.lexical import LexicalIndex
from bot.core.text.compounds import CompoundSplitter
from bot.core.text.german import Analyzer, stop_words


@pytest.fixture(scope="module")
def splitter() -> CompoundSplitter:
    """A splitter without a lexicon: common words only."""
    return CompoundSplitter(frozenset(), stop_words("de"))


@pytest.mark.parametrize(
    ("word", "parts"),
    [("vertriebsleiterin", ("vertriebs", "leiterin")),  # Fugen-s
     ("kundenbetreuung", ("kunden", "betreuung")),  # Fugen-n
     ("marketingstrategie", ("marketing", "strategie")),
     ("verkaufsgespräche", ("verkaufs", "gespräche")),
     ("reisekostenabrechnung", ("reise", "kosten", "abrechnung")),  # three parts
     ("suchmaschinenwerbung", ("such", "maschinen", "werbung"))],  # "suche" lost its "e"
)
def test_compounds_split_into_common_words_without_a_lexicon(
        word: str, parts: tuple[str, ...], splitter: CompoundSplitter) -> None:
    assert splitter.split(word) == parts


@pytest.mark.parametrize(
    "word",
    ["wichtiger", "schreiben", "marketing", "mannschaft", "betreuung", "abrechnung",
     "unterscheidet", "überzeugen", "vertrieb", "e-mail", "kunde"],
)
def test_common_words_prefixes_and_short_words_stay_whole(word: str,
                                                          splitter: CompoundSplitter) -> None:
    # "wichtiger" is far more common than "wich" + "tiger"; "unter" and "über" are stop
    # words, so "unter·scheidet" is no compound.
    assert splitter.split(word) == ()


def test_knowledge_words_count_as_words() -> None:
    # "aussteuerung" is rarer than Zipf 3, but here a word of the knowledge base.
    assert CompoundSplitter().split("aussteuerungslogik") == ()
    lexicon = CompoundSplitter(frozenset({"aussteuerung"}))
    assert lexicon.split("aussteuerungslogik") == ("aussteuerungs", "logik")


def test_the_analyzer_gives_lemmatised_parts_of_question_words(lexical: LexicalIndex) -> None:
    words = lexical.analyzer.words(
        "Vertriebsleiterin Kundenbetreuung Marketingstrategie Verkaufsgespräche wichtiger")
    assert [w.parts for w in words] == [
        ("vertrieb", "leiterin"), ("kunde", "betreuung"), ("marketing", "strategie"),
        ("verkauf", "gespraech"), ()]
    (word,) = Analyzer().words("Kundenbetreuung")  # without a lexicon too
    assert word.parts == ("kunde", "betreuung")
