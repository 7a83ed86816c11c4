"""The fuzzer against a real `rolle serve` process (issue 20): Slack HTTP mode and Teams
in local mode in one process, the real index, a SQLite store in a file; the mutated
payloads of tests/fuzz.py over real HTTP on loopback. Every answer is below 500, the
process's log has no traceback and no error of the web server, the SDKs or the store,
and its database stays on.

The reply addresses in the payloads (a Slack ``response_url``, a Teams ``serviceUrl``)
are put back to the local fakes when a mutation made them point elsewhere, so that
nothing leaves the machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from bot.config import Settings
from tests.fuzz import (
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
from tests.support.net import LoopThread, http, start_site
from tests.support.replica import SECRET, Replica, serve_env, signed_headers
from tests.support.wait import wait_until
from tests.teams.harness import FakeConnector

pytestmark = pytest.mark.slow
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
_numbers = iter(range(10**9))


class Served:
    """The `rolle serve` process and its fakes."""

    def __init__(self, server: Replica, slack: FakeSlack, connector: FakeConnector) -> None:
        self.server, self.slack, self.connector = server, slack, connector

    def __repr__(self) -> str:
        return "Served()"

    def post(self, path: str, body: str, content_type: str, signed: bool) -> int:
        headers = signed_headers(SECRET, body, content_type) if signed else {
            "Content-Type": content_type}
        return http("POST", self.server.url + path, body.encode("utf-8", "surrogatepass"),
                    headers).status


@pytest.fixture(scope="module")
def served(loop_thread: LoopThread, real_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder: Path = tmp_path_factory.mktemp("fuzz-serve")
    slack, connector = FakeSlack(), FakeConnector()
    runner, slack.url = loop_thread.run(start_site(slack.app()))
    loop_thread.run(connector.start())
    env = serve_env(api_url=slack.url + "/api/",
                    database_url=f"sqlite:///{folder / 'rollenbot.db'}",
                    index_dir=real_settings.index_dir, ROLLE_TEAMS_ANONYMOUS="true",
                    ROLLE_RATE_LIMIT_PER_MINUTE="100000",
                    ROLLE_ONBOARDING_CHANNEL="C0ONBOARD")
    server = Replica(env, folder / "serve.log")
    try:
        yield Served(server, slack, connector)
    finally:
        server.stop()
        loop_thread.run(connector.stop())
        loop_thread.run(runner.cleanup())


def _local(value: Any, fallback: str) -> Any:
    """An address that a mutation pointed off the machine, put back to ``fallback``."""
    try:
        url = URL(value) if isinstance(value, str) else None
    except (ValueError, TypeError):
        return value
    if url is not None and url.absolute and url.host not in (None, "127.0.0.1"):
        return fallback
    return value


def _kept_local(body: Any, field: str, fallback: str) -> Any:
    if isinstance(body, dict) and field in body:
        body[field] = _local(body[field], fallback)
    return body


def test_rolle_serve_fuzzed(served: Served) -> None:
    """Slack bodies and Teams activities, mutated; then everything they sent has been
    answered, and nothing went wrong on the way."""
    slack_bodies(served)
    teams_bodies(served)
    # A poll: the process tells its answers in flight only on /healthz.
    wait_until(lambda: not served.server.get("/healthz")[1]["in_flight"], 60,
               what="no answer in flight")
    status, health = served.server.get("/healthz")
    assert (status, health["status"], health["database"], health["in_flight"]) == (
        200, "ok", "ok", 0)
    log = served.server.log()
    assert "Traceback" not in log
    bad = [line for line in log.splitlines() if " ERROR " in line and any(
        name in line for name in ("aiohttp", "asyncio", "slack_bolt", "microsoft_agents",
                                  "bot.slack.bolt", "store_guard", "bot.store"))]
    assert bad == []
    refused = sum(" refused " in line or " ignored: " in line for line in log.splitlines())
    print(f"\nrolle serve fuzzed: {refused} requests refused or ignored with one line, "
          f"{len(served.slack.posts())} Slack posts, {len(served.connector.messages())} "
          f"Teams replies; {json.dumps({k: health[k] for k in ('status', 'database')})}")
    assert refused > 0 and served.slack.posts()  # both kinds of answers happened


@FUZZ
@given(data=st.data())
def slack_bodies(served: Served, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["event", "click", "command", "json"]))
    response_url = served.slack.response_url("fuzz")
    if kind == "command":
        form = dict(parse_qsl(data.draw(slash_command_forms(response_url)),
                              keep_blank_values=True))
        form = _kept_local(form, "response_url", response_url)
        status = served.post("/slack/events", urlencode(form),
                             "application/x-www-form-urlencoded", signed=True)
    elif kind == "click":
        base = data.draw(st.sampled_from(slack_interactions(response_url)))
        payload = _kept_local(fresh_ids(data.draw(mutated(base)), next(_numbers)),
                              "response_url", response_url)
        body = urlencode({"payload": dumps(payload)}, encoding="utf-8",
                         errors="surrogatepass")
        status = served.post("/slack/events", body, "application/x-www-form-urlencoded",
                             signed=True)
    else:
        base = data.draw(st.sampled_from(slack_events())) if kind == "event" else None
        value = data.draw(mutated(base) if base is not None else json_values)
        status = served.post("/slack/events", dumps(fresh_ids(value, next(_numbers))),
                             "application/json", signed=True)
    assert status in {200, 400, 413}, status


@FUZZ
@given(data=st.data())
def teams_bodies(served: Served, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(teams_activities(served.connector.url)))
    activity = _kept_local(fresh_ids(data.draw(mutated(base, limit=1_200_000)),
                                     next(_numbers)), "serviceUrl", served.connector.url)
    status = served.post("/api/messages", dumps(activity), "application/json",
                         signed=False)
    assert status in {200, 202, 400, 413}, status
