"""The ``/rolle`` slash command: ``hilfe``, ``liste``, a role name, or a question.

The reply is ephemeral (through the command's ``response_url``), repeats the question
because the channel cannot see it, and offers "Im Kanal teilen".
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.slack.listeners import acknowledge, bind
from bot.slack.responder import Responder, new_request_id
from bot.slack.targets import response_url_target
from bot.slack.text import question_from
from bot.texts import HELP_WORDS, LIST_WORDS

COMMAND = "/rolle"


def register(app: AsyncApp, responder: Responder) -> None:
    """Listen for ``/rolle``: ack within Slack's 3 seconds, answer in a lazy listener."""
    app.command(COMMAND)(ack=acknowledge, lazy=[bind(answer_command, responder=responder)])


async def answer_command(
    command: dict[str, Any],
    context: AsyncBoltContext,
    respond: AsyncRespond,
    *,
    responder: Responder,
) -> None:
    """Reply to one ``/rolle …`` invocation, visible to the person who typed it."""
    question = question_from(command.get("text"), context.bot_user_id)
    word = question.strip().lower()
    await responder.handle(
        question,
        user=command.get("user_id", ""),
        target=response_url_target(respond),
        request_id=new_request_id(),
        show_question=bool(word) and word not in HELP_WORDS | LIST_WORDS,
        share=True,
    )
