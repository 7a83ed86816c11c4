"""Session-wide fixtures.

Cheap by default: ``settings`` points at a temporary index folder and builds nothing.
The real packaged model, a freshly built index and the real engine load once per
session, only for the tests that ask for them (``real_settings``, ``engine``); tests
that use them are marked ``slow`` automatically.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import compose
from bot.build import build
from bot.config import Settings
from bot.core.embedder import SentenceTransformerEmbedder
from bot.core.engine import Engine
from bot.core.knowledge import load_knowledge
from tests.support.net import LoopThread

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"
_REAL = {"embedder", "real_settings", "real_engine"}  # the root `engine` needs these


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that loads the real model as ``slow`` (``-m "not slow"`` skips
    them for a quick run; ``make test`` runs everything)."""
    for item in items:
        if _REAL & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Test settings with an empty index folder (nothing is built)."""
    return make_settings(tmp_path_factory.mktemp("empty-index"))


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real packaged all-MiniLM-L6-v2 model (sentence-transformers)."""
    return compose.load_embedder(make_settings(Path("unused")))


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory,
                  embedder: SentenceTransformerEmbedder) -> Settings:
    """Settings whose index folder holds an index freshly built by `rolle build`'s code
    path with the real model, the model's ONNX export beside it (about 15 s, once)."""
    s = make_settings(tmp_path_factory.mktemp("index"))
    manifest = build(s, load_knowledge(s.knowledge_dir), embedder=embedder)
    assert manifest is not None and manifest["onnx"]["reused"] is False
    return s


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
