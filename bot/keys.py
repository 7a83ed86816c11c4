"""The keys under which the web app keeps what its handlers share."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.conversation import Conversation
from bot.inflight import InFlight
from bot.reload import Reloader

CONVERSATION_KEY = web.AppKey("conversation", Conversation)
SETTINGS_KEY = web.AppKey("settings", Settings)
INFLIGHT_KEY = web.AppKey("inflight", InFlight)
RELOADER_KEY = web.AppKey("reloader", Reloader)
