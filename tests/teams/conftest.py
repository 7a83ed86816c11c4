"""Fixtures for the Teams tests: the bot on loopback in anonymous or credential mode,
a fake connector for its replies, and a guard that forbids traffic beyond loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, web

from bot import compose
from bot.config import Settings
from bot.teams.app import add_teams_routes
from tests.support import reconfigure
from tests.support.net import start_site
from tests.support.stub_engine import StubEngine
from tests.teams.harness import FakeConnector, OutboundGuard, TeamsClient

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
TENANT_ID = "11111111-2222-3333-4444-555555555555"

StartBot = Callable[..., Awaitable[TeamsClient]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
async def connector() -> AsyncIterator[FakeConnector]:
    """A fake Bot Connector on 127.0.0.1: use ``connector.url`` as serviceUrl."""
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def start_bot() -> AsyncIterator[StartBot]:
    """Start the bot (settings, engine) on 127.0.0.1; stopped at teardown."""
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(
            ClientSession(timeout=ClientTimeout(total=60)))

        async def start(settings: Settings, engine: Any, app: web.Application | None = None
                        ) -> TeamsClient:
            web_app = app if app is not None else web.Application()
            if app is None:
                add_teams_routes(web_app, settings, compose.conversation(settings, engine))
            runner, base_url = await start_site(web_app)
            stack.push_async_callback(runner.cleanup)
            return TeamsClient(base_url, session)

        yield start


@pytest.fixture
async def bot(start_bot: StartBot, anonymous_settings: Settings, engine: StubEngine
              ) -> TeamsClient:
    """The bot in anonymous mode with the real engine, on 127.0.0.1."""
    return await start_bot(anonymous_settings, engine)


@pytest.fixture
async def secured_bot(start_bot: StartBot, credential_settings: Settings,
                      engine: StubEngine) -> TeamsClient:
    """The bot with credentials configured, on 127.0.0.1."""
    return await start_bot(credential_settings, engine)
