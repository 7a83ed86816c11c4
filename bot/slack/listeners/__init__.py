"""Bolt listeners, one module per kind of request; each has ``register(app)``.

Callbacks are plain async functions registered by calling Bolt's decorators. Bolt
injects its arguments by parameter name (``body``, ``client``, ``respond``, ``say``, …);
Rollenbot's own dependencies come from ``context`` (see :mod:`bot.slack.deps`), so a
test can call any callback directly with a context it made.
"""

from __future__ import annotations

# Events API types the listeners register, and the manifest's bot events that deliver
# them (``message`` arrives per conversation type). manifest.json must match this.
APP_MENTION = "app_mention"
MESSAGE = "message"
APP_HOME_OPENED = "app_home_opened"
MEMBER_JOINED = "member_joined_channel"
ASSISTANT_STARTED = "assistant_thread_started"
ASSISTANT_CONTEXT = "assistant_thread_context_changed"
BOT_EVENTS: dict[str, tuple[str, ...]] = {
    APP_MENTION: (APP_MENTION,),
    MESSAGE: ("message.channels", "message.groups", "message.im"),
    APP_HOME_OPENED: (APP_HOME_OPENED,),
    MEMBER_JOINED: (MEMBER_JOINED,),
    ASSISTANT_STARTED: (ASSISTANT_STARTED,),
    ASSISTANT_CONTEXT: (ASSISTANT_CONTEXT,),
}
