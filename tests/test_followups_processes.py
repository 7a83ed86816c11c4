"""Follow-ups are read against the conversation's last answer wherever it was given:
on another replica (two `rolle serve` processes sharing PostgreSQL), after a restart
(a `rolle serve` stopped and started again on the same SQLite file, Teams), and in the
terminal chat after the chat was closed and opened again.

Real processes, the real engine on the session's index, signed Slack requests and Teams
Activity JSON over loopback, the fake Slack Web API and Bot Connector recording replies.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.pg import create_database, pg_admin_url  # noqa: F401  (the fixture)
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack, header
from tests.support.net import LoopThread, http, start_site
from tests.support.replica import Replica, serve_env
from tests.teams.harness import FakeConnector, card_of, personal_message, texts_of

pytestmark = pytest.mark.slow
MENTION = f"<@{BOT_USER_ID}>"


@pytest.fixture
def fakes(loop_thread: LoopThread) -> Iterator[tuple[FakeSlack, FakeConnector]]:
    """The fake Slack Web API and the fake Teams Bot Connector, on loopback."""
    slack, teams = FakeSlack(), FakeConnector()
    runner, slack.url = loop_thread.run(start_site(slack.app()))
    loop_thread.run(teams.start())
    yield slack, teams
    loop_thread.run(teams.stop())
    loop_thread.run(runner.cleanup())


def answered(replica: Replica, fake: FakeSlack, event: dict[str, Any], count: int) -> Any:
    """Send ``event`` to ``replica``; the ``count``-th message posted since the start."""
    assert replica.event(p.event_callback(event)) == 200
    return fake.wait_posts(count)[count - 1]


def test_a_thread_follow_up_on_another_replica(
        fakes: tuple[FakeSlack, FakeConnector], real_settings: Settings,
        pg_admin_url: str, tmp_path: Path) -> None:  # noqa: F811
    fake_slack = fakes[0]
    env = serve_env(api_url=fake_slack.url + "/api/",
                    database_url=create_database(pg_admin_url),
                    index_dir=real_settings.index_dir)
    first, second = Replica(env, tmp_path / "a.log"), Replica(env, tmp_path / "b.log")
    try:
        root = p.next_ts()
        question = p.app_mention(f"{MENTION} Was macht ein Business Development Manager?",
                                 ts=root)
        assert header(answered(first, fake_slack, question, 1)) == "Business Development Manager"
        follow_up = p.channel_message("und der Head davon?", ts=p.next_ts(), thread_ts=root)
        answer = answered(second, fake_slack, follow_up, 2)
        assert answer.params["thread_ts"] == root
        assert header(answer) == "Head of Business Development"
        assert "Bezogen auf: Business Development Manager" in answer.block_text()
    finally:
        first.stop()
        second.stop()


def test_a_teams_follow_up_after_a_restart(
        fakes: tuple[FakeSlack, FakeConnector], real_settings: Settings,
        tmp_path: Path) -> None:
    fake_slack, connector = fakes
    env = serve_env(api_url=fake_slack.url + "/api/",
                    database_url=f"sqlite:///{tmp_path / 'rollenbot.db'}",
                    index_dir=real_settings.index_dir, ROLLE_TEAMS_ANONYMOUS="true")

    def ask(replica: Replica, text: str, count: int) -> dict[str, Any]:
        body = json.dumps(personal_message(connector.url, text)).encode()
        status = http("POST", replica.url + "/api/messages", body,
                      {"Content-Type": "application/json"}).status
        assert status == 202
        return card_of(connector.wait_messages(count)[count - 1])

    server = Replica(env, tmp_path / "a.log")
    try:
        assert texts_of(ask(server, "Was macht ein BDM?", 1))[0] == "Business Development Manager"
    finally:
        server.stop()
    restarted = Replica(env, tmp_path / "b.log")
    try:
        card = ask(restarted, "und der Head davon?", 2)
        assert texts_of(card)[0] == "Head of Business Development"
    finally:
        restarted.stop()


def test_a_terminal_follow_up_after_the_chat_was_closed(real_settings: Settings,
                                                        tmp_path: Path) -> None:
    env = serve_env(api_url="http://127.0.0.1:9/", index_dir=real_settings.index_dir,
                    database_url=f"sqlite:///{tmp_path / 'rollenbot.db'}")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"):
        env.pop(name)

    def chat(line: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input=line + "\n",
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        return done.stdout

    assert "Frage> Vertriebsleiter\nVertriebsleiter\n" in chat("Vertriebsleiter")
    later = chat("welche Aufgaben hat die Assistenz?")
    assert "Bezogen auf: Vertriebsleiter\nVertriebsassistenz\n" in later
