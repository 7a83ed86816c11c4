"""A small fake of the Slack Web API on 127.0.0.1, recording every call.

It answers ``auth.test`` like Slack does for a bot token, returns ``ok`` for the other
methods (``conversations.open`` opens ``D<user>``, ``conversations.info`` names the
channel), and also serves ``response_url`` endpoints under ``/response/<key>``.
``conversations.replies`` and ``conversations.history`` return the messages posted with
``chat.postMessage`` (with their metadata), as the durable answering checks them.
:meth:`FakeSlack.fail` makes a method (or ``response_url``) fail the next N times with an
HTTP status (429 with ``Retry-After``, or a 5xx), as Slack does under load.
``users.list`` pages through :attr:`FakeSlack.users` the way Slack does (``limit``,
``cursor`` and ``response_metadata.next_cursor``, at most :attr:`FakeSlack.page_size`
per page; an unknown cursor is ``invalid_cursor``).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.buttons import Button, parse

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0TEAM01"
JSON_FIELDS = ("blocks", "view", "prompts", "attachments", "metadata")


@dataclass
class Call:
    """One recorded request: the API method (or ``response_url``) and its parameters."""

    method: str
    params: dict[str, Any]
    path: str = ""
    status: int = 200  # the HTTP status the fake answered (not 200: an injected failure)
    ts: str = ""  # the ts of a posted message

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The message blocks (or the view's blocks for views.publish)."""
        if "view" in self.params:
            return list(self.params["view"].get("blocks", []))
        return list(self.params.get("blocks") or [])

    def block_text(self) -> str:
        """All visible text in the blocks and the fallback text, joined by newlines."""
        return "\n".join([self.params.get("text") or "", *_texts(self.blocks)])

    def action_values(self) -> list[tuple[str, str]]:
        """(action_id, value) of every button."""
        return [(e["action_id"], e.get("value", "")) for b in self.blocks if b["type"] == "actions"
                for e in b["elements"]]

    def buttons(self) -> list[tuple[str, Button | None]]:
        """(action_id, the button its value is) of every button."""
        return [(action_id, parse(value)) for action_id, value in self.action_values()]


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["text"]] if isinstance(node.get("text"), str) else []
        for value in node.values():
            if isinstance(value, dict | list):
                out.extend(_texts(value))
        return out
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


@dataclass
class Failure:
    """One injected failure: the HTTP status and, for 429, the ``Retry-After`` seconds."""

    status: int
    retry_after: int | None = None


