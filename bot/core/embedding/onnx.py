"""The torch-free embedder: an ONNX export of the model run by onnxruntime, tokenised by
``tokenizers``.

An export folder (written by :mod:`bot.core.embedding.export` at build time) holds ``model.onnx``
(the transformer, fp32), ``tokenizer.json`` and ``embedder.json`` (pooling, normalisation,
maximum sequence length and the file's SHA-256). Pooling and normalisation are done here
exactly as the model's sentence-transformers modules do them, so the vectors equal those
of sentence-transformers (cosine ≥ 0.9999, tested). Importing this module never imports
torch or sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.errors import ModelLoadError

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "embedder.json"
POOLING_MODES = ("mean", "cls", "max")
BATCH_SIZE = 32  # as sentence-transformers' encode: bounds memory for long batches


@dataclass(frozen=True)
class ExportConfig:
    """What ``embedder.json`` says about an export."""

    model: str
    dimension: int
    max_seq_length: int
    pooling: str
    normalize: bool
    pad_id: int
    pad_token: str
    sha256: str
    source_key: str

    @classmethod
    def read(cls, folder: Path) -> ExportConfig:
        """Read and check ``embedder.json`` in ``folder``.

        Raises:
            ModelLoadError: the file is missing or not a valid export description.
        """
        path = folder / CONFIG_FILE
        try:
            data = json.loads(path.read_text("utf-8"))
            config = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except FileNotFoundError:
            raise ModelLoadError(
                f"The ONNX export in {folder} is missing: run `rolle build`."
            ) from None
        except PermissionError:
            raise ModelLoadError(f"Cannot read {path}: permission denied.") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(
                f"The ONNX export in {folder} is damaged ({exc}): run `rolle build --force`."
            ) from None
        if config.pooling not in POOLING_MODES:
            raise ModelLoadError(f"{path}: unknown pooling '{config.pooling}'")
        return config


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OnnxEmbedder:
    """Embeds with onnxruntime on one CPU thread; no torch."""

    def __init__(
        self,
        folder: Path,
        *,
        query_prompt: str = "",
        passage_prompt: str = "",
        expected_sha256: str | None = None,
        threads: int = 1,
    ) -> None:
        """Load an export folder.

        Args:
            folder: the folder written by :func:`bot.core.embedding.export.export_onnx`.
            query_prompt: text put before every question (e.g. "query: ").
            passage_prompt: text put before every passage (e.g. "passage: ").
            expected_sha256: the ONNX file's hash as the index manifest recorded it; a
                different file is refused.
            threads: onnxruntime intra-op threads (1: steady latency on shared CPUs; 0: all
                cores, for a build that embeds every chunk at once).

        Raises:
            ModelLoadError: the export is missing, damaged or not the one the index names.
        """
        self.config = ExportConfig.read(folder)
        self.name = self.config.model
        self.dimension = self.config.dimension
        self._query_prompt = query_prompt
        self._passage_prompt = passage_prompt
        model_path = folder / ONNX_FILE
        # The model file is hashed on a second thread while the session loads (hashing
        # and onnxruntime both run without the GIL); a wrong file is refused afterwards.
        failed: ModelLoadError | None = None
        with ThreadPoolExecutor(max_workers=1) as hashing:
            hashed = hashing.submit(file_sha256, model_path)
            try:
                self._load(folder, model_path, threads)
            except ModelLoadError as exc:
                failed = exc  # said after the hash check, which names the cause better
            try:
                actual = hashed.result()
            except OSError as exc:
                raise ModelLoadError(
                    f"Cannot read the ONNX model {model_path} ({exc.strerror or exc}): "
                    "run `rolle build`."
                ) from None
        for wanted, what in ((self.config.sha256, CONFIG_FILE), (expected_sha256, "the index")):
            if wanted and actual != wanted:
                raise ModelLoadError(
                    f"The ONNX model {model_path} is not the one {what} names "
                    "(changed or damaged): run `rolle build --force`."
                )
        if failed is not None:
            raise failed
        self._inputs = [i.name for i in self._session.get_inputs()]

    def _load(self, folder: Path, model_path: Path, threads: int) -> None:
        """The tokenizer and the onnxruntime session."""
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception for bad files
            raise ModelLoadError(
                f"The tokenizer in {folder} cannot be loaded ({exc}): run `rolle build --force`."
            ) from None
        # As sentence-transformers: pad to the longest text of the batch, cut at
        # max_seq_length (the packaged tokenizer.json itself says "fixed 128").
        self._tokenizer.enable_padding(pad_id=self.config.pad_id, pad_token=self.config.pad_token)
        self._tokenizer.enable_truncation(max_length=self.config.max_seq_length)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelLoadError(
                f"onnxruntime cannot load {model_path} ({exc}): run `rolle build --force`."
            ) from None

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            # Lone surrogates (undecodable bytes from a terminal) would make the
            # tokenizer raise: they become "?" here, valid text is unchanged.
            batch = [(prompt + texts[i]).encode("utf-8", "replace").decode("utf-8")
                     for i in rows]
            out[rows] = self._embed_batch(batch)
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feeds: dict[str, Any] = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (tokens,) = self._session.run(None, {name: feeds[name] for name in self._inputs})
        return pool(tokens, feeds["attention_mask"], self.config.pooling, self.config.normalize)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for questions, shape (len(texts), dimension)."""
        return self._encode(texts, self._query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for knowledge passages, shape (len(texts), dimension)."""
        return self._encode(texts, self._passage_prompt)


def pool(tokens: np.ndarray, mask: np.ndarray, mode: str, normalize: bool) -> np.ndarray:
    """Sentence vectors from token vectors as sentence-transformers' Pooling/Normalize do.

    Args:
        tokens: token embeddings, shape (batch, sequence, dimension).
        mask: attention mask, shape (batch, sequence).
        mode: "mean" (over the mask), "cls" (first token) or "max" (over the mask).
        normalize: scale every vector to length 1.
    """
    weights = mask[:, :, None].astype(np.float32)
    if mode == "mean":
        vectors = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    elif mode == "cls":
        vectors = tokens[:, 0]
    else:
        vectors = np.where(weights > 0, tokens, -1e9).max(axis=1)
    if normalize:
        vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return np.ascontiguousarray(vectors, dtype=np.float32)
