"""Session-wide fixtures: the real packaged model, a freshly built index and the engine.

The model loads once per test session (a few seconds); every test that needs real
retrieval shares it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.embedder import Embedder
from bot.core.engine import Engine, fingerprint, load_embedder
from bot.core.index import build_index
from bot.core.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"


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


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged all-MiniLM-L6-v2 model."""
    return load_embedder(make_settings(Path("unused")))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """Settings whose index folder holds an index freshly built with the real model."""
    s = make_settings(tmp_path_factory.mktemp("index"))
    knowledge = load_knowledge(s.knowledge_dir)
    build_index(s.index_dir, knowledge, fingerprint(s, knowledge), lambda: embedder)
    return s


@pytest.fixture(scope="session")
def engine(settings: Settings, embedder: Embedder) -> Engine:
    """The real engine over the real knowledge and model."""
    return Engine.load(settings, embedder=embedder)
