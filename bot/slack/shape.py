"""The fields of a Slack request that Bolt and the listeners read, with their types.

:func:`problem` checks a parsed body (an Events API callback, a slash command, an
interaction payload; from HTTP or Socket Mode) against them and names the first field
that does not fit. Bolt builds its context from the envelope (``team``, ``user``,
``channel``, ``authorizations``, ``event`` …), matches listeners on ``event.type``,
``command`` and ``actions[0].action_id``, and the listeners read the message fields
(``user``, ``channel``, ``ts``, ``thread_ts``, ``text``) and button values. Fields that
nobody reads are not looked at; null counts as absent, as Slack sends it.
"""

from __future__ import annotations

from typing import Any

from bot.shape import (
    BOOL,
    HTTP_URL,
    LIST,
    OBJ,
    STR,
    ByField,
    Either,
    Is,
    ListOf,
    MapOf,
    Obj,
    Spec,
    Strict,
    Text,
    obj,
)
from bot.slack.values import MAX_VALUE_CHARS

MAX_VALUE_DEPTH = 16  # a button value is a button's JSON (bot.slack.values)

# Slack's ids and timestamps are short; the store keeps 255 characters of an id.
_ID = Is(str, "a string", 255)
_TS = Is(str, "a string", 64)
_ORG = Either((_ID, obj(id=_ID)))
_TEAM = Either((_ID, obj(id=_ID, enterprise_id=_ID)))
_USER = Either((_ID, obj(id=_ID, team_id=_ID)))
_CHANNEL = Either((_ID, obj(id=_ID)))
_FLAG = Either((BOOL, STR))
_AUTHORIZATION = obj(enterprise_id=_ID, team_id=_ID, user_id=_ID, is_enterprise_install=_FLAG)
_MESSAGE = obj(user=_USER, user_id=_ID, thread_ts=_TS, subtype=STR, ts=_TS, text=STR)
_ASSISTANT_THREAD = obj(channel_id=_ID, thread_ts=_TS, user_id=_ID,
                        context=Strict(obj(channel_id=_ID, team_id=_ID, enterprise_id=_ID)))
_VIEW = obj(app_installed_team_id=_ID, team_id=_ID, id=_ID, callback_id=STR, type=STR)

# Read by Bolt for every request, whatever its kind (slack_bolt/request/internals.py).
_ENVELOPE: dict[str, Spec] = {
    "type": STR, "token": STR, "team_id": _ID, "enterprise_id": _ID, "api_app_id": _ID,
    "user_id": _ID, "channel_id": _ID, "thread_ts": _TS, "response_url": HTTP_URL,
    "trigger_id": _ID, "event_id": _ID, "callback_id": STR, "command": STR,
    "context_team_id": _ID, "context_enterprise_id": _ID,
    "is_enterprise_install": _FLAG, "is_ext_shared_channel": BOOL,
    "enterprise": _ORG, "team": _TEAM, "user": _USER, "channel": _CHANNEL,
    "authorizations": ListOf(_AUTHORIZATION),
    "view": Strict(_VIEW), "message": _MESSAGE, "previous_message": _MESSAGE,
    "item": obj(channel=_CHANNEL, channel_id=_ID), "assistant_thread": _ASSISTANT_THREAD,
    "function_execution_id": STR, "bot_access_token": STR,
    "function_data": obj(execution_id=STR, inputs=OBJ), "inputs": OBJ,
    "response_urls": ListOf(obj(response_url=HTTP_URL)),
}

# Any event: what Bolt's context and matchers read.
_EVENT_FIELDS: dict[str, Spec] = {
    "type": STR, "subtype": STR, "user": _USER, "user_id": _ID, "channel": _CHANNEL,
    "channel_id": _ID, "channel_type": STR, "ts": _TS, "thread_ts": _TS, "event_ts": _TS,
    "text": STR, "bot_id": _ID, "tab": STR, "message": _MESSAGE,
    "previous_message": _MESSAGE, "item": obj(channel=_CHANNEL, channel_id=_ID),
    "assistant_thread": _ASSISTANT_THREAD, "function_execution_id": STR,
    "bot_access_token": STR, "inputs": OBJ, "workflow_step": OBJ, "blocks": LIST,
    "files": LIST, "attachments": LIST, "bot_profile": OBJ, "tokens": Strict(OBJ),
}
# Bolt reads an event's ids whatever the body's type, and .get("event", {}) too.
_ENVELOPE["event"] = Strict(obj(**_EVENT_FIELDS))

