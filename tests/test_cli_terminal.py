"""The `rolle` command as a person meets it: reachable as the README says, the gist in
bold colour on a terminal and plain when piped (never literal marks), quiet when the
reader of a pipe goes away. Real processes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.terminal import BOLD_COLOR
from bot.wording import t
from tests.support import cli_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def env(real_settings: Settings) -> dict[str, str]:
    return cli_env(real_settings, ROLLE_DATABASE_URL="sqlite://")


def on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    """What ``args`` print on a pseudo-terminal (stdout and stdin a TTY)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower,
                               env=env, cwd=ROOT)
    os.close(follower)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    process.wait(10)
    os.close(leader)
    return out.decode("utf-8", "replace")


def test_the_readme_way_puts_rolle_on_the_path() -> None:
    activate = Path(sys.executable).parent / "activate"
    assert activate.is_file()
    shell = subprocess.run(["bash", "-c", f'. "{activate}" && rolle --help'],
                           env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/")},
                           capture_output=True, text=True, timeout=60)
    assert shell.returncode == 0, shell.stderr
    assert "usage: rolle" in shell.stdout


def test_gist_in_bold_colour_on_a_terminal_plain_when_piped(env: dict[str, str]) -> None:
    rolle = [sys.executable, "-m", "bot.cli", "ask", "Wer ist für Key Accounts zuständig?"]
    shown = on_a_terminal(rolle, env)
    assert BOLD_COLOR in shown and "**" not in shown
    assert "Direkten Kontakt haben Vertriebsleiter" in shown
    piped = subprocess.run(rolle, env=env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0
    assert "\x1b[" not in piped.stdout and "**" not in piped.stdout
    assert "Direkten Kontakt haben Vertriebsleiter" in piped.stdout
    assert "Führung einer Vertriebsmannschaft" not in piped.stdout  # the gist, not all
    chat = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], env=env, text=True,
                          input="Vertriebsleiter\nmehr\n", capture_output=True, timeout=120)
    assert "Frage> mehr\nVertriebsleiter\n" in chat.stdout
    assert "Führung einer Vertriebsmannschaft" in chat.stdout and "**" not in chat.stdout


def test_out_of_scope_says_so_and_offers_the_related_role_and_the_ways_on(
        env: dict[str, str]) -> None:
    asked = subprocess.run([sys.executable, "-m", "bot.cli", "ask",
                            "Was verdient eine Vertriebsassistentin so im Schnitt?"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    lines = asked.stdout.splitlines()
    assert lines[0] == t("out_of_scope", "de")
    assert lines[1] == "  • Vertriebsassistenz"  # the related role, to open
    assert lines[-1].startswith(t("type_hint", "de", items="liste Marketing und Vertrieb"))
