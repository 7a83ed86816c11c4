#!/usr/bin/env python3
"""The README's terminal sample, made by a real run: `rolle chat` in a process of its
own with the questions below piped in (a throwaway database), its output as printed.

Usage: python scripts/readme_chat.py [--readme]

``--readme`` rewrites the sample in README.md between its markers;
tests/test_readme_chat.py fails when the sample is not what the chat prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LINES = ["Wer ist für Key Accounts zuständig?", "und die Assistenz?", "exit"]
BEGIN, END = "<!-- terminal-sample:begin -->", "<!-- terminal-sample:end -->"


def transcript(env: Mapping[str, str] | None = None) -> str:
    """What `rolle chat` prints for :data:`LINES` (``env``: the environment of the run,
    default this one; a throwaway SQLite database either way)."""
    with tempfile.TemporaryDirectory() as folder:
        run_env = {**(env or os.environ),
                   "ROLLE_DATABASE_URL": f"sqlite:///{Path(folder) / 'sample.db'}"}
        done = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], cwd=ROOT,
                              input="\n".join(LINES) + "\n", text=True, capture_output=True,
                              env=run_env, timeout=300, check=False)
    if done.returncode != 0:
        raise SystemExit(f"rolle chat failed ({done.returncode}): {done.stderr.strip()}")
    return "$ rolle chat\n" + done.stdout.rstrip() + "\n"


def snippet(env: Mapping[str, str] | None = None) -> str:
    """The fenced sample as it belongs between the README's markers."""
    return f"{BEGIN}\n```\n{transcript(env)}```\n{END}"


def rewrite_readme(text: str, env: Mapping[str, str] | None = None) -> str:
    """``text`` (the README) with the sample between the markers replaced."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {BEGIN} … {END} section")
    sample = snippet(env)
    return pattern.sub(lambda _: sample, text)


if __name__ == "__main__":
    if "--readme" in sys.argv:
        README.write_text(rewrite_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(transcript(), end="")
