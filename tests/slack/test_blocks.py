"""Block Kit for answers: structure, limits, escaping and UI language."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.buttons import Rating
from bot.conversation import Conversation, Reply
from bot.core.models import Answer, Hit, Passage, Source
from bot.slack.blocks import (
    ACTION_FULL,
    ACTION_HELPFUL,
    ACTION_SHARE,
    Look,
    error_message,
    passages_message,
)
from bot.slack.kit import (
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    Message,
    actions,
    button,
    mention,
)
from bot.slack.render import render
from bot.slack.values import MAX_VALUE_CHARS, read_value
from bot.wording import t
from tests.slack import rebuild
from tests.slack.payloads import points_at
from tests.support.stub_engine import StubEngine

SOURCE = Source(title="Die Positions-Unterschiede", seed="000.txt", author="Kenneth Smit")


def passage(pid: str, text: str = "Kurzer Text.", title: str | None = None) -> Passage:
    return Passage(id=pid, title=title or pid.title(), kind="role", department="Vertrieb",
                   text=text, source=SOURCE)


def answered(*passages: Passage, question: str = "Was macht ein Vertriebsleiter?",
             language: str = "de") -> Answer:
    return Answer(question=question, answered=True, outcome="answer",
                  language=language,  # type: ignore[arg-type]
                  hits=tuple(Hit(passage=p, score=0.9 - i / 10) for i, p in enumerate(passages)))


class _Limits:
    """Just enough engine for Conversation.from_answer, and for restoring a button's
    reply from the passages on its ``shelf``."""

    def __init__(self, limit: int, shelf: Sequence[Passage] = ()) -> None:
        self.max_question_chars = limit
        self.passages: tuple[Passage, ...] = ()
        self._shelf = {p.id: p for p in shelf}

    def get(self, passage_id: str) -> Passage | None:
        return self._shelf.get(passage_id)

    def roles(self) -> tuple[Passage, ...]:
        return ()

    def by_department(self) -> dict[str, list[Passage]]:
        return {}


def answer_message(answer: Answer, *, limit: int, show_question: bool = False,
                   share: bool = False) -> Message:
    """The Slack message for an engine answer, through the conversation core."""
    reply = Conversation(_Limits(limit)).from_answer(answer)  # type: ignore[arg-type]
    return render(reply, show_question=show_question, share=share)


def sections(message: Message) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section"]


def buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def contexts(message: Message) -> list[str]:
    return [b["elements"][0]["text"] for b in message.blocks if b["type"] == "context"]


def toggled(message: Message, passages: list[Passage]) -> Message:
    """The message the "Ganze Beschreibung" / "Kurzfassung" button replaces it with."""
    return rebuild.toggled(message, _Limits(1000, passages))


def test_answer_has_title_quote_source_more_and_feedback() -> None:
    best = passage("vertriebsleiter", "Erster Absatz.\n\nAufgaben:\n• Planen\n• Führen")
    others = [passage("sales-manager"), passage("assistenz"), passage("vierter")]
    message = answer_message(answered(best, *others), limit=1000)
    assert message.blocks[0] == {"type": "header", "text": {
        "type": "plain_text", "text": "Vertriebsleiter", "emoji": True}}
    # The gist first (the opening sentence), the source, then "Ganze Beschreibung".
    assert message.blocks[1] == {"type": "section",
                                 "text": {"type": "mrkdwn", "text": "> Erster Absatz."}}
    assert message.blocks[2]["elements"][0]["text"] == (
        "Quelle: Die Positions-Unterschiede (Kenneth Smit)")
    assert message.blocks[3]["elements"][0]["action_id"] == ACTION_FULL
    assert message.blocks[3]["elements"][0]["text"]["text"] == "Ganze Beschreibung"
    assert "Planen" not in json.dumps(message.blocks)
    # One click: the whole passage, then "Kurzfassung" back to the gist.
    whole = toggled(message, [best, *others])
    assert sections(whole)[:2] == ["> Erster Absatz.", "> Aufgaben:\n> • Planen\n> • Führen"]
    assert "Quelle: Die Positions-Unterschiede (Kenneth Smit)" in contexts(whole)
    assert buttons(whole)[0]["text"]["text"] == "Kurzfassung"
    assert [points_at(b["value"]) for b in buttons(whole)
            if b["action_id"].startswith("show_passage")] == ["sales-manager", "assistenz"]
    assert toggled(whole, [best, *others]) == message
    values = [points_at(b["value"]) for b in buttons(message)
              if b["action_id"].startswith("show_passage")]
    assert values == ["sales-manager", "assistenz"]  # at most two further matches
    rating = read_value(next(b["value"] for b in buttons(message)
                             if b["action_id"] == ACTION_HELPFUL), Rating)
    assert rating is not None and rating.answer.passages[0] == "vertriebsleiter"
    assert not any(b["action_id"] == ACTION_SHARE for b in buttons(message))
    assert message.text.startswith("Vertriebsleiter: Erster Absatz.")


def test_ephemeral_reply_repeats_the_question_escaped_and_offers_sharing() -> None:
    question = "<!channel> <@U999> Was macht R&D?"
    message = answer_message(answered(passage("vertriebsleiter"), question=question),
                             limit=1000, show_question=True, share=True)
    assert contexts(message)[0] == (
        "Deine Frage: &lt;!channel&gt; &lt;@U999&gt; Was macht R&amp;D?")
    assert "<!channel>" not in json.dumps(message.kwargs())
    share = [b for b in buttons(message) if b["action_id"] == ACTION_SHARE]
    assert share and share[0]["text"]["text"] == "Im Kanal teilen"


def test_english_question_gets_english_ui_strings() -> None:
    message = answer_message(answered(passage("sales-manager"), passage("x"), language="en",
                                      question="What does a sales manager do?"),
                             limit=1000, show_question=True, share=True)
    texts = json.dumps(message.kwargs(), ensure_ascii=False)
    for english in ("Your question:", "Source:", "More matches:", "Share in channel",
                    "Helpful", "Not helpful"):
        assert english in texts
    assert "Quelle" not in texts


def test_shared_answer_names_the_sharer_and_has_no_share_button() -> None:
    message = passages_message(Reply(kind="answer", shown=(passage("sales-manager"),),
                                     question="Wer <!here>?"), look=Look(shared_by="U0SHARER"))
    assert contexts(message)[0] == "Geteilt von <@U0SHARER> · Frage: Wer &lt;!here&gt;?"
    assert not any(b["action_id"] == ACTION_SHARE for b in buttons(message))
    assert mention("not a user <!channel>") == "not a user &lt;!channel&gt;"


def test_long_passage_is_split_within_limits_never_mid_word() -> None:
    paragraph = " ".join(f"Aufgabe{n}" for n in range(900))  # ~8,900 characters
    text = "\n\n".join([paragraph, "• " + paragraph])
    long = passage("lang", text)
    gist = answer_message(answered(long), limit=1000)
    assert all(len(s) <= MAX_SECTION_CHARS for s in sections(gist))
    message = toggled(gist, [long])
    quoted = [s for s in sections(message) if s.startswith(">")]
    assert len(quoted) >= 6
    assert all(len(s) <= MAX_SECTION_CHARS for s in quoted)
    words = {w for s in quoted for w in s.replace(">", " ").replace("•", " ").split()}
    assert words == {f"Aufgabe{n}" for n in range(900)}
    assert len(message.blocks) <= MAX_BLOCKS


def test_huge_passage_is_capped_at_fifty_blocks_with_a_note() -> None:
    text = "\n\n".join(f"Absatz {n}." for n in range(200))
    huge = [passage("riesig", text), passage("b"), passage("c")]
    gist = answer_message(answered(*huge), limit=1000, show_question=True, share=True)
    assert sections(gist)[0] == "> Absatz 0.\n> Absatz 1.\n> Absatz 2."
    message = toggled(gist, huge)
    assert len(message.blocks) == MAX_BLOCKS
    assert any("gekürzt" in c for c in contexts(message))
    assert message.blocks[-1]["type"] == "actions"  # feedback buttons survive


def test_button_values_fit_even_for_huge_questions() -> None:
    question = '"' * 1500 + " Vertrieb " * 100
    message = answer_message(answered(passage("a"), question=question), limit=5000,
                             show_question=True, share=True)
    for element in buttons(message):
        assert len(element["value"]) <= MAX_VALUE_CHARS
        assert len(element["text"]["text"]) <= 75
    rating = read_value(buttons(message)[-1]["value"], Rating)
    assert rating is not None and rating.answer.passages == ("a",)
    assert rating.answer.question.startswith('"' * 100)  # shortened, not dropped
    assert all(len(c) <= 3000 for c in contexts(message))


def test_no_answer_says_why_then_leads_on() -> None:
    engine = StubEngine()
    talk = Conversation(engine)
    departments = list(engine.by_department())
    nothing = talk.from_answer(Answer(question="Wie backe ich Brot?", answered=False,
                                      reason="no_match", suggestions=engine.roles()))
    message = render(nothing, show_question=True)
    assert sections(message)[0] == t("no_match", "de")
    assert contexts(message)[0] == "Deine Frage: Wie backe ich Brot?"
    assert [points_at(b["value"]) for b in buttons(message)] == [
        *(f"liste {d}" for d in departments), "tour", "hilfe"]
    # Out of scope: says so, offers the related roles the engine names, then the same.
    related = (engine.get("vertriebsleiter"), engine.get("sales-manager"))
    outside = talk.from_answer(Answer(question="Was verdient ein Vertriebsleiter?",
                                      answered=False, reason="out_of_scope",
                                      suggestions=tuple(p for p in related if p)))
    message = render(outside)
    assert sections(message)[0] == t("out_of_scope", "de")
    assert [points_at(b["value"]) for b in buttons(message)][:3] == [
        "vertriebsleiter", "sales-manager", "liste Marketing und Vertrieb"]
    ids = [b["action_id"] for b in buttons(message)]
    assert len(set(ids)) == len(ids)
    for block in message.blocks:
        Block.parse(dict(block)).validate_json()


def test_empty_and_too_long_use_the_shared_texts() -> None:
    empty = Answer(question="  ", answered=False, reason="empty")
    assert answer_message(empty, limit=1000).text == t("empty", "de")
    long_question = "Vertrieb " * 200
    too_long = Answer(question=long_question, answered=False, reason="too_long", language="de")
    message = answer_message(too_long, limit=1000, show_question=True)
    # The length of what was asked, as cleaned for answering (trailing space dropped).
    assert message.text == t("too_long", "de", length=len(long_question.strip()), limit=1000)
    assert len(contexts(message)[0]) < 600  # the echo is shortened


def test_error_message_is_german_with_the_reference() -> None:
    assert error_message("abc123").text == t("error", "de", request_id="abc123")


def test_blocks_are_what_the_sdk_models_make_and_they_refuse_what_slack_would() -> None:
    best, other = passage("vertriebsleiter", "Erster Satz. Zweiter Satz."), passage("b")
    answer = answer_message(answered(best, other, question="<!channel> Wer?"), limit=1000,
                            show_question=True, share=True)
    after_thumbs_down = rebuild.rebuilt(buttons(answer)[-1]["value"],
                                        _Limits(1000, [best, other]),
                                        feedback="missing")  # with an input block
    clarify = render(Conversation(StubEngine()).from_answer(Answer(
        question="Vertriebsdingens", answered=False, outcome="clarify",
        hits=(Hit(passage=best, score=0.5),))))  # a section with a button beside it
    for message in (answer, after_thumbs_down, clarify):
        for block in message.blocks:
            assert Block.parse(block).to_dict() == block  # nothing the models would not make
    assert "<!channel>" not in json.dumps(answer.kwargs())
    assert [b["type"] for b in after_thumbs_down.blocks].count("input") == 1
    assert any("accessory" in b for b in clarify.blocks)
    # A button value beyond Slack's 2000 characters fails where the message is made.
    with pytest.raises(SlackObjectFormationError, match="value"):
        Message.of("x", actions([button("Zeigen", "show", "v" * (MAX_VALUE_CHARS + 1))]))
