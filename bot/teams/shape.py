"""The fields of a Teams activity that the Agents SDK and the handlers read, with their
types, and the check that runs before the SDK sees an activity.

The SDK validates an activity with pydantic (and logs a traceback for each one that
does not fit), then builds a connector client from its ``serviceUrl``: a missing or
garbage address made it raise, and aiohttp answered 500. :func:`problem` names the first
field of a parsed body that the SDK or a handler would trip over (the address included),
else the first that the SDK's own model refuses; None when it fits.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.shape import BOOL, HTTP_URL, STR, Is, ListOf, Spec, obj

_ID = Is(str, "a string", 1024)  # conversation ids run to a few hundred characters
# The SDK keys the turn's state by channel, conversation and sender, and replies from the
# recipient to the sender: Teams always sends them.
_PARTY = obj(("id",), id=_ID, name=STR, aadObjectId=_ID, role=STR)
_FIELDS: dict[str, Spec] = {
    "type": STR, "id": _ID, "serviceUrl": HTTP_URL, "channelId": STR,
    "from": _PARTY, "recipient": _PARTY,
    "conversation": obj(("id",), id=_ID, conversationType=STR, tenantId=_ID,
                        isGroup=BOOL, name=STR),
    "text": STR, "textFormat": STR, "locale": STR, "replyToId": _ID, "deliveryMode": STR,
    "name": STR,
    "entities": ListOf(obj(("type",), type=STR)),
    "attachments": ListOf(obj(contentType=STR, contentUrl=STR, name=STR)),
    "channelData": obj(tenant=obj(id=_ID), team=obj(id=_ID, name=STR), eventType=STR,
                       channel=obj(id=_ID), teamsChannelId=_ID, teamsTeamId=_ID),
    "membersAdded": ListOf(obj(("id",), id=_ID, name=STR, aadObjectId=_ID)),
    "membersRemoved": ListOf(obj(("id",), id=_ID, name=STR, aadObjectId=_ID)),
}
_ACTIVITY = obj(("type", "serviceUrl", "channelId", "conversation", "from", "recipient"),
               **_FIELDS)


class _Quiet(logging.Filter):
    """Drops the SDK's ERROR-with-traceback for an activity its model refuses: the
    check here logs one WARNING line for it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Validation error for Activity")


logging.getLogger("microsoft_agents.activity.activity").addFilter(_Quiet())


def problem(body: dict[str, Any]) -> str | None:
    """What is wrong with an activity (``conversation.id is missing``,
    ``serviceUrl is not an http(s) URL``, ``timestamp: Input should be a valid
    datetime``), or None when the SDK and the handlers can take it."""
    wrong = _ACTIVITY.check(body, "")
    if wrong is not None:
        return wrong
    try:
        Activity.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "the activity"
        return f"{where}: {first.get('msg', 'invalid')}"[:200]
    except Exception as error:  # the model's own checks raise plain exceptions too
        return f"the activity is not valid ({error})"[:200]
    return None
