"""The gist of a passage: verbatim whole sentences, in order, within the limits, for every
passage and every labelled question we have."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.models import Passage, Source
from bot.core.retrieval.highlight import MAX_CHARS, MAX_SENTENCES, excerpt, gist, locate, sentences

ROOT = Path(__file__).resolve().parents[3]
PASSAGES = load_knowledge(ROOT / "knowledge").passages  # parametrises: read at collection


def test_there_are_questions_to_check(gist_questions: list[str]) -> None:
    assert len(PASSAGES) >= 18
    assert len(gist_questions) > 250  # tests/data alone has 246


def check_gist(passage: Passage, question: str) -> tuple[str, ...]:
    """Assert the gist's properties; return it."""
    chosen = gist(passage, question)
    whole = {s.text(passage.text) for s in sentences(passage.text)}
    assert chosen, (passage.id, question)
    assert all(sentence in whole for sentence in chosen), (passage.id, question)
    spans = locate(passage.text, chosen)
    assert spans == sorted(spans), "in the passage's order"
    counted = [s for s in chosen if not s.endswith(":")]
    assert len(counted) <= MAX_SENTENCES
    assert len(chosen) == 1 or sum(map(len, chosen)) <= MAX_CHARS
    for line in excerpt(passage.text, chosen):
        assert all(piece in passage.text for piece in line.split(" … "))
    return chosen


@pytest.mark.parametrize("passage", PASSAGES, ids=lambda p: p.id)
def test_every_gist_is_verbatim_whole_sentences_in_order_within_limits(
        passage: Passage, gist_questions: list[str]) -> None:
    for question in gist_questions:
        check_gist(passage, question)


def test_sentences_cover_the_text_and_respect_abbreviations() -> None:
    passage = next(p for p in PASSAGES if p.id == "vertriebsleiter")
    found = [s.text(passage.text) for s in sentences(passage.text)]
    assert "Vertriebsleiter entwickeln u.a. Konzepte zur Optimierung, um die Kunden durch " \
           "gute Leistungen an die Firma zu binden." in found
    assert "• Führung einer Vertriebsmannschaft" in found
    for p in PASSAGES:  # nothing but whitespace lies between the sentences
        rest = p.text
        for s in sentences(p.text):
            rest = rest.replace(s.text(p.text), "", 1)
        assert not rest.strip(), p.id


def test_a_role_question_gets_the_opening_sentences() -> None:
    passage = next(p for p in PASSAGES if p.id == "vertriebsleiter")
    opening = tuple(s.text(passage.text) for s in sentences(passage.text)[:3])
    assert gist(passage, "Was macht ein Vertriebsleiter?") == opening
    assert gist(passage, "") == opening
    assert gist(passage, "what does a sales director do?") == opening


def test_a_detail_question_gets_the_sentences_that_answer_it() -> None:
    passage = next(p for p in PASSAGES if p.id == "vertriebsleiter")
    assert gist(passage, "Wer macht das KPI-Reporting an die Geschäftsführung?") == (
        "• Regelmäßiges KPI-Reporting an die Zentrale/Geschäftsführung",)
    assert "• Führung einer Vertriebsmannschaft" in gist(
        passage, "Wer führt die Vertriebsmannschaft?")
    key = gist(passage, "Wer ist für Key Accounts zuständig?")
    assert key and all("Key Account" in s for s in key)
    assert all(s.startswith("•") for s in gist(passage, "Head of Sales Aufgaben"))


def test_a_task_list_passage_starts_with_its_heading_and_first_tasks() -> None:
    passage = next(p for p in PASSAGES if p.id == "sales-manager")
    chosen = gist(passage)
    assert chosen[0] == "Aufgaben-Beispiele:" and all(s.startswith("•") for s in chosen[1:])
    assert 2 <= len(chosen) <= MAX_SENTENCES + 1


def test_excerpt_joins_neighbours_verbatim_and_marks_gaps() -> None:
    source = Source(title="T", seed="s.txt")
    passage = Passage(id="x", title="X", kind="role", department="D", source=source,
                      text="Eins ist hier. Zwei folgt. Drei endet.\n\nAufgaben:\n• A\n• B")
    assert excerpt(passage.text, ("Eins ist hier.", "Zwei folgt.")) == (
        "Eins ist hier. Zwei folgt.",)
    assert excerpt(passage.text, ("Eins ist hier.", "Drei endet.", "• B")) == (
        "Eins ist hier. … Drei endet.", "• B")
    with pytest.raises(ValueError, match="not a sentence"):
        excerpt(passage.text, ("Erfunden.",))
