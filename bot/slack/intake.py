"""Check a request to ``/slack/events`` (or a Socket Mode envelope) before Bolt sees it,
and answer what no listener takes.

Bolt assumes a well-formed request: a non-numeric ``X-Slack-Request-Timestamp``, a
correctly signed body that is not JSON, JSON nested thousands of levels deep or a field
of another type than Slack sends (``event`` null, ``user`` a number) makes it raise,
and aiohttp answers 500 with a traceback in the log. Here every malformed request is
refused with a 4xx status and one WARNING line (what was wrong, and from where); a
signed request whose fields do not have the types Slack sends (:mod:`bot.slack.shape`)
is acknowledged with 200 and ignored, with one WARNING line naming the field, so that
Slack does not retry it. Only a request that is signed, fresh, UTF-8, parses the way
Slack sends it (JSON, or a form whose ``payload`` is a JSON object) and has the shape
the bot reads is handed on, as the JSON of what was checked: Bolt reads the same
object (its own form parsing takes any body containing the word "payload" for an
interaction, which lost slash commands that mention it). A Socket Mode envelope's
payload gets the same check (:class:`CheckedSocketModeHandler`); a request that no
listener takes gets 200 and one INFO line (:func:`unhandled`) instead of Bolt's 404,
which Slack would retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.conversation import new_request_id
from bot.shape import UNREADABLE, BodyError, json_object, json_problem, what
from bot.slack.shape import problem

log = logging.getLogger(__name__)
# Slack's own requests are a few kilobytes (a modal submission with many blocks stays
# well below this); anything larger is not from Slack.
MAX_BODY_BYTES = 256 * 1024
MAX_CLOCK_SKEW_SECONDS = 5 * 60  # Slack's rule: older requests may be replays


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature (``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``),
    over the raw bytes (the SDK's verifier decodes them first and fails on bad UTF-8)."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RequestRefusal:
    """Why a request is refused: the HTTP status and a short reason for the log."""

    status: int
    reason: str

    def response(self, request: web.Request) -> web.Response:
        """Log the refusal (one WARNING line) and build the response: 200 with an empty
        body for a request that is acknowledged and ignored."""
        if self.status == 200:
            log.warning("Slack request ignored: %s (from %s)", self.reason,
                        request.remote or "-")
            return web.Response(status=200)
        log.warning("Slack request refused with %d: %s (from %s)", self.status, self.reason,
                    request.remote or "-")
        return web.Response(status=self.status, text=self.reason)


async def _body(request: web.Request) -> bytes | RequestRefusal:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return RequestRefusal(413, f"body of {request.content_length} bytes is too large")
    chunks: list[bytes] = []
    size = 0
    try:
        # read(n) returns what has arrived, up to n bytes: read until the end.
        while chunk := await request.content.read(64 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return RequestRefusal(413, "body is too large")
            chunks.append(chunk)
    except UNREADABLE as error:
        return RequestRefusal(400, f"body cannot be read ({type(error).__name__})")
    return b"".join(chunks)


def _verify(body: bytes, request: web.Request, secret: str) -> RequestRefusal | None:
    timestamp = request.headers.get("X-Slack-Request-Timestamp")
    given = request.headers.get("X-Slack-Signature")
    if timestamp is None or given is None:
        return RequestRefusal(401, "X-Slack-Request-Timestamp or X-Slack-Signature missing")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return RequestRefusal(401, "X-Slack-Request-Timestamp is not a number")
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return RequestRefusal(401, "stale X-Slack-Request-Timestamp")
    expected = signature(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        return RequestRefusal(401, "invalid signature")
    return None


def _parse(text: str, content_type: str) -> dict[str, Any] | RequestRefusal:
    if content_type == "application/json":
        try:
            return json_object(text)
        except BodyError as error:
            return RequestRefusal(400, f"body does not parse as {content_type}: {error}"[:200])
    if content_type != "application/x-www-form-urlencoded":
        return RequestRefusal(415, f"unsupported content type {content_type or '(none)'}")
    try:
        # The last of repeated fields wins, as in Bolt's own form parsing.
        form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except ValueError as error:
        return RequestRefusal(400, f"body does not parse as {content_type}: {error}"[:200])
    if "payload" not in form:
        return form
    try:
        return json_object(form["payload"])
    except BodyError as error:
        return RequestRefusal(400, f"form field payload does not parse: {error}"[:200])


async def checked_request(request: web.Request, secret: str) -> AsyncBoltRequest | RequestRefusal:
    """The Bolt request for ``request``, or why it is refused (see the module docstring)."""
    body = await _body(request)
    if isinstance(body, RequestRefusal):
        return body
    refused = _verify(body, request, secret)
    if refused is not None:
        return refused
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return RequestRefusal(400, "body is not UTF-8")
    parsed = _parse(text, request.content_type)
    if isinstance(parsed, RequestRefusal):
        return parsed
    wrong = problem(parsed)
    if wrong is not None:
        return RequestRefusal(200, wrong)
    # Bolt gets the checked object as JSON (its signature check is off: done here).
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["content-type"] = "application/json"
    headers.pop("content-length", None)
    return AsyncBoltRequest(body=json.dumps(parsed), query=request.query_string,
                            headers=headers)  # type: ignore[arg-type]


async def unhandled(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Bolt's last resort: a request no listener takes is acknowledged and ignored (one
    INFO line); an error in a middleware or listener is logged with its reference and
    the request acknowledged too (Slack's retry would meet the same error)."""
    if isinstance(error, BoltUnhandledRequestError):
        log.info("Slack request ignored: no listener for %s", _kind(body))
    else:
        log.error("request_id=%s: handling a Slack request (%s) failed", new_request_id(),
                  _kind(body), exc_info=error)
    return BoltResponse(status=200, body="")


def _kind(body: dict[str, Any]) -> str:
    """What a request is, for a log line: its type, event type, command or action."""
    event = body.get("event")
    event = event if isinstance(event, dict) else {}
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    action = action if isinstance(action, dict) else {}
    parts = [body.get("type") or body.get("command") or "an untyped request",
             event.get("type"), action.get("action_id")]
    return " ".join(str(part)[:60] for part in parts if part)


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with each envelope's payload checked like an HTTP
    request's body (:mod:`bot.slack.shape`): one that does not fit is acknowledged and
    ignored with one WARNING line."""

    async def handle(self, client: Any, req: SocketModeRequest) -> None:
        wrong = _socket_problem(req.payload)
        if wrong is None:
            await super().handle(client, req)
            return
        log.warning("Slack request ignored: %s (Socket Mode envelope %.40s)", wrong,
                    req.envelope_id)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def _socket_problem(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return f"the payload is {what(payload)}, not an object"
    return json_problem(payload) or problem(payload)
