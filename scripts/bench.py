#!/usr/bin/env python3
"""Benchmark both embedders in one run: `rolle build` time (with and without the ONNX
export), start to first answer, peak RSS, warm latency (single and batched) of a process
that loads the engine as `rolle ask`/`serve` do. Printed as a Markdown table. A
measurement, not a test.

Every figure of a row comes from fresh processes started the same way, alternating
between the embedders (``--starts`` times; the median is shown).

Usage: python scripts/bench.py [--rounds N] [--starts N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EMBEDDERS = ("sentence-transformers", "onnx")
HEAVY = ("torch", "sentence_transformers", "transformers")


def _questions() -> list[str]:
    from bot.core.evaluate import labelled_questions

    return labelled_questions()


def worker(rounds: int, spawned_at: float) -> None:
    """One process as `rolle ask` runs it: load the engine, answer, measure; print JSON."""
    from bot.compose import load_engine
    from bot.config import Settings
    from bot.core.runtime import self_check

    imported = time.time()
    engine = load_engine(Settings())
    loaded = time.time()
    health = self_check(engine)  # embed and search one real question
    first = time.time()
    questions = _questions()
    for question in questions:  # warm-up, one at a time as a server answers
        engine.answer(question)
    single: list[float] = []
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            engine.answer(question)
            single.append(time.perf_counter() - t0)
    rss_single = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    batched: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        engine.answer_many(questions)
        batched.append((time.perf_counter() - t0) / len(questions))
    print(json.dumps({
        "ok": health.ok,
        "imports": imported - spawned_at,
        "engine_load": loaded - imported,
        "first_answer": first - spawned_at,
        "p50": statistics.median(single),
        "p95": statistics.quantiles(single, n=20)[18],
        "batched": statistics.median(batched),
        "rss_single": rss_single,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heavy": sorted(m for m in HEAVY if m in sys.modules),
        "questions": len(questions),
    }))


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode:
        sys.exit(f"bench: {' '.join(args)} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes per embedder")
    parser.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.rounds, args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROLLE_INDEX_DIR": tmp, "HF_HUB_OFFLINE": "1",
               "PYTHONPATH": str(ROOT)}
        first_build, _ = _run(["-m", "bot.cli", "build"], env)
        forced_build, _ = _run(["-m", "bot.cli", "build", "--force"], env)
        up_to_date, _ = _run(["-m", "bot.cli", "build"], env)
        export_mib = sum(p.stat().st_size for p in Path(tmp, "models").rglob("*")) / 2**20
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in EMBEDDERS}
        for _ in range(args.starts):
            for name in EMBEDDERS:
                _, out = _run([str(Path(__file__)), "--worker", str(time.time()),
                               "--rounds", str(args.rounds)], {**env, "ROLLE_EMBEDDER": name})
                runs[name].append(json.loads(out))

    def cell(name: str, key: str, unit: str) -> str:
        value = statistics.median(r[key] for r in runs[name])
        return {"s": f"{value:.2f} s", "ms": f"{value * 1000:.1f} ms",
                "MiB": f"{value:.0f} MiB"}[unit]

    n = runs["onnx"][0]["questions"]
    print(f"`python scripts/bench.py --rounds {args.rounds} --starts {args.starts}` on "
          f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{n} questions; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(f"`rolle build` from nothing (model load, ONNX export, index): {first_build:.1f} s; "
          f"`rolle build --force` (export reused): {forced_build:.1f} s; `rolle build` when up "
          f"to date: {up_to_date:.1f} s; model cache on disk (ONNX export and lemma tables): "
          f"{export_mib:.0f} MiB\n")
    print("| measure (median of fresh processes) | sentence-transformers + torch | "
          "onnxruntime + tokenizers |\n|---|---|---|")
    rows = [("start to first answer (process spawn → one real question embedded and "
             "searched)", "first_answer", "s"),
            ("… of which imports", "imports", "s"),
            ("… of which engine load (knowledge, index, BM25, model)", "engine_load", "s"),
            ("warm latency, single question p50", "p50", "ms"),
            ("warm latency, single question p95", "p95", "ms"),
            ("warm latency, batched, per question", "batched", "ms"),
            ("peak RSS, answering one question at a time", "rss_single", "MiB"),
            ("peak RSS after the batched passes too", "rss_mib", "MiB")]
    for label, key, unit in rows:
        print(f"| {label} | {cell('sentence-transformers', key, unit)} | "
              f"{cell('onnx', key, unit)} |")
    heavy = {name: " / ".join({", ".join(r["heavy"]) or "none" for r in runs[name]})
             for name in EMBEDDERS}
    ok = {name: "ok" if all(r["ok"] for r in runs[name]) else "FAILED" for name in EMBEDDERS}
    print(f"| torch / transformers imported | {heavy['sentence-transformers']} | "
          f"{heavy['onnx']} |")
    print(f"| self-check (one real question) | {ok['sentence-transformers']} | {ok['onnx']} |")

if __name__ == "__main__":
    main()
