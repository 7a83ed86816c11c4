"""Check a request to ``/slack/events`` before Bolt sees it.

Bolt assumes a well-formed request: a non-numeric ``X-Slack-Request-Timestamp`` or a
correctly signed body that is not JSON makes it raise, and aiohttp answers 500 with a
traceback in the log. Here every malformed request is refused with a 4xx status and
one WARNING line (what was wrong, and from where); only a request that is signed,
fresh, UTF-8 and parses the way Slack sends it (JSON, or a form whose ``payload`` is a
JSON object) is handed on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

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
class Refusal:
    """Why a request is refused: the HTTP status and a short reason for the log."""

    status: int
    reason: str

    def response(self, request: web.Request) -> web.Response:
        """Log the refusal (one WARNING line) and build the response."""
        log.warning("Slack request refused with %d: %s (from %s)", self.status, self.reason,
                    request.remote or "-")
        return web.Response(status=self.status, text=self.reason)


async def _body(request: web.Request) -> bytes | Refusal:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return Refusal(413, f"body of {request.content_length} bytes is too large")
    try:
        body = await request.content.read(MAX_BODY_BYTES + 1)
    except (ValueError, ConnectionError) as error:  # a broken chunked body, a reset
        return Refusal(400, f"body cannot be read ({type(error).__name__})")
    if len(body) > MAX_BODY_BYTES:
        return Refusal(413, "body is too large")
    return body


def _verify(body: bytes, request: web.Request, secret: str) -> Refusal | None:
    timestamp = request.headers.get("X-Slack-Request-Timestamp")
    given = request.headers.get("X-Slack-Signature")
    if timestamp is None or given is None:
        return Refusal(401, "X-Slack-Request-Timestamp or X-Slack-Signature missing")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return Refusal(401, "X-Slack-Request-Timestamp is not a number")
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return Refusal(401, "stale X-Slack-Request-Timestamp")
    expected = signature(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        return Refusal(401, "invalid signature")
    return None


def _parse(text: str, content_type: str) -> Refusal | None:
    try:
        if content_type == "application/json":
            if not isinstance(json.loads(text), dict):
                return Refusal(400, "JSON body is not an object")
        elif content_type == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
            payload = form.get("payload")
            if payload is not None and not isinstance(json.loads(payload[0]), dict):
                return Refusal(400, "form field payload is not a JSON object")
        else:
            return Refusal(415, f"unsupported content type {content_type or '(none)'}")
    except ValueError as error:  # JSONDecodeError and a broken form are ValueErrors
        return Refusal(400, f"body does not parse as {content_type}: {error}"[:200])
    return None


async def checked_request(request: web.Request, secret: str) -> AsyncBoltRequest | Refusal:
    """The Bolt request for ``request``, or why it is refused (see the module docstring)."""
    body = await _body(request)
    if isinstance(body, Refusal):
        return body
    refused = _verify(body, request, secret)
    if refused is not None:
        return refused
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    refused = _parse(text, request.content_type)
    if refused is not None:
        return refused
    return AsyncBoltRequest(body=text, query=request.query_string,
                            headers=request.headers)  # type: ignore[arg-type]
