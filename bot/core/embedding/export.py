"""Export a sentence-transformers model to ONNX (fp32) for the torch-free runtime.

Build time only: the functions here import torch (and need the ``onnx`` package, part of
the build extra). The export is written once into the model cache folder under a key made
from the weights, tokenizer and pooling, and reused by later builds while that key and
the file's SHA-256 still match. Only models made of a Transformer, a Pooling and an
optional Normalize module are exported; anything else keeps sentence-transformers.

An export also records a hash of the model folder's files (:func:`model_files_key`), so
that a later build can find the export of exactly those files without importing torch
(:func:`find_export`) and embed with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.embedding.onnx import (
    CONFIG_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    ExportConfig,
    file_sha256,
)
from bot.core.errors import ModelLoadError

EXPORT_FORMAT = 1  # bump when the export layout or graph changes: old exports are redone
OPSET = 17
MIN_COSINE = 0.9999
_FALLBACK = "set ROLLE_EMBEDDER=sentence-transformers to keep using sentence-transformers"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class Export:
    """An export folder ready for :class:`OnnxEmbedder`."""

    folder: Path
    sha256: str
    reused: bool


def describe(model: Any, name: str) -> dict[str, Any]:
    """What the runtime must reproduce of a loaded SentenceTransformer.

    Raises:
        ModelLoadError: the model has parts the ONNX runtime does not reproduce.
    """
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise ModelLoadError(
            f"model '{name}' has modules {kinds}; the ONNX export supports Transformer + "
            f"Pooling (+ Normalize) only: {_FALLBACK}"
        )
    transformer, pooling = modules[0], modules[1]
    pool_cfg = pooling.get_config_dict()
    mode = pool_cfg.get("pooling_mode")
    if mode is None:  # sentence-transformers < 6 spells it as flags
        flags = [k for k in ("cls_token", "mean_tokens", "max_tokens") if pool_cfg.get(
            f"pooling_mode_{k}")]
        mode = {"cls_token": "cls", "mean_tokens": "mean", "max_tokens": "max"}.get(
            flags[0] if len(flags) == 1 else "")
    tokenizer: Any = getattr(transformer, "tokenizer", None)
    problems = []
    if mode not in ("mean", "cls", "max"):
        problems.append(f"pooling {pool_cfg}")
    if pool_cfg.get("include_prompt", True) is False:
        problems.append("pooling without the prompt")
    if getattr(transformer, "do_lower_case", False):
        problems.append("lower-casing before tokenising")
    if not hasattr(tokenizer, "backend_tokenizer"):
        problems.append("a tokenizer without tokenizer.json")
    if problems:
        raise ModelLoadError(
            f"model '{name}' needs {', '.join(problems)}, which the ONNX runtime does not "
            f"reproduce: {_FALLBACK}"
        )
    dimension = model.get_embedding_dimension() if hasattr(
        model, "get_embedding_dimension") else model.get_sentence_embedding_dimension()
    return {
        "model": name,
        "dimension": int(dimension),
        "max_seq_length": int(transformer.max_seq_length or model.max_seq_length),
        "pooling": mode,
        "normalize": len(modules) == 3,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "inputs": [n for n in tokenizer.model_input_names if n in _INPUTS],
    }


def _source_key(model: Any, spec: dict[str, Any]) -> str:
    """A hash of everything the export depends on: weights, tokenizer, pooling."""
    digest = hashlib.sha256(json.dumps({"format": EXPORT_FORMAT, **spec}, sort_keys=True)
                            .encode())
    # Without the padding and truncation state, which encoding with the model changes
    # (the same model must give the same key before and after it embedded something).
    tokenizer = json.loads(model[0].tokenizer.backend_tokenizer.to_str())
    tokenizer.pop("padding", None)
    tokenizer.pop("truncation", None)
    digest.update(json.dumps(tokenizer, sort_keys=True).encode())
    for name, tensor in sorted(model[0].auto_model.state_dict().items()):
        digest.update(name.encode())
        data = tensor.detach().cpu()
        digest.update(data.float().numpy().tobytes() if data.is_floating_point()
                      else data.numpy().tobytes())
    return digest.hexdigest()


def valid_export(folder: Path) -> str | None:
    """The ONNX file's SHA-256 if ``folder`` holds a complete, unchanged export."""
    try:
        config = ExportConfig.read(folder)
        actual = file_sha256(folder / ONNX_FILE)
        tokenizer_ok = (folder / TOKENIZER_FILE).is_file()
    except (ModelLoadError, OSError):
        return None
    return actual if actual == config.sha256 and tokenizer_ok else None


