"""Fixtures for the engine core: an index built by `rolle build`'s code path with the real
model's ONNX export (once per session, about 15 s for the export)."""

from __future__ import annotations

import pytest

from bot import compose
from bot.build import build
from bot.config import Settings
from bot.core.embedder import SentenceTransformerEmbedder
from bot.core.engine import Engine
from bot.core.knowledge import load_knowledge
from bot.core.onnx_embedder import OnnxEmbedder
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def onnx_settings(tmp_path_factory: pytest.TempPathFactory,
                  embedder: SentenceTransformerEmbedder) -> Settings:
    """An index built by `rolle build`'s code path, with the ONNX export beside it."""
    s = make_settings(tmp_path_factory.mktemp("onnx-index"))
    manifest = build(s, load_knowledge(s.knowledge_dir), embedder=embedder)
    assert manifest is not None and manifest["onnx"]["reused"] is False
    return s


@pytest.fixture(scope="session")
def onnx_engine(onnx_settings: Settings) -> Engine:
    """The engine as ask/chat/serve load it: the ONNX embedder chosen by the settings."""
    engine = compose.load_engine(onnx_settings)
    assert isinstance(engine._embedder, OnnxEmbedder)
    return engine
