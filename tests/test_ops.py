"""Operations on loopback with the stub engine: /healthz after the self-check, /metrics,
and the engine swap of hot reload (refusals, answers in flight)."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot import logs
from bot.config import Settings
from bot.conversation import Conversation
from bot.core.errors import IndexDamagedError
from bot.core.models import Answer
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import StoreError
from bot.reload import Reloader
from bot.server import Running, start
from tests.support import reconfigure, sqlite_store
from tests.support.net import LoopThread, http
from tests.support.stub_engine import StubEngine
from tests.support.wait import Logged
from tests.teams.harness import FakeConnector, personal_message


class BrokenEngine(StubEngine):
    """Loads, but answers nothing: the self-check must fail."""

    def answer(self, question: str) -> Answer:
        return Answer(question=question, answered=False, reason="no_match")


class Manifested(StubEngine):
    """A stub with an index manifest (build time and knowledge hash)."""

    def __init__(self, knowledge_hash: str) -> None:
        super().__init__()
        self.manifest = {"built_at": "2026-11-23T11:00:00+0000",
                         "knowledge_hash": knowledge_hash, "model": "stub"}


@pytest.fixture
def serve(loop_thread: LoopThread, settings: Settings) -> Iterator[Any]:
    started: list[Running] = []

    def run(conversation: Conversation, settings: Settings = settings, **kw: Any) -> Running:
        running = loop_thread.run(start(settings, conversation, host="127.0.0.1", port=0))
        started.append(running)
        return running

    yield run
    for running in started:
        loop_thread.run(running.stop())


def get(running: Running, path: str) -> tuple[int, str]:
    result = http("GET", f"http://127.0.0.1:{running.port}{path}")
    return result.status, result.body


def test_healthz_reports_the_index_after_the_self_check(loop_thread: LoopThread,
                                                        serve: Any) -> None:
    running = serve(Conversation(Manifested("abc123")))
    loop_thread.run(running.wait_checked())
    status, body = get(running, "/healthz")
    assert status == 200
    data = json.loads(body)
    assert data["status"] == "ok" and "answered in" in data["detail"]
    assert data["index"]["built_at"] == "2026-11-23T11:00:00+0000"
    assert data["index"]["knowledge_hash"] == "abc123"
    assert data["embedder"] == "HashEmbedder"
    assert (data["slack"], data["teams"]) == ("off", "off")


def test_healthz_is_503_with_the_reason_when_the_self_check_fails(
        loop_thread: LoopThread, serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.reload"):
        running = serve(Conversation(BrokenEngine()))
        loop_thread.run(running.wait_checked())
    status, body = get(running, "/healthz")
    assert status == 503
    data = json.loads(body)
    assert data["status"] == "unhealthy"
    assert data["detail"].startswith("no answer for 'Leiter Marketing'")
    assert [r.message for r in caplog.records] == [f"self-check failed: {data['detail']}"]


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return 0.0


def test_metrics_count_a_teams_question(loop_thread: LoopThread, serve: Any,
                                        settings: Settings) -> None:
    connector = FakeConnector()
    loop_thread.run(connector.start())
    try:
        running = serve(Conversation(Manifested("k1")),
                        reconfigure(settings, {"teams_anonymous": True}))
        loop_thread.run(running.wait_checked())
        _, before = get(running, "/metrics")
        labels = {"platform": "teams", "surface": "teams_personal", "outcome": "answer"}
        assert metric(before, "rollenbot_replies_total", **labels) == 0
        result = http("POST", f"http://127.0.0.1:{running.port}/api/messages",
                      json.dumps(personal_message(connector.url,
                                                  "Was macht ein Vertriebsleiter?")).encode(),
                      {"Content-Type": "application/json"})
        assert result.status == 202
        connector.wait_messages(1)
        loop_thread.run(running.inflight.wait_idle(10))
        status, after = get(running, "/metrics")
    finally:
        loop_thread.run(connector.stop())
    assert status == 200
    assert metric(after, "rollenbot_replies_total", **labels) == 1
    assert metric(after, "rollenbot_answer_seconds_count", platform="teams") == 1
    assert metric(after, "rollenbot_index_passages") == len(StubEngine().passages)
    assert metric(after, "rollenbot_healthy") == 1
    assert metric(after, "rollenbot_index_info", built_at="2026-11-23T11:00:00+0000",
                  knowledge_hash="k1", model="stub", embedder="HashEmbedder") == 1


def test_a_refused_index_keeps_the_old_engine_with_one_warning(
        loop_thread: LoopThread, caplog: pytest.LogCaptureFixture) -> None:
    old = Manifested("old")
    conversation = Conversation(old)

    def damaged(previous: Any) -> Any:
        assert previous is old
        raise IndexDamagedError("The index in /x is damaged (faiss.index: bad)")

    reloader = Reloader(conversation, damaged, watch=lambda: "/x/.build-2")
    with caplog.at_level(logging.INFO, logger="bot.reload"):
        assert loop_thread.run(reloader.reload("SIGHUP")) is False
    assert conversation.engine is old and reloader.refusals == 1
    [line] = caplog.records
    assert line.levelname == "WARNING" and "faiss.index: bad" in line.message
    assert conversation.respond("Was macht ein Vertriebsleiter?").kind == "answer"


def test_an_index_that_fails_the_self_check_is_refused(loop_thread: LoopThread) -> None:
    old = Manifested("old")
    conversation = Conversation(old)
    reloader = Reloader(conversation, lambda previous: BrokenEngine())
    assert loop_thread.run(reloader.reload("SIGHUP")) is False
    assert conversation.engine is old


def test_a_reply_in_flight_finishes_on_the_engine_it_started_with(
        loop_thread: LoopThread) -> None:
    entered, release = threading.Event(), threading.Event()

    class Slow(Manifested):
        def answer(self, question: str) -> Answer:
            if "Vertriebsleiter" in question:
                entered.set()
                assert release.wait(10)
            return super().answer(question)

    old, new = Slow("old"), Manifested("new")
    new.passages = tuple(p for p in new.passages if p.id != "vertriebsleiter")
    new._names = [(n, p) for n, p in new._names if p.id != "vertriebsleiter"]
    conversation = Conversation(old)
    reloader = Reloader(conversation, lambda previous: new, watch=lambda: "/x/.build-2")
    replies: list[Any] = []
    asker = threading.Thread(target=lambda: replies.append(
        conversation.respond("Was macht eigentlich ein Vertriebsleiter?")))
    asker.start()
    assert entered.wait(10)
    assert loop_thread.run(reloader.reload("index/current changed")) is True
    assert conversation.engine is new and reloader.serving is not None
    assert reloader.serving.manifest["knowledge_hash"] == "new"
    release.set()
    asker.join(10)
    # The old engine's answer, rendered with the old engine (the new one lacks the passage).
    [reply] = replies
    assert reply.kind == "answer" and reply.best is not None
    assert reply.best.id == "vertriebsleiter"
    assert conversation.respond("Was macht eigentlich ein Vertriebsleiter?").kind == "none"


class Failing(Manifested):
    """Answers role names, but fails on any other question."""

    def answer(self, question: str) -> Answer:
        raise RuntimeError("engine exploded")


def test_json_logs_carry_the_request_reference_the_user_sees(
        loop_thread: LoopThread, serve: Any, settings: Settings) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs._RefFilter())
    handler.setFormatter(logs.JsonFormatter())
    teams_log = logging.getLogger("bot.teams.handlers")
    teams_log.addHandler(handler)
    connector = FakeConnector()
    loop_thread.run(connector.start())
    try:
        running = serve(Conversation(Failing("k")),
                        reconfigure(settings, {"teams_anonymous": True}))
        result = http("POST", f"http://127.0.0.1:{running.port}/api/messages",
                      json.dumps(personal_message(connector.url, "Was ist los?")).encode(),
                      {"Content-Type": "application/json", "X-Request-Id": "req-4711"})
        assert result.status == 202
        [message] = connector.wait_messages(1)
    finally:
        teams_log.removeHandler(handler)
        loop_thread.run(connector.stop())
    assert "req-4711" in message["text"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["request"] == "req-4711" for line in lines)
    [failure] = [line for line in lines if line["level"] == "ERROR"]
    assert failure["message"] == "Teams: failed to answer (request req-4711)"
    assert "engine exploded" in failure["exception"]


def test_log_configuration_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        root.handlers.clear()
        logs.configure("INFO", "json")
        token = logs.REQUEST_REF.set("abc")
        logging.getLogger("bot.test").info("hello %s", "there")
        logs.REQUEST_REF.reset(token)
        root.handlers.clear()
        logs.configure("INFO", "text")
        logging.getLogger("bot.test").warning("plain")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    first, second = capsys.readouterr().err.splitlines()
    assert json.loads(first) | {"time": "-"} == {
        "time": "-", "level": "INFO", "logger": "bot.test", "message": "hello there",
        "request": "abc"}
    assert second.endswith(" WARNING bot.test: plain")


def test_metrics_count_stored_feedback_by_verdict(loop_thread: LoopThread, serve: Any,
                                                  tmp_path: Any) -> None:
    store = sqlite_store(tmp_path)
    conversation = Conversation(Manifested("k"), store=store)
    running = serve(conversation)
    reply = conversation.respond("Was macht ein Vertriebsleiter?", user="U1",
                                 platform="slack", surface="dm")
    assert reply.question_id is not None
    assert store.record_feedback(reply.question_id, user_id="U1", verdict="not_helpful")
    assert not store.record_feedback("no-such-question", user_id="U1", verdict="helpful")
    _, page = get(running, "/metrics")
    assert metric(page, "rollenbot_feedback_total", verdict="not_helpful") == 1
    assert metric(page, "rollenbot_feedback_total", verdict="helpful") == 0
    assert metric(page, "rollenbot_replies_total", platform="slack", surface="dm",
                  outcome="answer") == 1


@pytest.mark.parametrize("command", ["serve", "run"])
def test_without_a_platform_and_a_terminal_the_server_refuses_in_one_line(
        command: str, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from bot import cli

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, as in a container
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    assert cli.main([command]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "SLACK_BOT_TOKEN" in err and "MICROSOFT_APP_ID" in err


def test_sighup_reloads_the_running_server(loop_thread: LoopThread, serve: Any,
                                           settings: Settings) -> None:
    old, new = Manifested("old"), Manifested("new")
    conversation = Conversation(old)
    running = serve(conversation)
    loop_thread.run(running.wait_checked())
    running.reloader._load = lambda previous: new  # what compose.reload_engine would give

    with Logged("bot.reload") as said:
        # What the SIGHUP handler calls, in the loop.
        loop_thread.loop.call_soon_threadsafe(running.reloader.request)
        said.wait_for("reloaded the index (SIGHUP)", timeout=10)
    assert running.reloader.reloads == 1
    assert conversation.engine is new
    assert json.loads(get(running, "/healthz")[1])["index"]["knowledge_hash"] == "new"


class Switch:
    """A real store behind a switch: while ``down``, every call fails as in an outage."""

    def __init__(self, store: Any) -> None:
        self.real, self.down = store, False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.real, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise StoreError("the database could not connect", reference="deadbeef")
            return method(*args, **kwargs)
        return call


def test_healthz_readyz_and_metrics_tell_the_database(
        loop_thread: LoopThread, serve: Any, tmp_path: Any) -> None:
    switch = Switch(sqlite_store(tmp_path).store)
    store = GuardedStore(switch)  # type: ignore[arg-type]
    running = serve(Conversation(StubEngine(), store=store))
    loop_thread.run(running.wait_checked())
    status, body = get(running, "/healthz")
    assert (status, json.loads(body)["status"], json.loads(body)["database"]) == (
        200, "ok", "ok")
    assert get(running, "/readyz")[0] == 200
    switch.down = True  # nothing asked meanwhile: /healthz itself finds out
    status, body = get(running, "/healthz")
    assert (status, json.loads(body)["status"], json.loads(body)["database"]) == (
        200, "degraded", "down")  # the bot still answers: alive
    status, body = get(running, "/readyz")
    assert status == 503 and json.loads(body) == {
        "ready": False, "reason": "the database is away", "database": "down"}
    page = get(running, "/metrics")[1]
    assert metric(page, "rollenbot_database_up") == 0
    assert metric(page, "rollenbot_database_outages") == 1
    with Logged("bot.core.storage.guard", logging.WARNING) as said:
        switch.down = False
        said.wait_for("database back", timeout=5)  # the probe found it
    assert json.loads(get(running, "/healthz")[1])["database"] == "ok"
    assert get(running, "/readyz")[0] == 200
    assert metric(get(running, "/metrics")[1], "rollenbot_database_up") == 1
    store.close()


def test_without_a_store_the_database_is_off(loop_thread: LoopThread, serve: Any) -> None:
    running = serve(Conversation(StubEngine()))
    loop_thread.run(running.wait_checked())
    assert json.loads(get(running, "/healthz")[1])["database"] == "off"
    assert get(running, "/readyz") == (200, '{"ready": true, "database": "off"}')
