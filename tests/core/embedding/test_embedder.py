"""The torch-free ONNX embedder against sentence-transformers, with the packaged MiniLM.

The ONNX export is built once per session (about 15 s) into a temporary index folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import compose
from bot.build import export_problem
from bot.compose import runtime_embedder
from bot.config import Settings
from bot.core.embedding.export import describe
from bot.core.embedding.index import chunk_passages
from bot.core.embedding.onnx import ONNX_FILE, pool
from bot.core.embedding.protocol import SentenceTransformerEmbedder
from bot.core.embedding.runtime import onnx_folder
from bot.core.engine import Engine
from bot.core.errors import ModelLoadError
from bot.core.knowledge import load_knowledge
from bot.evaluation.evaluate import labelled_questions
from tests.conftest import ROOT


@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers_on_every_chunk(
        onnx_engine: Engine, st_embedder: SentenceTransformerEmbedder) -> None:
    onnx = onnx_engine._embedder
    texts = [c.text for c in chunk_passages(load_knowledge(ROOT / "knowledge").passages)]
    questions = labelled_questions()
    long_text = " ".join(texts)  # far beyond 256 tokens: truncation must match too
    for kind, items in (("passages", [*texts, long_text]), ("queries", questions)):
        mine = getattr(onnx, f"embed_{kind}")(items)
        theirs = getattr(st_embedder, f"embed_{kind}")(items)
        assert mine.shape == theirs.shape == (len(items), 384) and mine.dtype == np.float32
        cosine = np.sum(mine * theirs, axis=1)
        assert cosine.min() >= 0.9999, (kind, float(cosine.min()))
    broken = onnx.embed_queries(["Was macht ein \udcff BDM?"])  # a lone surrogate
    assert np.isfinite(broken).all() and abs(float(np.linalg.norm(broken)) - 1) < 1e-5
    alone = onnx.embed_queries([questions[0]])[0]
    assert float(alone @ onnx.embed_queries(questions[:40])[0]) >= 0.9999  # batch-independent


@pytest.mark.slow
def test_same_top1_and_decision_on_every_labelled_question(
        onnx_engine: Engine, onnx_settings: Settings,
        st_embedder: SentenceTransformerEmbedder) -> None:
    torch_engine = compose.load_engine(onnx_settings, embedder=st_embedder)
    questions = labelled_questions()
    assert len(questions) >= 100
    mine = onnx_engine.answer_many(questions)
    theirs = torch_engine.answer_many(questions)
    differ = [(a.question, a.hits[:1], b.hits[:1]) for a, b in zip(mine, theirs, strict=True)
              if a.answered != b.answered
              or [h.passage.id for h in a.hits[:1]] != [h.passage.id for h in b.hits[:1]]]
    assert differ == []


@pytest.mark.slow
def test_ask_never_imports_torch(onnx_settings: Settings) -> None:
    code = (
        "import sys\n"
        "from bot import cli\n"
        "rc = cli.main(['ask', '--json', 'Was macht ein BDM?'])\n"
        "import bot.server\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in {'torch', 'sentence_transformers', 'transformers'})\n"
        "print(rc, heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "ROLLE_INDEX_DIR": str(onnx_settings.index_dir),
           "ROLLE_KNOWLEDGE_DIR": str(onnx_settings.knowledge_dir),
           "ROLLE_MODEL": onnx_settings.model}
    env.pop("ROLLE_EMBEDDER", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert json.loads(done.stdout)["passages"][0]["id"] == "business-development-manager"
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr


@pytest.mark.slow
def test_damaged_or_missing_export_says_run_build(onnx_settings: Settings,
                                                  tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(onnx_settings.index_dir, index_dir, symlinks=True)
    settings = onnx_settings.model_copy(update={"index_dir": index_dir})
    manifest: dict[str, Any] = json.loads((index_dir / "current/manifest.json").read_text())
    folder = onnx_folder(index_dir, manifest)
    assert folder is not None and folder.is_relative_to(index_dir)
    assert export_problem(settings, manifest) is None
    with (folder / ONNX_FILE).open("r+b") as handle:  # one flipped byte
        handle.seek(5000)
        byte = handle.read(1)
        handle.seek(5000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelLoadError, match=r"not the one .* run `rolle build --force`"):
        runtime_embedder(settings, manifest)
    assert "missing or changed" in (export_problem(settings, manifest) or "")
    shutil.rmtree(folder)
    with pytest.raises(ModelLoadError, match=r"missing: run `rolle build`"):
        runtime_embedder(settings, manifest)
    with pytest.raises(ModelLoadError, match=r"no ONNX export .* run `rolle build`"):
        runtime_embedder(settings, {**manifest, "onnx": None})


@pytest.mark.slow
def test_sentence_transformers_stays_a_configurable_fallback(onnx_settings: Settings) -> None:
    fallback = onnx_settings.model_copy(update={"embedder": "sentence-transformers"})
    engine = compose.load_engine(fallback)
    assert isinstance(engine._embedder, SentenceTransformerEmbedder)
    assert engine.answer("Was macht ein BDM?").hits[0].passage.id == "business-development-manager"


class _Module:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._config = config or {}

    def get_config_dict(self) -> dict[str, Any]:
        return self._config


class Transformer(_Module):
    pass


class Pooling(_Module):
    pass


class Dense(_Module):
    pass


def test_models_the_onnx_path_cannot_reproduce_are_refused_with_the_fallback() -> None:
    with pytest.raises(ModelLoadError, match=r"\['Transformer', 'Pooling', 'Dense'\].*"
                                             r"ROLLE_EMBEDDER=sentence-transformers"):
        describe([Transformer(), Pooling({"pooling_mode": "mean"}), Dense()], "some/model")
    with pytest.raises(ModelLoadError, match=r"pooling .*lasttoken.*ROLLE_EMBEDDER"):
        describe([Transformer(), Pooling({"pooling_mode": "lasttoken"})], "some/model")


def test_pooling_follows_the_attention_mask() -> None:
    tokens = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    assert np.allclose(pool(tokens, mask, "mean", False), [[2.0, 2.0]])
    assert np.allclose(pool(tokens, mask, "max", False), [[3.0, 4.0]])
    assert np.allclose(pool(tokens, mask, "cls", True), [[1.0, 0.0]])
    assert np.allclose(pool(tokens, mask, "mean", True), [[2 ** -0.5, 2 ** -0.5]])
