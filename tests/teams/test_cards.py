"""Cards and texts: escaping for Teams markdown, the answer card's parts and limits, the
welcome card, and the markdown texts for lists and refusals."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.conversation import Conversation
from bot.core.models import Answer, Hit, Language
from bot.teams import cards, menus
from bot.teams.render import render
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.support.stub_engine import StubEngine as Engine
from tests.teams.harness import (
    actions_of,
    elements_of,
    texts_of,
    toggle_titled,
    toggles_of,
    visible,
)


def answer_card(engine: Engine, answer: Answer) -> dict:
    """The card Teams gets for an engine answer, through the conversation core."""
    activity = render(Conversation(engine).from_answer(answer))
    assert activity.attachments and len(activity.attachments) == 1
    content: dict = activity.attachments[0].content
    return content


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("**fett** und _kursiv_", r"\*\*fett\*\* und \_kursiv\_"),
        ("[Klick](https://evil.example)", r"\[Klick\](https://evil.example)"),
        ("<at>Alle</at> hallo", r"\<at\>Alle\</at\> hallo"),
        ("`code` ~durch~ # Titel | x", r"\`code\` \~durch\~ \# Titel \| x"),
        ("- kein Listenpunkt\n1. auch nicht", "\\- kein Listenpunkt\n\\1. auch nicht"),
        ("Mitte - bleibt 1. so", "Mitte - bleibt 1. so"),
        (r"C:\pfad", r"C:\\pfad"),
        ("{{DATE(2017-02-14T06:08:39Z)}}", "{\u200b{DATE(2017-02-14T06:08:39Z)}\u200b}"),
        ("Äöü „Zitat“ • Punkt", "Äöü „Zitat“ • Punkt"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert cards.escape(raw) == escaped


def test_answer_card_quotes_the_best_passage_with_source_and_two_more(engine: Engine) -> None:
    answer = engine.answer("Was macht ein Vertriebsleiter?")
    assert answer.answered and len(answer.hits) >= 3
    card = answer_card(engine, answer)
    best = answer.hits[0].passage
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = texts_of(card)
    # Title, question and source on top: opening the whole passage never moves them.
    assert texts[:3] == [cards.escape(best.title), "Deine Frage: Was macht ein Vertriebsleiter?",
                         t("source", "de", source=cards.escape(best.source.label()))]
    ids = cards.element_ids(0)
    gist, full, tasks = (next(e for e in card["body"] if e.get("id") == ids[k])
                         for k in ("gist", "full", "tasks"))
    # Then the buttons that switch the view, then the gist in view: verbatim openings.
    assert card["body"][3]["type"] == "ColumnSet" and card["body"][4] is gist
    assert gist["style"] == "emphasis" and "isVisible" not in gist
    shown = " ".join(texts_of(gist))
    assert shown.startswith(cards.escape(best.paragraphs[0].split(". ")[0]))
    assert len(texts_of(gist)) < len(texts_of(full))
    quoted = " ".join(texts_of(full))
    for paragraph in best.paragraphs:
        for line in paragraph.splitlines():
            assert cards.escape(line.strip()) in quoted
    assert texts_of(tasks)[0] == "Aufgaben-Beispiele:"
    assert all(cards.escape(line) in texts_of(tasks) for line in best.paragraphs[-1].splitlines())
    # Each button does what it says from where it is, and its label says what the next
    # click does: "Ganze Beschreibung" becomes "Kurzfassung", "Aufgaben" "… ausblenden".
    now = visible(card)
    assert now[ids["gist"]] and not now[ids["full"]] and not now[ids["tasks"]]
    assert now[ids["open"]] and not now[ids["close"]] and now[ids["show_tasks"]]
    opened = toggle_titled(card, "Ganze Beschreibung")
    after = visible(card, opened)
    assert after[ids["full"]] and not after[ids["gist"]] and not after[ids["tasks"]]
    assert after[ids["close"]] and not after[ids["open"]]
    closed = visible(card, opened, toggle_titled(card, "Kurzfassung"))
    assert closed == now
    with_tasks = visible(card, toggle_titled(card, "Aufgaben"))
    assert with_tasks[ids["gist"]] and with_tasks[ids["tasks"]] and not with_tasks[ids["full"]]
    assert with_tasks[ids["hide_tasks"]] and not with_tasks[ids["show_tasks"]]
    assert visible(card, toggle_titled(card, "Aufgaben"),
                   toggle_titled(card, "Aufgaben ausblenden")) == now
    tasks_then_whole = visible(card, toggle_titled(card, "Aufgaben"), opened)
    assert tasks_then_whole[ids["full"]] and not tasks_then_whole[ids["tasks"]]
    # A button and its opposite share one column: the one shown stays where it was.
    [first, second] = card["body"][3]["columns"]
    assert [i["id"] for i in first["items"]] == [ids["open"], ids["close"]]
    assert [i["id"] for i in second["items"]] == [ids["show_tasks"], ids["hide_tasks"]]
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == [h.passage.id for h in answer.hits[1:3]]
    feedback = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.FEEDBACK)
    assert [a["data"]["verdict"] for a in feedback] == ["helpful", "not_helpful"]
    assert all(a["data"]["answer"]["passages"][0] == best.id for a in feedback)
    assert best.text in card["fallbackText"]
    json.dumps(card)  # JSON-ready


def test_task_list_lines_stay_separate(engine: Engine) -> None:
    passage = engine.get("leiter-marketing")
    assert passage is not None
    texts = texts_of(cards.passage_card(passage, "de"))
    bullets = [line for p in passage.paragraphs for line in p.splitlines() if line.startswith("•")]
    assert bullets and all(cards.escape(b) in texts for b in bullets)


def test_user_text_in_the_card_is_escaped(engine: Engine) -> None:
    passage = engine.roles()[0]
    question = "<at>Chef</at> **was** macht [der](http://x) {{DATE(1)}}?"
    answer = Answer(question=question, answered=True, outcome="answer",
                    hits=(Hit(passage=passage, score=0.9),), language="de")
    card = answer_card(engine, answer)
    question_line = texts_of(card)[1]
    assert question_line == "Deine Frage: " + cards.escape(question)
    assert "<at>" not in json.dumps(card) and "**was**" not in question_line
    assert "{{" not in question_line


def test_english_answer_uses_english_ui_strings(engine: Engine) -> None:
    answer = engine.answer("What does a sales manager do?")
    assert answer.answered and answer.language == "en"
    card = answer_card(engine, answer)
    texts = texts_of(card)
    assert texts[1].startswith("Your question: ")
    assert any(text.startswith("Source: ") for text in texts)
    titles = [a["title"] for a in actions_of(card)]
    assert "👍 Helpful" in titles and "👎 Not helpful" in titles


def test_no_answer_card_says_why_and_leads_on(engine: Engine) -> None:
    talk = Conversation(engine)
    nothing = render(talk.from_answer(Answer(question="x", answered=False, reason="no_match",
                                             suggestions=engine.roles())))
    card = nothing.attachments[0].content
    assert texts_of(card)[0] == cards.escape(t("no_match", "de"))
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    departments = list(engine.by_department())
    assert [a["data"]["text"] for a in asks] == [*(f"liste {d}" for d in departments), "tour",
                                              "hilfe"]
    assert [a["title"] for a in asks] == [*departments, "Geführte Tour", "Hilfe"]
    sets = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [5, 2]  # departments, then tour and help
    assert not actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    related = (engine.get("vertriebsleiter"), engine.get("leiter-marketing"))
    outside = render(talk.from_answer(Answer(
        question="Was verdient ein Vertriebsleiter?", answered=False, reason="out_of_scope",
        suggestions=tuple(p for p in related if p))))
    card = outside.attachments[0].content
    assert texts_of(card)[0] == cards.escape(t("out_of_scope", "de"))
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == ["vertriebsleiter", "leiter-marketing"]
    assert len(actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)) == 7


def test_long_button_titles_are_shortened(engine: Engine) -> None:
    passage, other = engine.passages[0], engine.passages[1]
    long = dataclasses.replace(other, title="Sehr langer Titel " * 10)
    [button] = actions_of(cards.passage_card(passage, "de", more=[long]),
                          lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert len(button["title"]) <= 60 and button["title"].endswith("…")


@pytest.mark.parametrize("language", ["de", "en"])
def test_welcome_card_is_short_with_the_roles_one_click_away(engine: Engine,
                                                             language: Language) -> None:
    departments = engine.by_department()
    card = menus.welcome_card(departments, language)
    texts = texts_of(card)
    assert cards.escape(t("welcome", language)) in texts
    # The examples ask with a plain Action.Submit (no messageBack: the Playground sends
    # nothing for those) and are answered as if typed.
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["text"] for a in asks] == list(EXAMPLE_QUESTIONS[language])
    assert all("msteams" not in a["data"] for a in asks)
    # The roles by department are there, behind "Rollen und Themen zeigen"; the topics
    # (a department without roles) one more click away.
    now = visible(card)
    assert not now["role-list"]
    opened = visible(card, toggle_titled(card, t("show_list", language)))
    assert opened["role-list"] and not opened["show-list"] and opened["hide-list"]
    for department in departments:
        assert f"**{cards.escape(department)}**" in texts
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert sorted(a["data"]["passage"] for a in shows) == sorted(p.id for p in engine.passages)
    assert not opened["welcome-topics"]
    topics = visible(card, toggle_titled(card, t("show_list", language)),
                     toggle_titled(card, t("show_topics", language, count=9)))
    assert topics["welcome-topics"]
    assert all(len(s["actions"]) <= cards.MAX_ACTIONS for s in elements_of(card, "ActionSet"))


def test_help_and_list_are_clickable(engine: Engine) -> None:
    talk = Conversation(engine)
    card = render(talk.respond("hilfe")).attachments[0].content
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["text"] for a in asks] == [*EXAMPLE_QUESTIONS["de"], "liste", "tour"]
    card = render(talk.respond("list")).attachments[0].content
    assert texts_of(card)[0] == cards.escape(t("list_header", "en"))
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert sorted(a["data"]["passage"] for a in shows) == sorted(p.id for p in engine.passages)
    assert all(a["data"]["language"] == "en" for a in shows)
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["text"] for a in asks] == ["guided tour", "help"]


def test_long_titles_are_cut_at_a_word_with_the_whole_title_as_tooltip(engine: Engine) -> None:
    passage = next(p for p in engine.passages if len(p.title) > 45)
    [button] = cards.show_buttons([passage], "de")["actions"]
    label = button["title"]
    assert label.endswith("…") and len(label) <= 45
    assert passage.title.startswith(label[:-1]) and passage.title[len(label) - 1] == " "
    assert button["tooltip"] == passage.title
    short = engine.get("vertriebsleiter")
    assert short is not None
    [plain] = cards.show_buttons([short], "de")["actions"]
    assert plain["title"] == "Vertriebsleiter" and "tooltip" not in plain
    long = "Wort " * 3 + "Überlangeszusammengesetzteswort"
    assert cards.button_label(long, 20) == "Wort Wort Wort…"


def test_comparison_is_like_for_like_aligned_and_stacked_when_narrow(engine: Engine) -> None:
    sm, vl = engine.get("sales-manager"), engine.get("vertriebsleiter")
    assert sm and vl
    reply = Conversation(engine).from_answer(Answer(
        question="Sales Manager oder Vertriebsleiter?", answered=True, comparison=True,
        hits=(Hit(passage=sm, score=0.9), Hit(passage=vl, score=0.8))))
    card = render(reply).attachments[0].content
    wide, narrow = (next(e for e in card["body"] if e.get("targetWidth") == width)
                    for width in ("atLeast:Standard", "atMost:Narrow"))
    # Side by side: one row per kind of content, so titles, openings, tasks line up.
    rows = [item for item in wide["items"] if item["type"] == "ColumnSet"]
    assert [len(r["columns"]) for r in rows] == [2, 2, 2, 2]
    assert texts_of(rows[0]) == ["Sales Manager", "Vertriebsleiter"]
    assert [r.get("id") for r in rows[1:]] == ["gist-row", "tasks-row", "full-row"]
    for column, passage in zip(rows[1]["columns"], (sm, vl), strict=True):
        assert texts_of(column) == [cards.escape(s) for s in reply.gist(passage)]
        assert all(s.startswith("• ") for s in reply.gist(passage))  # the same kind
    # Stacked on a narrow client: the same content, one role under the other.
    assert [texts_of(i)[0] for i in narrow["items"] if i["type"] == "TextBlock"] == [
        "Sales Manager", "Vertriebsleiter"]
    # One set of buttons for both, in both layouts.
    now = visible(card)
    assert now["gist-row"] and now["gist-0-narrow"] and not now["tasks-row"]
    tasks = visible(card, toggle_titled(card, "Aufgaben"))
    assert tasks["tasks-row"] and tasks["tasks-0-narrow"] and tasks["tasks-1-narrow"]
    assert not tasks["gist-row"]  # openings that are tasks do not show twice
    whole = visible(card, toggle_titled(card, "Ganze Beschreibung"))
    assert whole["full-row"] and whole["full-1-narrow"] and not whole["gist-row"]
    assert len([t for t in toggles_of(card) if t["title"] == "Aufgaben"]) == 1


def test_marketing_versus_sales_card_puts_each_side_in_its_column(engine: Engine) -> None:
    overview = engine.get("unterschiede-marketing-vertrieb")
    assert overview is not None
    reply = Conversation(engine).from_answer(Answer(
        question="Wie unterscheiden sich Marketing und Vertrieb?", answered=True,
        hits=(Hit(passage=overview, score=0.9),)))
    assert reply.contrast is not None
    card = render(reply).attachments[0].content
    assert texts_of(card)[0] == "Marketing und Vertrieb im Vergleich"
    rows = reply.contrast.rows
    now = visible(card)
    assert now["rows-x"] and not now["full-x"]
    assert not now["row-2"] and visible(card, toggle_titled(card, "Alle Unterschiede"))["row-2"]
    wide = next(e for e in elements_of(card, "Container") if e.get("targetWidth")
                == "atLeast:Standard")
    first = wide["items"][1]
    assert texts_of(first)[0] == cards.escape(rows[0].passage.title)
    assert texts_of(first)[1:] == [cards.escape(" ".join(rows[0].left)),
                                   cards.escape(" ".join(rows[0].right))]
    whole = visible(card, toggle_titled(card, "Ganze Beschreibung"))
    assert whole["full-x"] and not whole["rows-x"]
