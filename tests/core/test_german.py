"""German text analysis and lexical matching (fast, no model)."""

from __future__ import annotations

from pathlib import Path

from bot.core.german import Analyzer, stem
from bot.core.knowledge import load_knowledge
from bot.core.language import detect
from bot.core.lexical import LexicalIndex

KNOWLEDGE = load_knowledge(Path(__file__).resolve().parents[2] / "knowledge")
LEXICAL = LexicalIndex(KNOWLEDGE.passages, KNOWLEDGE.synonyms)


def _best(question: str) -> str:
    scores = LEXICAL.scores(LEXICAL.analyze(question))
    return KNOWLEDGE.passages[int(scores.argmax())].id


def test_compounds_are_split_into_stemmed_parts() -> None:
    analyzer = Analyzer(frozenset({"vertrieb", "innendienst", "marketing"}))
    (word,) = analyzer.words("Vertriebsmannschaft")
    assert word.stem == stem("vertriebsmannschaft")
    assert set(word.parts) == {stem("vertrieb"), stem("mannschaft")}
    (inner,) = analyzer.words("Vertriebsinnendienst")
    assert stem("vertrieb") in inner.parts
    (marketing,) = analyzer.words("Marketing")
    assert marketing.parts == ()  # "marke" + "ting" is no split


def test_hyphenated_words_join_and_keep_pieces() -> None:
    (word,) = Analyzer().words("E-Mail-Marketing")
    assert word.surface == "emailmarketing"
    assert stem("marketing") in word.parts


def test_stop_and_frame_words() -> None:
    words = Analyzer().words("Was macht eigentlich der Vertrieb und wer ist zuständig?")
    assert [w.surface for w in words] == ["vertrieb", "zuständig"]
    assert words[1].frame and not words[0].frame
    assert words[0].capitalized and not words[1].capitalized


def test_compound_question_finds_its_section() -> None:
    assert _best("Wer führt die Vertriebsmannschaft?") == "vertriebsleiter"
    assert _best("Vertriebsinnendienst") == "vertriebsassistenz"
    assert _best("Wer screent internationale Märkte?") in {
        "head-of-business-development", "business-development-manager"}


def test_glossary_expands_english_words() -> None:
    query = LEXICAL.analyze("Who handles existing customers?")
    assert any(stem("bestandskunden") in terms for terms in query.expansions.values())


def test_coverage_separates_known_from_unknown_topics() -> None:
    def cov(question: str) -> float:
        query = LEXICAL.analyze(question)
        scores = LEXICAL.scores(query)
        return LEXICAL.coverage(query, int(scores.argmax()))

    assert cov("Wer beantwortet Rückfragen von Bestandskunden?") == 1.0
    assert cov("Was macht ein Steuerberater?") < 0.5
    assert cov("Wie buche ich einen Besprechungsraum?") < 0.5


def test_variants_cover_inflection_but_not_compound_heads() -> None:
    assert stem("screening") in LEXICAL.variants(stem("screent"))
    assert LEXICAL.variants(stem("steuerberater")) == ()


def test_name_phrases_prefer_the_longest_name() -> None:
    names = LEXICAL.name_matches("Was macht der Head of Business Development?")
    ids = [p.id for p, n in zip(KNOWLEDGE.passages, names, strict=True) if n == names.max()]
    assert ids == ["head-of-business-development"]


def test_language_detection() -> None:
    assert detect("What does a sales manager do?") == "en"
    assert detect("Was macht ein Sales Manager?") == "de"
    assert detect("Vertriebsassistenz") == "de"
    assert detect("") == "de"
