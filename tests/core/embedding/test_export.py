"""The ONNX export: written once, reused while unchanged, redone when damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.build import build
from bot.config import Settings
from bot.core.embedding.export import (
    _source_key,
    check_equal,
    check_sample,
    describe,
    export_onnx,
    valid_export,
)
from bot.core.embedding.onnx import CONFIG_FILE, ONNX_FILE
from bot.core.embedding.protocol import SentenceTransformerEmbedder
from bot.core.errors import IndexPermissionError, ModelLoadError
from bot.core.knowledge import load_knowledge
from tests.conftest import make_settings


@pytest.mark.slow
def test_an_unchanged_export_is_reused_and_a_damaged_one_redone(
        onnx_settings: Settings, st_embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    cache = onnx_settings.model_cache
    (folder,) = [p for p in cache.iterdir() if (p / CONFIG_FILE).is_file()]
    written = (folder / ONNX_FILE).stat().st_mtime_ns
    again = export_onnx(st_embedder.model, onnx_settings.model, cache)
    assert again.reused and again.folder == folder
    assert (folder / ONNX_FILE).stat().st_mtime_ns == written

    copy = tmp_path / "cache"
    shutil.copytree(cache, copy)
    damaged = copy / folder.name / ONNX_FILE
    damaged.write_bytes(damaged.read_bytes()[:1000])  # a truncated copy
    assert valid_export(copy / folder.name) is None
    redone = export_onnx(st_embedder.model, onnx_settings.model, copy)
    assert not redone.reused and valid_export(redone.folder) == redone.sha256
    # No temporary folders left (beside the export: the lemma tables).
    assert [p.name for p in copy.iterdir() if not p.name.startswith("simplemma-")] \
        == [folder.name]


@pytest.mark.slow
def test_the_export_key_does_not_depend_on_what_the_model_encoded_last(
        st_embedder: SentenceTransformerEmbedder) -> None:
    """Encoding sets the tokenizer's padding and truncation; the same model must still
    find its export (a fresh model and one that built an index alike)."""
    model = st_embedder.model
    tokenizer = model[0].tokenizer.backend_tokenizer
    spec = describe(model, "packaged:all-MiniLM-L6-v2")
    tokenizer.no_padding()
    tokenizer.no_truncation()
    fresh = _source_key(model, spec)
    st_embedder.embed_passages(["Was macht ein BDM?", "Vertrieb " * 400])
    assert json.loads(tokenizer.to_str())["truncation"] is not None
    assert _source_key(model, spec) == fresh


def test_an_unwritable_model_cache_is_reported_before_the_model_loads(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    bad = make_settings(tmp_path / "index", model_cache_dir=blocker / "models",
                        model="packaged:all-MiniLM-L6-v2")
    with pytest.raises(IndexPermissionError,
                       match=rf"Cannot write to the model cache folder {blocker / 'models'}"):
        build(bad, load_knowledge(bad.knowledge_dir))  # would load the model otherwise


def test_the_check_sample_takes_the_longest_texts_and_a_spread_of_the_rest() -> None:
    texts = [f"{'x' * n}" for n in (5, 300, 1, 80, 2000, 40, 7, 900, 3, 60, 12, 500)]
    picked = check_sample(texts, size=6)
    assert picked == sorted(set(picked)) and len(picked) == 6
    lengths = sorted((len(texts[i]) for i in picked), reverse=True)
    assert lengths[:3] == [2000, 900, 500]  # the longest half
    assert 1 in lengths  # the shortest is in the spread
    assert check_sample(texts[:4], size=6) == [0, 1, 2, 3]  # fewer texts: all of them
    assert check_sample([], size=6) == []


def test_the_check_refuses_an_export_with_other_vectors(tmp_path: Path) -> None:
    reference = np.eye(3, dtype=np.float32)
    assert check_equal(tmp_path, reference * 2.0, reference) == pytest.approx(1.0)
    moved = reference.copy()
    moved[1] = [0.0, 0.99, 0.14]  # cosine 0.99 for one text
    with pytest.raises(ModelLoadError, match=r"cosine 0\.99.*ROLLE_EMBEDDER"):
        check_equal(tmp_path, moved, reference)
