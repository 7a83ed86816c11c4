"""Fixtures for the engine core's ONNX path: all-MiniLM-L6-v2 exported by `rolle build`'s
code path (once per session, about 15 s for the export)."""

from __future__ import annotations

import pytest

from bot import compose
from bot.config import Settings
from bot.core.embedding.onnx import OnnxEmbedder
from bot.core.engine import Engine


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
