"""Choose the :class:`Calibration` by k-fold cross-validation over labelled questions.

Signals (BM25, dense similarity, names, coverage) are computed once per question; each
fold then grid-searches the fusion weights and decision thresholds on the other folds
and is scored on its own questions. The cross-validated figure (overall and per style)
is what the held-out folds scored; the calibration returned is the grid's best on all
questions together.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.core.calibration import Calibration
from bot.core.decision import Signals, decide
from bot.core.engine import Engine
from bot.core.evaluate import hits_section, load_questions

# The grid: fusion weights and decision thresholds (the index weights stay fixed).
GRID: dict[str, tuple[float, ...]] = {
    "lexical_weight": (0.5, 0.6, 0.7, 0.8),
    "min_coverage": (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7),
    "min_dense": (0.1, 0.2, 0.3),
    "weak_lexical": (0.5, 1.0, 1.5),
    "min_dense_if_weak": (0.3, 0.4, 0.5),
}
OOS_PENALTY = 3.0  # a quote for an out-of-scope question costs three wrong refusals


@dataclass(frozen=True)
class Item:
    """One labelled question with what the decision needs to score it."""

    question: str
    style: str
    targets: frozenset[int]  # passages that are acceptable first answers (empty: none)
    signal: Signals | None


@dataclass
class CvReport:
    """Cross-validated results: per question whether its held-out fold got it right."""

    k: int
    correct: dict[str, list[bool]] = field(default_factory=dict)  # style -> results
    oos_answered: int = 0
    chosen: Calibration = field(default_factory=Calibration)

    def lines(self) -> list[str]:
        total = [c for results in self.correct.values() for c in results]
        out = [f"{self.k}-fold cross-validated: {sum(total)}/{len(total)} "
               f"({100 * sum(total) / max(len(total), 1):.1f} %) correct, "
               f"{self.oos_answered} out-of-scope answered with a quote"]
        for style, results in sorted(self.correct.items()):
            out.append(f"  {style:<12} {sum(results):>4}/{len(results):<4} "
                       f"{100 * sum(results) / len(results):5.1f} %")
        chosen = {name: getattr(self.chosen, name) for name in GRID}
        out.append(f"chosen on all questions: {chosen}")
        return out


def load_items(engine: Engine, paths: Sequence[Path]) -> list[Item]:
    """Every question of ``paths`` with its targets and signals (one model batch)."""
    raw: list[dict[str, Any]] = []
    for path in paths:
        questions, targets = load_questions(path)
        for q in questions:
            expect = list(q.get("expect") or [])
            phrases = [p for name in expect for p in targets.get(name, [])]
            style = q.get("style") or ("oos" if not expect else "untagged")
            hit = frozenset(
                i for i, p in enumerate(engine.passages) if expect and hits_section(p, phrases)
            )
            raw.append({"q": q["q"], "style": style, "targets": hit})
    signals = engine.signals([r["q"] for r in raw])
    return [Item(r["q"], r["style"], r["targets"], s) for r, s in zip(raw, signals, strict=True)]


def judge(item: Item, cal: Calibration, kinds: Sequence[str]) -> tuple[bool, bool]:
    """Whether the engine with ``cal`` gets ``item`` right, and whether it quoted an
    answer for an out-of-scope question."""
    if item.signal is None:
        return not item.targets, False
    outcome, order, _ = decide(item.signal, cal, kinds)
    answered = outcome == "answer"
    if not item.targets:
        return not answered, answered
    return answered and order[0] in item.targets, False


def _score(items: Iterable[Item], cal: Calibration, kinds: Sequence[str]) -> float:
    score = 0.0
    for item in items:
        correct, oos = judge(item, cal, kinds)
        score += correct - (OOS_PENALTY - 1) * oos
    return score


def candidates(base: Calibration, grid: dict[str, tuple[float, ...]] | None = None
               ) -> list[Calibration]:
    """Every point of ``grid`` (default :data:`GRID`), as a calibration."""
    grid = grid or GRID
    names = list(grid)
    points: list[dict[str, Any]] = [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(grid[n] for n in names))
    ]
    return [replace(base, **point) for point in points]


def best(items: Sequence[Item], grid: Sequence[Calibration], kinds: Sequence[str]) -> Calibration:
    """The grid point with the highest score on ``items`` (first on ties)."""
    return max(grid, key=lambda cal: _score(items, cal, kinds))


def cross_validate(
    engine: Engine,
    paths: Sequence[Path],
    k: int = 5,
    seed: int = 0,
    grid: dict[str, tuple[float, ...]] | None = None,
) -> CvReport:
    """k-fold cross-validation of the grid search over every question of ``paths``."""
    items = load_items(engine, paths)
    kinds = [p.kind for p in engine.passages]
    points = candidates(engine.calibration, grid)
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    folds = [order[f::k] for f in range(k)]
    report = CvReport(k=k)
    for fold in folds:
        held = set(fold)
        chosen = best([items[i] for i in order if i not in held], points, kinds)
        for i in fold:
            correct, oos = judge(items[i], chosen, kinds)
            report.correct.setdefault(items[i].style, []).append(correct)
            report.oos_answered += oos
    report.chosen = best(items, points, kinds)
    return report
