"""German text analysis and lexical matching (fast, no model)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.knowledge import Knowledge
from bot.core.retrieval.lexical import LexicalIndex
from bot.core.text.german import Analyzer, fold, lemma, readings, separable_verbs, stop_words
from bot.core.text.language import detect


@pytest.fixture(scope="module")
def best(lexical: LexicalIndex, knowledge: Knowledge) -> Callable[..., str]:
    """The id of the passage the lexical scores rank first for a question."""
    def best(question: str, lang: str = "de") -> str:
        scores = lexical.scores(lexical.analyze(question, lang))  # type: ignore[arg-type]
        return knowledge.passages[int(scores.argmax())].id

    return best


def test_folding_and_lemmas() -> None:
    assert fold("Größe Märkte für") == "Groesse Maerkte fuer"
    assert lemma("Umsätze") == lemma("Umsatz") == "umsatz"
    assert lemma("Vertriebsleiters") == "vertriebsleiter"
    assert lemma("aufgaben") == "aufgabe"  # a lower-case noun, not the verb "aufgeben"
    assert "schulen" in readings("schult")


def test_verbs_read_as_their_ung_noun_and_separable_verbs_join() -> None:
    assert "entwicklung" in readings("entwickelt")
    assert "steuerung" in readings("steuern")
    assert separable_verbs("Wer legt die Zielgruppen fest?") == {4: (25, "festlegen")}
    assert separable_verbs("Wo ist die Kantine?") == {}
    (verb, _) = Analyzer().words("Wer wickelt Aufträge ab?")
    assert "abwicklung" in (verb.term, *verb.alternatives)


def test_compounds_are_split_into_lemmatised_parts() -> None:
    analyzer = Analyzer(frozenset({"vertrieb", "innendienst", "marketing"}))
    (word,) = analyzer.words("Vertriebsmannschaft")
    assert word.term == "vertriebsmannschaft"
    assert set(word.parts) == {"vertrieb", "mannschaft"}
    (inner,) = analyzer.words("Vertriebsinnendienst")
    assert "vertrieb" in inner.parts
    (marketing,) = analyzer.words("Marketing")
    assert marketing.parts == ()  # "marke" + "ting" is no split


def test_hyphenated_words_join_and_keep_pieces() -> None:
    (word,) = Analyzer().words("E-Mail-Marketing")
    assert word.surface == "emailmarketing"
    assert "marketing" in word.parts


def test_stop_words_follow_the_language_of_the_question() -> None:
    words = Analyzer().words("Was macht eigentlich der Vertrieb und wer ist zuständig?")
    assert [w.surface for w in words] == ["vertrieb", "zustaendig"]
    assert words[1].frame and not words[0].frame
    # "IT" is no English "it" in a German question; "it" is a stop word in English.
    assert [w.surface for w in Analyzer().words("Projektleiter in der IT", "de")] == [
        "projektleiter", "it"]
    assert [w.surface for w in Analyzer().words("what does it do", "en")] == []
    assert "it" in stop_words("en") and "it" not in stop_words("de")


def test_nouns_are_told_from_sentence_initial_verbs() -> None:
    spricht, marketing = Analyzer().words("Spricht Marketing")
    assert not spricht.capitalized and marketing.capitalized
    (leiter,) = Analyzer().words("Marketingleiter?")
    assert leiter.capitalized


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [("Vertriebsleitr", "vertriebsleiter"), ("Vertriebsasistenz", "vertriebsassistenz"),
     ("Developement", "development"), ("Vertriebsmanschaft", "vertriebsmannschaft")],
)
def test_typos_are_corrected_against_the_knowledge(typo: str, fixed: str,
                                                   lexical: LexicalIndex) -> None:
    (word,) = lexical.analyzer.words(typo)
    assert word.corrected and word.surface == fixed and word.typed == fold(typo.lower())


def test_real_words_are_never_corrected(lexical: LexicalIndex) -> None:
    for word in lexical.analyzer.words("Drucker Raum buchen Leads formulieren"):
        assert not word.corrected, word
    # Umlauts are folded for matching, but word lists spell them: "wünschen" is common.
    for word in lexical.analyzer.words("wünschen Wünsche Größe Gespräche"):
        assert not word.corrected, word


def test_misspelled_role_names_find_their_role(best: Callable[..., str]) -> None:
    assert best("Was macht ein Vertriebsleitr?") == "vertriebsleiter"
    assert best("sales manger", "en") == "sales-manager"
    assert best("Aufgaben Vertriebsasistenz") == "vertriebsassistenz"
    assert best("Busines Developement Manger Aufgaben?") == "business-development-manager"


def test_compound_question_finds_its_section(best: Callable[..., str]) -> None:
    assert best("Wer führt die Vertriebsmannschaft?") == "vertriebsleiter"
    assert best("Vertriebsinnendienst") == "vertriebsassistenz"


def test_glossary_expands_english_words(lexical: LexicalIndex) -> None:
    query = lexical.analyze("Who handles existing customers?", "en")
    assert any("bestandskunde" in terms for terms in query.expansions.values())


def test_coverage_separates_known_from_unknown_topics(lexical: LexicalIndex) -> None:
    def cov(question: str) -> float:
        query = lexical.analyze(question)
        scores = lexical.scores(query)
        return lexical.coverage(query, int(scores.argmax()))

    assert cov("Wer beantwortet Rückfragen von Bestandskunden?") == 1.0
    assert cov("Was macht ein Steuerberater?") < 0.5
    assert cov("Wie buche ich einen Besprechungsraum?") < 0.5
    assert cov("Kann mir jemand beim Drucker helfen?") < 0.35


def test_a_word_found_only_inside_a_compound_covers_less(lexical: LexicalIndex,
                                                         knowledge: Knowledge) -> None:
    # "Langfristig versus kurzfristig" speaks of a "langen Zeitraum", never of a "Raum".
    doc = [p.id for p in knowledge.passages].index("langfristig-versus-kurzfristig")
    whole = lexical.coverage(lexical.analyze("Zeitraum buchen"), doc)
    part = lexical.coverage(lexical.analyze("Raum buchen"), doc)
    assert 0 < part < whole


def test_name_spans_prefer_the_longest_name_and_find_two_roles(
        lexical: LexicalIndex, knowledge: Knowledge) -> None:
    query = lexical.analyze("Was macht der Head of Business Development?")
    ids = [knowledge.passages[d].id for d, _, _ in lexical.name_spans(query)]
    assert ids == ["head-of-business-development"]
    query = lexical.analyze("Unterschied zwischen Sales Manager und Vertriebsleiter")
    ids = [knowledge.passages[d].id for d, _, _ in lexical.name_spans(query)]
    assert ids == ["sales-manager", "vertriebsleiter"]


def test_language_detection() -> None:
    assert detect("What does a sales manager do?") == "en"
    assert detect("Was macht ein Sales Manager?") == "de"
    assert detect("Spricht Marketing Zielgruppen an oder einzelne Kunden?") == "de"
    assert detect("Vertriebsassistenz") == "de"
    assert detect("") == "de"
