"""The `rolle` command: JSON and batch contract, exit codes, chat, build."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings
from bot.conversation import Conversation
from bot.core.engine import Engine
from tests.support import reconfigure


@pytest.fixture()
def run(monkeypatch: pytest.MonkeyPatch, settings: Settings, engine: Engine, capsys):
    """Call `rolle ARGS` in-process with the session's engine; returns (code, out, err)."""
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(cli.compose, "load_engine", lambda _settings, **_: engine)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_ask_json_contract(run) -> None:
    code, out, _ = run("ask", "--json", "Was macht ein BDM?")
    assert code == 0
    data = json.loads(out)
    assert data["question"] == "Was macht ein BDM?" and data["answered"] is True
    assert data["outcome"] == "answer" and data["comparison"] is False
    assert len(data["passages"]) == 3
    first = data["passages"][0]
    assert set(first) >= {"id", "title", "text", "source", "score"}
    assert first["id"] == "business-development-manager"
    assert "Wachstumsstrategien" in first["text"]
    assert first["source"].startswith("Die Positions-Unterschiede")


def test_ask_json_not_found_and_top_k(run) -> None:
    code, out, _ = run("ask", "--json", "--top-k", "1", "Was macht ein Steuerberater?")
    data = json.loads(out)
    assert code == 0 and data["answered"] is False and data["passages"] == []
    assert data["outcome"] == "none"
    assert "Vertriebsleiter" in data["known_roles"]
    _, out, _ = run("ask", "--json", "--top-k", "1", "Aufgaben Sales Manager")
    assert len(json.loads(out)["passages"]) == 1


def test_ask_json_comparison(run) -> None:
    code, out, _ = run("ask", "--json", "Head of BD vs. BDM")
    data = json.loads(out)
    assert code == 0 and data["answered"] is True and data["outcome"] == "answer"
    assert data["comparison"] is True
    assert [p["id"] for p in data["passages"][:2]] == [
        "head-of-business-development", "business-development-manager"]


