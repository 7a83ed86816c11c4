"""The container (and `make run`) without Docker: requirements-runtime.lock installs into
a fresh venv (from the package index) without torch, sentence-transformers,
transformers or onnxruntime; with the project (--no-deps), `rolle build` builds the
index with the packaged multilingual model, `rolle ask` answers, `rolle serve` refuses to
start without a platform, a knowledge edit is built again (torch-free, as the container's
user does with the knowledge mounted), and building for another model says which extra
it needs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.slow
def test_the_runtime_lock_installs_without_torch_builds_and_answers(tmp_path: Path) -> None:
    lock = ROOT / "requirements-runtime.lock"
    assert not [line for line in lock.read_text().splitlines()
                if line.split("==")[0].lower().replace("-", "_") in HEAVY]
    # The project as the Dockerfile copies it (no build folders left in the worktree).
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot",
                    ignore=shutil.ignore_patterns("__pycache__"))

    # A venv without pip of its own, installed into by this environment's (newer, about
    # twice as fast) pip: `pip --python` installs for and checks the venv's interpreter.
    # --no-compile: the image compiles every module; here only the imported ones are
    # compiled, on first use (half the install time).
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python]
    deps = run([*pip, "install", "--quiet", "--no-compile", "--no-deps", "-r", str(lock)],
               tmp_path)
    assert deps.returncode == 0, deps.stderr[-2000:]
    project = run([*pip, "install", "--quiet", "--no-compile", "--no-deps", str(source)],
                  tmp_path)
    assert project.returncode == 0, project.stderr[-2000:]
    check = run([*pip, "check"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr

    found = run([python, "-c", "import importlib.util as u; "
                 f"print([m for m in {HEAVY!r} if u.find_spec(m)])"], tmp_path)
    assert found.stdout.strip() == "[]", found

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ROLLE_", "SLACK_", "MICROSOFT_"))}
    index = tmp_path / "app" / "index"
    knowledge = tmp_path / "app" / "knowledge"  # mounted into the container in compose.yaml
    shutil.copytree(ROOT / "knowledge", knowledge)
    env.update(ROLLE_INDEX_DIR=str(index), ROLLE_KNOWLEDGE_DIR=str(knowledge),
               ROLLE_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'rollenbot.db'}")
    rolle = str(venv / "bin" / "rolle")
    built = run([rolle, "build"], tmp_path, env, 300)
    assert built.returncode == 0 and "Built index" in built.stdout, built
    asked = run([rolle, "ask", "--json", "Was macht ein Vertriebsleiter?"], tmp_path, env, 120)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answered"] and answer["passages"][0]["id"] == "vertriebsleiter"
    # ... and torch was never imported on the way.
    code = ("import sys; from bot.cli import main; main(['ask', 'Was macht ein BDM?']); "
            f"print('heavy:', [m for m in {HEAVY!r} if m in sys.modules])")
    traced = run([python, "-c", code], tmp_path, env, 120)
    assert traced.stdout.strip().endswith("heavy: []"), traced

    serve = run([rolle, "serve"], tmp_path, env, 60)
    assert serve.returncode == 2
    assert len(serve.stderr.strip().splitlines()) == 1
    assert "SLACK_BOT_TOKEN" in serve.stderr and "MICROSOFT_APP_ID" in serve.stderr

    # A knowledge edit, built again with the same runtime (no torch on the way).
    positions = knowledge / "positionen.yaml"
    positions.write_text(positions.read_text("utf-8").replace(
        "      - Vertriebschefin\n", "      - Vertriebschefin\n      - Verkaufsboss\n"), "utf-8")
    code = ("import sys; from bot.cli import main; code = main(['build']); "
            f"print('heavy:', [m for m in {HEAVY!r} if m in sys.modules]); sys.exit(code)")
    rebuilt = run([python, "-c", code], tmp_path, env, 300)
    assert rebuilt.returncode == 0 and "Built index" in rebuilt.stdout, rebuilt
    assert rebuilt.stdout.strip().endswith("heavy: []")
    asked = run([rolle, "ask", "--json", "Verkaufsboss"], tmp_path, env, 120)
    assert json.loads(asked.stdout)["passages"][0]["id"] == "vertriebsleiter"

    other = run([rolle, "build"], tmp_path, {**env, "ROLLE_MODEL": "packaged:all-MiniLM-L6-v2",
                                             "ROLLE_INDEX_DIR": str(tmp_path / "other")}, 120)
    assert other.returncode == 1
    assert "build extra" in other.stderr and "Traceback" not in other.stderr
