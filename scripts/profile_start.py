#!/usr/bin/env python3
"""Where the memory and start time of `rolle serve` go: the steps a server takes to
become healthy, one after the other in this process, with the resident memory (RSS)
and wall time each adds. A measurement, not a test.

Usage: python scripts/profile_start.py (ROLLE_INDEX_DIR, ROLLE_DATABASE_URL as for serve)
"""

from __future__ import annotations

import resource
import sys
import time

_started = time.perf_counter()


def rss() -> float:
    """Resident memory of this process in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


_last = [rss(), _started]


def step(what: str) -> None:
    now, at = rss(), time.perf_counter()
    ms = (at - _last[1]) * 1000
    print(f"| {what} | +{now - _last[0]:.0f} MiB | {now:.0f} MiB | {ms:.0f} ms |")
    _last[:] = [now, at]


def main() -> None:
    print("| step | RSS added | RSS | time |\n|---|---|---|---|")
    step("Python interpreter")
    import numpy  # noqa: F401

    step("import numpy")
    import faiss  # noqa: F401

    step("import faiss")
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    step("import onnxruntime, tokenizers")
    import bot.cli
    import bot.compose
    import bot.server

    step("import the bot (aiohttp, pydantic, simplemma, prometheus_client, …)")
    import bot.slack.app

    step("import the Slack adapter (slack_bolt, slack_sdk)")
    import bot.teams.app  # noqa: F401

    step("import the Teams adapter (Microsoft Agents SDK, msal)")
    from bot.compose import fingerprint, open_store, runtime_embedder, use_lemma_tables
    from bot.config import Settings
    from bot.core.embedding.index import load_index
    from bot.core.engine import Engine, self_check
    from bot.core.knowledge import load_knowledge

    settings = Settings()
    knowledge = load_knowledge(settings.knowledge_dir, settings.max_entry_chars)
    dense = load_index(settings.index_dir, fingerprint(settings, knowledge), knowledge)
    step("knowledge and dense index (faiss)")
    embedder = runtime_embedder(settings, dense.manifest)
    step("ONNX embedder (onnxruntime session, tokenizer)")
    use_lemma_tables(settings)
    engine = Engine(knowledge=knowledge, dense=dense, embedder=embedder,
                    top_k=settings.top_k, max_question_chars=settings.max_question_chars)
    step("engine: German analysis of the knowledge, BM25 (lemmatizer dictionaries)")
    ok = self_check(engine).ok
    step(f"self-check, one real question ({'ok' if ok else 'FAILED'})")
    open_store(settings)
    step("open the store (SQLAlchemy; a new SQLite file, so migrated)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ntotal {time.perf_counter() - _started:.2f} s, peak RSS {peak:.0f} MiB; "
          f"torch imported: {'torch' in sys.modules}")


if __name__ == "__main__":
    main()
