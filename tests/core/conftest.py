"""Fixtures for the engine core: the lexical index over the real knowledge, and the ONNX
path (all-MiniLM-L6-v2 exported by `rolle build`'s code path, once per session)."""

from __future__ import annotations

import pytest

from bot import compose
from bot.config import Settings
from bot.core.embedding.onnx import OnnxEmbedder
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.core.retrieval.lexical import LexicalIndex


@pytest.fixture(scope="session")
def lexical(knowledge: Knowledge) -> LexicalIndex:
    """The lexical index (analyzer, typo lexicon, BM25) over the real knowledge."""
    return LexicalIndex(knowledge.passages, knowledge.synonyms)


@pytest.fixture(scope="session")
def onnx_settings(minilm_settings: Settings) -> Settings:
    """The MiniLM index, built by `rolle build`'s code path with the ONNX export."""
    return minilm_settings


@pytest.fixture(scope="session")
def onnx_engine(onnx_settings: Settings) -> Engine:
    """The engine as ask/chat/serve load it: the ONNX embedder chosen by the settings."""
    engine = compose.load_engine(onnx_settings)
    assert isinstance(engine._embedder, OnnxEmbedder)
    return engine
