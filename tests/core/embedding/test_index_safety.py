"""Index safety: damage is found at load and repaired by `rolle build`, one build at a time,
cleanup keeps the index in use, permission problems name the path (issue 11)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot import compose
from bot.config import Settings
from bot.core.embedding.index import build_index, chunk_passages, load_index
from bot.core.embedding.index_store import remove_old_builds
from bot.core.embedding.runtime import check_dimension
from bot.core.engine import Engine, self_check
from bot.core.errors import IndexDamagedError, IndexMissingError
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.retrieval.decision import load_decision
from tests.conftest import ROOT
from tests.core.embedding.test_index import _fingerprint
from tests.fakes import HashEmbedder
from tests.support.wait import Lines

KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture()
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture()
def built(tmp_path: Path, knowledge: Knowledge) -> Path:
    """An index folder built with the fast fake embedder."""
    assert build_index(tmp_path, knowledge, _fingerprint(knowledge.content_hash), HashEmbedder)
    return tmp_path


def _builds(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.glob(".build-*")}


def _in_use(index_dir: Path) -> Path:
    return Path(os.path.realpath(index_dir / "current"))


# --- damage found at load, repaired by a plain build ------------------------------------
def _other_dimension(folder: Path, knowledge: Knowledge) -> None:
    n = len(chunk_passages(knowledge.passages))
    index = faiss.IndexIDMap(faiss.IndexFlatIP(32))
    index.add_with_ids(np.eye(n, 32, dtype=np.float32), np.arange(n, dtype=np.int64))
    faiss.write_index(index, str(folder / "faiss.index"))


def _unknown_passage(folder: Path, knowledge: Knowledge) -> None:
    chunks = json.loads((folder / "chunks.json").read_text("utf-8"))
    chunks[3]["passage_id"] = "nobody-knows"
    (folder / "chunks.json").write_text(json.dumps(chunks), "utf-8")


def _fewer_chunks(folder: Path, knowledge: Knowledge) -> None:
    chunks = json.loads((folder / "chunks.json").read_text("utf-8"))
    (folder / "chunks.json").write_text(json.dumps(chunks[:-1]), "utf-8")


def _no_manifest(folder: Path, knowledge: Knowledge) -> None:
    (folder / "manifest.json").write_text("{broken", "utf-8")


def _dangling_current(folder: Path, knowledge: Knowledge) -> None:
    shutil.rmtree(folder)


@pytest.mark.parametrize(("damage", "says"), [
    (_other_dimension, "vectors of dimension 32, manifest says 64"),
    (_unknown_passage, "chunks of unknown passage 'nobody-knows'"),
    (_fewer_chunks, "vectors for"),
    (_no_manifest, "manifest.json is damaged"),
    (_dangling_current, "points to a missing folder"),
])
def test_damage_is_refused_at_load_and_a_plain_build_repairs_it(
        built: Path, knowledge: Knowledge, damage, says: str) -> None:
    fp = _fingerprint(knowledge.content_hash)
    damage(_in_use(built), knowledge)
    with pytest.raises(IndexDamagedError) as info:
        load_index(built, fp, knowledge)
    message = str(info.value)
    assert says in message and "run `rolle build --force`" in message and "\n" not in message
    manifest = build_index(built, knowledge, fp, HashEmbedder)  # no --force
    assert manifest is not None and "damaged" in manifest["build_reason"]
    assert load_index(built, fp, knowledge).faiss_index.ntotal == manifest["chunks"]
    assert build_index(built, knowledge, fp, HashEmbedder) is None  # now: nothing to do


def test_an_embedder_of_another_dimension_is_refused(built: Path, knowledge: Knowledge) -> None:
    dense = load_index(built, _fingerprint(knowledge.content_hash), knowledge)
    check_dimension(built, dense.manifest, HashEmbedder())  # 64 = 64: fine

    class Wider(HashEmbedder):
        dimension = 384

    with pytest.raises(IndexDamagedError, match=r"dimension 64 but the model gives 384.*--force"):
        check_dimension(built, dense.manifest, Wider())


def test_self_check_reports_an_engine_that_cannot_search(built: Path,
                                                         knowledge: Knowledge) -> None:
    dense = load_index(built, _fingerprint(knowledge.content_hash), knowledge)

    class Wider(HashEmbedder):
        dimension = 384

    broken = Engine(knowledge=knowledge, dense=dense, embedder=Wider(),
                    decision=load_decision("packaged:multilingual-e5-small-q4"))
    health = self_check(broken)
    assert not health.ok and "answering failed" in health.detail


@pytest.mark.slow
def test_self_check_answers_a_real_question(engine: Engine) -> None:
    health = self_check(engine)
    assert health.ok, health.detail
    assert "Leiter Marketing" in health.detail and health.seconds < 5


@pytest.mark.slow
def test_the_cli_says_damaged_in_one_line(real_settings: Settings, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(real_settings.index_dir, index_dir, symlinks=True)
    _unknown_passage(_in_use(index_dir), load_knowledge(KNOWLEDGE))
    env = {**os.environ, "ROLLE_INDEX_DIR": str(index_dir),
           "ROLLE_KNOWLEDGE_DIR": str(KNOWLEDGE)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "Was macht ein BDM?"],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("rolle: The index in ") and "damaged" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# --- folders: current as a real folder, cleanup -----------------------------------------
def test_current_as_a_real_folder_loads_and_a_forced_build_repairs_it(
        built: Path, knowledge: Knowledge) -> None:
    fp = _fingerprint(knowledge.content_hash)
    target = _in_use(built)
    (built / "current").unlink()
    shutil.copytree(target, built / "current")  # e.g. `cp -rL` by hand
    shutil.rmtree(target)
    assert load_index(built, fp, knowledge).faiss_index.ntotal > 0
    assert build_index(built, knowledge, fp, HashEmbedder, force=True) is not None
    assert (built / "current").is_symlink()
    assert load_index(built, fp, knowledge).faiss_index.ntotal > 0
    assert len(_builds(built)) == 2  # the new one and the moved-aside one (the previous)


def test_cleanup_keeps_the_index_in_use_and_the_previous(built: Path,
                                                         knowledge: Knowledge) -> None:
    fp = _fingerprint(knowledge.content_hash)
    for _ in range(3):
        build_index(built, knowledge, fp, HashEmbedder, force=True)
    assert len(_builds(built)) == 2 and _in_use(built).name in _builds(built)
    # `current` pointing at the oldest folder (a hand-made rollback) is still kept.
    oldest = min(built.glob(".build-*"), key=lambda p: p.stat().st_mtime)
    os.utime(oldest, (1, 1))
    (built / "current").unlink()
    (built / "current").symlink_to(oldest.name)
    extra = Path(tempfile.mkdtemp(prefix=".build-", dir=built))
    remove_old_builds(built)
    assert oldest.is_dir() and _in_use(built) == oldest.resolve()
    assert _builds(built) == {oldest.name, extra.name}


def test_new_index_folders_are_readable_by_other_users(built: Path) -> None:
    assert _in_use(built).stat().st_mode & 0o777 == 0o755


# --- one build at a time ----------------------------------------------------------------
def test_a_second_build_waits_for_the_first(tmp_path: Path, knowledge: Knowledge) -> None:
    fp = _fingerprint(knowledge.content_hash)
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def slow_model() -> HashEmbedder:
        inside.set()
        assert release.wait(30)
        order.append("first built")
        return HashEmbedder()

    first = threading.Thread(target=build_index, args=(tmp_path, knowledge, fp, slow_model),
                             kwargs={"force": True})
    first.start()
    assert inside.wait(30)
    messages: list[str] = []
    waiting = threading.Event()

    def on_wait(message: str) -> None:
        messages.append(message)
        waiting.set()

    second = threading.Thread(target=lambda: order.append(
        "second: nothing to do" if build_index(tmp_path, knowledge, fp, HashEmbedder,
                                               on_wait=on_wait) is None else "second"))
    second.start()
    assert waiting.wait(30)
    assert second.is_alive() and messages == [
        f"Another build is running in {tmp_path}: waiting for it to finish."]
    release.set()
    first.join(30)
    second.join(30)
    # The second build saw the first's fresh index and did nothing.
    assert order == ["first built", "second: nothing to do"]


PAUSED_BUILD = """
import sys
from bot import cli
from bot.core.embedding import index

