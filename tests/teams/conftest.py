"""Fixtures for the Teams tests: the bot on loopback in anonymous or credential mode,
a fake connector for its replies, and a guard that forbids traffic beyond loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from bot import compose
from bot.config import Settings
from bot.core.storage.guard import GuardedStore
from bot.teams.app import add_teams_routes
from tests.support import reconfigure
from tests.support.net import LoopThread, start_site
from tests.support.stub_engine import StubEngine
from tests.teams.harness import FakeConnector, OutboundGuard, TeamsClient

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
TENANT_ID = "11111111-2222-3333-4444-555555555555"

StartBot = Callable[..., TeamsClient]


@pytest.fixture
def engine() -> StubEngine:
    """Teams tests test the adapter: a stub engine that answers by role name."""
    return StubEngine()


@pytest.fixture(autouse=True)
def outbound_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[OutboundGuard]:
    """Every Teams test fails if anything tries to reach a host beyond loopback."""
    guard = OutboundGuard()
    guard.install(monkeypatch)
    yield guard
    assert guard.attempts == [], f"outbound traffic attempted: {guard.attempts}"


@pytest.fixture
def anonymous_settings(settings: Settings) -> Settings:
    """The session settings with Teams in local-test (anonymous) mode."""
    return reconfigure(settings, {"teams_anonymous": True})


@pytest.fixture
def credential_settings(settings: Settings) -> Settings:
    """The session settings with (fake) Entra credentials: tokens are required."""
    return reconfigure(settings, {
        "teams_app_id": APP_ID,
        "teams_app_password": "not-a-real-secret",
        "teams_tenant_id": TENANT_ID,
        "teams_anonymous": False,
    })


@pytest.fixture
def connector(loop_thread: LoopThread) -> Iterator[FakeConnector]:
    """A fake Bot Connector on 127.0.0.1: use ``connector.url`` as serviceUrl."""
    fake = FakeConnector()
    loop_thread.run(fake.start())
    yield fake
    loop_thread.run(fake.stop())


@pytest.fixture
def start_bot(loop_thread: LoopThread) -> Iterator[StartBot]:
    """Start the bot (settings, engine) on 127.0.0.1; stopped at teardown."""
    runners: list[web.AppRunner] = []

    def start(settings: Settings, engine: Any, app: web.Application | None = None,
              store: GuardedStore | None = None) -> TeamsClient:
        web_app = app if app is not None else web.Application()
        if app is None:
            add_teams_routes(web_app, settings, compose.conversation(settings, engine, store))
        runner, base_url = loop_thread.run(start_site(web_app))
        runners.append(runner)
        return TeamsClient(base_url)

    yield start
    for runner in runners:
        loop_thread.run(runner.cleanup())


@pytest.fixture
def bot(start_bot: StartBot, anonymous_settings: Settings, engine: StubEngine) -> TeamsClient:
    """The bot in anonymous mode with the stub engine, on 127.0.0.1."""
    return start_bot(anonymous_settings, engine)


@pytest.fixture
def secured_bot(start_bot: StartBot, credential_settings: Settings,
                engine: StubEngine) -> TeamsClient:
    """The bot with credentials configured, on 127.0.0.1."""
    return start_bot(credential_settings, engine)
