"""The one web server process that Slack and Teams share.

``create_web_app(settings, conversation)`` builds the aiohttp application:

* ``GET /healthz``: 200 with a small JSON status (the index in use, the embedder, the
  database) once the start-up self-check has passed, ``"status": "degraded"`` while the
  database is away (the bot still answers); 503 with the reason before and otherwise;
* ``GET /readyz``: 200 only while the replica answers *and* has its database, else 503
  with the reason (for an orchestrator that routes around a replica without it);
* ``GET /metrics``: Prometheus metrics (:mod:`bot.metrics`);
* Slack, when configured: ``POST /slack/events`` (HTTP mode) or a Socket Mode
  connection (``SLACK_APP_TOKEN``), added by :func:`bot.slack.app.add_slack_routes`;
* Teams, when configured: ``POST /api/messages``, added by
  :func:`bot.teams.app.add_teams_routes`.

Neither SDK is imported unless its platform is configured. ``serve`` runs the app on
``ROLLE_HOST:PORT`` until SIGINT/SIGTERM, then lets answers in flight finish; a new
index (``index/current`` changed, or SIGHUP) is loaded without a restart
(:mod:`bot.reload`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

from bot.config import Settings
from bot.conversation import Conversation
from bot.core.storage.guard import GuardedStore
from bot.health import healthz, metrics_page, readyz
from bot.inflight import InFlight
from bot.instance import INSTANCE_KEY, Instance
from bot.keys import CONVERSATION_KEY, INFLIGHT_KEY, RELOADER_KEY, SETTINGS_KEY
from bot.logs import REQUEST_REF, new_ref
from bot.metrics import METRICS_KEY, Metrics
from bot.reload import LoadEngine, Reloader, Serving, index_target

__all__ = ["CONVERSATION_KEY", "INFLIGHT_KEY", "RELOADER_KEY", "SETTINGS_KEY", "Running",
           "create_web_app", "serve", "start"]
log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 20.0
PURGE_INTERVAL_SECONDS = 24 * 3600.0


class _MalformedHttp(logging.Filter):
    """aiohttp answers a request it cannot parse (a header line too long, a broken
    chunked body, a bad Content-Length) with 400 but logs it as an ERROR with a
    traceback: one WARNING line instead (quieter levels stay as they are). A body that
    cannot be decoded (a bad Content-Encoding) was refused by the handler, which said
    so: aiohttp's second line about it is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, web.RequestPayloadError):
            return False
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 0) < 500:
            message = str(error.message).replace("\n", " ").strip()[:160]
            record.msg = record.getMessage().replace(
                "Error handling request", "Malformed HTTP request", 1) + \
                f" refused with {error.code} ({type(error).__name__}" \
                f"{': ' + message if message else ''})"
            record.args = ()
            record.exc_info = record.exc_text = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("aiohttp.server").addFilter(_MalformedHttp())


def _reload_engine(settings: Settings) -> LoadEngine:
    def load(previous: Any) -> Any:
        from bot import compose

        return compose.reload_engine(settings, previous)

    return load


def create_web_app(settings: Settings, conversation: Conversation, *,
                   load: LoadEngine | None = None) -> web.Application:
    """The aiohttp application with the routes the settings ask for.

    Args:
        settings: platforms, index folder, reload interval.
        conversation: decides every reply; its engine is replaced on reload.
        load: loads a new engine on reload (default: knowledge and index as
            ``settings`` say, see :func:`bot.compose.reload_engine`).

    Raises:
        SlackConfigError, TeamsConfigError: a platform is half configured.
    """
    web_app = web.Application(middlewares=[_request_ref])
    web_app[CONVERSATION_KEY] = conversation
    web_app[SETTINGS_KEY] = settings
    web_app[INFLIGHT_KEY] = inflight = InFlight()
    web_app[INSTANCE_KEY] = Instance(settings.instance)
    web_app[METRICS_KEY] = metrics = Metrics()
    conversation.observer = metrics
    if conversation.store is not None:
        conversation.store.on_feedback = metrics.feedback_given

    def on_swap(serving: Serving) -> None:
        metrics.serving(serving)

    web_app[RELOADER_KEY] = Reloader(
        conversation, load or _reload_engine(settings),
        watch=lambda: index_target(settings.index_dir), interval=settings.reload_seconds,
        on_swap=on_swap)
    web_app.cleanup_ctx.append(_reloading)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_page)
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


@web.middleware
async def _request_ref(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every request a reference that each of its log lines carries (and that error
    messages show); an ``X-Request-Id`` from a proxy is kept."""
    incoming = request.headers.get("X-Request-Id", "")
    ref = incoming[:64] if incoming.isascii() and incoming.isprintable() and incoming \
        else new_ref()
    token = REQUEST_REF.set(ref)
    try:
        return await handler(request)
    finally:
        REQUEST_REF.reset(token)


async def _reloading(web_app: web.Application) -> AsyncIterator[None]:
    async with web_app[RELOADER_KEY].running():
        yield


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
    def reloader(self) -> Reloader:
        """Swaps the engine when a new index appears."""
        return self.web_app[RELOADER_KEY]

    async def wait_checked(self, timeout: float = 60.0) -> Serving:
        """Wait until the start-up self-check has run (for tests and the benchmark)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.reloader.serving is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the start-up self-check did not finish")
            await asyncio.sleep(0.02)
        return self.reloader.serving

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
    web_app[INSTANCE_KEY].bind(running.port)  # its predecessor on this port is gone
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
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, running.reloader.request)
    try:
        await stop.wait()
    finally:
        log.info("Rollenbot shutting down")
        await running.stop()


def serve(settings: Settings, conversation: Conversation) -> None:
    """Run the server in the foreground (what ``rolle serve`` calls)."""
    asyncio.run(run(settings, conversation))
