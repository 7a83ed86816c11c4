"""Teams wiring: the AgentApplication with its routes, the CloudAdapter, and
POST /api/messages on the shared aiohttp app, guarded by the SDK's JWT validation
(every refusal a 401 with one WARNING line, see :func:`bot.teams.auth.authorize`) and
by a check of the activity itself (:mod:`bot.teams.shape`: a body that is no activity
the SDK and the handlers can take, a missing or garbage ``serviceUrl`` included, is a
400 with one WARNING line naming the field). Replies to the Bot Connector have a short
connect timeout and are retried on 429/5xx (:mod:`bot.teams.retry`)."""

from __future__ import annotations

import logging
import warnings

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ConversationUpdateTypes,
    InvokeResponse,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)

from bot.config import Settings
from bot.conversation import Conversation, new_request_id
from bot.inflight import InFlight
from bot.metrics import METRICS_KEY
from bot.shape import UNREADABLE, BodyError, json_object
from bot.teams import cards
from bot.teams.auth import TokenRefusal, authorize, connection_manager
from bot.teams.handlers import TeamsHandlers
from bot.teams.retry import RetryingCalls, RetryingClientFactory
from bot.teams.shape import problem
from bot.teams.tour import TOUR

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
# The key under which the SDK's JWT middleware looks up the auth configuration.
_AUTH_CONFIG_KEY = "agent_configuration"
_AUTH_ERROR = {"error": "Invalid token or authentication failed."}


class _NoAppIdNote(logging.Filter):
    """In anonymous mode the SDK warns on every request that there is no App ID; the
    start-up warning about anonymous mode says it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("App ID is not provided")


async def _answer_invoke(context: TurnContext, state: TurnState) -> None:
    """Invokes the bot has no route for (its cards submit messages) get an empty 200,
    not the SDK's 501."""
    logger.info("Teams: ignored an invoke (%.60r)", context.activity.name)
    await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                         value=InvokeResponse(status=200)))


def create_agent_app(
    settings: Settings,
    conversation: Conversation,
    inflight: InFlight | None = None,
    connections: MsalConnectionManager | None = None,
    calls: RetryingCalls | None = None,
) -> tuple[AgentApplication[TurnState], CloudAdapter]:
    """The Teams agent and the adapter that runs it, both configured from ``settings``.

    Args:
        settings: the Teams credentials.
        conversation: decides every reply.
        inflight: counts answers in flight (for shutdown and tests).
        connections: the SDK connection manager (default: built from ``settings``).
        calls: the retry policy for replies (default: :class:`RetryingCalls`).

    Raises:
        TeamsConfigError: when the Teams credentials are incomplete.
    """
    connections = connections or connection_manager(settings)
    # With real credentials, replies may only go to Microsoft's Teams service URLs;
    # anonymous mode is for local tests against a connector on loopback.
    validator = OutboundHostValidator(enabled=not settings.teams_anonymous)
    factory = RetryingClientFactory(connections, calls or RetryingCalls())
    adapter = CloudAdapter(connection_manager=connections, host_validator=validator,
                           channel_service_client_factory=factory)
    options = ApplicationOptions(
        storage=MemoryStorage(),
        bot_app_id=settings.teams_app_id or "",
        remove_recipient_mention=True,
        # Answers take milliseconds; the SDK's typing indicator (after 0.5 s) only ever
        # went out while the connector was slow or failing, as one more failing call
        # whose error nobody awaited (a traceback from asyncio).
        start_typing_timer=False,
    )
    agent_app = AgentApplication[TurnState](options, connection_manager=connections)
    handlers = TeamsHandlers(conversation, inflight or InFlight(),
                             welcome=settings.teams_welcome)
    submit = agent_app.adaptive_card.action_submit
    submit(cards.SHOW, submit_filter=cards.ACTION_KEY)(handlers.on_show)
    submit(cards.ASK, submit_filter=cards.ACTION_KEY)(handlers.on_ask)
    submit(cards.FEEDBACK, submit_filter=cards.ACTION_KEY)(handlers.on_feedback)
    submit(cards.MISSING, submit_filter=cards.ACTION_KEY)(handlers.on_missing)
    submit(cards.DECLINE, submit_filter=cards.ACTION_KEY)(handlers.on_decline)
    submit(TOUR, submit_filter=cards.ACTION_KEY)(handlers.on_tour)
    agent_app.message()(handlers.on_message)  # everything else that is a message
    agent_app.conversation_update(ConversationUpdateTypes.MEMBERS_ADDED)(
        handlers.on_members_added)
    agent_app.invoke()(_answer_invoke)
    agent_app.error(handlers.on_turn_error)
    adapter.on_turn_error = handlers.on_turn_error
    return agent_app, adapter


