"""Cards and texts: escaping for Teams markdown, the answer card's parts and limits, the
welcome card, and the markdown texts for lists and refusals."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.conversation import Conversation
from bot.core.models import Answer, Hit, Language
from bot.teams import cards
from bot.teams.render import render
from bot.texts import EXAMPLE_QUESTIONS, t
from tests.support.stub_engine import StubEngine as Engine
from tests.teams.harness import actions_of, texts_of


def toggles_of(element: object) -> list[dict]:
    """Every Action.ToggleVisibility in a card, in document order."""
    if isinstance(element, list):
        return [a for item in element for a in toggles_of(item)]
    if not isinstance(element, dict):
        return []
    own = [element] if element.get("type") == "Action.ToggleVisibility" else []
    return own + [a for value in element.values() for a in toggles_of(value)]


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
    assert texts[0] == cards.escape(best.title)
    assert texts[1] == "Deine Frage: Was macht ein Vertriebsleiter?"
    ids = cards.element_ids(0)
    gist, full, tasks = (next(e for e in card["body"] if e.get("id") == ids[k])
                         for k in ("gist", "full", "tasks"))
    # The gist is in view first: verbatim opening sentences of the passage.
    assert card["body"][2] is gist and gist["style"] == "emphasis" and "isVisible" not in gist
    shown = " ".join(texts_of(gist))
    assert shown.startswith(cards.escape(best.paragraphs[0].split(". ")[0]))
    assert len(texts_of(gist)) < len(texts_of(full))
    # The whole passage, hidden, one click away ("Ganze Beschreibung" swaps it for the
    # gist and closes the task list, which it contains).
    assert full["isVisible"] is False and full["style"] == "emphasis"
    quoted = " ".join(texts_of(full))
    for paragraph in best.paragraphs:
        for line in paragraph.splitlines():
            assert cards.escape(line.strip()) in quoted
    toggles = {a["title"]: a for a in toggles_of(card)}
    assert toggles["Ganze Beschreibung"]["targetElements"] == [
        ids["gist"], ids["full"], {"elementId": ids["tasks"], "isVisible": False}]
    # "Aufgaben" toggles the task list under the gist (never next to the whole passage).
    assert tasks["isVisible"] is False and texts_of(tasks)[0] == "Aufgaben-Beispiele:"
    assert all(cards.escape(line) in texts_of(tasks) for line in best.paragraphs[-1].splitlines())
    assert toggles["Aufgaben"]["targetElements"] == [
        ids["tasks"], {"elementId": ids["gist"], "isVisible": True},
        {"elementId": ids["full"], "isVisible": False}]
    # In view: title, question, gist, source, the toggles, before anything else.
    visible = [e for e in card["body"] if e.get("isVisible", True)]
    assert visible[2] is gist
    assert visible[3]["text"] == t("source", "de", source=cards.escape(best.source.label()))
    assert visible[4]["type"] == "ActionSet" and visible[4]["actions"] == list(toggles.values())
    shows = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert [a["data"]["passage"] for a in shows] == [h.passage.id for h in answer.hits[1:3]]
    feedback = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.FEEDBACK)
    assert [a["data"]["helpful"] for a in feedback] == [True, False]
    assert all(a["data"]["passage"] == best.id for a in feedback)
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


def test_unanswered_answer_has_no_card(engine: Engine) -> None:
    answer = Answer(question="x", answered=False, reason="no_match", suggestions=engine.roles())
    activity = render(Conversation(engine).from_answer(answer))
    assert not activity.attachments
    assert activity.text == cards.no_answer_text(engine.roles(), "de")


def test_long_button_titles_are_shortened(engine: Engine) -> None:
    passage, other = engine.passages[0], engine.passages[1]
    long = dataclasses.replace(other, title="Sehr langer Titel " * 10)
    [button] = actions_of(cards.passage_card(passage, "de", more=[long]),
                          lambda a: a["data"][cards.ACTION_KEY] == cards.SHOW)
    assert len(button["title"]) <= 60 and button["title"].endswith("…")


@pytest.mark.parametrize("language", ["de", "en"])
def test_welcome_card_lists_departments_and_asks_examples(engine: Engine, language: Language
                                                          ) -> None:
    departments = engine.by_department()
    card = cards.welcome_card(departments, language)
    texts = texts_of(card)
    assert cards.escape(t("welcome", language)) in texts
    for department, passages in departments.items():
        assert f"**{cards.escape(department)}**" in texts
        listed = texts[texts.index(f"**{cards.escape(department)}**") + 1]
        assert all(cards.escape(p.title) in listed for p in passages)
    asks = actions_of(card, lambda a: a["data"][cards.ACTION_KEY] == cards.ASK)
    assert [a["data"]["q"] for a in asks] == list(EXAMPLE_QUESTIONS[language])
    assert all(a["data"]["msteams"]["type"] == "messageBack" for a in asks)
    assert all(a["data"]["msteams"]["text"] == a["data"]["q"] for a in asks)


def test_no_answer_and_list_texts(engine: Engine) -> None:
    roles = engine.roles()
    text = cards.no_answer_text(roles, "de")
    assert text.startswith(cards.escape(t("no_answer", "de")).split("\n")[0])
    assert all(f"- {cards.escape(r.title)}" in text for r in roles)
    listing = cards.list_text(engine.by_department(), "en")
    assert listing.startswith(t("list_header", "en"))
    assert all(f"**{cards.escape(d)}**" in listing for d in engine.by_department())


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
