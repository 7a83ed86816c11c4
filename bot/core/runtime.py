"""The runtime side of the embedder: where the index's ONNX export lives, the check
that an embedder fits the index, and the start-up self-check. (Which embedder the
settings ask for is decided in :mod:`bot.compose`.) Nothing here imports torch."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.embedder import Embedder
from bot.core.errors import IndexDamagedError

if TYPE_CHECKING:
    from bot.core.engine import Engine

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


@dataclass(frozen=True)
class Health:
    """The outcome of :func:`self_check`."""

    ok: bool
    detail: str
    seconds: float


def self_check(engine: Engine) -> Health:
    """Embed and search one real question (the first role's name) end to end.

    For ``/healthz`` at start: ok only when the answer names that role first. Never
    raises.
    """
    started = time.perf_counter()
    roles = engine.roles() or engine.passages
    if not roles:
        return Health(False, "the knowledge has no passages", 0.0)
    expected = roles[0]
    try:
        answer = engine.answer(f"Was macht ein {expected.title}?")
    except Exception as exc:  # a health check reports, never raises
        return Health(False, f"answering failed: {exc}", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if not answer.answered or not answer.hits:
        return Health(False, f"no answer for '{expected.title}' ({answer.reason})", seconds)
    if answer.hits[0].passage.id != expected.id:
        return Health(False, f"'{expected.title}' found '{answer.hits[0].passage.id}' first",
                      seconds)
    return Health(True, f"'{expected.title}' answered in {seconds * 1000:.0f} ms", seconds)
