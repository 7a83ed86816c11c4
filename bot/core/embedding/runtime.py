"""The runtime side of the embedder: where the index's ONNX export lives, and the check
that an embedder fits the index. (Which embedder the settings ask for is decided in
:mod:`bot.compose`.) Nothing here imports torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.embedding.protocol import Embedder
from bot.core.errors import IndexDamagedError

BUILD_COMMAND = "rolle build"


def onnx_folder(index_dir: Path, manifest: dict[str, Any]) -> Path | None:
    """The ONNX export folder the manifest names (relative paths are under ``index_dir``)."""
    info = manifest.get("onnx")
    if not isinstance(info, dict) or not isinstance(info.get("path"), str):
        return None
    path = Path(info["path"])
    return path if path.is_absolute() else index_dir / path


def check_dimension(index_dir: Path, manifest: dict[str, Any], embedder: Embedder) -> None:
    """Refuse an embedder whose vectors do not fit the index.

    Raises:
        IndexDamagedError: the dimensions differ.
    """
    if manifest.get("dimension") != embedder.dimension:
        raise IndexDamagedError(
            f"The index in {index_dir} holds vectors of dimension {manifest.get('dimension')} "
            f"but the model gives {embedder.dimension}: run `{BUILD_COMMAND} --force`."
        )
