"""Malformed requests to /slack/events (issue 11, item 7): each is a 4xx with exactly
one WARNING line, never a 500, never a traceback, and nothing reaches Slack."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot.slack import intake
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.harness import SECRET, SlackServer, http

QUESTION = f"<@{BOT_USER_ID}> Was macht ein Sales Manager?"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _mention() -> str:
    return json.dumps(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts())))


def _signed(server: SlackServer, body: bytes, content_type: str = JSON,
            **headers: str) -> dict[str, str]:
    ts = headers.pop("timestamp", str(int(time.time())))
    signature = intake.signature(SECRET, ts, body)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature, **headers}


def _cases(server: SlackServer) -> dict[str, tuple[bytes, dict[str, str], int]]:
    body = _mention().encode()
    signed = _signed(server, body)
    not_json = b'{"type": "event_callback", "event": {'
    not_utf8 = b'{"type": "event_callback", "text": "\xff\xfe"}'
    huge = json.dumps({"type": "event_callback", "pad": "x" * 2_000_000}).encode()
    bad_payload = urlencode({"payload": "{not json"}).encode()
    return {
        "non-numeric timestamp": (body, {**signed, "X-Slack-Request-Timestamp": "abc"}, 401),
        "float timestamp": (body, _signed(server, body, timestamp="1700000000.5"), 401),
        "huge timestamp": (body, _signed(server, body, timestamp="9" * 40), 401),
        "no timestamp": (body, {k: v for k, v in signed.items()
                                if k != "X-Slack-Request-Timestamp"}, 401),
        "no signature": (body, {k: v for k, v in signed.items()
                                if k != "X-Slack-Signature"}, 401),
        "no headers at all": (body, {}, 401),
        "signed invalid JSON": (not_json, _signed(server, not_json), 400),
        "signed JSON array": (b"[1, 2]", _signed(server, b"[1, 2]"), 400),
        "signed invalid UTF-8": (not_utf8, _signed(server, not_utf8), 400),
        "signed form with invalid payload JSON": (
            bad_payload, _signed(server, bad_payload, FORM), 400),
        "signed unknown content type": (b"hello", _signed(server, b"hello", "text/plain"), 415),
        "oversized body": (huge, _signed(server, huge), 413),
        "non-ASCII signature": (body, {**signed, "X-Slack-Signature": "v0=\u00e4"}, 401),
        "empty signed body": (b"", _signed(server, b""), 400),
    }


@pytest.mark.parametrize("case", [
    "non-numeric timestamp", "float timestamp", "huge timestamp", "no timestamp",
    "no signature", "no headers at all", "signed invalid JSON", "signed JSON array",
    "signed invalid UTF-8", "signed form with invalid payload JSON",
    "signed unknown content type", "oversized body", "empty signed body",
    "non-ASCII signature"])
def test_malformed_request_is_a_4xx_with_one_warning(
        case: str, server: SlackServer, fake_slack: FakeSlack,
        caplog: pytest.LogCaptureFixture) -> None:
    body, headers, status = _cases(server)[case]
    with caplog.at_level(logging.DEBUG):
        result = http("POST", server.url + "/slack/events", body, headers)
        server.idle()
    assert result.status == status, result.body
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].levelno == logging.WARNING and problems[0].exc_info is None
    assert "Slack request refused" in problems[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert fake_slack.posts() == []


def test_a_well_formed_request_still_gets_through(server: SlackServer,
                                                  fake_slack: FakeSlack) -> None:
    assert server.post(_mention(), JSON).status == 200
    fake_slack.wait_posts(1)
    form = p.slash_command("Was macht ein Sales Manager?", fake_slack.response_url("ok"))
    assert server.command(form).status == 200
    fake_slack.wait_posts(2)
