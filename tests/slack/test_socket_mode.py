"""Socket Mode end to end: ``SLACK_APP_TOKEN`` set, envelopes over a loopback WebSocket
from the fake Slack, acknowledgements and answers recorded there."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from bot.config import Settings
from bot.core.engine import Engine
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, Call, FakeSlack, header
from tests.slack.harness import LoopThread, SlackServer, count_signature_checks, http
from tests.support import reconfigure


@pytest.fixture
def socket_server(loop_thread: LoopThread, slack_settings: Settings, engine: Engine,
                  fake_slack: FakeSlack) -> Iterator[SlackServer]:
    socket_settings = reconfigure(
        slack_settings, {"slack_app_token": "xapp-1-test", "slack_signing_secret": None})
    running = SlackServer(loop_thread, socket_settings, engine)
    fake_slack.wait_for(lambda calls: any(c.method == "socket.connect" for c in calls),
                        what="the Socket Mode connection")
    yield running
    running.stop()


def acked(envelope_id: str) -> Callable[[list[Call]], bool]:
    return lambda calls: any(c.method == "socket.ack" and
                             c.params.get("envelope_id") == envelope_id for c in calls)


def test_mention_over_socket_mode(socket_server: SlackServer, fake_slack: FakeSlack,
                                  loop_thread: LoopThread,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    checks = count_signature_checks(monkeypatch)  # the app token authenticates the socket
    opened = fake_slack.of("apps.connections.open")
    assert opened and opened[0].path == "/api/apps.connections.open"
    ts = p.next_ts()
    event = p.app_mention(f"<@{BOT_USER_ID}> Was macht ein Sales Manager?", ts=ts)
    loop_thread.run(fake_slack.push({
        "envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
        "retry_attempt": 0, "retry_reason": "", "payload": p.event_callback(event)}))
    fake_slack.wait_for(acked("env-1"), what="the envelope acknowledgement")
    post = fake_slack.wait_posts(1)[0]
    assert post.params["thread_ts"] == ts
    assert header(post) == "Sales Manager"
    assert checks == {}


def test_slash_command_over_socket_mode(socket_server: SlackServer, fake_slack: FakeSlack,
                                        loop_thread: LoopThread) -> None:
    command = p.slash_command("liste", fake_slack.response_url("socket"))
    loop_thread.run(fake_slack.push({
        "envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
        "payload": command}))
    fake_slack.wait_for(acked("env-2"), what="the command acknowledgement")
    post = fake_slack.wait_posts(1)[0]
    assert post.path == "/response/socket"
    assert "Rollen und Themen nach Bereich" in post.params["text"]


def test_socket_mode_serves_no_http_events(socket_server: SlackServer,
                                           loop_thread: LoopThread) -> None:
    assert http("POST", socket_server.url + "/slack/events", b"{}").status in (404, 405)
    # Health waits for the start-up self-check, which may still run on a busy machine.
    loop_thread.run(socket_server.running.wait_checked())
    assert http("GET", socket_server.url + "/healthz").status == 200


@pytest.mark.parametrize("payload", [
    {"type": "event_callback", "event": None, "event_id": "Ev1"},
    {**p.event_callback(p.app_mention("x", ts="1.2")), "authorizations": "x"},
], ids=["event null", "authorizations a string"])
def test_an_envelope_of_the_wrong_shape_is_acknowledged_and_ignored(
        socket_server: SlackServer, fake_slack: FakeSlack, loop_thread: LoopThread,
        payload: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        loop_thread.run(fake_slack.push({
            "envelope_id": "env-odd", "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": 0, "retry_reason": "", "payload": payload}))
        fake_slack.wait_for(acked("env-odd"), what="the envelope acknowledgement")
        socket_server.idle()
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].getMessage().startswith("Slack request ignored: ")
    assert problems[0].exc_info is None
    assert fake_slack.posts() == []
