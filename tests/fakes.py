"""Deterministic stand-ins for fast unit tests of logic (never the only test of a feature)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class HashEmbedder:
    """Bag-of-words vectors from hashed lower-case words: similar words, similar vectors."""

    name = "fake-hash"
    dimension = 64

    def __init__(self) -> None:
        self.calls = 0

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)


class BrokenEmbedder(HashEmbedder):
    """Fails in the middle of a build, like a model that runs out of memory."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("model crashed")
