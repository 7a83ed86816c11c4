"""The shared aiohttp server: routes per configuration, /healthz, the Teams hook."""

from __future__ import annotations

import json
import logging
import socket
import sys
import types
from typing import Any

import pytest
from aiohttp import web

from bot.config import Settings
from bot.conversation import Conversation
from bot.server import create_web_app, start
from tests.support import fresh_python, reconfigure
from tests.support.net import LoopThread, http
from tests.support.stub_engine import StubEngine


@pytest.fixture(scope="module")
def conversation() -> Conversation:
    return Conversation(StubEngine())


def routes(web_app: web.Application) -> set[tuple[str, str]]:
    return {(r.method, r.resource.canonical) for r in web_app.router.routes()
            if r.resource is not None}


def test_healthz_answers_200_with_the_engine_loaded(loop_thread: LoopThread, settings: Settings,
                                                   conversation: Conversation) -> None:
    loop = loop_thread
    running = loop.run(start(settings, conversation, host="127.0.0.1", port=0))
    try:
        early = http("GET", f"http://127.0.0.1:{running.port}/healthz")
        assert early.status in (200, 503)  # 503 "starting" until the self-check has run
        loop.run(running.wait_checked())
        result = http("GET", f"http://127.0.0.1:{running.port}/healthz")
        assert result.status == 200
        body = json.loads(result.body)
        assert (body["status"], body["passages"]) == ("ok", len(conversation.engine.passages))
        assert (body["slack"], body["teams"]) == ("off", "off")
        missing = http("POST", f"http://127.0.0.1:{running.port}/slack/events", b"{}")
        assert missing.status in (404, 405)
    finally:
        loop.run(running.stop())


def test_slack_http_mode_adds_the_events_route(settings: Settings,
                                               conversation: Conversation) -> None:
    slack = reconfigure(settings, {"slack_bot_token": "xoxb-1",
                                   "slack_signing_secret": "secret"})
    web_app = create_web_app(slack, conversation)
    assert ("POST", "/slack/events") in routes(web_app)
    assert len(web_app.on_startup) == len(web.Application().on_startup)


def test_socket_mode_has_no_events_route(settings: Settings,
                                         conversation: Conversation) -> None:
    socket = reconfigure(settings, {"slack_bot_token": "xoxb-1",
                                    "slack_app_token": "xapp-1"})
    web_app = create_web_app(socket, conversation)
    assert ("POST", "/slack/events") not in routes(web_app)
    # the Socket Mode connection opens when the server starts
    assert len(web_app.on_startup) == len(web.Application().on_startup) + 1


def test_teams_routes_are_added_when_teams_is_enabled(
        settings: Settings, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []

    async def messages(request: web.Request) -> web.Response:
        return web.Response()

    def add_teams_routes(web_app: web.Application, s: Settings, c: Conversation,
                         inflight: Any) -> None:
        calls.append((web_app, s, c))
        web_app.router.add_post("/api/messages", messages)

    fake = types.ModuleType("bot.teams.app")
    fake.add_teams_routes = add_teams_routes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.teams.app", fake)
    teams = reconfigure(settings, {"teams_anonymous": True})
    web_app = create_web_app(teams, conversation)
    assert len(calls) == 1 and calls[0][1] is teams and calls[0][2] is conversation
    assert ("POST", "/api/messages") in routes(web_app)
    assert ("POST", "/slack/events") not in routes(web_app)


def test_server_module_imports_neither_sdk() -> None:
    code = ("import sys, bot.server; "
            "print(any(m.split('.')[0] in ('slack_bolt', 'slack_sdk', 'microsoft_agents') "
            "for m in sys.modules))")
    assert fresh_python(code) == "False"


@pytest.mark.parametrize("raw", [
    b"POST /api/messages HTTP/1.1\r\nHost: a\r\nX-Long: " + b"a" * 10_000 + b"\r\n\r\n",
    b"POST /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /slack/events HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
    b"POST /slack/events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
], ids=["header line too long", "request line too long", "bad length", "bad chunk"])
def test_a_request_aiohttp_cannot_parse_is_a_400_with_one_warning(
        loop_thread: LoopThread, settings: Settings, conversation: Conversation, raw: bytes,
        caplog: pytest.LogCaptureFixture) -> None:
    running = loop_thread.run(start(settings, conversation, host="127.0.0.1", port=0))
    try:
        with caplog.at_level(logging.DEBUG, logger="aiohttp.server"), \
                socket.create_connection(("127.0.0.1", running.port), timeout=10) as conn:
            conn.sendall(raw)
            status_line = conn.makefile("rb").readline()
    finally:
        loop_thread.run(running.stop())
    assert status_line.split()[1] == b"400"
    lines = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert lines[0].exc_info is None
    assert lines[0].getMessage().startswith("Malformed HTTP request from 127.0.0.1 refused "
                                            "with 400")
