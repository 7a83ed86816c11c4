"""Fixtures for the engine core: an index built by `rolle build`'s code path with the real
model's ONNX export (once per session, about 15 s for the export)."""

from __future__ import annotations

import pytest

from bot import compose
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.onnx_embedder import OnnxEmbedder


@pytest.fixture(scope="session")
def onnx_settings(real_settings: Settings) -> Settings:
    """The session's index, built by `rolle build`'s code path with the ONNX export."""
    return real_settings


@pytest.fixture(scope="session")
def onnx_engine(onnx_settings: Settings) -> Engine:
    """The engine as ask/chat/serve load it: the ONNX embedder chosen by the settings."""
    engine = compose.load_engine(onnx_settings)
    assert isinstance(engine._embedder, OnnxEmbedder)
    return engine
