"""Request verification and app construction."""

from __future__ import annotations

import json
import time

import pytest

from bot.config import Settings
from bot.core.engine import Engine
from bot.slack.app import SlackConfigError, create_app, web_client
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.harness import SlackServer, count_signature_checks, forged_signature, http
from tests.support import reconfigure

QUESTION = f"<@{BOT_USER_ID}> Was macht ein Sales Manager?"


def test_forged_signature_gets_401_and_no_answer(server: SlackServer,
                                                 fake_slack: FakeSlack) -> None:
    body = json.dumps(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts())))
    now = int(time.time())
    result = server.post(body, "application/json", headers={
        "X-Slack-Signature": forged_signature(body, now)})
    assert result.status == 401
    form = p.slash_command("Was macht ein Sales Manager?", fake_slack.response_url("x"))
    assert server.command(form, secret="wrong-secret").status == 401
    server.idle()
    assert fake_slack.calls == []  # not even auth.test: verification comes first


def test_each_request_is_verified_once_by_the_intake_and_not_again_by_bolt(
        server: SlackServer, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = count_signature_checks(monkeypatch)
    assert server.event(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts()))).status == 200
    form = p.slash_command("Sales Manager", fake_slack.response_url("once"))
    assert server.command(form).status == 200
    click = p.block_actions("show_passage.de.0", "sales-manager", ephemeral=True,
                            response_url=fake_slack.response_url("click"))
    assert server.interaction(click).status == 200
    assert server.command(form, secret="wrong-secret").status == 401
    fake_slack.wait_posts(3)
    server.idle()
    assert checks == {"intake": 4}  # one per request, the forged one included


def test_stale_timestamp_gets_401(server: SlackServer, fake_slack: FakeSlack) -> None:
    payload = p.event_callback(p.app_mention(QUESTION, ts=p.next_ts()))
    result = server.event(payload, timestamp=int(time.time()) - 10 * 60)  # correctly signed
    assert result.status == 401
    server.idle()
    assert fake_slack.posts() == []


def test_missing_signature_gets_401(server: SlackServer, fake_slack: FakeSlack) -> None:
    body = json.dumps(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts())))
    result = http("POST", server.url + "/slack/events", body.encode(),
                  {"Content-Type": "application/json"})
    assert result.status == 401
    assert fake_slack.posts() == []


def test_tampered_body_gets_401(server: SlackServer, fake_slack: FakeSlack) -> None:
    body = json.dumps(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts())))
    headers = server.signed_headers(body, "application/json")
    tampered = body.replace("Sales Manager", "Vertriebsleiter")
    assert http("POST", server.url + "/slack/events", tampered.encode(), headers).status == 401
    assert fake_slack.posts() == []


def test_url_verification_answers_the_challenge(server: SlackServer) -> None:
    payload = {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
               "type": "url_verification"}
    result = server.event(payload)
    assert result.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in result.body


def test_missing_settings_are_named(settings: Settings, engine: Engine) -> None:
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        create_app(settings, engine)
    http_mode = reconfigure(settings, {"slack_bot_token": "xoxb-1"})
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        create_app(http_mode, engine)
    socket_mode = reconfigure(http_mode, {"slack_app_token": "xapp-1"})
    assert create_app(socket_mode, engine) is not None  # Socket Mode needs no secret


def test_api_url_override(settings: Settings) -> None:
    custom = reconfigure(settings, {"slack_bot_token": "xoxb-1",
                                         "slack_api_url": "http://127.0.0.1:9/api"})
    assert web_client(custom).base_url == "http://127.0.0.1:9/api/"
    default = reconfigure(settings, {"slack_bot_token": "xoxb-1"})
    assert web_client(default).base_url == "https://slack.com/api/"