@dataclass
class FakeSlack:
    """The fake's state; :meth:`app` is the aiohttp application serving it."""

    calls: list[Call] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    # Slack may return fewer members than ``limit`` asks for; this caps a page.
    page_size: int = 1000
    url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def app(self) -> web.Application:
        """The aiohttp app: ``/api/<method>`` (GET or POST) and ``POST /response/<key>``."""
        web_app = web.Application()
        web_app.router.add_route("*", "/api/{method}", self._api)
        web_app.router.add_post("/response/{key}", self._response_url)
        web_app.router.add_get("/socket", self._socket)
        return web_app

    def reset(self) -> None:
        """Forget recorded calls and failure settings."""
        with self._changed:
            self.calls.clear()
            self.failing.clear()
            self.failures.clear()
            self.users.clear()
            self.page_size = 1000

    def fail(self, method: str, times: int, status: int = 429,
             retry_after: int | None = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (an API method, or
        ``response_url``) with HTTP ``status`` (429 with ``Retry-After``)."""
        with self._changed:
            self.failures.setdefault(method, []).extend(
                Failure(status, retry_after if status == 429 else None) for _ in range(times))

    def _failure(self, method: str) -> Failure | None:
        with self._changed:
            queue = self.failures.get(method)
            return queue.pop(0) if queue else None

    @staticmethod
    def _failed(failure: Failure) -> web.Response:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        return web.json_response({"ok": False, "error": "ratelimited" if failure.status == 429
                                  else "fake_server_error"}, status=failure.status,
                                 headers=headers)

    def response_url(self, key: str) -> str:
        """A response_url that points at this fake."""
        return f"{self.url}/response/{key}"

    # --- recording -----------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def attempts(self, *methods: str) -> list[Call]:
        """Recorded calls of these methods, the failed ones included."""
        with self._changed:
            return [c for c in self.calls if c.method in methods]

    def of(self, *methods: str) -> list[Call]:
        """Recorded calls of these methods that succeeded, in order."""
        with self._changed:
            return [c for c in self.calls if c.method in methods and c.status == 200]

    def posts(self) -> list[Call]:
        """Everything that shows a message to someone."""
        return self.of("chat.postMessage", "chat.postEphemeral", "response_url")

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 20.0,
                 what: str = "the expected Slack calls") -> list[Call]:
        """Block until ``predicate(calls)`` holds; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self.calls)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; got "
                                         f"{[(c.method, c.status) for c in self.calls]}")
                self._changed.wait(left)
            return list(self.calls)

    def wait_posts(self, count: int = 1, timeout: float = 20.0) -> list[Call]:
        """Block until at least ``count`` message posts arrived; return all posts."""
        self.wait_for(lambda calls: len([c for c in calls if c.status == 200 and c.method in (
            "chat.postMessage", "chat.postEphemeral", "response_url")]) >= count,
            timeout, f"{count} message post(s)")
        return self.posts()

    # --- handlers ------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        failure = self._failure(method)
        if failure is not None:
            self._record(Call(method=method, params=params, path=request.path,
                              status=failure.status))
            return self._failed(failure)
        if method in self.failing:
            self._record(Call(method=method, params=params, path=request.path))
            return web.json_response({"ok": False, "error": "fake_failure"})
        call = Call(method=method, params=params, path=request.path)
        answer = self._answer(method, params)
        call.ts = str(answer.get("ts", ""))
        self._record(call)
        return web.json_response(answer)

    def _messages(self, channel: str, thread_ts: str | None) -> list[dict[str, Any]]:
        """Posted messages of a channel (a thread: its parent's replies; else the top
        level), as ``conversations.replies``/``history`` return them."""
        out = []
        for call in self.of("chat.postMessage"):
            params = call.params
            if str(params.get("channel")) != channel:
                continue
            in_thread = params.get("thread_ts") or None
            if (thread_ts is None and in_thread is None) or \
                    (thread_ts is not None and in_thread == thread_ts):
                message: dict[str, Any] = {"type": "message", "ts": call.ts,
                                           "text": params.get("text") or "",
                                           "bot_id": BOT_ID, "user": BOT_USER_ID}
                if in_thread:
                    message["thread_ts"] = in_thread
                if params.get("metadata"):
                    message["metadata"] = params["metadata"]
                out.append(message)
        return out

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake",
                    "user": "rollenbot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message_ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        if method in ("conversations.replies", "conversations.history"):
            thread = str(params["ts"]) if method == "conversations.replies" else None
            return {"ok": True, "has_more": False,
                    "messages": self._messages(str(params.get("channel")), thread)}
        if method == "users.list":
            return self._users_page(params)
        if method == "conversations.info":
            channel = str(params.get("channel"))
            return {"ok": True, "channel": {"id": channel,
                                            "name": self.channel_names.get(channel, "other")}}
        return {"ok": True}

    def _users_page(self, params: dict[str, Any]) -> dict[str, Any]:
        """One page of ``users.list``: the cursor is the offset, opaque to the client."""
        limit = max(1, min(int(params.get("limit") or 0) or 1000, self.page_size))
        cursor = str(params.get("cursor") or "")
        if cursor and not (cursor.startswith("dXNlcjo") and cursor[7:].isdigit()):
            return {"ok": False, "error": "invalid_cursor"}
        start = int(cursor[7:]) if cursor else 0
        page = self.users[start:start + limit]
        after = start + limit
        next_cursor = f"dXNlcjo{after}" if after < len(self.users) else ""
        return {"ok": True, "members": page, "cache_ts": 1700000000,
                "response_metadata": {"next_cursor": next_cursor}}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record every acknowledgement the app sends."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        self._record(Call(method="socket.connect", params={}, path=request.path))
        await socket.send_json({
            "type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0ROLLE01"},
            "debug_info": {"host": "fake", "approximate_connection_time": 3600}})
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                self._record(Call(method="socket.ack", params=json.loads(frame.data),
                                  path=request.path))
        self.sockets.remove(socket)
        return socket

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app."""
        await self.sockets[-1].send_json(envelope)

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await _params(request)
        failure = self._failure("response_url")
        if failure is not None:
            self._record(Call(method="response_url", params=params, path=request.path,
                              status=failure.status))
            return self._failed(failure)
        self._record(Call(method="response_url", params=params, path=request.path))
        return web.Response(text="ok")


async def _params(request: web.Request) -> dict[str, Any]:
    """Query string and body together, the way Slack reads both."""
    raw = await request.text()
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(json.loads(raw or "{}"))
    else:
        params.update(parse_qsl(raw, keep_blank_values=True))
        for key in JSON_FIELDS:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
    return params


def header(call: Call) -> str | None:
    """The text of the first header block (the answer's title)."""
    for block in call.blocks:
        if block["type"] == "header":
            return str(block["text"]["text"])
    return None
