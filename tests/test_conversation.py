"""The conversation core: what a line means and what the reply holds (stub engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import Conversation, command_word
from bot.core.models import Answer, Hit
from bot.ratelimit import RateLimiter
from bot.terminal import render
from bot.wording import t
from tests.support import sqlite_store
from tests.support.stub_engine import StubEngine


@pytest.fixture
def conversation() -> Conversation:
    return Conversation(StubEngine(), limiter=RateLimiter(2))


@pytest.mark.parametrize(("text", "word"), [("Hilfe!", "hilfe"), ("  LISTE. ", "liste"),
                                            ("?", "?"), ("help?", "help?"), ("", "")])
def test_command_word(text: str, word: str) -> None:
    assert command_word(text) == word


def test_commands_decide_kind_and_language(conversation: Conversation) -> None:
    assert [(r.kind, r.language) for r in map(conversation.respond, [
        "hilfe", "Help.", "?", "liste", "roles", "Themen!"])] == [
        ("help", "de"), ("help", "en"), ("help", "de"), ("listing", "de"), ("listing", "en"),
        ("listing", "de")]
    listing = conversation.respond("liste")
    assert listing.catalogue == conversation.engine.by_department()


def test_role_name_quotes_the_role_and_offers_related(conversation: Conversation) -> None:
    reply = conversation.respond("Vertriebsleiter")
    role = conversation.engine.get("vertriebsleiter")
    assert role is not None and reply.kind == "role" and reply.shown == (role,)
    assert [p.id for p in reply.offered] == list(role.related[:2])
    assert reply.offer_label == "related"


def test_show_button_and_unknown_passage(conversation: Conversation) -> None:
    assert conversation.show("sales-manager", "en").shown[0].id == "sales-manager"
    unknown = conversation.show("gibt-es-nicht", "en")
    assert unknown.kind == "none" and unknown.language == "en" and not unknown.offered
    assert [lead.text for lead in unknown.leads][-2:] == ["guided tour", "help"]


def test_help_and_list_do_not_count_against_the_limit(conversation: Conversation) -> None:
    kinds = [conversation.respond(text, user="U1").kind for text in
             ["hilfe", "liste", "Sales Manager", "Vertriebsleiter", "Vertrieb?", "Vertrieb??"]]
    assert kinds == ["help", "listing", "role", "role", "rate_limited", "rate_limited"]
    assert conversation.respond("Vertrieb", user="U1").notify is False  # told once
    assert conversation.respond("Sales Manager", user="U2").kind == "role"  # per user
    assert conversation.respond("Sales Manager").kind == "role"  # no user: no limit


def test_engine_outcomes_become_replies(conversation: Conversation) -> None:
    engine = conversation.engine
    a, b, c = (engine.get(i) for i in ("sales-manager", "vertriebsleiter", "vertriebsassistenz"))
    assert a and b and c
    hits = tuple(Hit(passage=p, score=0.5) for p in (a, b, c))
    compare = conversation.from_answer(Answer(question="q", answered=True, outcome="answer",
                                              comparison=True, hits=hits))
    assert compare.kind == "answer" and compare.comparison
    assert compare.shown == (a, b) and compare.offered == (c,)
    clarify = conversation.from_answer(Answer(question="q", answered=False, outcome="clarify",
                                              hits=hits))
    assert clarify.kind == "clarify" and clarify.shown == () and clarify.offered == (a, b, c)
    assert not clarify.quotes
    long = conversation.from_answer(Answer(question="x" * 2000, answered=False,
                                           reason="too_long"))
    assert long.kind == "too_long" and long.limit == engine.max_question_chars


def test_text_is_cleaned_before_anything_else(conversation: Conversation) -> None:
    assert conversation.respond("\x00hilfe\u200b \udcff").kind == "help"
    assert conversation.respond("   ").kind == "empty"


def test_report_only_for_admins(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    conversation = Conversation(StubEngine(), store=store, admins=frozenset({"UADMIN"}))
    for _ in range(3):
        conversation.respond("Wie beantrage ich Urlaub?", user="U1")
    conversation.respond("Wo ist die Kantine?", user="U2")
    report = conversation.respond("Bericht", user="UADMIN")
    assert report.kind == "report" and report.language == "de"
    assert [(g.count, g.examples[0]) for g in report.gaps][:2] == [
        (3, "Wie beantrage ich Urlaub?"), (1, "Wo ist die Kantine?")]
    lines = render(report).splitlines()
    assert lines[0] == t("report_header", "de", days=30)
    assert lines[1] == "• 3× „Wie beantrage ich Urlaub?“"
    assert conversation.respond("report", user="UADMIN").language == "en"
    # Everyone else sees nothing of it: "bericht" is just a question for them.
    assert conversation.respond("Bericht", user="U1").kind == "none"
    assert Conversation(StubEngine(), admins=frozenset({"UADMIN"})).respond(
        "bericht", user="UADMIN").kind == "none"  # no store, no report
    store.close()
