"""What a button points at (bot/buttons.py): every kind goes through a Slack button value
and a Teams Action.Submit data and comes back the same; anything else is refused."""

from __future__ import annotations

import json

import pytest

from bot.buttons import (
    AnswerRef,
    Ask,
    Button,
    Decline,
    Missing,
    Rating,
    Share,
    ShowPassage,
    Toggle,
    TourStep,
    parse,
    read,
)
from bot.slack.values import MAX_VALUE_CHARS, read_value, value
from bot.teams import cards

ANSWER = AnswerRef(question="Wer ist <!channel> & <at>Alle</at>?",
                   passages=("sales-manager", "vertriebsleiter", "vertriebsassistenz"),
                   shown=2, label="related", question_id="0123456789abcdef" * 2,
                   language="en", full=True, feedback="missing", echo=True, share=True,
                   shared_by="U0SHARER")
EVERY_KIND: list[Button] = [
    ShowPassage(passage="sales-manager", language="en"),
    Ask(text="liste Vertrieb & Co"),
    Decline(question_id="ab12"),
    Rating(verdict="not_helpful", answer=ANSWER),
    Missing(answer=ANSWER),
    Toggle(answer=ANSWER),
    Share(answer=ANSWER),
    TourStep(action="next", department="Marketing & <b>", position=3, keep=True),
]


@pytest.mark.parametrize("button", EVERY_KIND, ids=lambda b: b.kind)
def test_every_kind_comes_back_from_slack_and_teams_as_it_went(button: Button) -> None:
    slack = value(button)
    assert len(slack) <= MAX_VALUE_CHARS
    assert not any(mark in slack for mark in "<>&")  # no user text travels as markup
    assert read_value(slack, type(button)) == button
    data = cards.submit_data(button)
    assert data[cards.ACTION_KEY] == button.kind
    assert "<at>" not in json.dumps(data)
    assert cards.read_data(data, type(button)) == button
    assert cards.read_data({**data, cards.MISSING_INPUT: "the card's input"},
                           type(button)) == button


def test_a_button_of_another_kind_is_refused() -> None:
    slack = value(ShowPassage(passage="sales-manager"))
    assert read_value(slack, Share) is None
    data = cards.submit_data(Rating(verdict="helpful", answer=ANSWER))
    assert cards.read_data({**data, cards.ACTION_KEY: "missing"}, Rating) is None


@pytest.mark.parametrize("junk", [
    None, "", "not json", "[]", "{}", '{"kind": "show"}', '{"kind": "show", "passage": 1}',
    '{"kind": "show", "passage": "a b"}', '{"kind": "nope"}', '{"kind": ["show"]}',
    '{"q": "x", "p": ["sales-manager"]}',  # an older version's answer reference
    '{"kind": "feedback", "verdict": "maybe", "answer": {"passages": ["a"]}}',
    '{"kind": "feedback", "verdict": "helpful", "answer": {"passages": []}}',
    '{"kind": "share", "answer": {"passages": ["a"], "question_id": "not hex"}}',
    '{"kind": "share", "answer": {"passages": ["a"], "shown": 3}}',
    '{"kind": "tour", "position": -1}', '{"kind": "tour", "action": "jump"}',
    '{"kind": "decline", "language": "fr"}', "[" * 10_000 + "]" * 10_000,
    '{"kind": "show", "passage": "\\ud800"}', '{"kind": "ask", "text": "\\ud800"}',
    '{"kind": "share", "answer": {"passages": ["a"], "question": "x\\udfff"}}',
    '{"kind": "tour", "department": "\\ud800"}',
])
def test_anything_else_is_refused(junk: str | None) -> None:
    assert parse(junk) is None
    assert read_value(junk, ShowPassage) is None


def test_long_text_is_cut_where_it_only_picks_the_gist_and_refused_where_it_is_asked() -> None:
    long = AnswerRef(question="Vertrieb " * 500, passages=("a",))
    assert len(long.question) == 2000
    assert TourStep(department="x" * 300).department == "x" * 200
    assert read({"kind": "ask", "text": "x" * 2001}, Ask) is None


def test_a_long_question_is_shortened_to_fit_a_slack_value() -> None:
    button = Rating(verdict="helpful", answer=AnswerRef(question="<&> " * 600,
                                                        passages=("a", "b")))
    slack = value(button)
    assert len(slack) <= MAX_VALUE_CHARS
    back = read_value(slack, Rating)
    assert back is not None and back.answer.passages == ("a", "b")
    assert back.answer.question.startswith("<&> <&>") and back.answer.question.endswith("…")


def test_defaults_stay_out_of_the_payload() -> None:
    assert value(TourStep(action="start", department="Vertrieb")) == (
        '{"kind":"tour","action":"start","department":"Vertrieb"}')
    assert cards.submit_data(ShowPassage(passage="seo")) == {"rolle": "show", "passage": "seo"}
