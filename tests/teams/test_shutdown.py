"""A graceful shutdown waits for the Teams handlers still at work: feedback, the line
under "Was hat gefehlt?" and the welcome card for members added are counted in flight
like answers, so the server stops only after their reply went out."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot import compose
from bot.buttons import AnswerRef, Missing, Rating
from bot.config import Settings
from bot.server import start
from bot.teams.cards import MISSING_INPUT, submit_data
from tests.support import sqlite_store
from tests.support.hold import Hold
from tests.support.net import LoopThread, http
from tests.support.stub_engine import StubEngine
from tests.teams.harness import BOT_ID, FakeConnector, card_submit, members_added

ANSWER = AnswerRef(question="Was macht ein Vertriebsleiter?", passages=("vertriebsleiter",))


@pytest.mark.parametrize("kind", ["feedback", "missing", "members added"])
def test_a_shutdown_waits_for_the_handler(
        kind: str, loop_thread: LoopThread, anonymous_settings: Settings, engine: StubEngine,
        connector: FakeConnector, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    store = sqlite_store(tmp_path)
    conversation = compose.conversation(anonymous_settings, engine, store)
    running = loop_thread.run(start(anonymous_settings, conversation, host="127.0.0.1",
                                    port=0))
    hold = Hold()
    if kind == "members added":
        activity = members_added(connector.url, [{"id": BOT_ID}], conversation_type="personal")
        monkeypatch.setattr(engine, "by_department", hold.around(engine.by_department))
    else:
        button = Rating(verdict="helpful", answer=ANSWER) if kind == "feedback" \
            else Missing(answer=ANSWER)
        activity = card_submit(connector.url, {**submit_data(button), MISSING_INPUT: "Gehalt"})
        monkeypatch.setattr(conversation, "click", hold.around(conversation.click))
    with ThreadPoolExecutor(1) as pool, caplog.at_level(logging.WARNING, logger="bot.server"):
        posted = pool.submit(http, "POST", f"http://127.0.0.1:{running.port}/api/messages",
                             json.dumps(activity).encode(), {"Content-Type": "application/json"})
        assert hold.entered.wait(30)
        assert running.inflight.count == 1  # the handler is counted in flight
        stopping = asyncio.run_coroutine_threadsafe(running.stop(grace=30), loop_thread.loop)
        time.sleep(0.3)
        assert not stopping.done()  # the shutdown waits for it
        hold.release.set()
        stopping.result(30)
        assert posted.result(30).status == 202
    store.close()
    delivered = connector.messages() if kind == "members added" else connector.updates()
    assert len(delivered) == 1  # its reply went out before the server stopped
    assert not [r for r in caplog.records if "still in flight" in r.getMessage()]
