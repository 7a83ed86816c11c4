"""Malformed requests to /slack/events (issue 11, item 7; issue 20, item 1): each is a
4xx, or for a signed body with fields of the wrong type a 200 that ignores it, with
exactly one WARNING line, never a 500, never a traceback, and nothing reaches Slack."""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from bot.buttons import AnswerRef, Share, ShowPassage
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


def _event(**changes: object) -> dict[str, object]:
    """A signed mention's callback with ``changes``: ``event.x`` keys go into the event."""
    body = p.event_callback(p.app_mention(QUESTION, ts=p.next_ts()))
    for key, value in changes.items():
        if key.startswith("event."):
            body["event"][key.removeprefix("event.")] = value
        else:
            body[key] = value
    return body


def _click(**changes: object) -> dict[str, object]:
    return {**p.block_actions("show_passage.de.0", p.value(ShowPassage(passage="sales-manager"))),
            **changes}


# Signed bodies with a field of another type than Slack sends (issue 20, item 1), and
# the field the warning names.
WRONG_TYPES = {
    "event null": (_event(event=None), "event is null"),
    "event a list": (_event(event=[1, 2]), "event is a list"),
    "event a string": (_event(event="type"), "event is a string"),
    "authorizations a string": (_event(authorizations="x"), "authorizations is a string"),
    "user a number": (_event(**{"event.user": 42}), "event.user is a number"),
    "channel a number": (_event(**{"event.channel": 7}), "event.channel is a number"),
    "thread_ts a list": (_event(**{"event.thread_ts": ["1.2"]}), "event.thread_ts is a list"),
    "actions a string": (_click(actions="x"), "actions is a string"),
    "actions empty": (_click(actions=[]), "actions is an empty list"),
    "clicker null": (_click(user=None), "user is null"),
    "button value nested": (_click(actions=[{"action_id": "share_answer",
                                             "value": "[" * 1000 + "]" * 1000}]),
                            "actions[0].value nests brackets deeper than 16 levels"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_a_signed_body_of_the_wrong_shape_is_acknowledged_and_ignored(
        case: str, server: SlackServer, fake_slack: FakeSlack,
        caplog: pytest.LogCaptureFixture) -> None:
    body, field = WRONG_TYPES[case]
    with caplog.at_level(logging.DEBUG):
        if body.get("type") == "block_actions":
            result = server.interaction(body)
        else:
            result = server.event(body)
        server.idle()
    assert result.status == 200  # acknowledged, so Slack does not retry it
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].getMessage().startswith(f"Slack request ignored: {field}")
    assert problems[0].exc_info is None
    assert fake_slack.posts() == []


@pytest.mark.parametrize("where", ["json", "form payload"])
def test_json_nested_thousands_of_levels_is_a_400(where: str, server: SlackServer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    deep = "[" * 30_000 + "]" * 30_000  # within the size limit, also form-encoded
    body = f'{{"type": "event_callback", "event": {deep}}}'
    with caplog.at_level(logging.DEBUG):
        if where == "json":
            result = server.post(body, JSON)
        else:
            result = server.post(urlencode({"payload": body}), FORM)
    assert result.status == 400 and "nested deeper than 64 levels" in result.body
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].exc_info is None


def test_bad_input_never_switches_the_database_off(server: SlackServer,
                                                   fake_slack: FakeSlack) -> None:
    store = server.store
    assert server.event(_event(**{"event.thread_ts": ["1.2"]})).status == 200
    assert server.event(_event(**{"event.ts": {"x": 1}})).status == 200
    assert server.event(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts()))).status == 200
    fake_slack.wait_posts(1)
    server.idle()
    assert store is not None and store.up
    asked = store.questions_since(datetime.now(UTC) - timedelta(minutes=5))
    assert [q.surface for q in asked] == ["mention"]  # recorded in the database


def test_a_slash_command_that_mentions_payload_is_answered(server: SlackServer,
                                                           fake_slack: FakeSlack) -> None:
    """Bolt's own form parsing took any body containing "payload" for an interaction and
    answered 404; the checked body is handed on as JSON instead."""
    form = p.slash_command("Sales Manager payload", fake_slack.response_url("payload"))
    assert server.command(form).status == 200
    [answer] = fake_slack.wait_posts(1)
    assert answer.path == "/response/payload" and "Sales Manager" in answer.block_text()


