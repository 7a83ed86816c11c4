"""Slack's API failing under the bot (issue 11, item 3): 429 with ``Retry-After`` and 5xx
from the Web API or a ``response_url`` are retried until the answer arrives; when the
retries are exhausted, the failure is logged once with its reference and nothing more
is sent to the failing API (no error note into the same hole)."""

from __future__ import annotations

import logging
import time

import pytest

from bot.slack.app import RETRIES
from bot.slack.targets import RESPONSE_URL_ATTEMPTS
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support.net import http
from tests.test_ops import metric

MENTION = f"<@{BOT_USER_ID}> Was macht ein Sales Manager?"
FAILED = "delivering the reply to Slack failed"


def _mention(server: SlackServer) -> str:
    ts = p.next_ts()
    assert server.event(p.event_callback(p.app_mention(MENTION, ts=ts))).status == 200
    return ts


def _metrics(server: SlackServer) -> str:
    return http("GET", server.url + "/metrics").body


def _command(server: SlackServer, fake: FakeSlack, key: str) -> None:
    form = {**p.slash_command("Sales Manager", fake.response_url(key)),
            "trigger_id": f"trigger-{key}"}
    assert server.command(form).status == 200


@pytest.mark.parametrize("status", [429, 500, 503])
def test_web_api_failures_are_retried_until_the_answer_arrives(
        status: int, server: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", 2, status=status, retry_after=1)
    started = time.monotonic()
    ts = _mention(server)
    server.idle(30)
    posts = fake_slack.of("chat.postMessage")
    assert len(posts) == 1 and posts[0].params["thread_ts"] == ts
    assert header(posts[0]) == "Sales Manager"
    attempts = fake_slack.attempts("chat.postMessage")
    assert [c.status for c in attempts] == [status, status, 200]
    if status == 429:  # Retry-After: 1 was honoured, twice
        assert time.monotonic() - started >= 2.0


@pytest.mark.parametrize("status", [429, 502])
def test_response_url_failures_are_retried(status: int, server: SlackServer,
                                           fake_slack: FakeSlack) -> None:
    fake_slack.fail("response_url", 2, status=status, retry_after=1)
    _command(server, fake_slack, "retry")
    server.idle(30)
    answers = fake_slack.of("response_url")
    assert len(answers) == 1 and "Sales Manager" in answers[0].block_text()
    assert [c.status for c in fake_slack.attempts("response_url")] == [status, status, 200]


def test_exhausted_web_api_retries_are_logged_once_and_not_called_again(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    fake_slack.fail("chat.postMessage", 100, status=500)
    with caplog.at_level(logging.INFO):
        _mention(server)
        server.idle(30)
        time.sleep(0.5)
    attempts = fake_slack.attempts("chat.postMessage")
    assert len(attempts) == 1 + RETRIES  # the first call and the client's retries
    assert all(c.status == 500 for c in attempts)
    assert fake_slack.posts() == []  # nothing went anywhere else either
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and FAILED in failures[0].getMessage()
    assert "request_id=" in failures[0].getMessage()
    # One line with the reason: a traceback would say nothing more about a refusal.
    assert "SlackApiError" in failures[0].getMessage() and "status: 500" in \
        failures[0].getMessage() and failures[0].exc_info is None


def test_exhausted_response_url_retries_are_logged_once_and_not_called_again(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    fake_slack.fail("response_url", 100, status=429, retry_after=1)
    with caplog.at_level(logging.INFO):
        _command(server, fake_slack, "down")
        server.idle(30)
        time.sleep(0.5)
    assert len(fake_slack.attempts("response_url")) == RESPONSE_URL_ATTEMPTS
    assert fake_slack.posts() == []
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and FAILED in failures[0].getMessage()
    assert "request_id=" in failures[0].getMessage()


def test_web_api_retries_and_failures_are_counted_in_the_metrics(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    retries, errors = "rollenbot_platform_api_retries_total", "rollenbot_platform_api_errors_total"
    fake_slack.fail("chat.postMessage", 1, status=429, retry_after=1)  # 429, then 200
    _mention(server)
    server.idle(30)
    assert [c.status for c in fake_slack.attempts("chat.postMessage")] == [429, 200]
    page = _metrics(server)
    assert metric(page, retries, platform="slack") == 1
    assert metric(page, errors, platform="slack", status="429") == 0
    fake_slack.fail("chat.postMessage", 100, status=500)  # never succeeds
    _mention(server)
    server.idle(30)
    page = _metrics(server)
    assert metric(page, retries, platform="slack") == 1 + RETRIES
    assert metric(page, errors, platform="slack", status="500") == 1
    assert metric(page, retries, platform="teams") == 0
