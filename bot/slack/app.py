"""Build the Bolt app and serve it: ``add_slack_routes(web_app, settings, conversation)``.

HTTP mode (``/slack/events``, requests verified with ``SLACK_SIGNING_SECRET``) unless
``SLACK_APP_TOKEN`` is set, then Socket Mode. ``SLACK_API_URL`` points all Web API
calls elsewhere (a proxy, or the fake Slack in the tests).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.conversation import Conversation
from bot.core.errors import RollenbotError
from bot.inflight import InFlight
from bot.instance import INSTANCE_KEY
from bot.metrics import METRICS_KEY
from bot.records import Records
from bot.slack import durable
from bot.slack.deps import SlackDeps, deps_of, injector
from bot.slack.intake import CheckedSocketModeHandler, RequestRefusal, checked_request, unhandled
from bot.slack.listeners import actions, assistant, commands, events, home
from bot.slack.onboarding import OnboardingChannel

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
RETRIES = 3


class _SkipTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns that the
    client we pass (with that very token) wins; that warning only confuses admins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_bolt_log = logging.getLogger("bot.slack.bolt")
_bolt_log.addFilter(_SkipTokenWarning())


class SlackConfigError(RollenbotError):
    """The Slack settings are incomplete; the message says which variable to set."""


def check_settings(settings: Settings) -> None:
    """Fail early, and clearly, when a required Slack setting is missing.

    Raises:
        SlackConfigError: naming the variable and where to find its value.
    """
    if not settings.slack_bot_token:
        raise SlackConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from "
            "your Slack app's page, OAuth & Permissions.")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode, i.e. without "
            "SLACK_APP_TOKEN): copy it from your Slack app's page, Basic Information, "
            "App Credentials.")


class _CountedRetries(AsyncRetryHandler):
    """One of the client's retry handlers, calling ``on_retry`` before each retry."""

    def __init__(self, handler: AsyncRetryHandler, on_retry: Callable[[], None]) -> None:
        super().__init__(handler.max_retry_count, handler.interval_calculator)
        self._handler = handler
        self._on_retry = on_retry

    async def can_retry_async(self, *, state: RetryState, request: HttpRequest,
                              response: HttpResponse | None = None,
                              error: Exception | None = None) -> bool:
        return await self._handler.can_retry_async(
            state=state, request=request, response=response, error=error)

    async def prepare_for_next_attempt_async(
            self, *, state: RetryState, request: HttpRequest,
            response: HttpResponse | None = None, error: Exception | None = None) -> None:
        self._on_retry()
        await self._handler.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error)


class _CountedFailures(AsyncRetryHandler):
    """The last handler: never retries, and calls ``on_error`` with the HTTP status
    (400 and above) or "connection" when a call ends failed. The client asks it only
    when no handler before it retries, so a retried failure is not counted."""

    def __init__(self, on_error: Callable[[str], None]) -> None:
        super().__init__(max_retry_count=0)
        self._on_error = on_error

    async def can_retry_async(self, *, state: RetryState, request: HttpRequest,
                              response: HttpResponse | None = None,
                              error: Exception | None = None) -> bool:
        if error is not None:
            self._on_error("connection")
        elif response is not None and response.status_code >= 400:
            self._on_error(str(response.status_code))
        return False


def retry_handlers(on_retry: Callable[[], None] | None = None,
                   on_error: Callable[[str], None] | None = None) -> list[AsyncRetryHandler]:
    """Retries for Web API calls: rate limits (429, honouring ``Retry-After``), server
    errors (5xx) and lost connections, a few times each with backoff. ``on_retry`` is
    called before each retry, ``on_error`` with the HTTP status (or "connection") of
    each call that fails for good (the metrics)."""
    handlers: list[AsyncRetryHandler] = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES)]
    if on_retry is not None:
        handlers = [_CountedRetries(h, on_retry) for h in handlers]
    if on_error is not None:
        handlers.append(_CountedFailures(on_error))
    return handlers


