"""The one web server process that Slack (HTTP mode) and Teams share.

``create_web_app(settings, engine)`` builds the aiohttp application:

* ``GET /healthz``: 200 with a small JSON status (the engine is loaded by then);
* ``POST /slack/events``: Slack events, slash commands and interactivity, when Slack
  is configured in HTTP mode (``SLACK_BOT_TOKEN`` without ``SLACK_APP_TOKEN``);
* ``POST /api/messages``: Teams, added by :func:`bot.teams.app.add_teams_routes`.

``serve(settings, engine)`` runs it on ``ROLLE_HOST:PORT``, with a Slack Socket Mode
connection alongside when ``SLACK_APP_TOKEN`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.config import Settings
from bot.core.engine import Engine

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
ENGINE_KEY = web.AppKey("engine", Engine)
SLACK_APP_KEY = web.AppKey("slack_app", AsyncApp)
SETTINGS_KEY = web.AppKey("settings", Settings)


def create_web_app(settings: Settings, engine: Engine) -> web.Application:
    """The aiohttp application with the routes the settings ask for.

    Raises:
        SlackConfigError, TeamsConfigError: a platform is half configured.
    """
    web_app = web.Application()
    web_app[ENGINE_KEY] = engine
    web_app[SETTINGS_KEY] = settings
    web_app.router.add_get("/healthz", healthz)
    if settings.slack_enabled:
        from bot.slack.app import create_app

        slack_app = create_app(settings, engine)
        web_app[SLACK_APP_KEY] = slack_app
        if not settings.slack_app_token:
            web_app.router.add_post(SLACK_PATH, slack_events)
    if settings.teams_enabled:
        from bot.teams.app import add_teams_routes

        add_teams_routes(web_app, settings, engine)
    return web_app


async def healthz(request: web.Request) -> web.Response:
    """Liveness and readiness: the engine is loaded before the server starts."""
    settings = request.app[SETTINGS_KEY]
    slack = "off"
    if settings.slack_enabled:
        slack = "socket" if settings.slack_app_token else "http"
    return web.json_response({
        "status": "ok",
        "passages": len(request.app[ENGINE_KEY].passages),
        "slack": slack,
        "teams": "on" if settings.teams_enabled else "off",
    })


async def slack_events(request: web.Request) -> web.Response:
    """Hand a Slack request to Bolt, which verifies its signature first."""
    bolt_response = await request.app[SLACK_APP_KEY].async_dispatch(
        await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


@dataclass
class Running:
    """A started server: stop it with :meth:`stop`."""

    runner: web.AppRunner
    web_app: web.Application
    socket_mode: AsyncSocketModeHandler | None = None

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful when asked for port 0)."""
        return int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        """Close the Socket Mode connection and the web server."""
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
        await self.runner.cleanup()


async def start(settings: Settings, engine: Engine, *, host: str | None = None,
                port: int | None = None) -> Running:
    """Start the web server (and Socket Mode when configured) in the running loop."""
    web_app = create_web_app(settings, engine)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.host, settings.port if port is None else port)
    await site.start()
    running = Running(runner=runner, web_app=web_app)
    slack_app = web_app.get(SLACK_APP_KEY)
    if slack_app is not None and settings.slack_app_token:
        running.socket_mode = AsyncSocketModeHandler(slack_app, settings.slack_app_token)
        try:
            await running.socket_mode.connect_async()
        except BaseException:
            await running.stop()
            raise
    log.info("Rollenbot listening on %s:%s (healthz: /healthz; Slack: %s; Teams: %s)",
             host or settings.host, running.port,
             "socket mode" if running.socket_mode else
             (SLACK_PATH if slack_app is not None else "off"),
             "/api/messages" if settings.teams_enabled else "off")
    return running


async def run(settings: Settings, engine: Engine) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    running = await start(settings, engine)
    try:
        await stop.wait()
    finally:
        log.info("Rollenbot shutting down")
        await running.stop()


def serve(settings: Settings, engine: Engine) -> None:
    """Run the server in the foreground (what ``rolle serve`` calls)."""
    asyncio.run(run(settings, engine))