# The events the bot answers or reacts to: the person and the channel are plain ids.
_PERSON_EVENT = obj(("type",), **{**_EVENT_FIELDS, "user": _ID, "channel": _ID})
# The assistant utilities post to the thread they name.
_ASSISTANT_EVENT = obj(("type", "assistant_thread"), **{
    **_EVENT_FIELDS, "assistant_thread": Obj(_ASSISTANT_THREAD.fields,
                                             frozenset({"channel_id", "thread_ts"}))})
_EVENT = ByField("type", {
    "app_mention": _PERSON_EVENT, "message": _PERSON_EVENT,
    "app_home_opened": _PERSON_EVENT, "member_joined_channel": _PERSON_EVENT,
    "assistant_thread_started": _ASSISTANT_EVENT,
    "assistant_thread_context_changed": _ASSISTANT_EVENT,
}, obj(("type",), **_EVENT_FIELDS))

_ACTION = obj(("action_id",), action_id=_ID, block_id=_ID, type=STR, action_ts=_TS,
              value=Text(MAX_VALUE_CHARS, MAX_VALUE_DEPTH))

_EVENT_CALLBACK = obj(("event",), **{**_ENVELOPE, "event": Strict(_EVENT)})
_BLOCK_ACTIONS = obj(("actions", "user"), **{
    **_ENVELOPE,
    "actions": ListOf(_ACTION, min_items=1),
    # The listeners read the clicker and the clicked message's place.
    "user": obj(("id",), id=_ID, team_id=_ID),
    "channel": obj(("id",), id=_ID),
    "container": obj(type=STR, message_ts=_TS, channel_id=_ID, thread_ts=_TS,
                     is_ephemeral=BOOL, view_id=_ID),
    "state": obj(values=MapOf(MapOf(obj(value=STR)))),
})
# Kinds with Bolt matchers that index into them (payload_utils.py), though the bot has
# no listener for them: they must reach the "unhandled" answer without raising.
_VIEW_PAYLOAD = obj(("view",), **{**_ENVELOPE, "view": obj(("callback_id", "type"), **{
    "callback_id": STR, "type": STR, "id": _ID, "team_id": _ID,
    "app_installed_team_id": _ID})})
_ATTACHMENT_ACTION = obj(("actions",), **{**_ENVELOPE,
                                          "actions": ListOf(obj(name=STR), min_items=1)})
_WORKFLOW_STEP = obj(("workflow_step",), **{**_ENVELOPE, "workflow_step": OBJ})
_BODY = ByField("type", {
    "event_callback": _EVENT_CALLBACK,
    "block_actions": _BLOCK_ACTIONS,
    "view_submission": _VIEW_PAYLOAD,
    "view_closed": _VIEW_PAYLOAD,
    "interactive_message": _ATTACHMENT_ACTION,
    "workflow_step_edit": _WORKFLOW_STEP,
}, obj(**_ENVELOPE))


# A slash command (a form over HTTP, an object over Socket Mode): what the listener and
# the durable record read.
_COMMAND = obj(("command", "response_url"), command=STR, text=STR, user_id=_ID, trigger_id=_ID,
               response_url=HTTP_URL, channel_id=_ID, team_id=_ID)


def problem(body: dict[str, Any]) -> str | None:
    """The first field of ``body`` that Bolt or a listener would read with the wrong
    type (or miss), as ``"event.user is a number, not a string"``; None if it fits."""
    return _BODY.check(body, "") or (_COMMAND.check(body, "") if "command" in body else None)
