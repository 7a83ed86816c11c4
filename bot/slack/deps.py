"""What the Slack listeners share, handed to them through Bolt's ``context``.

A global middleware (:func:`inject`) puts one :class:`SlackDeps` into every request's
context under ``"rolle"``; listeners read it with :func:`deps_of`. Lazy listeners get a
deep copy of the context, so ``SlackDeps`` copies as itself: the records must be shared.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext

from bot.config import Settings
from bot.conversation import Conversation
from bot.inflight import InFlight
from bot.records import Records
from bot.slack.leases import Leases
from bot.slack.onboarding import OnboardingChannel

CONTEXT_KEY = "rolle"
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@dataclass(eq=False)
class SlackDeps:
    """The conversation core plus what the Slack adapter remembers between requests
    (events and messages already answered, threads the bot answers in: in the store, so
    replicas and restarts share them)."""

    conversation: Conversation
    settings: Settings
    onboarding: OnboardingChannel
    records: Records
    inflight: InFlight = field(default_factory=InFlight)
    leases: Leases = field(default_factory=Leases)

    def __deepcopy__(self, memo: dict[int, Any]) -> SlackDeps:
        return self


def deps_of(context: AsyncBoltContext) -> SlackDeps:
    """The :class:`SlackDeps` that :func:`inject` put into ``context``."""
    deps: SlackDeps = context[CONTEXT_KEY]
    return deps


def injector(deps: SlackDeps) -> Callable[..., Awaitable[Any]]:
    """A global Bolt middleware that puts ``deps`` into every request's context."""

    async def inject(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
        context[CONTEXT_KEY] = deps
        return await next()

    return inject


async def acknowledge(ack: Callable[[], Awaitable[Any]], context: AsyncBoltContext) -> None:
    """Acknowledge at once and count the lazy listener that Bolt starts next as in flight
    (it ends the count: see :func:`lazy`)."""
    deps_of(context).inflight.begin()
    await ack()


def lazy(func: F) -> F:
    """``func`` as a lazy listener paired with :func:`acknowledge`: whatever happens, it
    marks its unit of work finished. ``func`` must take ``context``."""

    @functools.wraps(func)
    async def run(**kwargs: Any) -> Any:
        try:
            return await func(**kwargs)
        finally:
            deps_of(kwargs["context"]).inflight.end()

    return run  # type: ignore[return-value]
