"""Retrieval with the real packaged model: quality floors, refusals and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.text.clean import clean_question
from bot.evaluation.evaluate import evaluate
from tests.conftest import SHARED_EVAL

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.skipif(not SHARED_EVAL.is_file(), reason="needs ../shared/eval beside the checkout")
def test_shared_questions_floor(engine: Engine) -> None:
    """The shared dev and calibration sets with the packaged decision (fitted on them
    among others: the cross-validated figure is in the README)."""
    summary = evaluate(engine, SHARED_EVAL, SHARED_EVAL.with_name(
        "calibration_questions.yaml")).summary()
    assert summary["correct"] >= 0.97 * summary["total"], summary
    assert summary["oos_quoted"] == 0, summary


def test_held_out_questions_floor(engine: Engine) -> None:
    report = evaluate(engine, DATA / "holdout_questions.yaml")
    summary = report.summary()
    assert summary["correct"] >= 52, summary
    assert summary["oos_quoted"] == 0, summary


def test_styled_questions_floor(engine: Engine) -> None:
    """Typos, chatter, English, gendered forms, everyday words, office chatter."""
    report = evaluate(engine, DATA / "styled_questions.yaml")
    styles = report.by_style()
    assert report.summary()["correct"] >= 180, report.summary()
    assert styles["typo"][0] >= styles["typo"][1] - 2, styles
    assert styles["gendered"][0] == styles["gendered"][1], styles
    assert styles["comparison"][0] == styles["comparison"][1], styles
    assert report.summary()["oos_quoted"] == 0, report.summary()


def test_near_misses_are_not_quoted(engine: Engine) -> None:
    """Questions in the domain's words that ask for a figure, a how-to in a tool, a phone
    number or a piece of work (tests/data/near_miss_questions.yaml; the decision was
    fitted on them among others: the cross-validated figure is in the README)."""
    summary = evaluate(engine, DATA / "near_miss_questions.yaml").summary()
    assert summary["oos_quoted"] <= 3, summary


@pytest.mark.parametrize(
    ("question", "expected"),
    [("Warum sind die Vertriebler immer so gestresst, wenn der Monat schlecht läuft?",
      "langfristig-versus-kurzfristig"),
     ("Warum brauchen wir im Marketing eine Marke?", "marke-versus-kunde")],
)
def test_questions_without_the_articles_words_find_their_paragraph(
        engine: Engine, question: str, expected: str) -> None:
    """The multilingual model links "gestresst" to pressure and short-term goals: the
    paragraph is first, answered or offered as "Meinst du …?"."""
    answer = engine.answer(question)
    assert answer.outcome in ("answer", "clarify") and answer.hits[0].passage.id == expected


@pytest.mark.parametrize(
    "question",
    ["Kann mir jemand beim Drucker helfen?", "Kann jemand den Raum für morgen buchen?",
     "Kannst du mir eine E-Mail an einen Kunden formulieren?",
     "Wer ist unser Projektleiter in der IT?", "Hallo 😊", "Danke!"],
)
def test_office_chatter_never_gets_a_quote(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.outcome != "answer"


@pytest.mark.parametrize(
    ("question", "expected"),
    [("Vertriebsleitr Aufgaben", "vertriebsleiter"),
     ("what does a sales manger do", "sales-manager"),
     ("Was macht die Vertriebsasistenz?", "vertriebsassistenz"),
     ("Busines Developement Manger", "business-development-manager"),
     ("Hi zusammen 👋 kurze Frage: was macht eigentlich ein Sales Manager?", "sales-manager"),
     ("<@U123> Mal ne blöde Frage 😅 was macht ein CMO? LG", "leiter-marketing")],
)
def test_typos_and_chatter_are_answered(engine: Engine, question: str, expected: str) -> None:
    answer = engine.answer(question)
    assert answer.outcome == "answer" and answer.hits[0].passage.id == expected


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [("Head of BD vs. BDM", "head-of-business-development", "business-development-manager"),
     ("Unterschied zwischen Sales Manager und Vertriebsleiter", "sales-manager",
      "vertriebsleiter")],
)
def test_two_roles_are_compared_side_by_side(
    engine: Engine, question: str, first: str, second: str
) -> None:
    answer = engine.answer(question)
    assert answer.outcome == "answer" and answer.answered and answer.comparison
    assert [h.passage.id for h in answer.hits[:2]] == [first, second]


def test_marketing_versus_sales_gets_the_comparison_paragraphs(engine: Engine) -> None:
    answer = engine.answer("Was ist der Unterschied zwischen Marketing und Vertrieb?")
    assert answer.answered and not answer.comparison
    assert answer.hits[0].passage.id == "unterschiede-marketing-vertrieb"
    assert all(h.passage.kind != "role" for h in answer.hits[1:])


def test_medium_evidence_asks_back_with_candidates(engine: Engine) -> None:
    """Clarify: candidates, nothing presented as the answer, known roles suggested."""
    from dataclasses import replace

    from bot.core.engine import CLARIFY_HITS

    cautious = Engine.__new__(Engine)
    cautious.__dict__.update(engine.__dict__)
    cautious.decision = replace(engine.decision, answer_threshold=1.01)
    answer = cautious.answer("Wer plant die Online-Kampagnen?")
    assert answer.outcome == "clarify" and not answer.answered
    assert len(answer.hits) == CLARIFY_HITS and answer.confidence is not None
    assert answer.suggestions and answer.reason == "ok"


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
     "Wann ist der nächste Feiertag?", "Passwort vergessen", "Was kostet das Produkt?"],
)
def test_out_of_scope_lists_known_roles(engine: Engine, question: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.reason == "no_match" and answer.hits == ()
    assert answer.outcome == "none"
    assert {p.title for p in answer.suggestions} >= {"Vertriebsleiter", "Leiter E-Commerce"}
    assert all(p.kind == "role" for p in answer.suggestions)


@pytest.mark.parametrize(
    ("question", "related"),
    [("Wie hoch ist unser Marketingbudget dieses Jahr?", "leiter-marketing"),
     ("Schreib mir eine Stellenanzeige für einen Vertriebsleiter", "vertriebsleiter")],
)
def test_a_near_miss_is_refused_with_the_related_passage(engine: Engine, question: str,
                                                        related: str) -> None:
    answer = engine.answer(question)
    assert not answer.answered and answer.hits == ()
    assert answer.reason == "out_of_scope"
    assert [p.id for p in answer.suggestions] == [related]


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
    assert engine.roles() == tuple(p for p in engine.passages if p.kind == "role")
    titles = {r.title for r in engine.roles()}
    assert {"Vertriebsleiter", "Sales Manager", "Leiter E-Commerce"} <= titles
    assert engine.get("sales-manager").title == "Sales Manager"  # type: ignore[union-attr]
    assert engine.get("nope") is None


def test_clean_question() -> None:
    assert clean_question(" Was\u200b macht\x07 ein\n BDM? ") == "Was macht ein BDM?"
