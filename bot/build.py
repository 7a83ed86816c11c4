"""`rolle build` for the configured settings: the index, and (for the default ONNX
runtime) the model's ONNX export, recorded in the manifest and checked equal to
sentence-transformers on every chunk. Like :mod:`bot.compose`, it turns settings into
core calls; the core itself takes explicit arguments.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.compose import fingerprint, load_embedder
from bot.config import Settings
from bot.core.embedder import Embedder, SentenceTransformerEmbedder
from bot.core.errors import IndexPermissionError
from bot.core.export import check_equal, export_onnx, valid_export
from bot.core.index import build_index
from bot.core.knowledge import Knowledge
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
        embedder: an already loaded sentence-transformers model (default: load it).

    Returns:
        The new manifest, or None when nothing was done.

    Raises:
        IndexPermissionError: the index or model cache folder is not writable (said
            before the model loads).
        ModelLoadError: the model cannot be loaded or exported faithfully.
    """
    onnx = settings.embedder == "onnx"
    cache = settings.model_cache

    def load() -> Embedder:
        if onnx:
            _check_writable(cache)
        return embedder or load_embedder(settings)

    def add_export(used: Embedder, texts: list[str], vectors: np.ndarray) -> dict[str, Any]:
        if not onnx or not isinstance(used, SentenceTransformerEmbedder):
            return {}
        export = export_onnx(used.model, settings.model, cache)
        cosine = check_equal(export, texts, vectors, passage_prompt=settings.passage_prompt)
        try:
            path = str(export.folder.resolve().relative_to(settings.index_dir.resolve()))
        except ValueError:
            path = str(export.folder.resolve())
        return {"onnx": {"path": path, "sha256": export.sha256, "reused": export.reused,
                         "min_cosine_to_sentence_transformers": round(cosine, 7)}}

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



