"""Invalid UTF-8 reaching the `rolle` command (issue 11, item 1): real processes get raw
bytes in argv, on stdin and in a batch file, and answer every line; never a traceback,
never a dead batch or chat session."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from bot.config import Settings

BAD = b"Was macht ein \xff BDM?"
GOOD = b"Was macht ein Sales Manager?"
# Strict decoding of stdin/stdout (the default under most UTF-8 locales; the C.UTF-8
# locale of the test machine would otherwise let surrogateescape hide the problem).
STRICT = {"PYTHONIOENCODING": "utf-8"}


@pytest.fixture(scope="module")
def env(real_settings: Settings) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLLE_"))},
            "ROLLE_INDEX_DIR": str(real_settings.index_dir),
            "ROLLE_KNOWLEDGE_DIR": str(real_settings.knowledge_dir),
            "ROLLE_DATABASE_URL": "sqlite://", "HF_HUB_OFFLINE": "1"}


def rolle(env: dict[str, str], *args: bytes, stdin: bytes = b"",
          extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([os.fsencode(sys.executable), b"-m", b"bot.cli", *args],
                          input=stdin, env={**env, **(extra or {})}, capture_output=True,
                          timeout=120)


def ok(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, err
    assert "Traceback" not in err
    return result.stdout.decode("utf-8")  # the output itself is valid UTF-8


@pytest.mark.parametrize("extra", [{}, STRICT], ids=["locale", "strict"])
def test_undecodable_argv_is_answered(env: dict[str, str], extra: dict[str, str]) -> None:
    out = ok(rolle(env, b"ask", b"--json", BAD, extra=extra))
    data = json.loads(out)
    assert data["answered"] is True
    assert data["passages"][0]["id"] == "business-development-manager"
    assert "\ufffd" in data["question"] or data["question"] == "Was macht ein  BDM?"


def test_undecodable_batch_lines_do_not_kill_the_batch(env: dict[str, str],
                                                        tmp_path) -> None:
    lines = b"\n".join([BAD, b"\xc3\x28\xa0\xa1", GOOD, b"\xff\xfe"]) + b"\n"
    from_stdin = ok(rolle(env, b"ask", b"--json", b"--batch", b"-", stdin=lines, extra=STRICT))
    batch = tmp_path / "fragen.txt"
    batch.write_bytes(lines)
    from_file = ok(rolle(env, b"ask", b"--json", b"--batch", os.fsencode(batch)))
    for out in (from_stdin, from_file):
        answers = [json.loads(line) for line in out.splitlines()]
        assert len(answers) == 4  # one per line, in order
        assert answers[0]["passages"][0]["id"] == "business-development-manager"
        assert answers[2]["passages"][0]["id"] == "sales-manager"
        assert answers[1]["answered"] is False and answers[3]["answered"] is False


def test_chat_survives_an_undecodable_line(env: dict[str, str]) -> None:
    out = ok(rolle(env, b"chat", stdin=BAD + b"\n" + GOOD + b"\nexit\n", extra=STRICT))
    assert "Business Development Manager" in out
    assert "Sales Manager" in out.split("Business Development Manager", 1)[1]


def test_terminal_chat_survives_an_undecodable_line(env: dict[str, str]) -> None:
    """`rolle chat` on a terminal (a pseudo-terminal here): `input()` decodes strictly."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat"], stdin=slave,
                               stdout=slave, stderr=slave, env={**env, **STRICT})
    os.close(slave)
    out = bytearray()

    def read_until(marker: bytes, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while out.count(marker) < count and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    out.extend(os.read(master, 65536))
                except OSError:  # the process closed the terminal
                    return

    try:
        read_until(b"Frage> ", 1)
        os.write(master, BAD + b"\n")
        read_until(b"Frage> ", 2, timeout=30)
        os.write(master, b"exit\n")
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    text = out.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "Business Development Manager" in text
