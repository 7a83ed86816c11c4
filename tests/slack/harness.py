"""Run the real server and the fake Slack on loopback, and talk to them like Slack.

An asyncio loop runs in a background thread; tests stay synchronous and send signed
HTTP requests with urllib, the way Slack would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.core.engine import Engine
from bot.server import Running, start

T = TypeVar("T")
SECRET = "test-signing-secret-0123456789"
# Names of Bolt's coroutines that still run after Slack got its 200.
_BACKGROUND = {"to_runnable_function", "run_ack_function_asynchronously",
               "request_wired_wrapper"}
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LoopThread:
    """An asyncio event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` in the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and the thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def idle(self, timeout: float = 20.0) -> None:
        """Wait until no Bolt listener or lazy listener is running any more."""
        deadline = time.monotonic() + timeout
        while self.run(_busy_tasks()):
            if time.monotonic() > deadline:
                raise AssertionError("listeners still running after the timeout")
            time.sleep(0.02)


async def _busy_tasks() -> int:
    return sum(1 for task in asyncio.all_tasks()
               if getattr(task.get_coro(), "__name__", "") in _BACKGROUND)


async def start_site(app: web.Application) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on 127.0.0.1 at a free port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, int(runner.addresses[0][1])


@dataclass
class HttpResult:
    """Status and body of a response."""

    status: int
    body: str


def http(method: str, url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> HttpResult:
    """One HTTP request without proxies; errors come back as results, not exceptions."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _NO_PROXY.open(request, timeout=30) as response:
            return HttpResult(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.read().decode())


class SlackServer:
    """The real Rollenbot web app on 127.0.0.1, reached with signed requests."""

    def __init__(self, loop: LoopThread, settings: Settings, engine: Engine) -> None:
        self.loop = loop
        self.running: Running = loop.run(start(settings, engine, host="127.0.0.1", port=0))
        self.url = f"http://127.0.0.1:{self.running.port}"
        self.verifier = SignatureVerifier(SECRET)

    def stop(self) -> None:
        """Wait for running listeners, then shut the server down."""
        self.loop.idle()
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
