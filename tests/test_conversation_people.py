"""The conversation core answers "who is ours" with the role and its people, decided
once for every front end (stub engine, in-memory directories)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from bot.conversation import Conversation
from bot.core.models import Passage
from bot.core.people import DirectoryError, FileDirectory, Person
from bot.core.storage.port import Platform
from bot.terminal import render
from bot.wording import t
from tests.support.stub_engine import Canned, StubEngine

ERIKA = Person(name="Erika Muster", email="erika@example.com")


class Recording:
    """A directory that records what it was asked (and can fail)."""

    def __init__(self, failing: bool = False) -> None:
        self.asked: list[tuple[str, Platform]] = []
        self.failing = failing

    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        self.asked.append((role.id, platform))
        if self.failing:
            raise DirectoryError("users.list: ratelimited")
        return (ERIKA,) if role.id == "vertriebsleiter" else ()


def test_who_is_ours_gets_the_role_and_its_people() -> None:
    directory = Recording()
    conversation = Conversation(StubEngine(), directory=directory)
    reply = conversation.respond("Wer ist bei uns Vertriebsleiter?", platform="slack")
    assert reply.kind == "answer" and reply.best is not None
    assert reply.best.id == "vertriebsleiter"
    assert reply.people == (ERIKA,) and reply.people_asked
    assert directory.asked == [("vertriebsleiter", "slack")]
    assert render(reply).split("\n\n")[-2] == (
        f"{t('people_here', 'de')}\n  • Erika Muster <erika@example.com>")
    nobody = conversation.respond("Who is our sales manager?")
    assert nobody.people == () and nobody.people_asked
    assert t("people_none", "en") in render(nobody)


@pytest.mark.parametrize("question", [
    "Was macht ein Vertriebsleiter?",  # the role in general
    "Vertriebsleiter",  # a role name
    "hilfe",
])
def test_other_questions_do_not_read_the_directory(question: str) -> None:
    directory = Recording()
    reply = Conversation(StubEngine(), directory=directory).respond(question)
    assert directory.asked == [] and not reply.people_asked
    assert t("people_none", "de") not in render(reply)


def test_a_comparison_or_a_topic_has_no_people() -> None:
    engine = StubEngine()
    question = "Wer ist bei uns Vertrieb und wer Marketing?"
    engine.canned[question] = Canned("answer", ("leiter-marketing", "vertriebsleiter"),
                                     comparison=True)
    topic = "Wer ist bei uns für Marketing und Vertrieb da?"
    engine.canned[topic] = Canned("answer", ("unterschiede-marketing-vertrieb",))
    directory = Recording()
    conversation = Conversation(engine, directory=directory)
    assert conversation.respond(question).comparison
    assert not conversation.respond(topic).people_asked
    assert directory.asked == []


def test_a_failing_directory_shows_the_role_alone(caplog: pytest.LogCaptureFixture) -> None:
    conversation = Conversation(StubEngine(), directory=Recording(failing=True))
    with caplog.at_level(logging.WARNING):
        reply = conversation.respond("Wer ist bei uns Vertriebsleiter?")
    assert reply.kind == "answer" and reply.best is not None and not reply.people_asked
    assert "directory unavailable" in caplog.text
    text = render(reply)
    assert t("people_here", "de") not in text and t("people_none", "de") not in text


def test_file_directory_serves_every_platform() -> None:
    conversation = Conversation(StubEngine(), directory=FileDirectory(
        {"vertriebsleiter": (ERIKA,)}))
    for platform in ("slack", "teams", "terminal"):
        reply = conversation.respond("Wer ist unsere Vertriebsleiterin?", platform=platform)
        assert reply.people == (ERIKA,)