original = index.switch_current
def paused(index_dir, build_dir):
    print("paused before switching to", build_dir.name, flush=True)
    sys.stdin.readline()  # until the test says go (or closes the pipe)
    original(index_dir, build_dir)
index.switch_current = paused
sys.exit(cli.main(["build", "--force"]))
"""


@pytest.mark.slow
def test_overlapping_forced_builds_never_lose_the_live_index(
        real_settings: Settings, tmp_path: Path) -> None:
    """Two `rolle build --force` processes; the first pauses just before the link switch."""
    index_dir = tmp_path / "index"
    env = {**os.environ, "ROLLE_INDEX_DIR": str(index_dir), "ROLLE_KNOWLEDGE_DIR": str(KNOWLEDGE),
           "ROLLE_MODEL_CACHE_DIR": str(real_settings.model_cache), "HF_HUB_OFFLINE": "1"}
    err_a = (tmp_path / "a.err").open("w+")
    a = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD], env=env, cwd=ROOT,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err_a, text=True)
    assert a.stdin is not None and a.stdout is not None
    out_a = Lines(a.stdout)
    try:
        paused_at = out_a.wait_for("paused before switching to").split()[-1]
        b = subprocess.Popen([sys.executable, "-m", "bot.cli", "build", "--force"], env=env,
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out_b, err_b = Lines(b.stdout), Lines(b.stderr)
        err_b.wait_for("Another build is running")
        time.sleep(1)  # under test: a second later the second build still waits
        assert b.poll() is None, "the second build must wait for the first"
        a.stdin.close()  # go on
        a.wait(300)
        b.wait(300)
    finally:
        a.kill()
    assert a.returncode == 0 and b.returncode == 0, err_b.text()
    assert "Built index" in out_a.text() and "Built index" in out_b.text()
    live = _in_use(index_dir)
    assert live.is_dir() and live.name != paused_at  # B built after A
    assert (index_dir / paused_at).is_dir()  # A's build is kept as the previous
    engine = compose.load_engine(real_settings.model_copy(update={"index_dir": index_dir}))
    assert engine.answer("Was macht ein BDM?").hits[0].passage.id == "business-development-manager"


# --- permissions (run without root's override: as root, only dropped capabilities bite) --
def _without_privileges() -> None:
    """In the child: drop every capability, so root is bound by file modes like a user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP; exec then clears root's caps


