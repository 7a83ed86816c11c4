"""What the Slack listeners share, handed to them through Bolt's ``context``.

A global middleware (:func:`injector`) puts one :class:`SlackDeps` into every
request's context under ``"rolle"``; listeners read it with :func:`deps_of`. A
listener registered with :func:`after_ack` acknowledges at once and leaves its work
to the app's :class:`~bot.slack.worker.Worker`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.config import Settings
from bot.conversation import Conversation
from bot.inflight import InFlight
from bot.records import Records
from bot.slack.leases import Leases
from bot.slack.onboarding import OnboardingChannel
from bot.slack.worker import Worker

CONTEXT_KEY = "rolle"


@dataclass(eq=False)
class SlackDeps:
    """The conversation core plus what the Slack adapter remembers between requests
    (events and messages already answered, threads the bot answers in: in the store, so
    replicas and restarts share them), and the worker that answers after the
    acknowledgement (its jobs counted in ``inflight``)."""

    conversation: Conversation
    settings: Settings
    onboarding: OnboardingChannel
    records: Records
    inflight: InFlight = field(default_factory=InFlight)
    leases: Leases = field(default_factory=Leases)
    worker: Worker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = Worker(self.inflight)


def deps_of(context: AsyncBoltContext) -> SlackDeps:
    """The :class:`SlackDeps` that :func:`injector`'s middleware put into ``context``."""
    deps: SlackDeps = context[CONTEXT_KEY]
    return deps


def injector(deps: SlackDeps) -> Callable[..., Awaitable[Any]]:
    """A global Bolt middleware that puts ``deps`` into every request's context."""

    async def inject(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
        context[CONTEXT_KEY] = deps
        return await next()

    return inject


def after_ack(job: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., Awaitable[None]]:
    """A Bolt listener that acknowledges at once and hands ``job`` to the worker.

    ``job`` stays a plain callback that a test can call: Bolt injects the arguments it
    names (it reads the signature through ``functools.wraps``), and it must name
    ``context``.
    """

    @functools.wraps(job)
    async def listener(**kwargs: Any) -> None:
        context: AsyncBoltContext = kwargs["context"]
        await context.ack()  # Events are acknowledged by Bolt already; once more is harmless.
        deps_of(context).worker.submit(job(**kwargs), what=job.__name__)

    return listener
