#!/usr/bin/env python3
"""Benchmark: index build time, model load time, warm latency (single and batched) and
peak memory, printed as a Markdown table. A measurement, not a test.

Usage: python scripts/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.compose import fingerprint, load_embedder, load_engine
from bot.config import Settings
from bot.core.index import build_index
from bot.core.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = [ROOT / "tests/data/holdout_questions.yaml",
                  ROOT.parent / "shared/eval/dev_questions.yaml"]


def _questions() -> list[str]:
    out: list[str] = []
    for path in QUESTION_FILES:
        if path.is_file():
            out.extend(item["q"] for item in yaml.safe_load(path.read_text("utf-8")))
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    args = parser.parse_args()
    questions = _questions()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, ROLLE_INDEX_DIR=Path(tmp))  # type: ignore[call-arg]
        started = time.perf_counter()
        embedder = load_embedder(settings)
        load_seconds = time.perf_counter() - started
        knowledge = load_knowledge(settings.knowledge_dir)
        started = time.perf_counter()
        build_index(settings.index_dir, knowledge, fingerprint(settings, knowledge),
                    lambda: embedder)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        engine = load_engine(settings, embedder=embedder)
        engine_seconds = time.perf_counter() - started
        engine.answer_many(questions)  # warm-up
        single: list[float] = []
        for _ in range(args.rounds):
            for question in questions:
                t0 = time.perf_counter()
                engine.answer(question)
                single.append(time.perf_counter() - t0)
        batched: list[float] = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            engine.answer_many(questions)
            batched.append((time.perf_counter() - t0) / len(questions))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    quantiles = statistics.quantiles(single, n=20)
    rows = [
        ("machine", f"{platform.machine()}, {platform.python_version()}, "
                    f"{len(questions)} questions x {args.rounds} rounds"),
        ("model load (all-MiniLM-L6-v2, packaged)", f"{load_seconds:.2f} s"),
        ("index build (embed 18 passages)", f"{build_seconds:.2f} s"),
        ("engine load (knowledge + index + BM25)", f"{engine_seconds:.2f} s"),
        ("warm latency, single question p50", _ms(statistics.median(single))),
        ("warm latency, single question p95", _ms(quantiles[18])),
        ("warm latency, batched, per question (median batch)", _ms(statistics.median(batched))),
        ("peak RSS", f"{peak_mib:.0f} MiB"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
