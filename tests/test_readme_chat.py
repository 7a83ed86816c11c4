"""The README's terminal sample is what `rolle chat` prints today, in a real run with
the session's index (a renderer or answer change without `scripts/readme_chat.py
--readme` fails here)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from tests.support import cli_env, load_script

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_what_the_chat_prints(real_settings: Settings) -> None:
    sample = load_script("readme_chat").snippet(cli_env(real_settings))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sample in readme, (
        "README's terminal sample is out of date: run `python scripts/readme_chat.py --readme`")
    # The gist, not the whole passage, never a literal mark; the follow-up read against
    # the answer before it.
    assert "**" not in sample and "Führung einer Vertriebsmannschaft" not in sample
    assert "Bezogen auf: Vertriebsleiter\nVertriebsassistenz" in sample
