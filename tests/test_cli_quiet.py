"""The `rolle` command is quiet and exact, run as a real process: one line for every
bad setting (variable, value, what is allowed; the README's table says the same), no
traceback for a bad log level or a closed pipe, knowledge errors at the right file and
line, `rolle eval` naming the file it was given, `rolle forget -` for the terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, allowed
from bot.conversation import Conversation
from tests.support import sqlite_store
from tests.support.stub_engine import StubEngine

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


def rolle(*args: str, env: dict[str, str] | None = None, stdin: str = "",
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ROLLE_", "SLACK_",
                                                                      "MICROSOFT_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env={**base, **(env or {})},
                          input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=cwd or ROOT)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


BAD = [("ROLLE_TOP_K", "abc", "top_k"), ("ROLLE_TOP_K", "0", "top_k"),
       ("ROLLE_LOG_LEVEL", "LOUD", "log_level"), ("ROLLE_EMBEDDER", "torch", "embedder"),
       ("ROLLE_HF_OFFLINE", "maybe", "hf_offline"), ("PORT", "http", "port"),
       ("ROLLE_RESUME_INTERVAL_SECONDS", "0", "resume_interval_seconds"),
       ("ROLLE_TEAMS_WELCOME", "everyone", "teams_welcome")]


@pytest.mark.parametrize(("variable", "value", "name"), BAD)
def test_a_bad_setting_is_one_line_naming_variable_value_and_what_is_allowed(
        variable: str, value: str, name: str, tmp_path: Path) -> None:
    for command in (["roles"], ["serve"]):
        done = rolle(*command, env={variable: value}, cwd=tmp_path)
        assert done.returncode == 2
        assert one_line(done) == f"rolle: {variable}={value!r} is not allowed: {allowed(name)}"


def test_two_bad_settings_two_lines_also_from_a_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ROLLE_TOP_K=abc\nROLLE_LOG_FORMAT=xml\n", "utf-8")
    done = rolle("roles", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"rolle: ROLLE_TOP_K='abc' is not allowed: {allowed('top_k')}",
        f"rolle: ROLLE_LOG_FORMAT='xml' is not allowed: {allowed('log_format')}"]


def test_the_readme_table_says_what_is_allowed() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, info in Settings.model_fields.items():
        rows = [line for line in readme.splitlines()
                if line.startswith(f"| `{info.alias}` |") and line.count("|") == 5]
        assert len(rows) == 1, f"README: one row in the settings table for {info.alias}"
        assert rows[0].split("|")[4].strip() == allowed(name), info.alias


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # A knowledge base long enough that `rolle roles` overflows a pipe's buffer.
    entries = "".join(f"  - id: rolle-{n}\n    title: Rolle Nummer {n} mit langem Titel\n"
                      f"    kind: role\n    department: Abteilung {n % 7}\n"
                      f"    text: Ein Text, der lang genug ist.\n" for n in range(4000))
    (tmp_path / "viele.yaml").write_text(f"source: {{title: X, seed: x.txt}}\nentries:\n"
                                         f"{entries}", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLLE_")}
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    writer = subprocess.run([sys.executable, "-m", "bot.cli", "roles"], stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT,
                            env={**env, "ROLLE_KNOWLEDGE_DIR": str(tmp_path)})
    reader.stdin.close()
    reader.wait(10)
    assert writer.returncode == 141
    assert writer.stderr == ""  # no traceback, no "Exception ignored"


def broken_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


def test_an_unclosed_quote_is_reported_where_it_starts(tmp_path: Path) -> None:
    folder = broken_knowledge(tmp_path)
    path = folder / "positionen.yaml"
    lines = path.read_text("utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith('title: "Marketing'))
    lines[at] = lines[at].rstrip('"')  # the closing quote is missing
    path.write_text("\n".join(lines) + "\n", "utf-8")
    line = one_line(rolle("roles", env={"ROLLE_KNOWLEDGE_DIR": str(folder)}))
    column = lines[at].index('"') + 1
    assert line.startswith(f"rolle: positionen.yaml: invalid YAML at line {at + 1}, "
                           f"column {column}: a quoted text that starts here is not closed")


@pytest.mark.parametrize(("content", "what"), [("", "empty"), ("# nur ein Kommentar\n", "empty"),
                                               ("- a\n- b\n", "a list, not a mapping")])
def test_an_empty_or_wrong_file_says_what_it_needs(tmp_path: Path, content: str,
                                                   what: str) -> None:
    folder = broken_knowledge(tmp_path)
    (folder / "neu.yaml").write_text(content, "utf-8")
    line = one_line(rolle("roles", env={"ROLLE_KNOWLEDGE_DIR": str(folder)}))
    assert line == f"rolle: neu.yaml: the file is {what}: it needs `source:` and `entries:` " \
                   "at the top"


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    folder = broken_knowledge(tmp_path)
    (folder / "extra.yaml").write_text(
        "source: {title: X, seed: x.txt}\nentries:\n  - id: vertriebsleiter\n"
        "    title: Doppelt\n    kind: role\n    department: Vertrieb\n"
        "    text: Ein doppelter Eintrag mit genug Text.\n", "utf-8")
    line = one_line(rolle("roles", env={"ROLLE_KNOWLEDGE_DIR": str(folder)}))
    assert line == ("rolle: positionen.yaml, entry vertriebsleiter, field id: duplicate id "
                    "(also in extra.yaml)")


def test_eval_names_the_file_it_was_given() -> None:
    done = rolle("eval", "/nonexistent/questions.yaml")
    assert done.returncode == 2
    assert one_line(done) == "rolle eval: /nonexistent/questions.yaml: no such file"
    assert "targets" not in done.stderr


def test_forget_dash_deletes_the_terminal_chats_records(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    Conversation(StubEngine(), store=store).respond("Vertriebsleiter", thread="terminal")
    store.close()
    env = {"ROLLE_DATABASE_URL": f"sqlite:///{tmp_path / 'rollenbot.db'}",
           "ROLLE_SECRET": "test"}
    done = rolle("forget", "-", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Deleted all records of -: ")
    assert "1 questions" in done.stdout and "1 contexts" in done.stdout
    assert rolle("forget", "-", env=env).stdout.startswith("No records of - found")