IGNORED_KINDS = {
    "view submission": {"type": "view_submission", "user": {"id": p.USER},
                        "view": {"id": "V1", "type": "modal", "callback_id": "x"}},
    "unsubscribed event": p.event_callback({"type": "reaction_added", "user": p.USER,
                                            "item": {"channel": p.CHANNEL}}),
    "app uninstalled": p.event_callback({"type": "app_uninstalled"}),
    "unknown button": p.block_actions("no_such_button", "x"),
    "untyped": {"token": "x"},
}


@pytest.mark.parametrize("kind", sorted(IGNORED_KINDS))
def test_a_request_no_listener_takes_is_acknowledged_with_one_line(
        kind: str, server: SlackServer, fake_slack: FakeSlack,
        caplog: pytest.LogCaptureFixture) -> None:
    body = IGNORED_KINDS[kind]
    with caplog.at_level(logging.DEBUG):
        if body.get("type") in ("view_submission", "block_actions"):
            result = server.interaction(body)
        else:
            result = server.event(body)
        server.idle()
    assert result.status == 200  # Bolt's own answer is a 404, which Slack retries
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    ignored = [r.getMessage() for r in caplog.records
               if r.getMessage().startswith("Slack request ignored: no listener")]
    assert len(ignored) == 1
    assert fake_slack.posts() == []


def test_a_body_that_arrives_in_pieces_is_read_whole(server: SlackServer,
                                                     fake_slack: FakeSlack) -> None:
    """The body is read to its end before the signature is checked (a single read
    returned what had arrived so far: a 401 for a body sent in two pieces)."""
    body = json.dumps(p.event_callback(p.app_mention(QUESTION, ts=p.next_ts()))).encode()
    headers = _signed(server, body)
    head = "".join(f"{name}: {value}\r\n" for name, value in {
        **headers, "Host": "127.0.0.1", "Content-Length": str(len(body)),
        "Connection": "close"}.items())
    with socket.create_connection(("127.0.0.1", server.running.port), timeout=10) as conn:
        conn.sendall(f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + body[:100])
        time.sleep(0.3)  # the server's handler has started reading meanwhile
        conn.sendall(body[100:])
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"200", status_line
    assert "Sales Manager" in fake_slack.wait_posts(1)[0].block_text()


def test_a_share_click_without_a_response_url_is_one_warning(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    share = Share(answer=AnswerRef(question="x", passages=("sales-manager",)))
    click = p.block_actions("share_answer", p.value(share),
                            ephemeral=True)  # no response_url: nowhere to share from
    with caplog.at_level(logging.DEBUG):
        assert server.interaction(click).status == 200
        server.idle()
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(": ", 1)[1] for r in problems] == [
        "a share click without a response_url ignored"]
    assert not any(r.exc_info for r in caplog.records)
    assert fake_slack.posts() == []


def test_a_body_in_a_content_encoding_it_is_not_in_is_a_400_with_one_warning(
        server: SlackServer, caplog: pytest.LogCaptureFixture) -> None:
    body = b"this is no gzip"
    headers = {**_signed(server, body), "Content-Encoding": "gzip", "Host": "127.0.0.1",
               "Content-Length": str(len(body)), "Connection": "close"}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with caplog.at_level(logging.DEBUG), \
            socket.create_connection(("127.0.0.1", server.running.port), timeout=10) as conn:
        conn.sendall(f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + body)
        status_line = conn.makefile("rb").readline()
        server.idle()
    assert status_line.split()[1] == b"400"
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" (from")[0] for r in problems] == [
        "Slack request refused with 400: body cannot be read (RequestPayloadError)"]
    assert not any(r.exc_info for r in caplog.records)


def test_a_lone_surrogate_is_a_400_and_leaves_the_database_on(
        server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    """"\\ud800" is valid JSON but no text: in a channel id it made the store fail, and
    the guard took that for an outage."""
    body = json.dumps(_event(**{"event.channel": "C\ud800"}))  # escaped as \\ud800
    with caplog.at_level(logging.DEBUG):
        result = server.post(body, JSON)
        server.idle()
    assert result.status == 400 and "lone surrogate" in result.body
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].exc_info is None
    assert server.store is not None and server.store.up
    assert fake_slack.posts() == []
