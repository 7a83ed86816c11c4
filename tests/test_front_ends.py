"""The same inputs through the terminal, Slack and Teams give the same decisions.

One server serves Slack (signed HTTP events) and Teams (Activity JSON, anonymous mode)
on loopback; the terminal chat runs in-process. Every front end must reach the one
conversation step with the same text and get the same reply (kind, language, quoted
and offered passages, label, gist, the ways on, why there is no answer, follow-ups read
against the same earlier answer), and each must show that decision to the user.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot import cli, compose
from bot.config import Settings
from bot.conversation import Conversation, Reply
from bot.core.storage.guard import GuardedStore
from bot.server import SETTINGS_KEY, Running, start
from bot.teams import cards
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, SlackServer
from tests.support import reconfigure
from tests.support.net import LoopThread, http, start_site
from tests.support.stub_engine import Canned, StubEngine
from tests.teams.harness import FakeConnector, personal_message, visible

CLARIFY = "Was macht eigentlich der Vertriebsdingens?"
COMPARE = "Unterschied zwischen Sales Manager und Vertriebsleiter?"
OUTSIDE = "Was verdient ein Vertriebsleiter?"
INPUTS = [
    "hilfe", "Hilfe.", "help", "?", "liste", "Topics!", "liste Vertrieb", "Vertriebsleiter",
    "Was macht ein Sales Manager?", "und der Head davon?", "mehr", "and in English?",
    "What does a sales manager do?", "Wie backe ich Brot?", OUTSIDE, CLARIFY, "keins davon",
    COMPARE, "Unterschied Marketing und Vertrieb?", "Wer ist " + "sehr " * 300 + "wichtig?",
]


@dataclass(frozen=True)
class Decision:
    """What a reply decided, independent of rendering."""

    kind: str
    language: str
    shown: tuple[str, ...]
    offered: tuple[str, ...]
    label: str
    comparison: bool
    highlights: tuple[tuple[str, tuple[str, ...]], ...]
    no_answer: str
    leads: tuple[str, ...]
    full: bool
    about: str
    contrast: tuple[str, ...]

    @classmethod
    def of(cls, reply: Reply) -> Decision:
        return cls(reply.kind, reply.language, tuple(x.id for x in reply.shown),
                   tuple(x.id for x in reply.offered), reply.offer_label, reply.comparison,
                   tuple(sorted(reply.highlights.items())), reply.no_answer,
                   tuple(lead.text for lead in reply.leads), reply.full,
                   reply.about.id if reply.about else "",
                   tuple(r.passage.id for r in reply.contrast.rows) if reply.contrast else ())


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Reply]]:
    """Every (text, reply) of Conversation.respond, whichever front end called it."""
    calls: list[tuple[str, Reply]] = []
    respond = Conversation.respond

    def spy(self: Conversation, text: str, **options: Any) -> Reply:
        reply = respond(self, text, **options)
        calls.append((text, reply))
        return reply

    monkeypatch.setattr(Conversation, "respond", spy)
    return calls


@pytest.fixture
def engine() -> StubEngine:
    stub = StubEngine()
    stub.canned[CLARIFY] = Canned("clarify", ("vertriebsleiter", "vertriebsassistenz"))
    stub.canned[COMPARE] = Canned("answer", ("sales-manager", "vertriebsleiter"),
                                  comparison=True)
    stub.canned[OUTSIDE] = Canned("none", ("vertriebsleiter",), reason="out_of_scope")
    stub.canned["Unterschied Marketing und Vertrieb?"] = Canned(
        "answer", ("unterschiede-marketing-vertrieb", "gruppe-versus-einzelperson"))
    return stub


@contextmanager
def serving_both(loop: LoopThread, settings: Settings, engine: StubEngine,
                 store: GuardedStore | None = None
                 ) -> Iterator[tuple[Running, FakeSlack, FakeConnector]]:
    """One server with Slack and Teams (and ``store``), a fake Slack and a fake Teams
    connector; all stopped on leaving."""
    fake_slack, connector = FakeSlack(), FakeConnector()
    slack_runner, fake_slack.url = loop.run(start_site(fake_slack.app()))
    loop.run(connector.start())
    configured = reconfigure(settings, {
        "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
        "slack_api_url": fake_slack.url + "/api/", "teams_anonymous": True,
        "rate_limit_per_minute": 1000})
    running = loop.run(start(configured, compose.conversation(configured, engine, store),
                             host="127.0.0.1", port=0))
    try:
        yield running, fake_slack, connector
    finally:
        loop.run(running.stop())
        loop.run(connector.stop())
        loop.run(slack_runner.cleanup())


@pytest.fixture
def both(loop_thread: LoopThread, settings: Settings, engine: StubEngine
         ) -> Iterator[tuple[LoopThread, Running, FakeSlack, FakeConnector]]:
    """One server with Slack and Teams, a fake Slack and a fake Teams connector."""
    with serving_both(loop_thread, settings, engine) as (running, fake_slack, connector):
        yield loop_thread, running, fake_slack, connector


def test_terminal_slack_and_teams_decide_alike(
    both: tuple[LoopThread, Running, FakeSlack, FakeConnector], engine: StubEngine,
    recorded: list[tuple[str, Reply]],
) -> None:
    loop, running, fake_slack, connector = both
    slack = SlackServer(loop, running.web_app[SETTINGS_KEY], engine, running=running)

    terminal: list[str] = []
    cli.chat(Conversation(engine), INPUTS, terminal.append)
    assert not any("**" in out for out in terminal)  # marks never show
    by_terminal = [Decision.of(reply) for _, reply in recorded]
    assert [text for text, _ in recorded] == INPUTS
    recorded.clear()

    for text in INPUTS:  # one at a time, so that the posts come in input order
        assert slack.event(p.event_callback(p.im_message(text, ts=p.next_ts()))).status == 200
        slack.idle()
    by_slack = {text: Decision.of(reply) for text, reply in recorded}
    recorded.clear()

    for text in INPUTS:
        status = http("POST", slack.url + "/api/messages",
                      json.dumps(personal_message(connector.url, text)).encode(),
                      {"Content-Type": "application/json"}).status
        assert status == 202
    slack.idle()
    by_teams = {text: Decision.of(reply) for text, reply in recorded}

    assert [by_slack[text] for text in INPUTS] == by_terminal
    assert [by_teams[text] for text in INPUTS] == by_terminal
    kinds = [d.kind for d in by_terminal]
    assert kinds == ["help", "help", "help", "help", "listing", "listing", "listing", "role",
                     "answer", "role", "role", "role", "answer", "none", "none", "clarify",
                     "none", "answer", "answer", "too_long"]
    assert [d.language for d in by_terminal[:6]] == ["de", "de", "en", "de", "de", "en"]
    at = {text: by_terminal[n] for n, text in enumerate(INPUTS)}
    # Follow-ups: read against the answer before, on every front end alike.
    assert at["und der Head davon?"].shown == ("vertriebsleiter",)
    assert at["und der Head davon?"].about == "sales-manager"
    assert at["mehr"].full and at["mehr"].shown == ("vertriebsleiter",)
    assert at["and in English?"].language == "en" and at["and in English?"].shown == (
        "vertriebsleiter",)
    assert at["Wie backe ich Brot?"].no_answer == "no_match"
    assert at[OUTSIDE].no_answer == "out_of_scope" and at[OUTSIDE].offered == (
        "vertriebsleiter",)
    assert at["keins davon"].no_answer == "declined"
    assert at["Wie backe ich Brot?"].leads[-2:] == ("tour", "hilfe")
    assert at["Unterschied Marketing und Vertrieb?"].contrast

    # Each front end shows the decision: one message per input, and the labels agree.
    posts = fake_slack.posts()
    teams = connector.messages()
    assert len(terminal) == len(posts) == len(teams) == len(INPUTS)
    role = INPUTS.index("Vertriebsleiter")
    related = t("related", by_terminal[role].language)
    assert related in terminal[role]
    assert related in json.dumps(posts[role].blocks, ensure_ascii=False)
    assert related in json.dumps(teams[role], ensure_ascii=False)
    clarify = INPUTS.index(CLARIFY)
    assert t("did_you_mean", "de") in terminal[clarify]
    assert t("did_you_mean", "de") in posts[clarify].block_text()
    assert t("did_you_mean", "de") in json.dumps(teams[clarify], ensure_ascii=False)
    for n, decided in enumerate(by_terminal):  # why there is no answer, in the same words
        if decided.no_answer:
            note = t(decided.no_answer, decided.language)
            assert note in terminal[n] and note in posts[n].params["text"]
            assert cards.escape(note) in json.dumps(teams[n], ensure_ascii=False)
    head = INPUTS.index("und der Head davon?")
    about = t("about", "de", title="Sales Manager")
    assert about in terminal[head] and about in posts[head].block_text()
    assert about in json.dumps(teams[head], ensure_ascii=False)
    compare = INPUTS.index(COMPARE)
    for title in ("Sales Manager", "Vertriebsleiter"):
        assert title in terminal[compare]
        assert f"*{title}*" in posts[compare].block_text()
    assert "ColumnSet" in json.dumps(teams[compare])

    # Quotes show the same gist first everywhere, the whole passage one action away
    # (the terminal: "mehr").
    answer = INPUTS.index("Vertriebsleiter")
    [(passage_id, gist)] = by_terminal[answer].highlights
    assert gist and passage_id == "vertriebsleiter"
    flat = " ".join(terminal[answer].replace("\n> ", " ").split())
    assert all(" ".join(s.split()) in flat for s in gist)
    assert "Führung einer Vertriebsmannschaft" not in terminal[answer]  # not the whole
    assert t("more_hint", "de") in terminal[answer]
    assert "Führung einer Vertriebsmannschaft" in terminal[INPUTS.index("mehr")]
    first = next(b for b in posts[answer].blocks if b["type"] == "section")
    assert all(s in first["text"]["text"] for s in gist)
    assert "answer_full" in [a for a, _ in posts[answer].action_values()]
    card = json.dumps(teams[answer], ensure_ascii=False)
    assert "Action.ToggleVisibility" in card and '"gist-0"' in card and '"full-0"' in card
    whole = teams[INPUTS.index("mehr")]["attachments"][0]["content"]
    assert visible(whole)["full-0"] and not visible(whole)["gist-0"]
    labels = [e["text"]["text"] for b in posts[INPUTS.index("mehr")].blocks
              for e in b.get("elements", []) if e.get("type") == "button"]
    assert "Kurzfassung" in labels