def web_client(settings: Settings, *, on_retry: Callable[[], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> AsyncWebClient:
    """The Web API client (with :func:`retry_handlers`), pointed at ``SLACK_API_URL``
    when that is set. Bolt copies its handlers into the client of every request."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    options: dict[str, Any] = {"token": token,
                               "retry_handlers": retry_handlers(on_retry, on_error)}
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(**options)


def create_app(settings: Settings, deps: SlackDeps,
               client: AsyncWebClient | None = None) -> AsyncApp:
    """The Bolt app with all Rollenbot listeners registered.

    Args:
        settings: the Slack settings must be complete (see :func:`check_settings`).
        deps: the conversation core and the records listeners share (via ``context``).
        client: the Web API client (default: :func:`web_client` without metrics).

    Raises:
        SlackConfigError: a required setting is missing.
    """
    check_settings(settings)
    app = AsyncApp(
        client=client or web_client(settings),
        # One signature check per request: HTTP requests are verified (and their shape
        # checked) by bot.slack.intake before Bolt sees them, so Bolt gets no secret and
        # checks nothing; Socket Mode connections are authenticated by the app token.
        signing_secret="",
        request_verification_enabled=False,
        # A request no listener takes goes to `unhandled` (one line, 200) instead of
        # Bolt's 404, which Slack would retry.
        raise_error_for_unhandled_request=True,
        logger=_bolt_log,
    )
    app.error(unhandled)
    app.use(injector(deps))
    # Before any listener: a question is recorded as pending before it is acknowledged,
    # and a retried delivery of an event is acknowledged and dropped. Recording comes
    # first: a process killed between the two leaves a pending delivery that is resumed,
    # not a claimed event id that makes Slack's retry be dropped unanswered.
    app.use(durable.record_deliveries)
    app.use(skip_repeated_events)
    for module in (assistant, commands, events, actions, home):
        module.register(app)
    return app


async def skip_repeated_events(
    body: dict[str, Any],
    context: AsyncBoltContext,
    ack: Callable[[], Awaitable[Any]],
    next: Callable[[], Awaitable[Any]],
) -> Any:
    """Let each Events API ``event_id`` through once; Slack's retries reuse the id."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not deps_of(context).records.claim(f"slack:event:{event_id}"):
        log.info("skipping repeated delivery of event %s", event_id)
        return await ack()
    return await next()


def add_slack_routes(
    web_app: web.Application, settings: Settings, conversation: Conversation,
    inflight: InFlight,
) -> AsyncApp:
    """Serve Slack from ``web_app``: ``POST /slack/events`` in HTTP mode, or a Socket
    Mode connection opened when the web app starts (``SLACK_APP_TOKEN`` set).

    Raises:
        SlackConfigError: a required setting is missing.
    """
    deps = SlackDeps(conversation=conversation, settings=settings, inflight=inflight,
                     onboarding=OnboardingChannel(settings.onboarding_channel),
                     records=Records(conversation.store))
    metrics = web_app.get(METRICS_KEY)
    client = web_client(settings) if metrics is None else web_client(
        settings, on_retry=metrics.api_retries.labels("slack").inc,
        on_error=lambda status: metrics.api_errors.labels("slack", status).inc())
    app = create_app(settings, deps, client)
    web_app.cleanup_ctx.append(durable.resumer(deps, app.client, web_app[INSTANCE_KEY]))
    # Cleaned up in reverse order: the worker's cancelled jobs give their deliveries up
    # before the resumer's last lease renewal.
    web_app.cleanup_ctx.append(deps.worker.lifetime)
    if settings.slack_app_token:
        app_token = settings.slack_app_token.get_secret_value()
        handlers: list[CheckedSocketModeHandler] = []

        async def connect(_: web.Application) -> None:
            handlers.append(CheckedSocketModeHandler(app, app_token))  # needs the running loop
            await handlers[-1].connect_async()

        async def close(_: web.Application) -> None:
            for handler in handlers:
                await handler.close_async()

        web_app.on_startup.append(connect)
        web_app.on_cleanup.append(close)
        log.info("Slack: Socket Mode")
    else:
        secret = settings.slack_signing_secret
        signing_secret = secret.get_secret_value() if secret else ""

        async def slack_events(request: web.Request) -> web.Response:
            """Check a Slack request (signature, timestamp, size, body; a malformed one
            is a 4xx and one WARNING line), then hand it to Bolt."""
            checked = await checked_request(request, signing_secret)
            if isinstance(checked, RequestRefusal):
                return checked.response(request)
            return await to_aiohttp_response(await app.async_dispatch(checked))

        web_app.router.add_post(SLACK_PATH, slack_events)
        log.info("Slack: %s", SLACK_PATH)
    return app
