"""`rolle build` for the configured settings: the index, and (for the default ONNX
runtime) the model's ONNX export, recorded in the manifest and checked equal to
sentence-transformers on every chunk. When the model cache already holds the export of
exactly the configured model's files, the knowledge is embedded with that export instead
(the embedder that answers the questions; torch is not imported). Like
:mod:`bot.compose`, it turns settings into core calls; the core itself takes explicit
arguments.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.compose import fingerprint, load_embedder
from bot.config import Settings
from bot.core.embedder import Embedder, SentenceTransformerEmbedder, resolve_model
from bot.core.errors import IndexPermissionError, ModelLoadError
from bot.core.export import (
    Export,
    check_equal,
    export_onnx,
    find_export,
    model_files_key,
    valid_export,
)
from bot.core.index import build_index
from bot.core.knowledge import Knowledge
from bot.core.lemma_tables import prepare_tables
from bot.core.onnx_embedder import OnnxEmbedder
from bot.core.runtime import onnx_folder


def export_problem(settings: Settings, manifest: dict[str, Any]) -> str | None:
    """Why the ONNX export named in ``manifest`` is not usable; None if it is."""
    folder = onnx_folder(settings.index_dir, manifest)
    if folder is None:
        return "the model has not been exported to ONNX yet"
    if valid_export(folder) != manifest["onnx"].get("sha256"):
        return f"the ONNX export in {folder} is missing or changed"
    return None


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise IndexPermissionError(
            f"Cannot write to the model cache folder {folder}: {exc.strerror or exc}."
        ) from None


def build_lemma_tables(settings: Settings) -> Path | None:
    """Copy simplemma's dictionaries into the model cache folder's lemma tables unless
    they are there (:mod:`bot.core.lemma_tables`: a fast start for every later process).

    Returns:
        The folder if it was written now, None if it was there already.

    Raises:
        IndexPermissionError: the model cache folder is not writable.
    """
    _check_writable(settings.model_cache)
    folder, written = prepare_tables(settings.model_cache)
    return folder if written else None


def _files_key(model: str) -> str | None:
    """:func:`model_files_key` of the configured model's folder; None for a hub name or a
    packaged model that is not installed (loading it then says what is missing)."""
    try:
        return model_files_key(Path(resolve_model(model)))
    except ModelLoadError:
        return None


def build(
    settings: Settings,
    knowledge: Knowledge,
    *,
    force: bool = False,
    on_wait: Callable[[str], None] | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
) -> dict[str, Any] | None:
    """Build the index (and export the model) unless both are up to date and intact.

    Args:
        settings: model, prompts, index and model cache folders, embedder kind.
        knowledge: the validated knowledge base.
        force: build even when nothing changed.
        on_wait: told when another build holds the lock.
        embedder: an already loaded sentence-transformers model (default: the model
            cache's export of exactly the configured model's files if there is one, else
            load the model with sentence-transformers).

    Returns:
        The new manifest, or None when nothing was done.

    Raises:
        IndexPermissionError: the index or model cache folder is not writable (said
            before the model loads).
        ModelLoadError: the model cannot be loaded or exported faithfully.
    """
    onnx = settings.embedder == "onnx"
    cache = settings.model_cache
    files_key: str | None = None
    ready: Export | None = None

    def load() -> Embedder:
        nonlocal files_key, ready
        if not onnx:
            return embedder or load_embedder(settings)
        _check_writable(cache)
        files_key = _files_key(settings.model)
        if embedder is not None:
            return embedder
        ready = find_export(cache, files_key)
        if ready is None:
            return load_embedder(settings)
        # Every chunk at once: all cores (serving uses one thread per question).
        return OnnxEmbedder(ready.folder, query_prompt=settings.query_prompt,
                            passage_prompt=settings.passage_prompt,
                            expected_sha256=ready.sha256, threads=0)

    def add_export(used: Embedder, texts: list[str], vectors: np.ndarray) -> dict[str, Any]:
        if not onnx:
            return {}
        if ready is not None and isinstance(used, OnnxEmbedder):
            return {"onnx": {"path": _relative(ready.folder), "sha256": ready.sha256,
                             "reused": True, "embedded_with": "onnx"}}
        if not isinstance(used, SentenceTransformerEmbedder):
            return {}
        export = export_onnx(used.model, settings.model, cache, source_files=files_key)
        cosine = check_equal(export, texts, vectors, passage_prompt=settings.passage_prompt)
        return {"onnx": {"path": _relative(export.folder), "sha256": export.sha256,
                         "reused": export.reused, "embedded_with": "sentence-transformers",
                         "min_cosine_to_sentence_transformers": round(cosine, 7)}}

    def _relative(folder: Path) -> str:
        try:
            return str(folder.resolve().relative_to(settings.index_dir.resolve()))
        except ValueError:
            return str(folder.resolve())

    return build_index(
        settings.index_dir,
        knowledge,
        fingerprint(settings, knowledge),
        load,
        force=force,
        extra_problem=(lambda m: export_problem(settings, m)) if onnx else None,
        after_embed=add_export,
        on_wait=on_wait,
    )



