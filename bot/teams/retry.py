"""Teams outbound replies that survive a 429 or a 5xx: the SDK's connector client gets an
aiohttp client middleware that retries with backoff (honouring ``Retry-After``), so a
busy Bot Connector delays an answer instead of turning it into an error message.

A connector that cannot be reached is given up on quickly: a short connect timeout and
one retry, since Teams holds the incoming request while the reply is on its way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import ClientHandlerType, ClientRequest, ClientResponse, ClientSession
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# How a call to the Bot Connector fails for good (refused, unreachable, an error status
# after the retries): one log line, no traceback.
DELIVERY_FAILURES: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one call to the Bot Connector."""

    attempts: int = 4  # in all, the first included
    backoff: float = 0.5  # seconds before the first retry; doubled each time
    max_delay: float = 10.0  # cap on any wait, Retry-After included
    connect_attempts: int = 2  # in all, when no connection could be made
    connect_timeout: float = 2.0  # seconds for a TCP connection to the connector
    call_timeout: float = 15.0  # seconds for one attempt in all


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (dates are ignored)."""
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


class RetryingCalls:
    """The client middleware; ``on_retry``/``on_error`` feed the metrics."""

    def __init__(self, policy: RetryPolicy = RetryPolicy(),
                 on_retry: Callable[[], None] | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.policy = policy
        self._on_retry = on_retry
        self._on_error = on_error

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType
                       ) -> ClientResponse:
        policy = self.policy
        limit = policy.attempts
        for attempt in range(1, policy.attempts + 1):
            delay = policy.backoff * 2 ** (attempt - 1)
            try:
                response = await handler(request)
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                limit = min(policy.attempts, policy.connect_attempts)
                if attempt >= limit:
                    self._error("connection")
                    raise
                why = type(exc).__name__
            else:
                if response.status not in RETRY_STATUSES:
                    if response.status >= 400:
                        self._error(str(response.status))
                    return response
                if attempt == policy.attempts:
                    self._error(str(response.status))
                    return response
                why = f"HTTP {response.status}"
                delay = retry_after(response.headers.get("Retry-After")) or delay
                response.release()
            delay = min(delay, policy.max_delay)
            logger.warning("Teams: %s %s failed (%s); retry %d of %d in %.1f s",
                           request.method, request.url.path, why, attempt, limit - 1, delay)
            if self._on_retry is not None:
                self._on_retry()
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, status: str) -> None:
        if self._on_error is not None:
            self._on_error(status)


class RetryingClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory, whose Teams connector clients retry (see module doc)."""

    def __init__(self, connection_manager: Any, calls: RetryingCalls) -> None:
        super().__init__(connection_manager)
        self._calls = calls

    async def create_connector_client(self, *args: Any, **kwargs: Any) -> Any:
        client = await super().create_connector_client(*args, **kwargs)
        if not isinstance(client, TeamsConnectorClient):
            return client
        # Same endpoint and token, on a session that carries the retry middleware.
        old: ClientSession = client.client
        token = old.headers.get("Authorization", "").removeprefix("Bearer ")
        endpoint = client.base_uri
        await old.close()
        policy = self._calls.policy
        timeout = aiohttp.ClientTimeout(total=policy.call_timeout, connect=policy.connect_timeout,
                                        sock_connect=policy.connect_timeout)
        session = ClientSession(base_url=endpoint, middlewares=(self._calls,), timeout=timeout)
        return TeamsConnectorClient(endpoint=endpoint, token=token, session=session)
