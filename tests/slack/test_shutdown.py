"""A graceful shutdown waits for the Slack click handlers still at work (acknowledged at
once, then counted in flight like answers), so the server stops only after their reply
went out."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.buttons import AnswerRef, Rating, TourStep
from bot.server import CONVERSATION_KEY
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer
from tests.support.hold import Hold

ANSWER = AnswerRef(question="Was macht ein Vertriebsleiter?", passages=("vertriebsleiter",))


@pytest.mark.parametrize(("action_id", "button"), [
    ("feedback_helpful", Rating(verdict="helpful", answer=ANSWER)),
    ("tour.start.0", TourStep(action="start", department="Vertrieb")),
], ids=["feedback", "tour"])
def test_a_shutdown_waits_for_the_click(
        action_id: str, button: Rating | TourStep, server: SlackServer, fake_slack: FakeSlack,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    conversation = server.running.web_app[CONVERSATION_KEY]
    hold = Hold()
    monkeypatch.setattr(conversation, "click", hold.around(conversation.click))
    click = p.block_actions(action_id, p.value(button),
                            response_url=fake_slack.response_url("held"))
    with caplog.at_level(logging.WARNING, logger="bot.server"):
        assert server.interaction(click).status == 200  # acknowledged at once
        assert hold.entered.wait(30)
        assert server.running.inflight.count == 1
        stopping = asyncio.run_coroutine_threadsafe(server.running.stop(grace=30),
                                                    server.loop.loop)
        time.sleep(0.3)
        assert not stopping.done()  # the shutdown waits for the click
        hold.release.set()
        stopping.result(30)
    assert [c.path for c in fake_slack.posts()] == ["/response/held"]
    assert not [r for r in caplog.records if "still in flight" in r.getMessage()]
