"""German text analysis and lexical matching (fast, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.retrieval.lexical import LexicalIndex
from bot.core.text.german import Analyzer, fold, lemma, readings, separable_verbs, stop_words
from bot.core.text.language import detect

KNOWLEDGE = load_knowledge(Path(__file__).resolve().parents[3] / "knowledge")
LEXICAL = LexicalIndex(KNOWLEDGE.passages, KNOWLEDGE.synonyms)


def _best(question: str, lang: str = "de") -> str:
    scores = LEXICAL.scores(LEXICAL.analyze(question, lang))  # type: ignore[arg-type]
    return KNOWLEDGE.passages[int(scores.argmax())].id


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
def test_typos_are_corrected_against_the_knowledge(typo: str, fixed: str) -> None:
    (word,) = LEXICAL.analyzer.words(typo)
    assert word.corrected and word.surface == fixed and word.typed == fold(typo.lower())


def test_real_words_are_never_corrected() -> None:
    for word in LEXICAL.analyzer.words("Drucker Raum buchen Leads formulieren"):
        assert not word.corrected, word
    # Umlauts are folded for matching, but word lists spell them: "wünschen" is common.
    for word in LEXICAL.analyzer.words("wünschen Wünsche Größe Gespräche"):
        assert not word.corrected, word


def test_misspelled_role_names_find_their_role() -> None:
    assert _best("Was macht ein Vertriebsleitr?") == "vertriebsleiter"
    assert _best("sales manger", "en") == "sales-manager"
    assert _best("Aufgaben Vertriebsasistenz") == "vertriebsassistenz"
    assert _best("Busines Developement Manger Aufgaben?") == "business-development-manager"


def test_compound_question_finds_its_section() -> None:
    assert _best("Wer führt die Vertriebsmannschaft?") == "vertriebsleiter"
    assert _best("Vertriebsinnendienst") == "vertriebsassistenz"


def test_glossary_expands_english_words() -> None:
    query = LEXICAL.analyze("Who handles existing customers?", "en")
    assert any("bestandskunde" in terms for terms in query.expansions.values())


def test_coverage_separates_known_from_unknown_topics() -> None:
    def cov(question: str) -> float:
        query = LEXICAL.analyze(question)
        scores = LEXICAL.scores(query)
        return LEXICAL.coverage(query, int(scores.argmax()))

    assert cov("Wer beantwortet Rückfragen von Bestandskunden?") == 1.0
    assert cov("Was macht ein Steuerberater?") < 0.5
    assert cov("Wie buche ich einen Besprechungsraum?") < 0.5
    assert cov("Kann mir jemand beim Drucker helfen?") < 0.35


def test_a_word_found_only_inside_a_compound_covers_less() -> None:
    # "Langfristig versus kurzfristig" speaks of a "langen Zeitraum", never of a "Raum".
    doc = [p.id for p in KNOWLEDGE.passages].index("langfristig-versus-kurzfristig")
    whole = LEXICAL.coverage(LEXICAL.analyze("Zeitraum buchen"), doc)
    part = LEXICAL.coverage(LEXICAL.analyze("Raum buchen"), doc)
    assert 0 < part < whole


def test_name_spans_prefer_the_longest_name_and_find_two_roles() -> None:
    query = LEXICAL.analyze("Was macht der Head of Business Development?")
    ids = [KNOWLEDGE.passages[d].id for d, _, _ in LEXICAL.name_spans(query)]
    assert ids == ["head-of-business-development"]
    query = LEXICAL.analyze("Unterschied zwischen Sales Manager und Vertriebsleiter")
    ids = [KNOWLEDGE.passages[d].id for d, _, _ in LEXICAL.name_spans(query)]
    assert ids == ["sales-manager", "vertriebsleiter"]


def test_language_detection() -> None:
    assert detect("What does a sales manager do?") == "en"
    assert detect("Was macht ein Sales Manager?") == "de"
    assert detect("Spricht Marketing Zielgruppen an oder einzelne Kunden?") == "de"
    assert detect("Vertriebsassistenz") == "de"
    assert detect("") == "de"
