"""Durable answering: every question Slack hands over is recorded as pending before it
is acknowledged, marked answered once the reply went out, and resumed after a crash.

Slack does not resend an event or command it got a 200 for, so a process that dies
between the acknowledgement and the reply would lose the question. Here the
acknowledgement first records a *delivery* (what was asked, where to answer) in the
store, renews the leases of what this process holds and records it as this process's
(:mod:`bot.slack.leases`); the listener marks it answered after the reply reached
Slack. A heartbeat renews the leases every quarter lease, so the lease can be short.
A restarted process takes over its dead predecessor's deliveries at start
(:mod:`bot.store.leases`); and every server looks for pending deliveries whose process
died (their lease ran out) and answers them, or, when they are too old, apologises
where it can.

Exactly once across restarts: an answer in a conversation carries the delivery key as
message metadata, so a resumed delivery first checks whether its answer is already
there (the process may have died between posting and marking).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import new_request_id
from bot.core.storage.port import Delivery, NewDelivery
from bot.instance import Instance
from bot.logs import failure
from bot.slack import keys
from bot.slack.blocks import text_message
from bot.slack.deps import SlackDeps, deps_of
from bot.slack.markup import question_from
from bot.slack.messages import is_direct, should_answer
from bot.slack.responder import answer, constant, deliver
from bot.slack.targets import API_FAILURES, Target, conversation_target, response_url_target
from bot.wording import t

log = logging.getLogger(__name__)
METADATA_TYPE = "rollenbot_answer"


def message_key(channel: str, ts: str) -> str:
    """The delivery key of a message (the mention/message pair shares it)."""
    return f"slack:message:{channel}:{ts}"


def command_key(trigger_id: str) -> str:
    """The delivery key of a slash command."""
    return f"slack:command:{trigger_id}"


def delivery_of(body: dict[str, Any], bot_user_id: str | None, deps: SlackDeps
                ) -> NewDelivery | None:
    """The delivery a request asks for, or None when it asks no question."""
    if body.get("command") and body.get("trigger_id"):
        return NewDelivery(
            key=command_key(str(body["trigger_id"])), platform="slack", kind="command",
            user_id=str(body.get("user_id", "")),
            payload={"text": str(body.get("text", "")), "bot_user_id": bot_user_id,
                     "thread": keys.command_key(str(body.get("channel_id") or ""),
                                                str(body.get("user_id") or ""))},
            target={"response_url": body.get("response_url")})
    event = body.get("event") if body.get("type") == "event_callback" else None
    if not isinstance(event, dict) or event.get("type") not in ("app_mention", "message"):
        return None
    if not should_answer(event, bot_user_id, deps):
        return None
    channel, ts = str(event["channel"]), str(event["ts"])
    direct = is_direct(event)
    thread_ts = event.get("thread_ts") or (None if direct else ts)
    return NewDelivery(
        key=message_key(channel, ts), platform="slack", kind="message",
        user_id=str(event["user"]),
        payload={"text": str(event.get("text") or ""), "bot_user_id": bot_user_id,
                 "thread": keys.thread_key(channel, thread_ts, user=str(event["user"]),
                                           direct=direct)},
        target={"channel": channel, "thread_ts": event.get("thread_ts") or
                (None if direct else ts), "direct": direct})


async def record_deliveries(body: dict[str, Any], context: AsyncBoltContext,
                            next: Callable[[], Awaitable[Any]]) -> Any:
    """A global middleware: record the request's delivery as pending before Bolt
    acknowledges it (for events Bolt answers Slack's HTTP request right after the
    middlewares, so a listener would be too late)."""
    deps = deps_of(context)
    store = deps.conversation.store
    delivery = delivery_of(body, context.bot_user_id, deps) if store is not None else None
    settings = deps.settings
    if store is not None and delivery is not None and await asyncio.to_thread(
            store.accept, delivery, lease_seconds=settings.delivery_lease_seconds):
        # Recorded as this process's before the acknowledgement: should it die now, the
        # restarted process takes the delivery over at start.
        deps.leases.hold(delivery.key)
        await deps.leases.renew(store, lease_seconds=settings.delivery_lease_seconds,
                                max_age=settings.resume_max_age_seconds)
    return await next()


async def answered(deps: SlackDeps, key: str) -> None:
    """Mark the delivery ``key`` answered."""
    deps.leases.release(key)
    if deps.conversation.store is not None:
        await asyncio.to_thread(deps.conversation.store.mark_answered, key)


def metadata(key: str) -> dict[str, Any]:
    """Message metadata that ties a posted answer to its delivery."""
    return {"event_type": METADATA_TYPE, "event_payload": {"key": key}}


async def already_posted(client: AsyncWebClient, delivery: Delivery) -> bool:
    """Whether an answer for ``delivery`` is already in its conversation."""
    target = delivery.target or {}
    channel, thread_ts = target.get("channel"), target.get("thread_ts")
    if not channel:
        return False
    if thread_ts:
        found = await client.conversations_replies(channel=channel, ts=thread_ts,
                                                   include_all_metadata=True, limit=200)
    else:
        found = await client.conversations_history(channel=channel, limit=50,
                                                   include_all_metadata=True)
    for message in found.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == METADATA_TYPE and \
                (meta.get("event_payload") or {}).get("key") == delivery.key:
            return True
    return False


def _target(delivery: Delivery, client: AsyncWebClient) -> Target | None:
    target = delivery.target or {}
    if delivery.kind == "command" and target.get("response_url"):
        return response_url_target(AsyncRespond(response_url=str(target["response_url"])))
    if delivery.kind == "message" and target.get("channel"):
        return conversation_target(client, str(target["channel"]), "",
                                   target.get("thread_ts"), is_im=bool(target.get("direct")),
                                   metadata=metadata(delivery.key))
    return None


async def resume(deps: SlackDeps, client: AsyncWebClient, delivery: Delivery) -> None:
    """Answer a delivery whose process died before it was answered."""
    request_id = new_request_id()
    target = _target(delivery, client)
    # Claimed like a listener claims the message, so a retry of the event arriving now
    # is not answered a second time (a claim that fails was the dead process's).
    if delivery.kind == "message":
        deps.records.claim(delivery.key)
    # Checked right after the claim, with no await between: a listener of this process
    # either started before (and is answering) or finds the message claimed.
    if deps.leases.busy(delivery.key):
        log.info("request_id=%s: delivery %s is being answered here", request_id,
                 delivery.key)
        return
    with deps.leases.answering(delivery.key):
        if target is None:
            log.warning("request_id=%s: delivery %s has no target; dropped", request_id,
                        delivery.key)
        elif delivery.kind == "message" and await already_posted(client, delivery):
            log.info("request_id=%s: delivery %s was answered before the restart",
                     request_id, delivery.key)
        else:
            log.info("request_id=%s: resuming delivery %s", request_id, delivery.key)
            bot_user_id = delivery.payload.get("bot_user_id")
            text = question_from(str(delivery.payload.get("text", "")),
                                 str(bot_user_id) if bot_user_id else None)
            thread = delivery.payload.get("thread")
            await answer(deps, text, user="-", target=target, request_id=request_id,
                         surface="slash" if delivery.kind == "command" else "mention",
                         show_question=delivery.kind == "command",
                         thread=str(thread) if thread else None)
        await answered(deps, delivery.key)


async def apologise(client: AsyncWebClient, delivery: Delivery) -> None:
    """Tell the asker that a question from too long ago got lost, where possible."""
    target = _target(delivery, client)
    if target is None:
        log.warning("delivery %s expired unanswered and has no target", delivery.key)
        return
    await deliver(target.send, constant(text_message(t("lost"))), request_id=new_request_id())


def resumer(deps: SlackDeps, client: AsyncWebClient, instance: Instance
            ) -> Callable[[Any], AsyncIterator[None]]:
    """A cleanup context for the web app: while it runs, renew the leases this process
    holds, take over the deliveries of its dead predecessor (``instance``) at start,
    then resume dead processes' deliveries every ``ROLLE_RESUME_INTERVAL_SECONDS`` and
    apologise for expired ones."""
    settings = deps.settings
    store = deps.conversation.store
    lease = settings.delivery_lease_seconds

    async def answer_all(deliveries: tuple[Delivery, ...]) -> None:
        for delivery in deliveries:  # all renewed while the first are answered
            deps.leases.hold(delivery.key)
        for delivery in deliveries:
            async with deps.inflight.track():
                try:
                    await resume(deps, client, delivery)
                except Exception as error:  # Slack unreachable: stays pending
                    failure(log, error, API_FAILURES,
                            "request_id=%s: resuming delivery %s failed; it is tried again "
                            "when its lease runs out", new_request_id(), delivery.key)
                    deps.leases.release(delivery.key)

    async def sweep() -> None:
        assert store is not None
        max_age = settings.resume_max_age_seconds
        for delivery in await asyncio.to_thread(store.expire_pending, max_age_seconds=max_age):
            await apologise(client, delivery)
        await answer_all(await asyncio.to_thread(
            store.take_pending, max_age_seconds=max_age, lease_seconds=lease))

    async def heartbeat() -> None:
        assert store is not None
        while True:
            await asyncio.sleep(lease / 4)
            await deps.leases.renew(store, lease_seconds=lease,
                                    max_age=settings.resume_max_age_seconds)

    async def loop() -> None:
        assert store is not None
        name = await instance.name()
        # Adopted before this process records anything under the same name.
        adopted = await asyncio.to_thread(
            store.adopt, name, max_age_seconds=settings.resume_max_age_seconds,
            lease_seconds=lease)
        deps.leases.owner = name
        beat = asyncio.create_task(heartbeat())
        try:
            if adopted:
                log.info("taking over %d delivery(ies) of the previous process %s",
                         len(adopted), name)
            await answer_all(adopted)
            while True:
                try:
                    await sweep()
                except Exception:
                    log.exception("request_id=%s: resuming deliveries failed",
                                  new_request_id())
                await asyncio.sleep(settings.resume_interval_seconds)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def context(_: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(loop()) if store is not None else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if store is not None:  # nothing is held after a clean stop
                await deps.leases.renew(store, lease_seconds=lease,
                                        max_age=settings.resume_max_age_seconds)

    return context
