"""Gist first on every platform, the whole passage one action away.

For every passage and every labelled question: the sentences shown first are verbatim
sentences of the passage (Slack's first quote section, Teams' visible quote, the
terminal's marks, the JSON ``highlights``), and the whole passage is one action away
(Slack: the "Ganze Beschreibung" button's message; Teams: the container its "Ganze Beschreibung"
``Action.ToggleVisibility`` reveals, which "Kurzfassung" hides again; the terminal's
"mehr"; JSON: always whole). Every Slack message type is checked against Block Kit's
limits with ``slack_sdk``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.buttons import Toggle
from bot.conversation import Conversation, Reply
from bot.core.knowledge import load_knowledge
from bot.core.models import Answer, Hit, Passage
from bot.core.retrieval.highlight import excerpt, gist, sentences
from bot.report.gaps import Gap
from bot.slack import blocks as slack
from bot.slack import kit
from bot.slack.markup import escape as slack_escape
from bot.slack.render import render as slack_render
from bot.slack.values import read_value
from bot.teams import cards
from bot.terminal import BOLD_COLOR, MARK, answer_json, marked, render_passage
from bot.wording import t
from tests.conftest import ROOT
from tests.slack.rebuild import button_value, rebuilt
from tests.support.stub_engine import StubEngine
from tests.teams.harness import texts_of, toggle_titled, toggles_of, visible

PASSAGES = load_knowledge(ROOT / "knowledge").passages  # parametrises: read at collection

WHOLE_LINES = {p.id: [line.strip() for line in p.text.splitlines() if line.strip()]
               for p in PASSAGES}


def slack_first_quote(message: kit.Message) -> str:
    """The text of the first section after the header and context lines."""
    first = next(b for b in message.blocks if b["type"] == "section")
    assert message.blocks.index(first) <= 2, "the gist comes right after the title"
    return str(first["text"]["text"])


def section_texts(message: kit.Message) -> str:
    """The text of every section, its fields (side by side) included."""
    return "\n".join([b["text"]["text"] for b in message.blocks
                      if b["type"] == "section" and "text" in b]
                     + [f["text"] for b in message.blocks for f in b.get("fields", ())])


@cache
def stub_engine() -> StubEngine:
    """The knowledge's passages, by id, for the buttons' references."""
    return StubEngine()


def slack_full(message: kit.Message) -> kit.Message:
    """The message the "Ganze Beschreibung" button puts in its place."""
    value = button_value(message.blocks)
    toggle = read_value(value, Toggle)
    assert toggle is not None and toggle.answer.full
    return rebuilt(value, stub_engine())


def teams_parts(card: dict[str, Any], n: int = 0) -> tuple[dict, dict]:
    """The gist and whole-passage containers of the ``n``-th quoted passage."""
    ids = cards.element_ids(n)
    found: dict[str, dict] = {}

    def walk(element: Any) -> None:
        if isinstance(element, list):
            for item in element:
                walk(item)
        elif isinstance(element, dict):
            if element.get("id") in (ids["gist"], ids["full"]):
                found[element["id"]] = element
            for value in element.values():
                walk(value)

    walk(card)
    return found[ids["gist"]], found[ids["full"]]


def reveals_whole(card: dict, shown: dict, full: dict, passage: Passage) -> None:
    """The gist shows and the whole passage does not; "Ganze Beschreibung" swaps them,
    "Kurzfassung" swaps them back; the hidden container holds the whole passage in
    order."""
    before = visible(card)
    assert before[shown["id"]] and not before[full["id"]]
    opened = toggle_titled(card, t("full_description", "de"))
    after = visible(card, opened)
    assert after[full["id"]] and not after[shown["id"]]
    closed = visible(card, opened, toggle_titled(card, t("short_version", "de")))
    assert closed[shown["id"]] and not closed[full["id"]]
    text = " ".join(texts_of(full))
    at = 0
    for line in (line.strip() for line in passage.text.splitlines() if line.strip()):
        found = text.find(cards.escape(line), at)
        assert found >= 0, line
        at = found


@pytest.mark.parametrize("passage", PASSAGES, ids=lambda p: p.id)
def test_every_platform_shows_verbatim_gist_first_and_the_whole_passage_one_action_away(
        passage: Passage, gist_questions: list[str]) -> None:
    lines = WHOLE_LINES[passage.id]
    whole = {s.text(passage.text) for s in sentences(passage.text)}
    full = slack.passages_message(Reply(kind="answer", shown=(passage,), full=True))
    assert all(slack_escape(line) in section_texts(full) for line in lines)
    slack_gists: set[tuple[str, ...]] = set()  # the question only travels in the buttons
    for question in gist_questions:
        chosen = gist(passage, question)
        assert chosen and set(chosen) <= whole

        if chosen not in slack_gists:
            slack_gists.add(chosen)
            message = slack.passages_message(Reply(kind="answer", shown=(passage,),
                                                   question=question))
            first = slack_first_quote(message)
            for line in excerpt(passage.text, chosen):
                assert kit.quote(line) in first
            # The button names the whole passage (rebuilt by the core: see below).
            toggle = read_value(button_value(message.blocks), Toggle)
            assert toggle is not None and toggle.answer.full
            assert toggle.answer.passages == (passage.id,)

        terminal = marked(passage.text, chosen)
        assert terminal.replace(MARK, "") == passage.text  # whole, only marks added
        assert all(MARK + s.removeprefix("• ") + MARK in terminal for s in chosen)
        # The terminal: the gist first, the whole passage with "mehr" (its gist bold and
        # coloured on a terminal), never a literal mark.
        first = render_passage(passage, chosen)
        flat = " ".join(first.replace("\n> ", " ").split())
        assert all(" ".join(line.split()) in flat for line in excerpt(passage.text, chosen))
        opened = render_passage(passage, chosen, full=True, color=True)
        assert opened.count(BOLD_COLOR) >= len(chosen) and MARK not in opened + first

        card = cards.passage_card(passage, "de", question=question or None)
        if "\n".join(excerpt(passage.text, chosen)) == passage.text:  # nothing to open
            assert not toggles_of(card)
            assert " ".join(texts_of(card)).count(cards.escape(lines[0])) == 1
            continue
        shown, full = teams_parts(card)
        assert "isVisible" not in shown
        seen = texts_of(shown)
        assert seen == [cards.escape(line) for line in excerpt(passage.text, chosen)]
        reveals_whole(card, shown, full, passage)


def test_json_highlights_are_verbatim_sentences_of_each_passage() -> None:
    engine = StubEngine()
    for question in ("Was macht ein Vertriebsleiter?", "Wer ist für Key Accounts beim "
                     "Vertriebsleiter zuständig?", "Sales Manager Aufgaben"):
        data = json.loads(answer_json(engine.answer(question)))
        assert data["passages"]
        for item in data["passages"]:
            assert item["highlights"] and all(s in item["text"] for s in item["highlights"])
            assert item["highlights"] == list(gist(engine.get(item["id"]), question))


# --- every Slack message type, against Block Kit -------------------------------------
KINDS = ["help", "listing", "role", "show", "answer", "comparison", "clarify", "none", "empty",
         "too_long", "rate_limited", "report"]


@cache
def slack_replies() -> dict[str, Reply]:
    """One reply of every kind, through the conversation core over the real knowledge."""
    engine = StubEngine()
    talk = Conversation(engine)
    vl, sm = engine.get("vertriebsleiter"), engine.get("sales-manager")
    assert vl is not None and sm is not None
    comparison = talk.from_answer(Answer(
        question="Sales Manager oder Vertriebsleiter?", answered=True, comparison=True,
        hits=(Hit(passage=sm, score=0.9), Hit(passage=vl, score=0.8))))
    clarify = talk.from_answer(Answer(question="Vertriebsdingens", answered=False,
                                      outcome="clarify", hits=(Hit(passage=vl, score=0.5),)))
    return {
        "help": talk.respond("hilfe"), "listing": talk.respond("liste"),
        "role": talk.respond("Vertriebsleiter"), "show": talk.show("leiter-e-commerce"),
        "answer": talk.respond("Was macht ein Sales Manager?"),
        "comparison": comparison, "clarify": clarify,
        "none": talk.respond("Wie backe ich Brot?"), "empty": talk.respond("   "),
        "too_long": talk.respond("Wer " * 400),
        "rate_limited": Reply(kind="rate_limited"),
        "report": Reply(kind="report", gaps=(Gap(count=3, examples=("Gehalt?", "Urlaub?"),
                                                  last_asked=datetime.now(UTC)),)),
    }


def check_limits(message: kit.Message) -> None:
    assert len(message.blocks) <= kit.MAX_BLOCKS
    for block in message.blocks:
        Block.parse(dict(block)).validate_json()  # raises beyond Slack's limits
        if block["type"] == "actions":
            assert len(block["elements"]) <= kit.MAX_ELEMENTS
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= kit.MAX_BUTTON_CHARS
                assert len(element.get("value", "")) <= kit.MAX_VALUE_CHARS
    assert len(message.text) <= 40000


def test_every_kind_is_checked() -> None:
    assert list(slack_replies()) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_slack_message_type_fits_block_kit_and_quotes_start_with_the_gist(
        kind: str) -> None:
    reply = slack_replies()[kind]
    message = slack_render(reply, show_question=True, share=True)
    check_limits(message)
    if not reply.quotes:
        return
    for passage in reply.shown:
        chosen = reply.gist(passage)
        assert chosen and all(s in passage.text for s in chosen)
        text = section_texts(message)
        assert all(kit.quote(line) in text for line in excerpt(passage.text, chosen))
    if not reply.comparison:
        assert slack_first_quote(message) == kit.quote(
            "\n".join(excerpt(reply.shown[0].text, reply.gist(reply.shown[0]))))
    full = slack_full(message)
    check_limits(full)
    full_text = section_texts(full)
    for passage in reply.shown:
        assert all(slack_escape(line) in full_text for line in WHOLE_LINES[passage.id])


@pytest.mark.parametrize("kind", ["role", "show", "answer", "comparison"])
def test_teams_cards_show_the_gist_and_toggle_the_whole_passage(kind: str) -> None:
    from bot.teams.render import render as teams_render

    reply = slack_replies()[kind]
    activity = teams_render(reply)
    assert activity.attachments
    card = activity.attachments[0].content
    for n, passage in enumerate(reply.shown):
        shown, full = teams_parts(card, n)
        assert texts_of(shown) == [cards.escape(line)
                                   for line in excerpt(passage.text, reply.gist(passage))]
        reveals_whole(card, shown, full, passage)
    assert toggles_of(card)