def _unprivileged(code: str, **paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *(str(p) for p in paths.values())],
        preexec_fn=_without_privileges if os.geteuid() == 0 else None,
        capture_output=True, text=True, cwd=ROOT, timeout=60)


@pytest.fixture()
def shared_tmp() -> Iterator[Path]:
    """A temporary folder other users can enter (pytest's own is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="rolle-perm-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


LOAD = """
import sys
from pathlib import Path
from bot.core.embedding.index import load_index
from bot.core.knowledge import load_knowledge
from tests.core.embedding.test_index import _fingerprint
k = load_knowledge(Path("knowledge"))
try:
    load_index(Path(sys.argv[1]), _fingerprint(k.content_hash), k)
except Exception as exc:
    print(type(exc).__name__, exc)
"""

BUILD = """
import sys
from pathlib import Path
from bot.core.embedding.index import build_index
from bot.core.knowledge import load_knowledge
from tests.core.embedding.test_index import _fingerprint
k = load_knowledge(Path("knowledge"))
def model():
    print("MODEL LOADED")
    raise SystemExit(3)
try:
    build_index(Path(sys.argv[1]), k, _fingerprint(k.content_hash), model, force=True)
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def test_an_index_of_another_user_says_permission_denied_not_no_index(
        shared_tmp: Path, knowledge: Knowledge) -> None:
    index_dir = shared_tmp / "index"
    build_index(index_dir, knowledge, _fingerprint(knowledge.content_hash), HashEmbedder)
    folder = _in_use(index_dir)
    os.chown(folder, 65534, 65534)  # built by "nobody" with mode 0700
    folder.chmod(0o700)
    done = _unprivileged(LOAD, index=index_dir)
    assert done.stdout.strip() == (f"IndexPermissionError Cannot read {folder}: permission "
                                   "denied (built or owned by another user?)."), done.stderr


def test_a_read_only_index_folder_is_reported_before_the_model_loads(
        shared_tmp: Path, knowledge: Knowledge) -> None:
    index_dir = shared_tmp / "index"
    build_index(index_dir, knowledge, _fingerprint(knowledge.content_hash), HashEmbedder)
    (index_dir / ".build.lock").unlink()
    index_dir.chmod(0o555)
    done = _unprivileged(BUILD, index=index_dir)
    assert "MODEL LOADED" not in done.stdout, done.stdout
    assert done.stdout.strip() == (f"IndexPermissionError Cannot write to the index folder "
                                   f"{index_dir}: permission denied (built or owned by another "
                                   "user?)."), done.stderr
    # A lock file left writable does not help: the build folder cannot be made either.
    index_dir.chmod(0o755)
    (index_dir / ".build.lock").touch(0o666)
    (index_dir / ".build.lock").chmod(0o666)
    index_dir.chmod(0o555)
    done = _unprivileged(BUILD, index=index_dir)
    assert "MODEL LOADED" not in done.stdout and "IndexPermissionError" in done.stdout


def test_missing_index_is_still_no_index(tmp_path: Path, knowledge: Knowledge) -> None:
    with pytest.raises(IndexMissingError, match=r"No index in .*: run `rolle build`") as info:
        load_index(tmp_path, _fingerprint(knowledge.content_hash), knowledge)
    assert not isinstance(info.value, IndexDamagedError)
