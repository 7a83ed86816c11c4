"""The knowledge base names roles and topics; it does not memorise questions.

Aliases and search terms must be names people use (job titles, English titles,
abbreviations, topic nouns), not fragments of the labelled questions; the glossary
holds real synonyms, not self-mappings or inflections the lemmatizer already covers.
"""

from __future__ import annotations

import functools
import re

import pytest
from wordfreq import top_n_list, zipf_frequency

from bot.core.knowledge import Knowledge
from bot.core.text.german import fold, lemma, normalize, stop_words
from bot.evaluation.evaluate import labelled_questions

# Words that join the parts of a real name: "Head of Sales", "Marketing und Vertrieb".
CONNECTORS = frozenset({"of", "for", "and", "und", "vs", "versus", "the", "e"})


def _words(text: str) -> list[str]:
    return [fold(w) for w in re.findall(r"[a-z0-9äöüß]+", normalize(text))]


def _questions() -> list[str]:
    return labelled_questions()


@functools.cache
def function_words() -> frozenset[str]:
    """German stop words, and English ones among the 150 commonest words."""
    return frozenset((stop_words("de") | (stop_words("en") & set(top_n_list("en", 150))))
                     - {*CONNECTORS, "a", "b"})


def question_shaped(term: str) -> bool:
    """A phrase with function words ("Ziel des Marketings", "Karriere im Vertrieb"), or
    with a lower-case German word, a verb or adjective ("gemessen", "Kunden überzeugen").
    Names are nouns, titles and abbreviations joined by "of", "und", "vs."."""
    if any(w in function_words() for w in _words(term)):
        return True
    return any(
        w[:1].islower() and fold(w.lower()) not in CONNECTORS
        and zipf_frequency(w, "de") > zipf_frequency(w, "en")
        for w in re.findall(r"[A-Za-zÄÖÜäöüß]+", term)
    )


def _contains(question: list[str], term: list[str]) -> bool:
    n = len(term)
    return any(question[i : i + n] == term for i in range(len(question) - n + 1))


def test_question_files_are_found() -> None:
    assert len(_questions()) >= 150


def test_no_alias_or_search_term_is_a_question_fragment(knowledge: Knowledge) -> None:
    questions = [_words(q) for q in _questions()]
    fragments = sorted(
        {
            f"{p.id}: {term!r}"
            for p in knowledge.passages
            for term in (*p.aliases, *p.search_terms)
            if question_shaped(term) and any(_contains(q, _words(term)) for q in questions)
        }
    )
    assert fragments == []


def test_aliases_and_search_terms_are_names(knowledge: Knowledge) -> None:
    """Stricter: no question-shaped term at all, whether a question contains it yet or
    not (the hidden questions are not in the files)."""
    shaped = sorted(
        f"{p.id}: {term!r}"
        for p in knowledge.passages
        for term in (*p.aliases, *p.search_terms)
        if question_shaped(term)
    )
    assert shaped == []


@pytest.mark.parametrize(
    ("term", "shaped"),
    [("Ziel des Marketings", True), ("Karriere im Vertrieb", True), ("gemessen", True),
     ("woran", True), ("Head of Sales", False), ("Marketing und Vertrieb", False),
     ("Key Account Manager", False), ("CMO", False), ("Kunden überzeugen", True),
     ("how is success measured", True), ("marketing budget", False), ("A/B-Tests", False),
     ("Customer Lifetime Value", False), ("Landing Pages", False)],
)
def test_question_shape_rule(term: str, shaped: bool) -> None:
    assert question_shaped(term) is shaped


def test_glossary_has_no_self_mappings_or_inflections(knowledge: Knowledge) -> None:
    def lemmas(text: str) -> tuple[str, ...]:
        return tuple(lemma(w) for w in re.findall(r"[A-Za-zÄÖÜäöüß0-9-]+", text))

    bad = [
        f"{key} -> {value}"
        for key, values in knowledge.synonyms.items()
        for value in values
        if lemmas(key) == lemmas(value) or fold(key) == fold(value).replace("-", "")
    ]
    assert bad == []
