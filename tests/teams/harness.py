"""Loopback test harness for the Teams adapter: a fake Bot Connector that records replies,
the bot's aiohttp app on an ephemeral port, Activity JSON as Teams sends it, and a guard
that fails any connection attempt to a host other than loopback."""

from __future__ import annotations

import ipaddress
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.net import http, start_site

BOT_ID = "28:00000000-0000-0000-0000-00000000b07"
BOT_NAME = "Rollenbot"
USER = {"id": "29:1user-erika", "name": "Erika Mustermann",
        "aadObjectId": "6b5f7a3c-0000-4000-8000-000000000001"}
TENANT = "72f988bf-0000-4000-8000-000000000000"
_ids = itertools.count(1_700_000_000_000)


@dataclass
class Recorded:
    """One activity the bot POSTed to the connector."""

    path: str
    conversation_id: str
    reply_to_id: str | None
    authorization: str | None
    body: dict[str, Any]
    method: str = "POST"  # PUT: an update of an earlier activity


class FakeConnector:
    """Records POST /v3/conversations/{id}/activities[/{replyToId}] and answers like the
    Bot Connector service does. Served from the test loop; read from the test thread."""

    def __init__(self) -> None:
        self.recorded: list[Recorded] = []
        self.failures: list[tuple[int, dict[str, str]]] = []  # answered next, in order
        self.refused: list[int] = []  # statuses answered instead of accepting
        self.created: list[dict[str, Any]] = []  # POST /v3/conversations bodies
        self.refuse_create = False  # answer conversation creation with 403 (tenant policy)
        self.url = ""
        self._changed = threading.Condition()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{rid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{rid}", self._post)
        self._runner, base = await start_site(app)
        self.url = base + "/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, count: int, status: int = 429,
                  headers: dict[str, str] | None = None) -> None:
        """Answer the next ``count`` calls with ``status`` (and ``headers``, such as
        Retry-After) instead of accepting them, as a busy Bot Connector does."""
        self.failures.extend([(status, headers or {})] * count)

    async def _post(self, request: web.Request) -> web.Response:
        if self.failures:
            status, headers = self.failures.pop(0)
            self.refused.append(status)
            return web.json_response({"error": {"code": "Throttled"}}, status=status,
                                     headers=headers)
        recorded = Recorded(
            path=request.path,
            conversation_id=request.match_info["cid"],
            reply_to_id=request.match_info.get("rid"),
            authorization=request.headers.get("Authorization"),
            body=await request.json(),
            method=request.method,
        )
        with self._changed:
            self.recorded.append(recorded)
            self._changed.notify_all()
        return web.json_response({"id": f"reply-{len(self.recorded)}"}, status=201)

    async def _create(self, request: web.Request) -> web.Response:
        """Create a conversation (the bot opening a 1:1 chat), as the connector does."""
        body = await request.json()
        if self.refuse_create:
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        with self._changed:
            self.created.append(body)
            conversation_id = f"a:1on1-{len(self.created)}"
        return web.json_response({"id": conversation_id}, status=201)

    def messages(self) -> list[dict[str, Any]]:
        """The recorded message activities (typing indicators left out)."""
        with self._changed:
            return [r.body for r in self.recorded
                    if r.body.get("type") == "message" and r.method == "POST"]

    def updates(self) -> list[Recorded]:
        """The recorded updates (PUT) of earlier activities."""
        with self._changed:
            return [r for r in self.recorded if r.method == "PUT"]

    def wait_for_updates(self, count: int = 1, timeout: float = 30.0) -> list[Recorded]:
        """Block (bounded) until ``count`` updates (PUT) have arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.updates()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} update(s), got {self.updates()!r}")
                self._changed.wait(left)
        return self.updates()

    def wait_messages(self, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """Block (bounded) until ``count`` messages have arrived; returns all messages."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) at the connector, got {self.messages()!r}")
                self._changed.wait(left)
        return self.messages()


