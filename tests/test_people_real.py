""""Who is ours" with the real engine: the role of the question is resolved by the
engine itself (the "who is ours" wording must not lead it astray)."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.core.engine import Engine
from bot.core.people import FileDirectory, Person

QUESTIONS = {
    "Wer ist bei uns Vertriebsleiter?": "vertriebsleiter",
    "Wer ist unsere Vertriebsleiterin?": "vertriebsleiter",
    "Who is our head of sales?": "vertriebsleiter",
    "Wer ist bei uns Marketingleiterin?": "leiter-marketing",
    "Who's our CMO?": "leiter-marketing",
    "Wer ist hier Sales Manager?": "sales-manager",
    "Wer macht bei uns Business Development?": "business-development-manager",
    "Who is our head of e-commerce?": "leiter-e-commerce",
    "Wer ist unser Online Marketing Manager?": "online-marketing-manager",
}


@pytest.mark.parametrize(("question", "role"), QUESTIONS.items())
def test_real_engine_resolves_the_role_of_who_is_ours(
    real_engine: Engine, question: str, role: str,
) -> None:
    people = {role: (Person(name="Erika Muster"),)}
    reply = Conversation(real_engine, directory=FileDirectory(people)).respond(question)
    assert reply.best is not None and reply.best.id == role, (reply.kind, reply.offered)
    assert reply.people == (Person(name="Erika Muster"),)
