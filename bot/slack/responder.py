"""From a question to a reply in Slack: help, the list, a role by name or an engine
answer; rate limit, request ids and the German error reply when anything fails.

Listeners decide where a reply goes (a :class:`Target`); this module decides what it
says. The engine is synchronous and CPU-bound, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.language import detect
from bot.core.models import Language, Passage
from bot.slack.blocks import Message, answer_message, error_message, passages_message, text_message
from bot.slack.dedup import RecentKeys
from bot.slack.ratelimit import RateLimiter, Verdict
from bot.slack.strings import s
from bot.slack.views import catalogue_message, help_message
from bot.texts import HELP_WORDS, LIST_WORDS, t

log = logging.getLogger(__name__)

Send = Callable[[Message], Awaitable[None]]
_ENGLISH_WORDS = frozenset({"help", "list", "roles", "topics"})
_HOUR = 3600.0


@dataclass(frozen=True)
class Target:
    """Where replies go: ``send`` for the answer, ``private`` for notes to the asker only."""

    send: Send
    private: Send


def new_request_id() -> str:
    """A short id that ties a log line to what the user was told."""
    return uuid.uuid4().hex[:12]


async def deliver(
    send: Send, build: Callable[[], Awaitable[Message | None]], *, request_id: str
) -> None:
    """Build a reply and send it; on any failure log it and send the German error.

    Args:
        send: posts a message where the reply belongs.
        build: makes the reply; None means there is nothing to send.
        request_id: goes into the log and into the error text.
    """
    try:
        message = await build()
        if message is not None:
            await send(message)
    except Exception:
        log.exception("request_id=%s: answering failed", request_id)
        try:
            await send(error_message(request_id))
        except Exception:
            log.exception("request_id=%s: sending the error reply failed too", request_id)


class Responder:
    """The engine plus what the Slack adapter remembers between requests.

    The records (events and messages already answered, threads the bot answers in,
    questions per user) live in memory and start empty after a restart.
    """

    def __init__(self, engine: Engine, settings: Settings) -> None:
        """Wrap ``engine`` with the limits in ``settings``."""
        self.engine = engine
        self.settings = settings
        self.events = RecentKeys(max_size=20_000, ttl_seconds=_HOUR)
        self.messages = RecentKeys(max_size=20_000, ttl_seconds=_HOUR)
        self.threads = RecentKeys(max_size=5_000)
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    async def handle(
        self,
        question: str,
        *,
        user: str,
        target: Target,
        request_id: str,
        show_question: bool = False,
        share: bool = False,
    ) -> None:
        """Answer ``question`` from ``user`` at ``target``, within the rate limit."""
        # "hilfe" and "liste" are not questions: they do not count against the limit.
        word = question.strip().lower()
        verdict = Verdict.ALLOW if word in HELP_WORDS | LIST_WORDS else self.limiter.check(user)
        if verdict is not Verdict.ALLOW:
            log.info("request_id=%s user=%s rate limited (%s)", request_id, user, verdict.value)
            if verdict is Verdict.NOTIFY:
                note = text_message(t("rate_limited", detect(question)))
                await deliver(target.private, constant(note), request_id=request_id)
            return

        async def build() -> Message:
            return await self.compose(question, request_id=request_id, user=user,
                                      show_question=show_question, share=share)

        await deliver(target.send, build, request_id=request_id)

    async def compose(
        self,
        question: str,
        *,
        request_id: str = "-",
        user: str = "-",
        show_question: bool = False,
        share: bool = False,
    ) -> Message:
        """The reply to ``question``: help, the list, a role by name, or an answer."""
        word = question.strip().lower()
        if word in HELP_WORDS:
            return help_message("en" if word in _ENGLISH_WORDS else "de")
        if word in LIST_WORDS:
            groups = self.engine.by_department()
            return catalogue_message(groups, "en" if word in _ENGLISH_WORDS else "de")
        passage = self.engine.lookup(question) if word else None
        if passage is not None:
            log.info("request_id=%s user=%s lookup passage=%s", request_id, user, passage.id)
            # A bare role name says nothing about the asker's language: German UI.
            return self._passage(passage, "de", question=question,
                                 show_question=show_question, share=share)
        answer = await asyncio.to_thread(self.engine.answer, question)
        best = answer.best
        log.info("request_id=%s user=%s reason=%s passage=%s", request_id, user,
                 answer.reason, best.passage.id if best else "-")
        return answer_message(answer, limit=self.engine.max_question_chars,
                              show_question=show_question, share=share)

    def passage_message(self, passage_id: str, language: Language, *, share: bool = False
                        ) -> Message | None:
        """One passage (from a button), its related ones offered below; None if unknown."""
        passage = self.engine.get(passage_id)
        return None if passage is None else self._passage(passage, language, share=share)

    def _passage(self, passage: Passage, language: Language, *, question: str | None = None,
                 show_question: bool = False, share: bool = False) -> Message:
        related = [p for p in map(self.engine.get, passage.related) if p is not None]
        return passages_message([passage, *related], language, question=question,
                                show_question=show_question, share=share,
                                more_label=s("related", language))


def constant(message: Message) -> Callable[[], Awaitable[Message]]:
    """A ``build`` for :func:`deliver` that returns a ready message."""

    async def build() -> Message:
        return message

    return build
