"""Build, save and load the dense FAISS index and its manifest.

Every passage is embedded as several chunks (its names, each paragraph, each task) into
an inner-product index behind an ID map; a passage scores as its best chunk. The build
writes a new folder and switches the ``current`` link to it in one rename, so an
interrupted build leaves the previous index intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bot import __version__
from bot.core.embedder import Embedder
from bot.core.errors import IndexMissingError, IndexStaleError
from bot.core.knowledge import Knowledge
from bot.core.models import Passage

INDEX_FORMAT = 2  # bump when chunking or file layout changes: old indexes become stale
CURRENT = "current"
FAISS_FILE = "faiss.index"
CHUNKS_FILE = "chunks.json"
MANIFEST_FILE = "manifest.json"
BUILD_COMMAND = "rolle build"


@dataclass(frozen=True)
class Chunk:
    """One embedded piece of a passage."""

    passage_id: str
    text: str


@dataclass(frozen=True)
class Fingerprint:
    """What an index depends on; a difference makes it stale."""

    knowledge_hash: str
    model: str
    query_prompt: str
    passage_prompt: str

    def as_dict(self) -> dict[str, Any]:
        return {"format": INDEX_FORMAT, **self.__dict__}


@dataclass(frozen=True)
class DenseIndex:
    """A loaded index: FAISS vectors (ids = chunk numbers) and the chunk list."""

    faiss_index: Any
    chunks: tuple[Chunk, ...]
    manifest: dict[str, Any]


def chunk_passages(passages: tuple[Passage, ...]) -> list[Chunk]:
    """Split every passage into the texts that are embedded."""
    chunks: list[Chunk] = []
    for p in passages:
        chunks.append(Chunk(p.id, ", ".join(dict.fromkeys((p.title, *p.aliases)))))
        if p.search_terms:
            chunks.append(Chunk(p.id, f"{p.title}: {', '.join(p.search_terms)}"))
        for paragraph in p.paragraphs:
            lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
            tasks = [line.lstrip("• ").strip() for line in lines if line.startswith("•")]
            prose = " ".join(line for line in lines if not line.startswith("•"))
            if prose and not prose.endswith(":"):
                chunks.append(Chunk(p.id, f"{p.title}: {prose}"))
            chunks.extend(Chunk(p.id, f"{p.title}: {task}") for task in tasks)
    return chunks


def current_dir(index_dir: Path) -> Path:
    """The folder of the index in use."""
    return index_dir / CURRENT


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest of the index in use, or None when there is none (or it is broken)."""
    try:
        data = json.loads((current_dir(index_dir) / MANIFEST_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def staleness(index_dir: Path, fingerprint: Fingerprint) -> str | None:
    """Why the index in ``index_dir`` does not fit ``fingerprint``; None if it does."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return "no index has been built yet"
    built = manifest.get("fingerprint", {})
    for key, wanted in fingerprint.as_dict().items():
        if built.get(key) != wanted:
            what = {"knowledge_hash": "the knowledge files", "format": "the index format"}
            return f"{what.get(key, key)} changed since the index was built"
    return None


def build_index(
    index_dir: Path,
    knowledge: Knowledge,
    fingerprint: Fingerprint,
    embedder_factory: Callable[[], Embedder],
    *,
    force: bool = False,
) -> dict[str, Any] | None:
    """Embed the knowledge and write the index, unless it is already up to date.

    Args:
        index_dir: where the index lives (created if missing).
        knowledge: the validated knowledge base.
        fingerprint: what the index is built from.
        embedder_factory: loads the model (only called when a build is needed).
        force: build even when nothing changed.

    Returns:
        The new manifest, or None when the index was up to date and nothing was done.
    """
    if not force and staleness(index_dir, fingerprint) is None:
        return None
    started = time.perf_counter()
    embedder = embedder_factory()
    chunks = chunk_passages(knowledge.passages)
    vectors = embedder.embed_passages([c.text for c in chunks])
    faiss_index = faiss.IndexIDMap(faiss.IndexFlatIP(int(vectors.shape[1])))
    faiss_index.add_with_ids(vectors, np.arange(len(chunks), dtype=np.int64))
    manifest = {
        "fingerprint": fingerprint.as_dict(),
        "model": fingerprint.model,
        "dimension": int(vectors.shape[1]),
        "knowledge_hash": knowledge.content_hash,
        "passages": len(knowledge.passages),
        "chunks": len(chunks),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "package_version": __version__,
    }
    index_dir.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    try:
        faiss.write_index(faiss_index, str(build_dir / FAISS_FILE))
        (build_dir / CHUNKS_FILE).write_text(
            json.dumps([c.__dict__ for c in chunks], ensure_ascii=False, indent=1), "utf-8"
        )
        # The manifest is written last: a folder without one is never used.
        (build_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), "utf-8")
        _switch_current(index_dir, build_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    return manifest


def _switch_current(index_dir: Path, build_dir: Path) -> None:
    """Point ``current`` at ``build_dir`` atomically, then remove older builds."""
    link = current_dir(index_dir)
    tmp_link = index_dir / f".{CURRENT}-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(build_dir.name)
    os.replace(tmp_link, link)
    for old in index_dir.glob(".build-*"):
        if old.is_dir() and old.name != build_dir.name:
            shutil.rmtree(old, ignore_errors=True)


def load_index(index_dir: Path, fingerprint: Fingerprint) -> DenseIndex:
    """Load the index in use and check that it fits the knowledge and model.

    Raises:
        IndexMissingError: nothing has been built.
        IndexStaleError: it was built from other knowledge or another model.
    """
    reason = staleness(index_dir, fingerprint)
    if reason == "no index has been built yet":
        raise IndexMissingError(f"No index in {index_dir}: run `{BUILD_COMMAND}`.")
    if reason:
        raise IndexStaleError(f"The index is out of date ({reason}): run `{BUILD_COMMAND}`.")
    folder = current_dir(index_dir)
    try:
        faiss_index = faiss.read_index(str(folder / FAISS_FILE))
        raw = json.loads((folder / CHUNKS_FILE).read_text("utf-8"))
        chunks = tuple(Chunk(**item) for item in raw)
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise IndexMissingError(
            f"The index in {folder} is damaged ({exc}): run `{BUILD_COMMAND} --force`."
        ) from exc
    if faiss_index.ntotal != len(chunks):
        raise IndexStaleError(f"The index in {folder} is inconsistent: run `{BUILD_COMMAND}`.")
    return DenseIndex(faiss_index, chunks, read_manifest(index_dir) or {})
