""""Who is ours" with the real engine: the role of the question is resolved by the
engine itself (the "who is ours" wording must not lead it astray)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings
from bot.conversation import Conversation
from bot.core.engine import Engine
from bot.core.people import FileDirectory, Person
from bot.wording import t
from tests.support import reconfigure

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


def test_rolle_ask_lists_the_people_of_the_file(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, real_engine: Engine,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "people.yaml"
    path.write_text("people:\n  vertriebsleiter:\n    - name: Erika Muster\n", "utf-8")
    monkeypatch.setattr(cli, "get_settings", lambda: reconfigure(settings, {"people_file": path}))
    monkeypatch.setattr(cli.compose, "load_engine", lambda _settings: real_engine)
    assert cli.main(["ask", "Wer ist bei uns Vertriebsleiter?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Vertriebsleiter")
    assert f"{t('people_here', 'de')}\n  • Erika Muster" in out
    assert cli.main(["ask", "Was macht ein Vertriebsleiter?"]) == 0
    assert "Erika Muster" not in capsys.readouterr().out
