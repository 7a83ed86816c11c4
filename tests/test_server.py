"""The shared aiohttp server: routes per configuration, /healthz, the Teams hook."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from bot.config import Settings
from bot.core.engine import Engine
from bot.server import SLACK_APP_KEY, create_web_app, start
from tests.slack.harness import LoopThread, http


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def routes(web_app: web.Application) -> set[tuple[str, str]]:
    return {(r.method, r.resource.canonical) for r in web_app.router.routes()
            if r.resource is not None}


def test_healthz_answers_200_with_the_engine_loaded(loop: LoopThread, settings: Settings,
                                                   engine: Engine) -> None:
    running = loop.run(start(settings, engine, host="127.0.0.1", port=0))
    try:
        result = http("GET", f"http://127.0.0.1:{running.port}/healthz")
        assert result.status == 200
        assert json.loads(result.body) == {"status": "ok", "passages": len(engine.passages),
                                           "slack": "off", "teams": "off"}
        missing = http("POST", f"http://127.0.0.1:{running.port}/slack/events", b"{}")
        assert missing.status in (404, 405)
    finally:
        loop.run(running.stop())


def test_slack_http_mode_adds_the_events_route(settings: Settings, engine: Engine) -> None:
    slack = settings.model_copy(update={"slack_bot_token": "xoxb-1",
                                        "slack_signing_secret": "secret"})
    web_app = create_web_app(slack, engine)
    assert ("POST", "/slack/events") in routes(web_app)
    assert SLACK_APP_KEY in web_app


def test_socket_mode_has_no_events_route(settings: Settings, engine: Engine) -> None:
    socket = settings.model_copy(update={"slack_bot_token": "xoxb-1",
                                         "slack_app_token": "xapp-1"})
    web_app = create_web_app(socket, engine)
    assert ("POST", "/slack/events") not in routes(web_app)
    assert SLACK_APP_KEY in web_app  # serve() connects it over Socket Mode


def test_teams_routes_are_added_when_teams_is_enabled(
        settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    async def messages(request: web.Request) -> web.Response:
        return web.Response()

    def add_teams_routes(web_app: web.Application, s: Settings, e: Engine) -> None:
        calls.append((web_app, s, e))
        web_app.router.add_post("/api/messages", messages)

    fake = types.ModuleType("bot.teams.app")
    fake.add_teams_routes = add_teams_routes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.teams.app", fake)
    teams = settings.model_copy(update={"teams_anonymous": True})
    web_app = create_web_app(teams, engine)
    assert len(calls) == 1 and calls[0][1] is teams and calls[0][2] is engine
    assert ("POST", "/api/messages") in routes(web_app)
    assert ("POST", "/slack/events") not in routes(web_app)
