"""The fuzzer (issue 20): hypothesis sends the real payload shapes of Slack (events,
slash commands, button clicks, view submissions) and Teams (messages, card submissions,
invokes, conversation updates), mutated (types swapped, fields nulled or dropped,
strings grown, values nested deep), signed where Slack signs, over real HTTP to one
server on loopback serving both platforms with a SQLite store.

Every answer is below 500; no log line carries a traceback or an error of the web
server, the SDKs or the store; and the database is never switched off by what was sent.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import compose
from bot.core.storage.guard import GuardedStore
from bot.server import Running, start
from tests.conftest import make_settings
from tests.fuzz import (
    Recorder,
    dumps,
    fresh_ids,
    json_values,
    mutated,
    slack_events,
    slack_interactions,
    slash_command_forms,
    teams_activities,
)
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET
from tests.support import sqlite_store
from tests.support.net import HttpResult, LoopThread, http, start_site
from tests.support.replica import signed_headers
from tests.support.stub_engine import StubEngine
from tests.teams.harness import FakeConnector, OutboundGuard

EXAMPLES = 200
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
SLACK_STATUSES = {200, 400, 413}
TEAMS_STATUSES = {200, 202, 400, 413}
_numbers = itertools.count()


class Bed:
    """The server under test, its fakes and what it logged."""

    def __init__(self, loop: LoopThread, running: Running, store: GuardedStore,
                 slack: FakeSlack, connector: FakeConnector, recorder: Recorder) -> None:
        self.loop, self.running, self.store = loop, running, store
        self.slack, self.connector, self.recorder = slack, connector, recorder

    def __repr__(self) -> str:
        return "Bed()"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.running.port}"

    def slack_post(self, body: str, content_type: str) -> HttpResult:
        return http("POST", self.url + "/slack/events", body.encode("utf-8", "surrogatepass"),
                    signed_headers(SECRET, body, content_type))

    def teams_post(self, text: str) -> HttpResult:
        return http("POST", self.url + "/api/messages", text.encode("utf-8", "surrogatepass"),
                    {"Content-Type": "application/json"})

    def check(self, result: HttpResult, allowed: set[int], sent: str) -> None:
        """The answer, the log and the database after one request."""
        assert result.status in allowed, f"{result.status} for {sent[:500]}"
        assert self.loop.run(self.running.inflight.wait_idle(30))
        problems = self.recorder.problems()
        self.recorder.records.clear()
        assert problems == [], f"{problems} for {sent[:500]}"
        assert self.store.up, f"the database was switched off by {sent[:500]}"


@pytest.fixture(scope="module")
def bed(loop_thread: LoopThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    slack, connector = FakeSlack(), FakeConnector()
    runner, slack.url = loop_thread.run(start_site(slack.app()))
    loop_thread.run(connector.start())
    config = make_settings(folder / "index", slack_bot_token="xoxb-fuzz",
                           slack_signing_secret=SECRET, slack_api_url=slack.url + "/api/",
                           teams_anonymous=True, rate_limit_per_minute=100_000,
                           onboarding_channel="C0ONBOARD")
    store = sqlite_store(folder)
    running = loop_thread.run(start(config, compose.conversation(config, StubEngine(), store),
                                    host="127.0.0.1", port=0))
    loop_thread.run(running.wait_checked())
    recorder = Recorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.INFO)
    with pytest.MonkeyPatch.context() as patch:
        guard = OutboundGuard()  # a mutated address must not take a reply off the machine
        guard.install(patch)
        try:
            yield Bed(loop_thread, running, store, slack, connector, recorder)
        finally:
            root.removeHandler(recorder)
            root.setLevel(level)
            loop_thread.run(running.stop())
            loop_thread.run(connector.stop())
            loop_thread.run(runner.cleanup())
            store.close()


@FUZZ
@given(data=st.data())
def test_slack_events(bed: Bed, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(slack_events()))
    text = dumps(fresh_ids(data.draw(mutated(base)), next(_numbers)))
    bed.check(bed.slack_post(text, "application/json"), SLACK_STATUSES, text)


@FUZZ
@given(data=st.data())
def test_slack_button_clicks_and_view_submissions(bed: Bed, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(slack_interactions(bed.slack.response_url("fuzz"))))
    payload = dumps(fresh_ids(data.draw(mutated(base)), next(_numbers)))
    text = urlencode({"payload": payload}, encoding="utf-8", errors="surrogatepass")
    bed.check(bed.slack_post(text, "application/x-www-form-urlencoded"), SLACK_STATUSES,
              payload)


@FUZZ
@given(data=st.data())
def test_slack_slash_commands(bed: Bed, data: st.DataObject) -> None:
    text = data.draw(slash_command_forms(bed.slack.response_url("fuzz")))
    bed.check(bed.slack_post(text, "application/x-www-form-urlencoded"), SLACK_STATUSES, text)


@FUZZ
@given(data=st.data())
def test_slack_bodies_of_any_json(bed: Bed, data: st.DataObject) -> None:
    text = dumps(data.draw(json_values))
    bed.check(bed.slack_post(text, "application/json"), SLACK_STATUSES, text)


@FUZZ
@given(data=st.data())
def test_teams_activities(bed: Bed, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(teams_activities(bed.connector.url)))
    text = dumps(fresh_ids(data.draw(mutated(base, limit=1_200_000)), next(_numbers)))
    bed.check(bed.teams_post(text), TEAMS_STATUSES, text)


@FUZZ
@given(data=st.data())
def test_teams_bodies_of_any_json(bed: Bed, data: st.DataObject) -> None:
    text = dumps(data.draw(json_values))
    bed.check(bed.teams_post(text), TEAMS_STATUSES, text)
