"""Index build: atomic, stale-aware, no work when nothing changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import compose
from bot.core.embedding.index import Fingerprint, build_index, chunk_passages, load_index, staleness
from bot.core.errors import IndexMissingError, IndexStaleError
from bot.core.knowledge import load_knowledge
from tests.fakes import BrokenEmbedder, HashEmbedder
from tests.support import reconfigure

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


def _fingerprint(knowledge_hash: str, model: str = "fake-hash") -> Fingerprint:
    return Fingerprint(knowledge_hash=knowledge_hash, model=model, query_prompt="",
                       passage_prompt="")


def test_build_writes_manifest_and_second_build_does_nothing(tmp_path: Path) -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    fp = _fingerprint(knowledge.content_hash)
    embedder = HashEmbedder()
    manifest = build_index(tmp_path, knowledge, fp, lambda: embedder)
    assert manifest is not None
    assert manifest["passages"] == len(knowledge.passages) and manifest["dimension"] == 64
    assert manifest["knowledge_hash"] == knowledge.content_hash
    assert {"model", "built_at", "package_version", "chunks"} <= manifest.keys()
    assert staleness(tmp_path, fp) is None
    calls = embedder.calls
    assert build_index(tmp_path, knowledge, fp, lambda: embedder) is None
    assert embedder.calls == calls, "an up-to-date build must not load or run the model"
    assert build_index(tmp_path, knowledge, fp, lambda: embedder, force=True) is not None


def test_failed_build_keeps_the_previous_index(tmp_path: Path) -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    build_index(tmp_path, knowledge, _fingerprint(knowledge.content_hash), HashEmbedder)
    before = (tmp_path / "current").resolve()
    with pytest.raises(RuntimeError, match="model crashed"):
        build_index(tmp_path, knowledge, _fingerprint("other"), BrokenEmbedder, force=True)
    assert (tmp_path / "current").resolve() == before
    assert [p.name for p in tmp_path.glob(".build-*")] == [before.name]
    dense = load_index(tmp_path, _fingerprint(knowledge.content_hash))
    assert dense.faiss_index.ntotal == len(chunk_passages(knowledge.passages))


def test_missing_and_stale_index_say_what_to_run(tmp_path: Path) -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    with pytest.raises(IndexMissingError, match="rolle build"):
        load_index(tmp_path, _fingerprint(knowledge.content_hash))
    build_index(tmp_path, knowledge, _fingerprint(knowledge.content_hash), HashEmbedder)
    with pytest.raises(IndexStaleError, match=r"knowledge files changed.*rolle build"):
        load_index(tmp_path, _fingerprint("edited"))
    with pytest.raises(IndexStaleError, match="model changed"):
        load_index(tmp_path, _fingerprint(knowledge.content_hash, model="other-model"))


def test_edited_knowledge_makes_the_engine_refuse_to_start(tmp_path: Path, real_settings) -> None:
    settings = real_settings
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir, symlinks=True)
    edited = reconfigure(settings, {"knowledge_dir": folder, "index_dir": index_dir})
    compose.load_engine(edited, embedder=HashEmbedder())  # same content: loads
    path = folder / "positionen.yaml"
    path.write_text(path.read_text("utf-8").replace("- CMO\n", "- CMO\n      - Marketing-Boss\n"))
    with pytest.raises(IndexStaleError, match="rolle build"):
        compose.load_engine(edited, embedder=HashEmbedder())


def test_damaged_index_is_reported(tmp_path: Path) -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    fp = _fingerprint(knowledge.content_hash)
    build_index(tmp_path, knowledge, fp, HashEmbedder)
    (tmp_path / "current" / "faiss.index").write_bytes(b"garbage")
    with pytest.raises(IndexMissingError, match="damaged"):
        load_index(tmp_path, fp)


def test_chunks_cover_names_paragraphs_and_tasks() -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    chunks = chunk_passages(knowledge.passages)
    bdm = [c.text for c in chunks if c.passage_id == "business-development-manager"]
    assert any("BDM" in c for c in bdm)
    assert any(c.endswith("Entwicklung und Implementierung von Wachstumsstrategien") for c in bdm)
    assert {c.passage_id for c in chunks} == {p.id for p in knowledge.passages}
