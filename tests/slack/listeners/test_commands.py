"""``/rolle`` end to end: signed slash commands in, response_url posts out."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from bot.buttons import Ask, Toggle
from bot.core.engine import Engine
from bot.core.models import Answer
from bot.slack.values import read_value
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack, header
from tests.slack.harness import SlackServer
from tests.slack.rebuild import button_value, rebuilt


def ask(server: SlackServer, fake: FakeSlack, text: str, key: str = "cmd") -> dict:
    result = server.command(p.slash_command(text, fake.response_url(key)))
    assert result.status == 200
    post = fake.wait_posts(1)[0]
    assert post.method == "response_url" and post.path == f"/response/{key}"
    return post.params


def full_version(reply: dict, engine: Engine) -> str:
    """The whole message the "Ganze Beschreibung" button of ``reply`` shows, as JSON."""
    value = button_value(reply["blocks"])
    toggle = read_value(value, Toggle)
    assert toggle is not None and toggle.answer.full
    return json.dumps(rebuilt(value, engine).kwargs(), ensure_ascii=False)


def test_question_gets_an_ephemeral_answer_with_the_question_and_share(
        server: SlackServer, fake_slack: FakeSlack, engine: Engine) -> None:
    reply = ask(server, fake_slack, "Was macht ein Business Development Manager?")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "Business Development Manager"
    text = json.dumps(reply, ensure_ascii=False)
    assert "Deine Frage: Was macht ein Business Development Manager?" in text
    assert "> Ein Business Development Manager befasst sich" in text  # the gist, quoted
    assert "Wachstumsstrategien" not in text  # a task: one click away
    assert "Wachstumsstrategien" in full_version(reply, engine)
    assert "Im Kanal teilen" in text
    server.idle()
    assert not fake_slack.of("chat.postMessage")  # nothing visible in the channel


def test_help_list_and_role_name(server: SlackServer, fake_slack: FakeSlack,
                                 engine: Engine) -> None:
    help_reply = ask(server, fake_slack, "hilfe", "help")
    assert help_reply["text"] == t("help", "de")
    fake_slack.reset()
    listing = ask(server, fake_slack, "liste", "list")
    values = [p.points_at(e["value"]) for b in listing["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert values == [passage.id for passage in engine.passages] + ["tour", "hilfe"]
    for department in engine.by_department():
        assert f"*{department}*" in json.dumps(listing, ensure_ascii=False)
    fake_slack.reset()
    role = ask(server, fake_slack, "Vertriebsleiter", "role")
    assert role["blocks"][0]["text"]["text"] == "Vertriebsleiter"
    assert "• " not in json.dumps(role, ensure_ascii=False)  # the gist: its opening
    assert "• Führung einer Vertriebsmannschaft" in full_version(role, engine)  # its tasks


def test_user_text_is_escaped_so_it_cannot_ping(server: SlackServer,
                                                fake_slack: FakeSlack) -> None:
    reply = ask(server, fake_slack, "<!channel> <!here> <@U0OTHER> was macht die "
                "Vertriebsassistenz?")
    raw = json.dumps(reply, ensure_ascii=False)
    for markup in ("<!channel>", "<!here>", "<@U0OTHER>"):
        assert markup not in raw
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U0OTHER&gt;" in raw
    assert reply["blocks"][0]["text"]["text"] == "Vertriebsassistenz"


def test_english_question_gets_english_ui(server: SlackServer, fake_slack: FakeSlack) -> None:
    reply = ask(server, fake_slack, "What does a sales manager do?")
    raw = json.dumps(reply, ensure_ascii=False)
    assert "Your question: What does a sales manager do?" in raw
    assert "Share in channel" in raw and "Source:" in raw
    assert reply["blocks"][0]["text"]["text"] == "Sales Manager"


def test_no_answer_leads_to_each_departments_list_the_tour_and_help(
        server: SlackServer, fake_slack: FakeSlack, engine: Engine) -> None:
    reply = ask(server, fake_slack, "Wie backe ich ein Brot mit Sauerteig?")
    assert t("no_match", "de") in reply["text"]
    rows = [[p.points_at(e["value"]) for e in b["elements"]] for b in reply["blocks"]
            if b["type"] == "actions"]
    assert rows == [[f"liste {d}" for d in engine.by_department()], ["tour", "hilfe"]]


def test_empty_and_too_long(server: SlackServer, fake_slack: FakeSlack,
                            engine: Engine) -> None:
    assert ask(server, fake_slack, "", "empty")["text"] == t("empty", "de")
    fake_slack.reset()
    question = "Vertrieb " * 150
    reply = ask(server, fake_slack, question, "long")
    assert reply["text"] == t("too_long", "de", length=len(question.strip()),
                              limit=engine.max_question_chars)


def test_share_posts_the_answer_visibly_naming_the_sharer(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    reply = ask(server, fake_slack, "Was macht ein Sales Manager?", "first")
    share = next(e for b in reply["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == "share_answer")
    fake_slack.reset()
    click = p.block_actions("share_answer", share["value"], ephemeral=True,
                            response_url=fake_slack.response_url("share"), user="U0SHARER")
    assert server.interaction(click).status == 200
    shared = fake_slack.wait_posts(1)[0]
    assert shared.path == "/response/share"
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["replace_original"] is False
    assert header(shared) == "Sales Manager"
    assert "Geteilt von <@U0SHARER> · Frage: Was macht ein Sales Manager?" in shared.block_text()
    assert not any(a == "share_answer" for a, _ in shared.action_values())


def test_ack_comes_before_the_answer(server: SlackServer, fake_slack: FakeSlack,
                                     engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real_answer = engine.answer

    def slow_answer(question: str, **kwargs: object) -> Answer:
        assert release.wait(30)
        return real_answer(question)

    monkeypatch.setattr(engine, "answer", slow_answer)
    result = server.command(p.slash_command("Was macht ein Vertriebsleiter?",
                                            fake_slack.response_url("slow")))
    assert result.status == 200  # acknowledged while the engine is still busy
    assert not fake_slack.posts()
    release.set()
    assert header(fake_slack.wait_posts(1)[0]) == "Vertriebsleiter"


def test_failure_gets_a_german_error_with_a_logged_reference(
        server: SlackServer, fake_slack: FakeSlack, engine: Engine,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(question: str, **kwargs: object) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(engine, "answer", broken)
    caplog.set_level(logging.INFO)
    reply = ask(server, fake_slack, "Was macht ein Vertriebsleiter?")
    assert reply["text"].startswith("Da ist bei mir etwas schiefgegangen.")
    reference = reply["text"].split("Referenz: ")[1].rstrip(")")
    failures = [r for r in caplog.records if reference in r.getMessage()]
    assert failures and failures[0].exc_info is not None


def test_example_buttons_in_help_ask_the_question(server: SlackServer,
                                                  fake_slack: FakeSlack) -> None:
    question = EXAMPLE_QUESTIONS["de"][0]
    click = p.block_actions("ask_example.0", p.value(Ask(text=question)), ephemeral=True,
                            response_url=fake_slack.response_url("example"))
    assert server.interaction(click).status == 200
    answer = fake_slack.wait_posts(1)[0]
    assert answer.path == "/response/example"
    assert header(answer) == "Business Development Manager"
    assert answer.params["replace_original"] is False
