#!/usr/bin/env python3
"""Ablation of the language handling and of the decision's signals: each mechanism is
switched off in a process of its own, and the whole decision is cross-validated over
every labelled question (``rolle eval --cv``'s fit on each fold). Printed as a Markdown
table: a mechanism stays only if switching it off costs. A measurement, not a test.

Usage: python scripts/ablation.py [--seeds N] [--folds K] [NAME ...]
(the index must be built: `rolle build`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _off(name: str) -> None:
    """Switch ``name`` off in this process (before the engine is loaded)."""
    from dataclasses import replace

    import bot.compose as compose
    import bot.core.engine as engine
    import bot.core.knowledge as knowledge
    import bot.core.retrieval.lexical as lexical
    import bot.core.text.german as german
    import bot.core.text.lemma as lemma
    import bot.evaluation.calibrate as calibrate
    from bot.core.text.chatter import _MENTION
    from bot.core.text.typos import TypoCorrector

    def readings_without_lower(word: str) -> tuple[str, ...]:
        return lemma.readings(word)[:1]

    def without_glossary(*args: object, **kwargs: object) -> knowledge.Knowledge:
        return replace(load(*args, **kwargs), synonyms={})

    def lemma_off(word: str) -> str:
        return lemma.fold(word.lower())

    load = knowledge.load_knowledge
    switches = {
        "none": lambda: None,
        "typo correction": lambda: setattr(TypoCorrector, "correct", lambda *a, **k: None),
        "compound parts": lambda: setattr(german.Analyzer, "split", lambda *a, **k: ()),
        "lower-case words read as noun and verb": lambda: (
            setattr(german, "readings", readings_without_lower),
            setattr(lexical, "readings", readings_without_lower)),
        "chatter stripping": lambda: setattr(
            engine, "strip_chatter", lambda text: " ".join(_MENTION.sub(" ", text).split())),
        "glossary expansion": lambda: setattr(compose, "load_knowledge", without_glossary),
        "frame words": lambda: setattr(german, "FRAME_WORDS", frozenset()),
        "lemmas (simplemma)": lambda: (
            setattr(german, "lemma", lemma_off),
            setattr(german, "readings", lambda w: (lemma_off(w),)),
            setattr(lexical, "readings", lambda w: (lemma_off(w),))),
        "BM25 (dense similarity alone ranks)": lambda: calibrate.GRID.update(
            dense_weight=(1.0,)),
        "kind of passage asked about": lambda: calibrate.GRID.update(kind_weight=(0.0,)),
        "scope model (answered by the articles at all)": lambda: setattr(
            calibrate, "SCOPE_GATES", (0.0,)),
    }
    switches[name]()


def worker(name: str, seeds: int, folds: int) -> None:
    _off(name)
    from bot import compose
    from bot.config import Settings
    from bot.evaluation.calibrate import cross_validate, load_items
    from bot.evaluation.evaluate import question_files

    settings = Settings()
    engine = compose.load_engine(settings, with_decision=False)
    items = load_items(engine, question_files())
    kinds = [p.kind for p in engine.passages]
    results = []
    for seed in range(seeds):
        report = cross_validate(items, kinds, settings.model, k=folds, seed=seed)
        results.append({"right": report.total[0], "total": report.total[1],
                        "oos": report.oos_answered})
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mechanisms (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="fold assignments per run")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seeds, args.folds)
        return
    names = args.names or ["none", "typo correction", "compound parts",
                           "lower-case words read as noun and verb", "chatter stripping",
                           "glossary expansion", "frame words", "lemmas (simplemma)",
                           "BM25 (dense similarity alone ranks)",
                           "kind of passage asked about",
                           "scope model (answered by the articles at all)"]
    rows: dict[str, list[dict[str, int]]] = {}
    for name in ["none", *[n for n in names if n != "none"]]:
        done = subprocess.run([sys.executable, __file__, "--worker", name, "--seeds",
                               str(args.seeds), "--folds", str(args.folds)],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        if done.returncode:
            sys.exit(f"ablation: {name} failed:\n{done.stderr}")
        rows[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name}: {rows[name]}", file=sys.stderr)
    total = rows["none"][0]["total"]
    base = statistics.mean(r["right"] for r in rows["none"])
    print(f"`python scripts/ablation.py --seeds {args.seeds} --folds {args.folds}`: "
          f"{args.folds}-fold cross-validation x {args.seeds} fold assignments, {total} "
          "labelled questions\n")
    print("| switched off | right (mean) | change | out-of-scope quoted (per run) |\n"
          "|---|---|---|---|")
    for name, results in rows.items():
        mean = statistics.mean(r["right"] for r in results)
        oos = ", ".join(str(r["oos"]) for r in results)
        label = "nothing (the shipped pipeline)" if name == "none" else name
        print(f"| {label} | {mean:.1f}/{total} | {mean - base:+.1f} | {oos} |")


if __name__ == "__main__":
    main()