def model_files_key(folder: Path) -> str | None:
    """A hash of every file in a model folder (names and contents; hidden ones such as
    ``.git`` left out), or None when ``folder`` is not a folder (e.g. a hub name)."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256(f"format {EXPORT_FORMAT}".encode())
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(root, name)
            digest.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(bytes.fromhex(file_sha256(path)))
    return digest.hexdigest()


def find_export(cache_dir: Path, files_key: str | None) -> Export | None:
    """The intact export in ``cache_dir`` made from model files with ``files_key``, found
    without loading the model (no torch); None if there is none."""
    if files_key is None:
        return None
    try:
        folders = sorted(p for p in cache_dir.iterdir() if not p.name.startswith("."))
    except OSError:
        return None
    for folder in folders:
        try:
            data = json.loads((folder / CONFIG_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("source_files") != files_key \
                or data.get("export_format") != EXPORT_FORMAT:
            continue
        sha = valid_export(folder)
        if sha:
            return Export(folder, sha, reused=True)
    return None


def _record_files_key(folder: Path, files_key: str) -> None:
    """Note ``files_key`` in an existing export's ``embedder.json`` (atomically)."""
    path = folder / CONFIG_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("source_files") == files_key:
            return
        data["source_files"] = files_key
        fd, tmp = tempfile.mkstemp(prefix=".embedder-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except (OSError, ValueError):  # e.g. another user's export: only the shortcut is lost
        return


def export_onnx(model: Any, name: str, cache_dir: Path,
                source_files: str | None = None) -> Export:
    """Export ``model`` (a loaded SentenceTransformer) into ``cache_dir``, or reuse.

    Args:
        model: the SentenceTransformer the index is built with.
        name: the configured model name (recorded, and used for the folder name).
        cache_dir: the model cache folder (created if missing).
        source_files: :func:`model_files_key` of the folder the model was loaded from
            (recorded, also in a reused export, for :func:`find_export`).

    Returns:
        The export folder and its ONNX file's hash; ``reused`` when nothing was exported.

    Raises:
        ModelLoadError: the model cannot be exported faithfully.
    """
    spec = describe(model, name)
    key = _source_key(model, spec)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name.split("/")[-1].split(":")[-1]).strip("-")
    folder = cache_dir / f"{slug or 'model'}-{key[:16]}"
    sha = valid_export(folder)
    if sha:
        if source_files:
            _record_files_key(folder, source_files)
        return Export(folder, sha, reused=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=cache_dir))
    os.chmod(work, 0o755)  # readable by the user that serves
    try:
        _write_export(model, spec, key, work, source_files)
        if folder.exists():  # a damaged or partial earlier export
            shutil.rmtree(folder)
        try:
            os.rename(work, folder)
        except OSError:  # another build exported the same model meanwhile
            sha = valid_export(folder)
            if not sha:
                raise
            if source_files:
                _record_files_key(folder, source_files)
            return Export(folder, sha, reused=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Export(folder, ExportConfig.read(folder).sha256, reused=False)


def _write_export(model: Any, spec: dict[str, Any], key: str, work: Path,
                  source_files: str | None) -> None:
    import torch

    transformer = model[0].auto_model.eval()
    names = spec["inputs"]

    class _LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(names, tensors, strict=True)))[0]

    dummy = tuple(torch.ones(2, 16, dtype=torch.long) if n != "token_type_ids"
                  else torch.zeros(2, 16, dtype=torch.long) for n in names)
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                _LastHiddenState(), dummy, str(work / ONNX_FILE), input_names=names,
                output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET,
                dynamo=False,
            )
        except ImportError as exc:
            raise ModelLoadError(f"exporting to ONNX needs the build extra ({exc})") from None
        except Exception as exc:  # the exporter raises many kinds for unsupported graphs
            raise ModelLoadError(f"cannot export '{spec['model']}' to ONNX ({exc}): "
                                 f"{_FALLBACK}") from None
    model[0].tokenizer.backend_tokenizer.save(str(work / TOKENIZER_FILE))
    config = {**spec, "sha256": file_sha256(work / ONNX_FILE), "source_key": key,
              "export_format": EXPORT_FORMAT, "opset": OPSET, "torch": torch.__version__,
              "source_files": source_files}
    (work / CONFIG_FILE).write_text(json.dumps(config, indent=2), "utf-8")


CHECK_TEXTS = 16  # texts a fresh export is compared on (the longest half, then a spread)


def check_sample(texts: list[str], size: int = CHECK_TEXTS) -> list[int]:
    """Indices of the texts a fresh export is checked on: the longest ``size // 2`` (cut
    at the model's maximum length: truncation and padding are where an export would
    differ) and the rest spread evenly over the others, shortest included."""
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    longest, rest = order[: size // 2], order[size // 2 :]
    step = max(1, -(-len(rest) // max(1, size - len(longest))))
    spread = rest[::-1][::step]  # from the shortest up
    return sorted(longest + spread[: size - len(longest)])


def check_equal(folder: Path, vectors: np.ndarray, reference: np.ndarray) -> float:
    """Compare the export's vectors of some texts with sentence-transformers' vectors of
    the same texts, row by row.

    Returns:
        The smallest cosine similarity.

    Raises:
        ModelLoadError: some text's vectors differ (cosine below 0.9999).
    """
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
    cosines = np.sum(vectors * reference, axis=1) / np.clip(norms, 1e-12, None)
    worst = float(cosines.min()) if len(cosines) else 1.0
    if worst < MIN_COSINE:
        raise ModelLoadError(
            f"the ONNX export in {folder} gives other vectors than sentence-transformers "
            f"(cosine {worst:.6f} < {MIN_COSINE}): {_FALLBACK}"
        )
    return worst
