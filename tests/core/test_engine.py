"""Retrieval with the real packaged model: quality floors, refusals and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.evaluate import evaluate
from bot.core.text import clean_question
from tests.conftest import SHARED_EVAL

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.skipif(not SHARED_EVAL.is_file(), reason="needs ../shared/eval beside the checkout")
def test_dev_questions_floor(engine: Engine) -> None:
    summary = evaluate(engine, SHARED_EVAL).summary()
    assert summary["correct"] >= 29, summary


def test_held_out_questions_floor(engine: Engine) -> None:
    report = evaluate(engine, DATA / "holdout_questions.yaml")
    summary = report.summary()
    assert summary["correct"] >= 50, summary
    assert summary["refused_correctly"] >= 12, summary


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Was macht ein Business Development Manager?", "business-development-manager"),
        ("Wer ist für Key Accounts zuständig?", "vertriebsleiter"),
        ("Unterschied Marketing und Vertrieb?", "unterschiede-marketing-vertrieb"),
        ("Was macht eine Vertriebsassistentin?", "vertriebsassistenz"),
        ("what does a sales director do?", "vertriebsleiter"),
        ("Wer kümmert sich um neue Märkte im Ausland?", "business-development-manager"),
        ("Was macht ein Key Account Manager?", "vertriebsleiter"),
    ],
)
def test_brief_examples(engine: Engine, question: str, expected: str) -> None:
    answer = engine.answer(question)
    assert answer.answered and answer.hits[0].passage.id == expected
    assert len(answer.hits) == 3
    assert answer.hits[0].score >= answer.hits[1].score >= answer.hits[2].score
    assert 0 < answer.hits[0].score <= 1


@pytest.mark.parametrize(
    "question",
    ["Was macht ein Steuerberater?", "Was macht ein Data Scientist?",
     "Wann ist der nächste Feiertag?", "Passwort vergessen", "Was kostet das Produkt?",
     "Wie viele Kunden haben wir?"],
)
def test_out_of_scope_lists_known_roles(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "no_match" and answer.hits == ()
    assert {p.title for p in answer.suggestions} >= {"Vertriebsleiter", "Leiter E-Commerce"}
    assert all(p.kind == "role" for p in answer.suggestions)


def test_bad_input_gets_a_reason_not_an_exception(engine: Engine) -> None:
    empty, blank, huge, control, emoji, chinese = engine.answer_many(
        ["", "  \n\t ", "Vertrieb " * 1200, "Sales\x00 Manager\x1b[31m?", "🤷‍♀️🤷",
         "销售经理做什么？"]
    )
    assert (empty.reason, blank.reason, huge.reason) == ("empty", "empty", "too_long")
    assert not huge.answered and huge.question.startswith("Vertrieb")
    assert control.answered and control.hits[0].passage.id == "sales-manager"
    assert not emoji.answered and not chinese.answered


def test_batch_keeps_input_order(engine: Engine) -> None:
    questions = ["Aufgaben Sales Manager", "", "Was macht ein BDM?", "hello?"]
    answers = engine.answer_many(questions)
    assert [a.question for a in answers] == questions
    assert [a.answered for a in answers] == [True, False, True, False]
    single = [engine.answer(q) for q in questions]
    assert [a.hits for a in answers] == [a.hits for a in single]


def test_language_follows_the_question(engine: Engine) -> None:
    assert engine.answer("What does a sales manager do?").language == "en"
    assert engine.answer("Was macht ein Sales Manager?").language == "de"


def test_lookup_by_title_and_alias(engine: Engine) -> None:
    assert engine.lookup("vertriebsleiterin").id == "vertriebsleiter"  # type: ignore[union-attr]
    assert engine.lookup("  Head of   BD ").id == "head-of-business-development"  # type: ignore[union-attr]
    assert engine.lookup("e-commerce-leiter").id == "leiter-e-commerce"  # type: ignore[union-attr]
    assert engine.lookup("Steuerberater") is None


def test_catalogue(engine: Engine) -> None:
    groups = engine.by_department()
    assert list(groups)[:1] == ["Marketing und Vertrieb"]
    assert {"Marketing", "Vertrieb", "Business Development", "E-Commerce"} <= set(groups)
    assert len(engine.roles()) == 9
    assert engine.get("sales-manager").title == "Sales Manager"  # type: ignore[union-attr]
    assert engine.get("nope") is None


def test_clean_question() -> None:
    assert clean_question(" Was\u200b macht\x07 ein\n BDM? ") == "Was macht ein BDM?"
