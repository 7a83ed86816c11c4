"""The same clicks through Slack and Teams give the same decisions.

One server serves Slack (signed block_actions) and Teams (Action.Submit activities,
anonymous mode) on loopback, with a SQLite store. Every button kind goes through both
as each platform carries it (the Slack button value, the Teams submit data), and the
conversation core must reach the same decision for both (the reply's kind, language,
passages, feedback line, tour step) and store the same feedback; each platform must show
it. A payload that is no button of ours is refused alike. The whole/short toggle and
sharing exist in Slack only (Teams cards switch views in the client and have no private
answers to share): Slack's decisions for them are compared with the core's own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
)
from bot.config import Settings
from bot.conversation import Conversation, Reply
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import NewQuestion, PassageScore
from bot.server import CONVERSATION_KEY, SETTINGS_KEY, Running
from bot.teams.cards import MISSING_INPUT, submit_data
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer
from tests.support import sqlite_store
from tests.support.net import LoopThread, http
from tests.support.stub_engine import StubEngine
from tests.teams.harness import FakeConnector, card_submit
from tests.test_front_ends import Decision, serving_both

COMMENT = "Wer ist das bei uns?"


@dataclass(frozen=True)
class Clicked:
    """What the core decided for a click, beyond the reply's :class:`Decision`."""

    decision: Decision
    feedback: str
    tour: tuple[Any, ...]

    @classmethod
    def of(cls, reply: Reply) -> Clicked:
        view = reply.tour
        tour = () if view is None else (view.state, view.number, view.total, view.full,
                                        view.finished, view.departments)
        return cls(Decision.of(reply), reply.feedback, tour)


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> list[Reply]:
    """The reply of every click (and of the line an Ask sends), whichever front end."""
    replies: list[Reply] = []
    inside = threading.local()

    def spy(real: Callable[..., Reply]) -> Callable[..., Reply]:
        def recording(self: Conversation, *args: Any, **options: Any) -> Reply:
            if getattr(inside, "depth", 0):  # a click that asks: recorded once
                return real(self, *args, **options)
            inside.depth = 1
            try:
                reply = real(self, *args, **options)
            finally:
                inside.depth = 0
            replies.append(reply)
            return reply
        return recording

    for name in ("click", "refused", "respond"):
        monkeypatch.setattr(Conversation, name, spy(getattr(Conversation, name)))
    return replies


@pytest.fixture
def both(loop_thread: LoopThread, settings: Settings, tmp_path: Path
         ) -> Iterator[tuple[Running, FakeSlack, FakeConnector, GuardedStore]]:
    """One server with Slack, Teams and a store; a fake Slack and a fake connector."""
    store = sqlite_store(tmp_path)
    try:
        with serving_both(loop_thread, settings, StubEngine(), store) as (
                running, fake_slack, connector):
            yield running, fake_slack, connector, store
    finally:
        store.close()


def clicks(question_id: str, clarify_id: str) -> list[tuple[str, Button]]:
    """Every button kind both platforms have, as (Slack action_id, button): feedback on
    the recorded question ``question_id``, "Keins davon" under ``clarify_id``."""
    answer = AnswerRef(question="Was macht ein Sales Manager?",
                       passages=("sales-manager", "vertriebsleiter", "vertriebsassistenz"),
                       question_id=question_id)
    return [
        ("show_passage.de.0", ShowPassage(passage="sales-manager")),
        ("show_passage.en.0", ShowPassage(passage="gibt-es-nicht", language="en")),
        ("ask_example.0", Ask(text="liste Vertrieb")),
        ("ask_example.lead.0", Ask(text="What does a sales manager do?", language="en")),
        ("clarify_none", Decline(question_id=clarify_id)),
        ("feedback_not_helpful", Rating(verdict="not_helpful", answer=answer)),
        ("feedback_missing", Missing(answer=answer)),
        ("feedback_helpful", Rating(verdict="helpful", answer=answer.model_copy(
            update={"passages": ("gibt-es-nicht",), "question_id": None}))),
        ("tour.start.0", TourStep(action="start", department="Vertrieb")),
        ("tour.next", TourStep(action="next", department="Vertrieb")),
        ("tour.more", TourStep(action="more", department="Vertrieb", position=1)),
        ("tour.back", TourStep(action="back", department="Vertrieb", position=1)),
        ("tour.end", TourStep(action="end", department="Vertrieb")),
        ("tour.menu", TourStep(language="en")),
    ]


# A value / data that is no button of ours, per kind.
REFUSED = [("show_passage.de.0", "show"), ("ask_example.0", "ask"),
           ("clarify_none", "decline"), ("feedback_helpful", "feedback"),
           ("feedback_missing", "missing"), ("tour.next", "tour")]


def slack_click(slack: SlackServer, fake: FakeSlack, action_id: str, value: str,
                n: int) -> None:
    payload = p.block_actions(action_id, value, channel="D0ASKER01",
                              response_url=fake.response_url(f"click-{n}"))
    if action_id == "feedback_missing":
        payload["state"] = {"values": {"feedback_missing_text": {"feedback_missing_text": {
            "type": "plain_text_input", "value": COMMENT}}}}
    assert slack.interaction(payload).status == 200
    slack.idle()


