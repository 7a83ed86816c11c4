"""The ``/rolle`` slash command: ``hilfe``, ``liste``, a role name, or a question.

The reply is ephemeral (through the command's ``response_url``), repeats the question
because the channel cannot see it, and offers "Im Kanal teilen".
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.conversation import new_request_id
from bot.slack import durable
from bot.slack.deps import after_ack, deps_of
from bot.slack.keys import command_key
from bot.slack.markup import question_from
from bot.slack.responder import answer
from bot.slack.targets import response_url_target

COMMAND = "/rolle"


def register(app: AsyncApp) -> None:
    """Listen for ``/rolle``: record and ack within Slack's 3 seconds, answer in the
    app's worker."""
    app.command(COMMAND)(after_ack(answer_command))


async def answer_command(
    command: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """Reply to one ``/rolle …`` invocation, visible to the person who typed it."""
    deps = deps_of(context)
    key = durable.command_key(str(command.get("trigger_id") or ""))
    with deps.leases.answering(key):
        await answer(
            deps,
            question_from(command.get("text"), context.bot_user_id),
            user=command.get("user_id", ""),
            target=response_url_target(respond),
            request_id=new_request_id(),
            surface="slash",
            show_question=True,
            share=True,
            thread=command_key(str(command.get("channel_id") or ""),
                               str(command.get("user_id") or "")),
        )
        if command.get("trigger_id"):
            await durable.answered(deps, key)
