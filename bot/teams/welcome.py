"""Who gets the welcome card when the bot is installed or people join (setting
``ROLLE_TEAMS_WELCOME``).

* Personal chat (the bot installed for one person): the card, in that chat (unless off).
* A team or group chat, ``personal`` (default): each person who joins gets the card in a
  1:1 chat the bot opens with them through the Bot Connector (``POST /v3/conversations``,
  the SDK's ``conversations.create_conversation``); the channel itself is greeted once,
  when the bot is added, or when a 1:1 chat cannot be opened (the tenant forbids it).
* ``team``: the channel is greeted once per team (or group chat), never per join.
* ``off``: no welcome card anywhere.

"Once" is a claim in the store (kept for years), so restarts and replicas agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationParameters,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

logger = logging.getLogger(__name__)
WelcomeMode = Literal["personal", "team", "off"]
ONCE_SECONDS = 10 * 365 * 86400.0  # "once per team": as good as forever


def team_key(activity: Activity) -> str:
    """The team (or, outside a team, the conversation) a welcome is counted for."""
    data = activity.channel_data
    team = data.get("team") if isinstance(data, dict) else getattr(data, "team", None)
    team_id = team.get("id") if isinstance(team, dict) else getattr(team, "id", None)
    conversation = activity.conversation.id if activity.conversation else ""
    return f"teams:welcome:{team_id or conversation}"


def _tenant(activity: Activity) -> str | None:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return str(activity.conversation.tenant_id)
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, dict) else getattr(data, "tenant", None)
    found = tenant.get("id") if isinstance(tenant, dict) else getattr(tenant, "id", None)
    return str(found) if found else None


async def send_personally(context: TurnContext, member: ChannelAccount,
                          card: Activity) -> bool:
    """Open a 1:1 chat with ``member`` through the Bot Connector and send ``card`` there.
    False (logged) when the connector refuses or the turn has no connector client."""
    activity = context.activity
    client: Any = context.services.get(ConnectorClientBase)
    if client is None:
        logger.warning("Teams welcome: no connector client in this turn")
        return False
    tenant = _tenant(activity)
    parameters = ConversationParameters(
        is_group=False, bot=activity.recipient, members=[ChannelAccount(id=member.id)],
        tenant_id=tenant, channel_data={"tenant": {"id": tenant}} if tenant else None)
    try:
        created = await client.conversations.create_conversation(parameters)
        await client.conversations.send_to_conversation(created.id, card)
    except Exception as exc:
        logger.warning("Teams welcome: could not open a 1:1 chat with a new member (%s): "
                       "%.200s", type(exc).__name__, exc)
        return False
    return True


async def welcome(context: TurnContext, mode: WelcomeMode, card: Callable[[], Activity],
                  claim: Callable[[str, float], bool]) -> int:
    """Send the welcome ``card`` (made fresh per recipient) as ``mode`` says; ``claim``
    (key, seconds) decides "once per team". Returns how many cards were sent."""
    activity = context.activity
    if mode == "off":
        return 0
    kind = activity.conversation.conversation_type if activity.conversation else None
    bot = activity.recipient.id if activity.recipient else None
    added = [m for m in activity.members_added or [] if m and m.id]
    people = [m for m in added if m.id != bot]
    if kind in (None, "personal"):
        await context.send_activity(card())
        return 1
    sent = 0
    personal_failed = False
    if mode == "personal":
        for member in people:
            if await send_personally(context, member, card()):
                sent += 1
            else:
                personal_failed = True
    greet_team = len(people) < len(added) or mode == "team" or personal_failed
    if greet_team and claim(team_key(activity), ONCE_SECONDS):
        await context.send_activity(card())
        sent += 1
    logger.info("Teams welcome (%s): %d card(s) for %d new member(s)", mode, sent, len(people))
    return sent