@dataclass
class TeamsClient:
    """POSTs Activity JSON to the bot's /api/messages, as the Bot Framework would."""

    base_url: str

    def post(self, activity: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """POST ``activity`` as JSON; returns the status and the (JSON-decoded) body."""
        result = http("POST", self.base_url + "/api/messages", json.dumps(activity).encode(),
                      {"Content-Type": "application/json", **(headers or {})})
        try:
            return result.status, json.loads(result.body) if result.body else result.body
        except ValueError:
            return result.status, result.body


@dataclass
class OutboundGuard:
    """Refuses and records every connection attempt to a non-loopback host."""

    attempts: list[str] = field(default_factory=list)

    @staticmethod
    def _loopback(host: object) -> bool:
        if host in ("localhost", b"localhost"):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def install(self, monkeypatch: Any) -> None:
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not self._loopback(host):
                self.attempts.append(f"resolve {host!r}")
                raise OSError(f"test guard: no outbound traffic ({host!r})")
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(sock: socket.socket, address: Any) -> Any:
            host = address[0] if isinstance(address, tuple) else address
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not self._loopback(host):
                self.attempts.append(f"connect {address!r}")
                raise OSError(f"test guard: no outbound traffic ({address!r})")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


# --- Activity JSON as Teams sends it ----------------------------------------------------
def _base(service_url: str, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity_id = str(next(_ids))
    activity: dict[str, Any] = {
        "id": activity_id,
        "timestamp": "2025-05-06T09:30:00.1234567Z",
        "localTimestamp": "2025-05-06T11:30:00.1234567+02:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": USER,
        "conversation": {"tenantId": TENANT, **conversation},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "de-DE",
        "channelData": {"tenant": {"id": TENANT}},
    }
    activity.update(extra)
    return activity


def _mention() -> dict[str, Any]:
    return {
        "type": "mention",
        "text": f"<at>{BOT_NAME}</at>",
        "mentioned": {"id": BOT_ID, "name": BOT_NAME},
    }


def _client_info(locale: str) -> dict[str, Any]:
    return {"type": "clientInfo", "locale": locale, "country": "DE", "platform": "Web",
            "timezone": "Europe/Berlin"}


def personal_message(service_url: str, text: str, **extra: Any) -> dict[str, Any]:
    """A message in the user's 1:1 chat with the bot."""
    return _base(
        service_url,
        {"conversationType": "personal", "id": "a:1personal-chat-erika"},
        type="message", text=text, textFormat="plain",
        entities=[_client_info(extra.get("locale", "de-DE"))], **extra,
    )


def group_message(service_url: str, text: str, **extra: Any) -> dict[str, Any]:
    """A group-chat message that @mentions the bot."""
    return _base(
        service_url,
        {"conversationType": "groupChat", "isGroup": True,
         "id": "19:group-chat-3f2a@thread.v2"},
        type="message", text=f"<at>{BOT_NAME}</at> {text}", textFormat="plain",
        entities=[_mention(), _client_info("de-DE")], **extra,
    )


def channel_message(service_url: str, text: str, **extra: Any) -> dict[str, Any]:
    """A channel post that @mentions the bot (Teams puts the mention first)."""
    activity = _base(
        service_url,
        {"conversationType": "channel", "isGroup": True,
         "id": "19:general-9a7c@thread.tacv2;messageid=1700000000000"},
        type="message", text=f"<at>{BOT_NAME}</at>&nbsp;{text}\n", textFormat="plain",
        entities=[_mention(), _client_info("de-DE")], **extra,
    )
    activity["channelData"] = {
        "teamsChannelId": "19:general-9a7c@thread.tacv2",
        "teamsTeamId": "19:team-5b1d@thread.tacv2",
        "channel": {"id": "19:general-9a7c@thread.tacv2"},
        "team": {"id": "19:team-5b1d@thread.tacv2"},
        "tenant": {"id": TENANT},
    }
    return activity


def card_submit(service_url: str, value: dict[str, Any], reply_to: str = "reply-1",
                conversation_type: str = "personal") -> dict[str, Any]:
    """What Teams sends when a user presses an Action.Submit button on the bot's card."""
    conversation_id = {"personal": "a:1personal-chat-erika",
                       "channel": "19:general-9a7c@thread.tacv2;messageid=1700000000000"}
    return _base(
        service_url,
        {"conversationType": conversation_type, "id": conversation_id[conversation_type]},
        type="message", replyToId=reply_to, value=value,
        entities=[_client_info("de-DE")],
    )


def members_added(service_url: str, members: list[dict[str, Any]],
                  conversation_type: str = "channel", locale: str | None = None
                  ) -> dict[str, Any]:
    """conversationUpdate: the bot installed in a team, or people joining."""
    conversation = {"conversationType": conversation_type, "isGroup": True,
                    "id": "19:general-9a7c@thread.tacv2"}
    extra: dict[str, Any] = {"type": "conversationUpdate", "membersAdded": members}
    activity = _base(service_url, conversation, **extra)
    activity.pop("locale")
    if locale:
        activity["locale"] = locale
    activity["channelData"] = {
        "eventType": "teamMemberAdded",
        "team": {"id": "19:team-5b1d@thread.tacv2", "name": "Vertrieb & Marketing"},
        "tenant": {"id": TENANT},
    }
    return activity


def card_of(message: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card in a recorded message."""
    attachments = message.get("attachments") or []
    assert len(attachments) == 1, message
    assert attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachments[0]["content"]
    return card


def texts_of(element: Any) -> list[str]:
    """Every TextBlock text in a card, in document order."""
    found: list[str] = []
    if isinstance(element, dict):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        for value in element.values():
            found.extend(texts_of(value))
    elif isinstance(element, list):
        for item in element:
            found.extend(texts_of(item))
    return found


def actions_of(element: Any, where: Callable[[dict], bool] = lambda a: True) -> list[dict]:
    """Every Action.Submit in a card, in document order."""
    found: list[dict] = []
    if isinstance(element, dict):
        if element.get("type") == "Action.Submit" and where(element):
            found.append(element)
        for value in element.values():
            found.extend(actions_of(value, where))
    elif isinstance(element, list):
        for item in element:
            found.extend(actions_of(item, where))
    return found


def _walk(element: Any, parents: tuple[str, ...], out: dict[str, tuple[tuple[str, ...], bool]]
          ) -> None:
    if isinstance(element, list):
        for item in element:
            _walk(item, parents, out)
    elif isinstance(element, dict):
        here = parents
        if element.get("id") and element.get("type") != "Action.ToggleVisibility":
            out[element["id"]] = (parents, element.get("isVisible", True) is not False)
            here = (*parents, element["id"])
        for key, value in element.items():
            if key != "targetElements":
                _walk(value, here, out)


def elements_of(element: Any, kind: str) -> list[dict]:
    """Every element of type ``kind`` in a card, in document order."""
    if isinstance(element, list):
        return [found for item in element for found in elements_of(item, kind)]
    if not isinstance(element, dict):
        return []
    own = [element] if element.get("type") == kind else []
    return own + [found for value in element.values() for found in elements_of(value, kind)]


def toggles_of(element: Any) -> list[dict]:
    """Every Action.ToggleVisibility in a card, in document order."""
    return elements_of(element, "Action.ToggleVisibility")


def reply_to(bot: TeamsClient, connector: FakeConnector, activity: dict[str, Any]
             ) -> dict[str, Any]:
    """POST one activity and return the one message the bot sent for it."""
    before = len(connector.messages())
    status, _ = bot.post(activity)
    assert status == 202
    messages = connector.wait_messages(before + 1)
    assert len(messages) == before + 1, messages
    return messages[-1]


def visible(card: dict[str, Any], *clicks: dict[str, Any]) -> dict[str, bool]:
    """Which elements with an id a user sees (each of its containers visible too) after
    clicking the Action.ToggleVisibility buttons ``clicks`` in order."""
    found: dict[str, tuple[tuple[str, ...], bool]] = {}
    _walk(card.get("body", []), (), found)
    own = {eid: on for eid, (_, on) in found.items()}
    for click in clicks:
        for target in click["targetElements"]:
            eid, on = (target, None) if isinstance(target, str) else (
                target["elementId"], target.get("isVisible"))
            own[eid] = (not own[eid]) if on is None else bool(on)
    return {eid: own[eid] and all(own[p] for p in parents)
            for eid, (parents, _) in found.items()}


def toggle_titled(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The card's (visible or not) Action.ToggleVisibility with this title."""
    return next(a for a in toggles_of(card) if a["title"] == title)
