"""The one web server process that Slack and Teams share.

``create_web_app(settings, conversation)`` builds the aiohttp application:

* ``GET /healthz``: 200 with a small JSON status (the engine is loaded by then);
* Slack, when configured: ``POST /slack/events`` (HTTP mode) or a Socket Mode
  connection (``SLACK_APP_TOKEN``), added by :func:`bot.slack.app.add_slack_routes`;
* Teams, when configured: ``POST /api/messages``, added by
  :func:`bot.teams.app.add_teams_routes`.

Neither SDK is imported unless its platform is configured. ``serve`` runs the app on
``ROLLE_HOST:PORT`` until SIGINT/SIGTERM, then lets answers in flight finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.config import Settings
from bot.conversation import Conversation
from bot.core.store_guard import GuardedStore
from bot.inflight import InFlight

log = logging.getLogger(__name__)

CONVERSATION_KEY = web.AppKey("conversation", Conversation)
SETTINGS_KEY = web.AppKey("settings", Settings)
INFLIGHT_KEY = web.AppKey("inflight", InFlight)
SHUTDOWN_GRACE_SECONDS = 20.0
PURGE_INTERVAL_SECONDS = 24 * 3600.0


def create_web_app(settings: Settings, conversation: Conversation) -> web.Application:
    """The aiohttp application with the routes the settings ask for.

    Raises:
        SlackConfigError, TeamsConfigError: a platform is half configured.
    """
    web_app = web.Application()
    web_app[CONVERSATION_KEY] = conversation
    web_app[SETTINGS_KEY] = settings
    web_app[INFLIGHT_KEY] = inflight = InFlight()
    web_app.router.add_get("/healthz", healthz)
    if conversation.store is not None:
        web_app.cleanup_ctx.append(_purge_daily(conversation.store, settings.retention_days))
    if settings.slack_enabled:
        from bot.slack.app import add_slack_routes

        add_slack_routes(web_app, settings, conversation, inflight)
    if settings.teams_enabled:
        from bot.teams.app import add_teams_routes

        add_teams_routes(web_app, settings, conversation, inflight)
    return web_app


def _purge_daily(store: GuardedStore, retention_days: int
                 ) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that purges records older than ``retention_days`` at start and
    then once a day, while the server runs (the purge is idempotent, so replicas may all
    do it)."""

    async def purge_loop() -> None:
        while True:
            purged = await asyncio.to_thread(store.purge, retention_days=retention_days)
            if purged.total:
                log.info("purged %d records older than %d days", purged.total, retention_days)
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    async def context(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(purge_loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


async def healthz(request: web.Request) -> web.Response:
    """Liveness and readiness: the engine is loaded before the server starts."""
    settings = request.app[SETTINGS_KEY]
    slack = "off"
    if settings.slack_enabled:
        slack = "socket" if settings.slack_app_token else "http"
    engine = request.app[CONVERSATION_KEY].engine
    return web.json_response({
        "status": "ok",
        "passages": len(engine.passages),
        "slack": slack,
        "teams": "on" if settings.teams_enabled else "off",
    })


@dataclass
class Running:
    """A started server: stop it with :meth:`stop`."""

    runner: web.AppRunner
    web_app: web.Application

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful when asked for port 0)."""
        return int(self.runner.addresses[0][1])

    @property
    def inflight(self) -> InFlight:
        """The answers still being worked on."""
        return self.web_app[INFLIGHT_KEY]

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Let answers in flight finish (at most ``grace`` seconds), then close."""
        if not await self.inflight.wait_idle(grace):
            log.warning("shutting down with %d answer(s) still in flight", self.inflight.count)
        await self.runner.cleanup()


async def start(settings: Settings, conversation: Conversation, *, host: str | None = None,
                port: int | None = None) -> Running:
    """Start the web server (and Socket Mode when configured) in the running loop."""
    web_app = create_web_app(settings, conversation)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host or settings.host,
                           settings.port if port is None else port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    running = Running(runner=runner, web_app=web_app)
    log.info("Rollenbot listening on %s:%s (healthz: /healthz)", host or settings.host,
             running.port)
    return running


async def run(settings: Settings, conversation: Conversation) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    running = await start(settings, conversation)
    try:
        await stop.wait()
    finally:
        log.info("Rollenbot shutting down")
        await running.stop()


def serve(settings: Settings, conversation: Conversation) -> None:
    """Run the server in the foreground (what ``rolle serve`` calls)."""
    asyncio.run(run(settings, conversation))
