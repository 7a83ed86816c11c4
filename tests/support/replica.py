"""`rolle serve` as a real process on a loopback port, talked to like Slack talks to it
(signed Events API requests), for the replica and crash tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.net import http
from tests.support.wait import wait_until

SECRET = "test-signing-secret-0123456789"  # the same as tests.slack.harness.SECRET


def signed_headers(secret: str, body: str, content_type: str,
                   extra: dict[str, str] | None = None) -> dict[str, str]:
    """Headers as Slack sends them with ``body``, signed with ``secret`` now."""
    ts = str(int(time.time()))
    raw = body.encode("utf-8", "surrogatepass")
    base = b"v0:" + ts.encode() + b":" + raw
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + hmac.new(secret.encode(), base, hashlib.sha256)
            .hexdigest(), **(extra or {})}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(*, api_url: str, database_url: str, index_dir: Path,
              **extra: str) -> dict[str, str]:
    """The environment of a `rolle serve` in Slack HTTP mode against a fake Web API at
    ``api_url`` (the caller's SLACK_*/ROLLE_* variables removed), plus ``extra``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLLE_"))},
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url, "ROLLE_HOST": "127.0.0.1",
        "ROLLE_DATABASE_URL": database_url, "ROLLE_INDEX_DIR": str(index_dir),
        # The session's index has the ONNX export: replicas run torch-free, as deployed.
        "HF_HUB_OFFLINE": "1", **extra,
    }


class Replica:
    """One `rolle serve` process on a loopback port; started and ready (``/healthz``
    200) when the constructor returns. ``started`` is when the process was spawned."""

    def __init__(self, env: dict[str, str], log: Path, *, start_timeout: float = 180,
                 port: int | None = None) -> None:
        self.port = port or free_port()  # a restarted server: its predecessor's port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = log.open("ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env={**env, "PORT": str(self.port)}, stdout=self._log, stderr=self._log)
        try:  # a poll: /healthz is where the process says it is ready
            wait_until(self._ready, start_timeout, every=0.2, what="/healthz 200")
        except AssertionError:
            self.kill()
            raise AssertionError(f"replica did not start: {log.read_text()[-2000:]}") from None

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("the process exited")
        return http("GET", self.url + "/healthz").status == 200

    def event(self, payload: dict[str, Any], retry: int | None = None) -> int:
        """POST a signed Events API callback; the HTTP status (0: no connection)."""
        headers = {}
        if retry is not None:
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self._post(json.dumps(payload), "application/json", headers)

    def command(self, form: dict[str, str]) -> int:
        """POST a signed slash command; the HTTP status (0: no connection)."""
        return self._post(urlencode(form), "application/x-www-form-urlencoded", {})

    def interaction(self, payload: dict[str, Any]) -> int:
        """POST a signed interaction (a button click); the HTTP status."""
        return self._post(urlencode({"payload": json.dumps(payload)}),
                          "application/x-www-form-urlencoded", {})

    def get(self, path: str) -> tuple[int, Any]:
        """GET ``path``: the status and the body (JSON decoded when it is JSON)."""
        result = http("GET", self.url + path)
        try:
            return result.status, json.loads(result.body)
        except ValueError:
            return result.status, result.body

    def idle(self) -> bool:
        """No answer in flight (counted from before the acknowledgement on)."""
        return self.get("/healthz")[1]["in_flight"] == 0

    def _post(self, body: str, content_type: str, extra: dict[str, str]) -> int:
        headers = signed_headers(SECRET, body, content_type, extra)
        return http("POST", self.url + "/slack/events", body.encode(), headers).status

    def stop(self) -> None:
        """SIGTERM (answers in flight are finished), then wait for the exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL: the process dies on the spot, as in a crash or an OOM kill."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()

    def log(self) -> str:
        """Everything the process wrote so far."""
        return self.log_path.read_text("utf-8", "replace")
