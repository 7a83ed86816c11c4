"""The app's worker: listeners acknowledge, then their work runs there, bounded and
counted in flight, so that a graceful shutdown waits for it; what still runs after the
grace period is cancelled, and its question stays pending for the next process."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.storage.guard import GuardedStore
from bot.inflight import InFlight
from bot.server import CONVERSATION_KEY
from bot.slack import durable
from bot.slack.worker import Worker
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support import sqlite_store
from tests.support.net import LoopThread
from tests.support.stub_engine import StubEngine

QUESTION = f"<@{BOT_USER_ID}> Was macht ein Sales Manager?"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GuardedStore]:
    opened = sqlite_store(tmp_path)
    yield opened
    opened.close()


class HeldAnswers:
    """Makes the server's conversation core wait in ``respond`` until released."""

    def __init__(self, server: SlackServer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started, self.release, self.finished = (threading.Event() for _ in range(3))
        conversation = server.running.web_app[CONVERSATION_KEY]
        respond = conversation.respond

        def held(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            try:
                assert self.release.wait(30)
                return respond(*args, **kwargs)
            finally:
                self.finished.set()

        monkeypatch.setattr(conversation, "respond", held)


def test_graceful_shutdown_waits_for_a_running_answer(
        loop_thread: LoopThread, slack_settings: Settings, engine: StubEngine,
        store: GuardedStore, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    server = SlackServer(loop_thread, slack_settings, engine, store=store)
    held = HeldAnswers(server, monkeypatch)
    inflight = server.running.inflight
    wait_idle = inflight.wait_idle

    async def stopping(timeout: float) -> bool:
        held.release.set()  # the answer goes on only once the shutdown waits for it
        return await wait_idle(timeout)

    monkeypatch.setattr(inflight, "wait_idle", stopping)
    ts = p.next_ts()
    assert server.event(p.event_callback(p.app_mention(QUESTION, ts=ts))).status == 200
    assert held.started.wait(20)
    assert inflight.count == 1
    loop_thread.run(server.running.stop(grace=30))
    [post] = fake_slack.posts()  # posted before the server stopped
    assert header(post) == "Sales Manager" and post.params["thread_ts"] == ts
    assert store.is_answered(durable.message_key(p.CHANNEL, ts))


def test_an_answer_still_running_after_the_grace_is_cancelled_and_stays_pending(
        loop_thread: LoopThread, slack_settings: Settings, engine: StubEngine,
        store: GuardedStore, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    server = SlackServer(loop_thread, slack_settings, engine, store=store)
    held = HeldAnswers(server, monkeypatch)
    ts = p.next_ts()
    assert server.event(p.event_callback(p.app_mention(QUESTION, ts=ts))).status == 200
    assert held.started.wait(20)
    try:
        with caplog.at_level(logging.WARNING):
            loop_thread.run(server.running.stop(grace=0.2))
        # Nothing is left running or counted once the server has stopped.
        assert server.running.inflight.count == 0
        assert "cancelled 1 Slack job(s) still running at shutdown" in caplog.text
        assert not store.is_answered(durable.message_key(p.CHANNEL, ts))  # the next one's
    finally:
        held.release.set()
        assert held.finished.wait(20)  # the core's thread is done before the store closes


def test_jobs_run_bounded_counted_and_a_failing_one_is_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> list[str]:
        inflight = InFlight()
        worker = Worker(inflight, limit=1)
        order: list[str] = []
        first_may_end = asyncio.Event()

        async def first() -> None:
            order.append("first starts")
            await first_may_end.wait()
            order.append("first ends")

        async def second() -> None:
            order.append("second starts")
            raise RuntimeError("a bug")

        worker.submit(first(), what="first")
        worker.submit(second(), what="second")
        assert inflight.count == 2  # counted from the hand-over, waiting ones too
        await asyncio.sleep(0)  # let the first start; the second waits for its slot
        assert order == ["first starts"]
        first_may_end.set()
        assert await inflight.wait_idle(5)
        assert worker.running == 0
        return order

    with caplog.at_level(logging.ERROR):
        order = asyncio.run(main())
    assert order == ["first starts", "first ends", "second starts"]
    [failed] = caplog.records
    assert "second failed" in failed.getMessage() and failed.exc_info is not None


def test_a_closed_worker_refuses_jobs_and_cancels_the_waiting_ones(
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> InFlight:
        inflight = InFlight()
        worker = Worker(inflight, limit=1)
        never = asyncio.Event()
        worker.submit(never.wait(), what="running")
        worker.submit(never.wait(), what="waiting")
        await asyncio.sleep(0)
        await worker.close()
        worker.submit(never.wait(), what="late")
        return inflight

    with caplog.at_level(logging.WARNING):
        inflight = asyncio.run(main())
    assert inflight.count == 0
    assert "late refused: the server is shutting down" in caplog.text
    assert "cancelled 2 Slack job(s)" in caplog.text
