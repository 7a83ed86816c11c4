"""Slack-only fixtures: the fake Slack Web API and the real server, both on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, SlackServer
from tests.support import reconfigure, sqlite_store
from tests.support.net import LoopThread, start_site
from tests.support.stub_engine import StubEngine


@pytest.fixture
def engine() -> StubEngine:
    """Slack tests test the adapter: a stub engine that answers by role name."""
    return StubEngine()


@pytest.fixture(scope="session")
def _fake_slack_session(loop_thread: LoopThread) -> Iterator[FakeSlack]:
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    yield fake
    loop_thread.run(runner.cleanup())


@pytest.fixture
def fake_slack(_fake_slack_session: FakeSlack) -> FakeSlack:
    """The fake Slack Web API, with nothing recorded yet."""
    _fake_slack_session.reset()
    return _fake_slack_session


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """The shared test settings plus Slack in HTTP mode, talking to the fake."""
    return reconfigure(settings, {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SECRET,
        "slack_app_token": None,
        "slack_api_url": fake_slack.url + "/api/",
        "onboarding_channel": "C0ONBOARD",
        "rate_limit_per_minute": 20,
        "teams_app_id": None,
        "teams_anonymous": False,
    })


@pytest.fixture
def server(loop_thread: LoopThread, slack_settings: Settings, engine: StubEngine,
           tmp_path: Path) -> Iterator[SlackServer]:
    """A fresh Rollenbot server per test, with a fresh store (a real SQLite file) for
    its dedup, thread and rate-limit records and the questions it answers."""
    store = sqlite_store(tmp_path)
    running = SlackServer(loop_thread, slack_settings, engine, store=store)
    yield running
    running.stop()
    store.close()