def add_teams_routes(
    web_app: web.Application, settings: Settings, conversation: Conversation,
    inflight: InFlight | None = None,
) -> None:
    """Add POST /api/messages (the Teams messaging endpoint) to ``web_app``.

    Requests need a valid Bot Framework token for MICROSOFT_APP_ID; a missing or
    malformed Authorization header is refused with 401 before anything else runs.
    With ROLLE_TEAMS_ANONYMOUS=true, requests without a token are accepted (local
    testing only; a warning is logged).

    Raises:
        TeamsConfigError: when the Teams credentials are incomplete.
    """
    connections = connection_manager(settings)
    metrics = web_app.get(METRICS_KEY)
    calls = RetryingCalls(
        on_retry=metrics.api_retries.labels("teams").inc if metrics else None,
        on_error=(lambda status: metrics.api_errors.labels("teams", status).inc())
        if metrics else None)
    agent_app, adapter = create_agent_app(settings, conversation, inflight, connections,
                                          calls)
    if settings.teams_anonymous:
        logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client"
                          ).addFilter(_NoAppIdNote())
        logger.warning(
            "Teams: ROLLE_TEAMS_ANONYMOUS=true, %s accepts requests WITHOUT authentication. "
            "Use this only for local testing, never on a reachable server.",
            MESSAGES_PATH,
        )
    else:
        logger.info("Teams: %s accepts Bot Framework tokens for app %s",
                    MESSAGES_PATH, settings.teams_app_id)
    auth_config = connections.get_default_connection_configuration()
    with warnings.catch_warnings():
        # The SDK reads this plain string key; aiohttp would prefer a web.AppKey.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        web_app[_AUTH_CONFIG_KEY] = auth_config

    async def messages(request: web.Request) -> web.StreamResponse:
        claims = await authorize(request.headers.get("Authorization"), auth_config)
        if isinstance(claims, TokenRefusal):
            logger.warning("Teams: refused a request from %s: %s", request.remote,
                           claims.reason)
            return web.json_response(_AUTH_ERROR, status=401)
        wrong = await _checked(request)
        if wrong is not None:
            logger.warning("Teams: refused an activity from %s: %s", request.remote, wrong)
            return web.json_response({"error": f"Invalid activity: {wrong}"}, status=400)
        request["claims_identity"] = claims
        try:
            response = await start_agent_process(request, agent_app, adapter)
        except Exception:  # the check above lets nothing through that the SDK refuses
            logger.exception("Teams: the SDK failed on an activity (request %s)",
                             new_request_id())
            return web.json_response({"error": "The activity could not be processed"},
                                     status=400)
        return response if response is not None else web.Response(status=202)

    web_app.router.add_post(MESSAGES_PATH, messages)


async def _checked(request: web.Request) -> str | None:
    """Why the request's body is no activity the bot takes (see :mod:`bot.teams.shape`),
    or None; the body stays readable for the SDK."""
    try:
        body = json_object(await request.read())
    except BodyError as error:
        return str(error)
    except UNREADABLE as error:
        return f"the body cannot be read ({type(error).__name__})"
    return problem(body)
