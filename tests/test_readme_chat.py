"""The README's terminal sample is what `rolle chat` prints today, in a real run with
the session's index (a renderer or answer change without `scripts/readme_chat.py
--readme` fails here)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_chat",
                                                  ROOT / "scripts" / "readme_chat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_what_the_chat_prints(real_settings: Settings) -> None:
    readme_chat = script()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLLE_",
                                                                         "MICROSOFT_"))},
           "ROLLE_INDEX_DIR": str(real_settings.index_dir),
           "ROLLE_KNOWLEDGE_DIR": str(real_settings.knowledge_dir), "HF_HUB_OFFLINE": "1"}
    sample = readme_chat.snippet(env)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sample in readme, (
        "README's terminal sample is out of date: run `python scripts/readme_chat.py --readme`")
    # The gist, not the whole passage, never a literal mark; the follow-up read against
    # the answer before it.
    assert "**" not in sample and "Führung einer Vertriebsmannschaft" not in sample
    assert "Bezogen auf: Vertriebsleiter\nVertriebsassistenz" in sample
