"""The onboarding channel (setting ``ROLLE_ONBOARDING_CHANNEL``): a channel ID like
``C0123ABCD`` or a name like ``#onboarding``; people joining it get a welcome DM."""

from __future__ import annotations

import re

from slack_sdk.web.async_client import AsyncWebClient

_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,}")


class OnboardingChannel:
    """The configured onboarding channel, given by ID or by name."""

    def __init__(self, setting: str | None) -> None:
        """Remember the setting; names are resolved when the first join arrives."""
        self.wanted = (setting or "").strip().lstrip("#")
        self._names: dict[str, str] = {}

    async def matches(self, channel_id: str | None, client: AsyncWebClient) -> bool:
        """Whether ``channel_id`` is the onboarding channel (looks its name up once)."""
        if not self.wanted or not channel_id:
            return False
        if channel_id == self.wanted or _CHANNEL_ID.fullmatch(self.wanted):
            return channel_id == self.wanted
        name = self._names.get(channel_id)
        if name is None:
            info = await client.conversations_info(channel=channel_id)
            name = str(info["channel"].get("name", ""))
            if len(self._names) > 1000:
                self._names.clear()
            self._names[channel_id] = name
        return name.lower() == self.wanted.lower()
