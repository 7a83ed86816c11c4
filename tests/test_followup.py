"""Follow-ups in the conversation core: which lines are read against the last reply of
their conversation and how, and which start afresh; every reply leads somewhere (the
ways on, the department lists, out of scope, "Keins davon"); comparisons like for like
and marketing vs. sales side by side. Stub engine; the context in a real SQLite store
or in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.core.context import Context
from bot.core.models import Answer, Hit
from bot.followup import Names, read
from bot.wording import EXAMPLE_QUESTIONS
from tests.support import sqlite_store
from tests.support.stub_engine import VAGUE, StubEngine, clarifying


@pytest.fixture
def engine() -> StubEngine:
    return clarifying()


@pytest.mark.parametrize(("before", "line", "shown", "about"), [
    ("Was macht ein Business Development Manager?", "und der Head davon?",
     "head-of-business-development", "business-development-manager"),
    ("Vertriebsleiter", "welche Aufgaben hat die Assistenz?", "vertriebsassistenz",
     "vertriebsleiter"),
    ("Vertriebsleiter", "und im Marketing?", "leiter-marketing", "vertriebsleiter"),
    ("Head of Business Development", "und der Manager?", "business-development-manager",
     "head-of-business-development"),
    ("Business Development Manager", "and what are their tasks?",
     "business-development-manager", "business-development-manager"),
    ("Sales Manager", "what about the head?", "vertriebsleiter", "sales-manager"),
])
def test_a_line_that_refers_back_is_read_against_the_last_answer(
        engine: StubEngine, before: str, line: str, shown: str, about: str) -> None:
    talk = Conversation(engine)
    talk.respond(before, thread="t")
    reply = talk.respond(line, thread="t")
    assert reply.quotes and reply.shown[0].id == shown
    assert reply.about is not None and reply.about.id == about
    assert reply.question == line  # recorded and shown as asked
    # Without the conversation's context the same line is a question of its own.
    assert Conversation(engine).respond(line, thread="other").about is None


@pytest.mark.parametrize("line", [
    "Was macht ein Sales Manager?",  # names a role: afresh
    "Wer kümmert sich um Key Accounts und die Preise im Vertrieb?",  # a topic of its own
    "Wie backe ich Brot?",
])
def test_a_line_of_its_own_starts_afresh(engine: StubEngine, line: str) -> None:
    talk = Conversation(engine)
    talk.respond("Was macht ein Business Development Manager?", thread="t")
    reply = talk.respond(line, thread="t")
    assert reply.about is None
    assert reply.shown == Conversation(engine).respond(line).shown


def test_more_and_another_language_show_the_last_reply_again(engine: StubEngine) -> None:
    talk = Conversation(engine)
    first = talk.respond("Vertriebsleiter", thread="t")
    assert not first.full
    whole = talk.respond("mehr", thread="t")
    assert whole.full and whole.shown == first.shown and whole.offered == first.offered
    english = talk.respond("And in English, please?", thread="t")
    assert english.language == "en" and english.shown == first.shown and not english.full
    german = talk.respond("auf Deutsch", thread="t")
    assert german.language == "de"
    # "mehr" with nothing before it is no follow-up.
    assert Conversation(engine).respond("mehr", thread="new").kind == "none"


def test_context_is_kept_in_the_store(engine: StubEngine, tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    Conversation(engine, store=store).respond("Was macht ein BDM?", user="U1", thread="t")
    # Another process (a new conversation object, the same database).
    again = Conversation(engine, store=sqlite_store(tmp_path))
    reply = again.respond("und der Head davon?", user="U1", thread="t")
    assert reply.shown[0].id == "head-of-business-development"
    assert again.respond("und der Head davon?", thread="other").kind == "none"
    # The context is the asker's record: `rolle forget` removes it.
    store.store.forget("U1")
    fresh = Conversation(engine, store=sqlite_store(tmp_path))
    assert fresh.context("t") is None
    store.close()


def test_none_of_these_after_a_clarify(engine: StubEngine, tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    talk = Conversation(engine, store=store)
    clarify = talk.respond(VAGUE, user="U1", thread="t")
    assert clarify.kind == "clarify" and clarify.question_id
    assert set(clarify.blurbs) == {"vertriebsleiter", "vertriebsassistenz"}
    assert clarify.blurbs["vertriebsassistenz"] == (
        "Allgemeine administrative und kaufmännische Aufgaben, sowie Auftragsabwicklung")
    declined = talk.respond("keins davon", user="U1", thread="t")
    assert declined.kind == "none" and declined.no_answer == "declined" and declined.leads
    rows = {q.text: q.outcome for q in store.questions_since(datetime(2000, 1, 1, tzinfo=UTC))}
    assert rows == {VAGUE: "none"}
    assert [gap.examples for gap in talk.gaps()] == [(VAGUE,)]  # in the gap report
    store.close()


def test_every_reply_leads_somewhere(engine: StubEngine) -> None:
    talk = Conversation(engine)
    departments = list(engine.by_department())
    help_reply = talk.respond("hilfe")
    assert [lead.text for lead in help_reply.leads] == [*EXAMPLE_QUESTIONS["de"], "liste",
                                                        "tour"]
    nothing = talk.respond("Wie backe ich Brot?")
    assert nothing.no_answer == "no_match" and not nothing.offered
    assert [lead.text for lead in nothing.leads] == [*(f"liste {d}" for d in departments),
                                                     "tour", "hilfe"]
    one = talk.respond("liste Vertrieb")
    assert one.kind == "listing" and list(one.catalogue or {}) == ["Vertrieb"]
    assert [lead.text for lead in one.leads] == ["liste", "tour", "hilfe"]
    assert list(talk.respond("list").catalogue or {}) == departments
    related = (engine.get("vertriebsleiter"), engine.get("sales-manager"))
    outside = talk.from_answer(Answer(question="Was verdient ein Vertriebsleiter?",
                                      answered=False, reason="out_of_scope",
                                      suggestions=tuple(p for p in related if p)))
    assert outside.no_answer == "out_of_scope" and outside.leads
    assert [p.id for p in outside.offered] == ["vertriebsleiter", "sales-manager"]


def test_comparisons_show_the_same_kind_of_sentences(engine: StubEngine) -> None:
    talk = Conversation(engine)
    vl, sm, lm = (engine.get(i) for i in ("vertriebsleiter", "sales-manager",
                                          "leiter-marketing"))
    assert vl and sm and lm
    tasks_only = talk.from_answer(Answer(question="SM oder VL?", answered=True,
                                         comparison=True, hits=(Hit(passage=sm, score=0.9),
                                                                Hit(passage=vl, score=0.8))))
    # One has no prose: both show their first tasks.
    assert all(s.startswith("• ") for p in tasks_only.shown for s in tasks_only.gist(p))
    assert [len(tasks_only.gist(p)) for p in tasks_only.shown] == [3, 3]
    prose = talk.from_answer(Answer(question="LM oder VL?", answered=True, comparison=True,
                                    hits=(Hit(passage=lm, score=0.9),
                                          Hit(passage=vl, score=0.8))))
    assert all(not s.startswith("• ") for p in prose.shown for s in prose.gist(p))
    assert prose.gist(vl)[0] == vl.text.split(". ")[0] + "."


def test_marketing_versus_sales_side_by_side(engine: StubEngine) -> None:
    talk = Conversation(engine)
    overview = engine.get("unterschiede-marketing-vertrieb")
    assert overview is not None
    answer = Answer(question="Was ist der Unterschied zwischen Marketing und Vertrieb?",
                    answered=True, hits=(Hit(passage=overview, score=0.9),))
    reply = talk.from_answer(answer)
    assert reply.contrast is not None and reply.contrast.sides == ("Marketing", "Vertrieb")
    for row in reply.contrast.rows:
        assert row.left and row.right
        assert all(s in row.passage.text for s in (*row.left, *row.right))  # verbatim
        assert all("Marketing" in s for s in row.left)
        assert all("Vertrieb" in s and "Marketing" not in s for s in row.right)
    # Not asking how they differ: the passage alone.
    plain = talk.from_answer(Answer(question="Marketing und Vertrieb", answered=True,
                                    hits=(Hit(passage=overview, score=0.9),)))
    assert plain.contrast is None


def test_names_are_whole_words() -> None:
    names = Names(StubEngine().passages)
    assert names.named(["der", "bdm"]) and not names.named(["head"])
    assert "head" in names.role_words and "der" not in names.role_words
    gone = Context(kind="role", shown=("gibt-es-nicht",))  # a passage no longer there
    assert read("und?", gone, names, lambda _: None) is None