def teams_click(url: str, connector: FakeConnector, data: dict[str, Any]) -> None:
    if data.get("rolle") == "missing":
        data = {**data, MISSING_INPUT: COMMENT}
    body = json.dumps(card_submit(connector.url, data)).encode()
    assert http("POST", url + "/api/messages", body,
                {"Content-Type": "application/json"}).status == 202


def test_slack_and_teams_decide_every_click_alike(
        both: tuple[Running, FakeSlack, FakeConnector, GuardedStore], loop_thread: LoopThread,
        decided: list[Reply]) -> None:
    running, fake_slack, connector, store = both
    conversation = running.web_app[CONVERSATION_KEY]
    slack = SlackServer(loop_thread, running.web_app[SETTINGS_KEY], conversation.engine,
                        running=running)
    question_id, clarify_id = (store.record_question(NewQuestion(
        platform="terminal", surface="terminal", user_id="-", text=text, language="de",
        outcome=outcome, passages=(PassageScore(passage_id="sales-manager", score=0.9),)))
        for text, outcome in (("Was macht ein Sales Manager?", "answer"),
                              ("Was macht der Vertriebsdingens?", "clarify")))
    sent = clicks(question_id, clarify_id)

    for n, (action_id, button) in enumerate(sent):  # one at a time: in order
        slack_click(slack, fake_slack, action_id, p.value(button), n)
    for n, (action_id, kind) in enumerate(REFUSED):
        slack_click(slack, fake_slack, action_id, '{"kind": "' + kind + '", "x": 1}', n + 100)
    by_slack = [Clicked.of(reply) for reply in decided]
    slack_shown = len(fake_slack.posts())
    decided.clear()

    for _, button in sent:
        teams_click(slack.url, connector, submit_data(button))
    for _, kind in REFUSED:
        teams_click(slack.url, connector, {"rolle": kind, "x": 1})
    by_teams = [Clicked.of(reply) for reply in decided]

    assert by_teams == by_slack
    # Each platform showed each decision: a message, or the clicked one replaced.
    assert slack_shown == len(connector.recorded) == len(sent) + len(REFUSED)
    got = [(c.decision.kind, c.decision.shown, c.feedback, c.decision.no_answer)
           for c in by_slack]
    assert got[:8] == [
        ("role", ("sales-manager",), "ask", ""), ("none", (), "ask", "no_match"),
        ("listing", (), "ask", ""), ("answer", ("sales-manager",), "ask", ""),
        ("none", (), "ask", "declined"), ("answer", ("sales-manager",), "missing", ""),
        ("answer", ("sales-manager",), "thanks", ""), ("thanks", (), "ask", "")]
    assert by_slack[3].decision.language == "en"
    tours = [c.tour[:5] for c in by_slack[8:14]]
    assert [(state.department, state.position) if state else None
            for state, *_ in tours] == [("Vertrieb", 0), ("Vertrieb", 1), ("Vertrieb", 1),
                                        ("Vertrieb", 0), ("Vertrieb", 0), None]
    assert tours[2][3] and tours[4][4]  # "Mehr lesen": the whole passage; "beenden": the end
    assert [c.decision.kind for c in by_slack[14:]] == [
        "none", "empty", "none", "thanks", "thanks", "tour"]
    # The feedback was stored alike: one verdict (with the line) per platform's user.
    rows = store.feedback_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert [(f.verdict, f.comment, f.question) for f in rows] == [
        ("not_helpful", COMMENT, "Was macht ein Sales Manager?")] * 2
    assert [q.outcome for q in store.questions_since(datetime(2000, 1, 1, tzinfo=UTC))
            if q.id == clarify_id] == ["none"]  # "Keins davon": a miss


def test_the_slack_only_buttons_decide_as_the_core_does(
        both: tuple[Running, FakeSlack, FakeConnector, GuardedStore], loop_thread: LoopThread,
        decided: list[Reply]) -> None:
    running, fake_slack, _, _ = both
    conversation = running.web_app[CONVERSATION_KEY]
    slack = SlackServer(loop_thread, running.web_app[SETTINGS_KEY], conversation.engine,
                        running=running)
    answer = AnswerRef(question="Was macht ein Sales Manager?",
                       passages=("sales-manager", "vertriebsleiter"), feedback="thanks")
    sent: list[tuple[str, Button]] = [
        ("answer_full", Toggle(answer=answer.model_copy(update={"full": True}))),
        ("answer_full", Toggle(answer=answer)),
        ("answer_full", Toggle(answer=answer.model_copy(update={"passages": ("weg",)}))),
        ("share_answer", Share(answer=answer)),
    ]
    for n, (action_id, button) in enumerate(sent):
        slack_click(slack, fake_slack, action_id, p.value(button), n)
    by_slack = [Clicked.of(reply) for reply in decided]
    decided.clear()
    by_core = [Clicked.of(conversation.click(button, platform="slack")) for _, button in sent]
    assert by_slack == by_core
    assert [(c.decision.kind, c.decision.full, c.feedback) for c in by_slack] == [
        ("answer", True, "thanks"), ("answer", False, "thanks"), ("none", False, "ask"),
        ("answer", False, "ask")]
    assert len(fake_slack.posts()) == len(sent)
