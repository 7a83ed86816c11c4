"""`rolle build` for the configured settings: the index, and (for a sentence-transformers
model on the ONNX runtime) the model's ONNX export. The packaged multilingual model
embeds the knowledge with its own engine, the one that embeds the questions: no torch,
no export. For other models the knowledge is embedded with the export that will embed
the questions. When the model cache holds the export of exactly the configured
model's files, torch is not imported; otherwise the model is loaded with
sentence-transformers, exported (or its export of the same weights reused), and the
export's vectors are checked equal to sentence-transformers' on a sample of the chunks
(:func:`bot.core.embedding.export.check_sample`). Like :mod:`bot.compose`, it turns settings into
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
from bot.core.embedding import packaged
from bot.core.embedding.export import (
    Export,
    check_equal,
    check_sample,
    export_onnx,
    find_export,
    model_files_key,
    valid_export,
)
from bot.core.embedding.index import build_index
from bot.core.embedding.onnx import OnnxEmbedder
from bot.core.embedding.protocol import Embedder, SentenceTransformerEmbedder, resolve_model
from bot.core.embedding.runtime import onnx_folder
from bot.core.errors import IndexPermissionError, ModelLoadError
from bot.core.knowledge import Knowledge
from bot.core.text.lemma_tables import prepare_tables


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
    they are there (:mod:`bot.core.text.lemma_tables`: a fast start for every later process).

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
    if settings.embedder != "onnx":
        return build_index(settings.index_dir, knowledge, fingerprint(settings, knowledge),
                           lambda: embedder or load_embedder(settings), force=force,
                           on_wait=on_wait)
    job = _OnnxBuild(settings, embedder)
    return build_index(
        settings.index_dir,
        knowledge,
        fingerprint(settings, knowledge),
        job.load,
        force=force,
        extra_problem=lambda m: export_problem(settings, m),
        after_embed=job.manifest_entry,
        on_wait=on_wait,
    )


class _OnnxBuild:
    """An index build on the ONNX runtime: find or make the export, embed the knowledge
    with it, then describe the export (and its check) for the manifest."""

    def __init__(self, settings: Settings, embedder: SentenceTransformerEmbedder | None) -> None:
        self.settings = settings
        self.given = embedder
        self.export: Export | None = None
        self.reference: SentenceTransformerEmbedder | None = None  # a fresh export's check

    def load(self) -> Embedder:
        """The export's embedder (exported now unless the cache holds it)."""
        settings = self.settings
        _check_writable(settings.model_cache)
        files_key = _files_key(settings.model)
        export = find_export(settings.model_cache, files_key) if self.given is None else None
        if export is None:
            self.reference = self.given or load_embedder(settings)
            export = export_onnx(self.reference.model, settings.model, settings.model_cache,
                                 source_files=files_key)
        self.export = export
        # The knowledge is embedded with the export that will embed the questions, every
        # chunk at once: all cores (serving uses one thread per question).
        return OnnxEmbedder(export.folder, query_prompt=settings.query_prompt,
                            passage_prompt=settings.passage_prompt,
                            expected_sha256=export.sha256, threads=0)

    def manifest_entry(self, used: Embedder, texts: list[str],
                       vectors: np.ndarray) -> dict[str, Any]:
        """The manifest's ``onnx`` entry; a fresh export is compared on a sample."""
        if self.export is None:
            return {}
        entry: dict[str, Any] = {"path": self._relative(self.export.folder),
                                 "sha256": self.export.sha256,
                                 "reused": self.export.reused, "embedded_with": "onnx"}
        if self.reference is not None:  # just loaded with sentence-transformers: compare
            picked = check_sample(texts)
            cosine = check_equal(self.export.folder, vectors[picked],
                                 self.reference.embed_passages([texts[i] for i in picked]))
            floor = math.floor(min(cosine, 1.0) * 1e7) / 1e7  # the printed "≥" stays true
            entry.update(checked_texts=len(picked), min_cosine_to_sentence_transformers=floor)
        return {"onnx": entry}

    def _relative(self, folder: Path) -> str:
        index_dir = self.settings.index_dir.resolve()
        try:
            return str(folder.resolve().relative_to(index_dir))
        except ValueError:
            return str(folder.resolve())
