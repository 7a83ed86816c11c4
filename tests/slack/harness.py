"""Run the real server and the fake Slack on loopback, and talk to them like Slack.

An asyncio loop runs in a background thread; tests stay synchronous and send signed
HTTP requests with urllib, the way Slack would.
"""


from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot import compose
from bot.config import Settings
from bot.conversation import Answerer
from bot.core.storage.guard import GuardedStore
from bot.server import CONVERSATION_KEY, Running, start
from bot.slack import intake
from tests.support.net import HttpResult, LoopThread, http

SECRET = "test-signing-secret-0123456789"


class SlackServer:
    """The real Rollenbot web app on 127.0.0.1, reached with signed requests."""

    def __init__(self, loop: LoopThread, settings: Settings, engine: Answerer,
                 running: Running | None = None, store: GuardedStore | None = None) -> None:
        """Start a server for ``settings``, ``engine`` and ``store`` (or talk to
        ``running``)."""
        self.loop = loop
        if running is None:
            conversation = compose.conversation(settings, engine, store)
            running = loop.run(start(settings, conversation, host="127.0.0.1", port=0))
        self.running: Running = running
        self.url = f"http://127.0.0.1:{self.running.port}"
        self.verifier = SignatureVerifier(SECRET)

    @property
    def store(self) -> GuardedStore | None:
        """The server's store (None: it has none)."""
        return self.running.web_app[CONVERSATION_KEY].store

    def idle(self, timeout: float = 20.0) -> None:
        """Wait until every acknowledged request has been answered (the server's own
        in-flight count, which shutdown waits on too)."""
        if not self.loop.run(self.running.inflight.wait_idle(timeout)):
            raise AssertionError("answers still in flight after the timeout")

    def stop(self) -> None:
        """Wait for answers in flight, then shut the server down."""
        self.idle()
        self.loop.run(self.running.stop())

    def signed_headers(self, body: str, content_type: str, *, timestamp: int | None = None,
                       secret: str | None = None) -> dict[str, str]:
        """Headers as Slack sends them, signed with the signing secret."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        verifier = self.verifier if secret is None else SignatureVerifier(secret)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
        }

    def post(self, body: str, content_type: str, **options: Any) -> HttpResult:
        """POST ``body`` to /slack/events, signed (``options`` go to the headers)."""
        extra = options.pop("headers", {})
        headers = {**self.signed_headers(body, content_type, **options), **extra}
        return http("POST", self.url + "/slack/events", body.encode(), headers)

    def event(self, payload: dict[str, Any], **options: Any) -> HttpResult:
        """An Events API callback."""
        return self.post(json.dumps(payload), "application/json", **options)

    def command(self, form: dict[str, str], **options: Any) -> HttpResult:
        """A slash command (form-encoded)."""
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **options)

    def interaction(self, payload: dict[str, Any], **options: Any) -> HttpResult:
        """An interactivity payload (``payload=<json>``, form-encoded)."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **options)


def forged_signature(body: str, timestamp: int) -> str:
    """A well-formed signature made with the wrong secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(b"not-the-secret", base, hashlib.sha256).hexdigest()


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count from now on the signature checks of the intake (``"intake"``) and of the
    Slack SDK's verifier, which Bolt's own check would use (``"sdk"``)."""
    counts: Counter[str] = Counter()
    sign, is_valid = intake.signature, SignatureVerifier.is_valid

    def counted_sign(*args: Any) -> str:
        counts["intake"] += 1
        return sign(*args)

    def counted_is_valid(self: SignatureVerifier, *args: Any, **kwargs: Any) -> bool:
        counts["sdk"] += 1
        return is_valid(self, *args, **kwargs)

    monkeypatch.setattr(intake, "signature", counted_sign)
    monkeypatch.setattr(SignatureVerifier, "is_valid", counted_is_valid)
    return counts
