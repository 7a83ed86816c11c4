"""`rolle build` for the configured settings: the index, and (for a sentence-transformers
model on the ONNX runtime) the model's ONNX export. The packaged multilingual model
embeds the knowledge with its own engine, the one that embeds the questions: no torch,
no export. For other models the knowledge is embedded with the export that will embed
the questions. When the model cache holds the export of exactly the configured
model's files, torch is not imported; otherwise the model is loaded with
sentence-transformers, exported (or its export of the same weights reused), and the
export's vectors are checked equal to sentence-transformers' on a sample of the chunks
(:func:`bot.core.export.check_sample`). Like :mod:`bot.compose`, it turns settings into
core calls; the core itself takes explicit arguments.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.compose import fingerprint, load_embedder
from bot.config import Settings
from bot.core import packaged
from bot.core.embedder import Embedder, SentenceTransformerEmbedder, resolve_model
from bot.core.errors import IndexPermissionError, ModelLoadError
from bot.core.export import (
    Export,
    check_equal,
    check_sample,
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
        embedder: an already loaded sentence-transformers model to export (default: the
            model cache's export of exactly the configured model's files if there is
            one, else load the model with sentence-transformers).

    Returns:
        The new manifest, or None when nothing was done.

    Raises:
        IndexPermissionError: the index or model cache folder is not writable (said
            before the model loads).
        ModelLoadError: the model cannot be loaded or exported faithfully.
    """
    if packaged.is_packaged_e5(settings.model):
        return build_index(settings.index_dir, knowledge, fingerprint(settings, knowledge),
                           lambda: packaged.PackagedE5Embedder(threads=0), force=force,
                           on_wait=on_wait)
    onnx = settings.embedder == "onnx"
    cache = settings.model_cache
    export: Export | None = None
    reference: SentenceTransformerEmbedder | None = None  # what a fresh export is checked on

    def load() -> Embedder:
        nonlocal export, reference
        if not onnx:
            return embedder or load_embedder(settings)
        _check_writable(cache)
        files_key = _files_key(settings.model)
        export = find_export(cache, files_key) if embedder is None else None
        if export is None:
            reference = embedder or load_embedder(settings)
            export = export_onnx(reference.model, settings.model, cache,
                                 source_files=files_key)
        # The knowledge is embedded with the export that will embed the questions, every
        # chunk at once: all cores (serving uses one thread per question).
        return OnnxEmbedder(export.folder, query_prompt=settings.query_prompt,
                            passage_prompt=settings.passage_prompt,
                            expected_sha256=export.sha256, threads=0)

    def add_export(used: Embedder, texts: list[str], vectors: np.ndarray) -> dict[str, Any]:
        if export is None:
            return {}
        entry: dict[str, Any] = {"path": _relative(export.folder), "sha256": export.sha256,
                                 "reused": export.reused, "embedded_with": "onnx"}
        if reference is not None:  # just loaded with sentence-transformers: compare
            picked = check_sample(texts)
            cosine = check_equal(export.folder, vectors[picked],
                                 reference.embed_passages([texts[i] for i in picked]))
            floor = math.floor(min(cosine, 1.0) * 1e7) / 1e7  # the printed "≥" stays true
            entry.update(checked_texts=len(picked), min_cosine_to_sentence_transformers=floor)
        return {"onnx": entry}

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