def test_batch_one_line_per_question_in_order(run, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("Was macht ein BDM?\n\nWer führt die Vertriebsmannschaft?\nhello?\n", "utf-8")
    code, out, _ = run("ask", "--json", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 4
    assert [x["question"] for x in lines] == ["Was macht ein BDM?", "",
                                               "Wer führt die Vertriebsmannschaft?", "hello?"]
    assert [x["answered"] for x in lines] == [True, False, True, False]
    assert lines[1]["reason"] == "empty"


def test_readable_answer_and_refusal(run) -> None:
    code, out, _ = run("ask", "Wer ist für Key Accounts zuständig?")
    assert code == 0 and out.startswith("Vertriebsleiter")
    assert "> Direkten Kontakt haben Vertriebsleiter" in out  # the gist
    assert "Quelle: Die Positions-Unterschiede" in out and "score" not in out
    code, out, _ = run("ask", "Wann ist der nächste Feiertag?")
    assert code == 0 and "nichts in meiner Wissensbasis" in out
    assert "liste Vertrieb · " in out and out.rstrip().endswith("tour · hilfe")


def test_bad_input_is_a_message_not_a_traceback(run) -> None:
    code, out, _ = run("ask", "x" * 10_000)
    assert code == 0 and "zu lang" in out
    code, out, _ = run("ask", "   ")
    assert code == 0 and "Stell mir eine Frage" in out
    code, _, err = run("ask")
    assert code == 2 and "QUESTION" in err
    code, _, err = run("ask", "--batch", "/nonexistent/file")
    assert code == 2 and "cannot read" in err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == 2


def test_roles_and_chat(run, engine: Engine) -> None:
    code, out, _ = run("roles")
    assert code == 0 and "Business Development" in out and "• Leiter E-Commerce" in out
    replies: list[str] = []
    lines = ["hilfe", "liste", "Vertriebsassistentin", "Was macht ein BDM?", "exit",
             "never read"]
    cli.chat(Conversation(engine), lines, replies.append)
    assert len(replies) == 4
    assert "Beispiele" in replies[0] and "Rollen und Themen" in replies[1]
    assert replies[2].startswith("Vertriebsassistenz") and "Auftragsabwicklung" in replies[2]
    assert replies[3].startswith("Business Development Manager")


def test_eval_prints_the_figures(run, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    code, out, _ = run("eval", str(data / "holdout_questions.yaml"))
    assert code == 0 and out.startswith("correct: ") and "top-3:" in out and "refusals:" in out
    code, out, _ = run("eval", str(data / "holdout_questions.yaml"),
                       str(data / "styled_questions.yaml"))
    assert code == 0 and "by style: " in out and "typo " in out


def test_eval_cross_validates(run) -> None:
    """The command's wiring (folds, figures by style); the cross-validation itself:
    tests/evaluation/test_calibrate.py."""
    data = Path(__file__).parent / "data"
    code, out, _ = run("eval", "--cv", "2", str(data / "styled_questions.yaml"))
    assert code == 0 and out.startswith("2-fold cross-validated: ")
    assert re.search(r"^  everyday +\d+/\d+", out, re.MULTILINE)


def test_calibrate_writes_a_decision_the_engine_loads(run, tmp_path: Path) -> None:
    from bot.core.retrieval.decision import load_decision

    data = Path(__file__).parent / "data"
    output = tmp_path / "decision.json"
    code, out, _ = run("calibrate", "--cv", "2", "--output", str(output),
                       str(data / "styled_questions.yaml"))
    assert code == 0 and out.startswith("2-fold cross-validated: ")
    assert "Fitted on 192 questions" in out and str(output) in out
    decision = load_decision("packaged:multilingual-e5-small-q4", output)
    assert decision.fitted_on["questions"] == 192 and decision.fitted_on["cv_folds"] == 2
    assert decision.fitted_on["files"] == ["styled_questions.yaml"]


@pytest.mark.slow
def test_real_command_builds_then_skips_then_answers(real_settings: Settings,
                                                     tmp_path: Path) -> None:
    """The installed console script end to end, with its own processes, from an empty
    index folder but the session's lemma tables (as after an earlier `rolle build`)."""
    shutil.copytree(real_settings.model_cache, tmp_path / "index" / "models")
    env = {**os.environ, "ROLLE_INDEX_DIR": str(tmp_path / "index"),
           "ROLLE_KNOWLEDGE_DIR": str(real_settings.knowledge_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("SLACK_BOT_TOKEN", None)
    rolle = [sys.executable, "-m", "bot.cli"]
    missing = subprocess.run([*rolle, "ask", "hallo"], env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "rolle build" in missing.stderr
    assert "Traceback" not in missing.stderr
    first = subprocess.run([*rolle, "build"], env=env, capture_output=True, text=True)
    assert first.returncode == 0 and re.match(r"Built index: \d+ passages", first.stdout)
    assert "ONNX" not in first.stdout and "lemma tables" not in first.stdout
    second = subprocess.run([*rolle, "build"], env=env, capture_output=True, text=True)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    asked = subprocess.run([*rolle, "ask", "--json", "--batch", "-"], env=env, text=True,
                           input="Was macht ein BDM?\nWer screent internationale Märkte?\n",
                           capture_output=True)
    assert asked.returncode == 0, asked.stderr
    answers = [json.loads(line) for line in asked.stdout.splitlines()]
    assert [a["answered"] for a in answers] == [True, True]


def test_serve_reports_missing_platform_settings_before_loading(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, capsys
) -> None:
    def no_engine(_settings: Settings) -> Engine:
        raise AssertionError("the engine must not load before the settings are checked")

    monkeypatch.setattr(cli.compose, "load_engine", no_engine)
    slack_only = reconfigure(settings, {"slack_bot_token": "xoxb-test"})
    monkeypatch.setattr(cli, "get_settings", lambda: slack_only)
    assert cli.main(["serve"]) == 1
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err
    app_id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    teams_only = reconfigure(settings, {"teams_app_id": app_id})
    monkeypatch.setattr(cli, "get_settings", lambda: teams_only)
    assert cli.main(["serve"]) == 1
    assert "MICROSOFT_APP_PASSWORD" in capsys.readouterr().err
    nothing = settings.model_copy()
    monkeypatch.setattr(cli, "get_settings", lambda: nothing)
    assert cli.main(["serve"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_tour_in_the_terminal_chat(engine: Engine) -> None:
    from bot.core.tour import Tour
    from bot.wording import t

    steps = Tour(engine.passages).steps("Vertrieb")
    replies: list[str] = []
    lines = ["tour", "2", "weiter", "mehr", "z", "Was macht ein BDM?", "tour vertrieb",
             "ende", "ende", "never read"]
    cli.chat(Conversation(engine), lines, replies.append)
    assert len(replies) == 8  # the first "ende" ends the tour, the second the chat
    menu, first, second, full, back, question, again, ended = replies
    assert t("tour_question") in menu and "  2. Vertrieb" in menu
    assert t("tour_step", department="Vertrieb", number=1, total=len(steps)) in first
    assert steps[0].passage.title in first and steps[1].passage.title in second
    assert len(full) > len(second) and steps[1].passage.title in full
    assert steps[0].passage.title in back
    assert question.startswith("Business Development Manager")  # a question in between
    assert steps[0].passage.title in again
    assert t("tour_finished", department="Vertrieb") in ended
