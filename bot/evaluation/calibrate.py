"""Fit the :class:`~bot.core.retrieval.decision.Decision` on labelled questions, and measure it by
k-fold cross-validation (``rolle calibrate``, ``rolle eval --cv``).

Signals are computed once per question. :func:`fit` then learns, in this order, from
the questions it is given (and from nothing else):

1. the two question models (asks about a role; answered by the articles at all), L2-
   regularised logistic regressions over the question's vector;
2. the ranking weights, by grid search for the most right first passages (the question
   models' inputs here are out-of-fold predictions, as they would be for a new question);
3. the probability that the first passage is right: a logistic regression over a few
   signals of it (:data:`~bot.core.retrieval.decision.FEATURES`);
4. the scope gate (below it a question is never answered) and the answer threshold on
   that probability, for the most right answers where a quote for an out-of-scope
   question costs :data:`OOS_PENALTY` wrong refusals; and the clarify threshold below
   it, where asking back with three candidates more often offers the right passage
   than not.

:func:`cross_validate` runs :func:`fit` on k-1 folds and scores the held-out fold, for
every fold: the figure it reports is what new questions of the same kinds would get.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.retrieval.decision import Decision, Linear, Ranking, Signals, decide, features, rank
from bot.evaluation.evaluate import hits_section, load_questions

GRID: dict[str, tuple[float, ...]] = {
    "dense_weight": (0.5, 0.6, 0.7, 0.8, 0.9),
    "kind_weight": (0.0, 0.1, 0.2, 0.3),
    "name_bonus": (0.25, 0.5),
}
OOS_PENALTY = 3.0  # a quote for an out-of-scope question costs three wrong refusals
QUESTION_L2 = 30.0  # regularisation of the question models (384 inputs)
CORRECT_L2 = 1.0  # and of the probability model (a few inputs)
INNER_FOLDS = 5
SCOPE_GATES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)


@dataclass(frozen=True)
class Item:
    """One labelled question with what fitting needs of it."""

    question: str
    style: str
    targets: frozenset[int]  # passages that are acceptable first answers (empty: none)
    signal: Signals | None  # None: nothing to analyse (chatter only, empty)


def load_items(engine: Any, paths: Sequence[Path]) -> list[Item]:
    """Every question of ``paths`` with its targets and signals (one model batch)."""
    raw: list[tuple[str, str, frozenset[int]]] = []
    for path in paths:
        questions, targets = load_questions(path)
        for q in questions:
            expect = list(q.get("expect") or [])
            phrases = [p for name in expect for p in targets.get(name, [])]
            hit = frozenset(i for i, p in enumerate(engine.passages)
                            if expect and hits_section(p, phrases))
            raw.append((q["q"], q.get("style") or ("oos" if not expect else "untagged"), hit))
    signals = engine.signals([question for question, _, _ in raw])
    return [Item(q, style, hit, s) for (q, style, hit), s in zip(raw, signals, strict=True)]


def logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 30) -> Linear:
    """An L2-regularised logistic regression (Newton's method) on standardised ``x``."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-9
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    penalty = l2 * np.eye(z.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not regularised
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        hessian = z.T @ (z * (p * (1 - p) + 1e-9)[:, None]) + penalty
        step = np.linalg.solve(hessian, z.T @ (p - y) + penalty @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Linear(tuple(map(float, mean)), tuple(map(float, scale)),
                  tuple(map(float, w[:-1])), float(w[-1]))


def out_of_fold(x: np.ndarray, y: np.ndarray, l2: float, seed: int,
                k: int = INNER_FOLDS) -> np.ndarray:
    """Logits of a :func:`logistic` model for every row, each from a model fitted
    without the fold that row is in."""
    rows = list(range(len(x)))
    random.Random(seed).shuffle(rows)
    out = np.zeros(len(x))
    for fold in range(k):
        held = rows[fold::k]
        train = np.setdiff1d(np.arange(len(x)), held)
        out[held] = logistic(x[train], y[train], l2).logit(x[held])
    return out


def _kind_label(item: Item, is_role: np.ndarray) -> float | None:
    """1 when every target is a role, 0 when none is, None when mixed or out of scope."""
    roles = {bool(is_role[t]) for t in item.targets}
    return None if len(roles) != 1 else float(roles.pop())


def _top1(order: Sequence[int], item: Item) -> bool:
    return order[0] in item.targets


def _score(p: np.ndarray, right: np.ndarray, oos: np.ndarray, threshold: float) -> float:
    answered = p >= threshold
    return float((answered & right).sum() + (~answered & oos).sum()
                 - (OOS_PENALTY - 1) * (answered & oos).sum())


def _best_threshold(values: Sequence[float], score: Any) -> float:
    """The middle of the widest run of thresholds with the best score."""
    scores = [score(t) for t in values]
    top = max(scores)
    pairs = zip(values, scores, strict=True)
    runs = [list(g) for k, g in itertools.groupby(pairs, lambda v: v[1] == top) if k]
    run = max(runs, key=len)
    return float(run[len(run) // 2][0])


def fit(items: Sequence[Item], kinds: Sequence[str], model: str, *, seed: int = 0,
        grid: dict[str, tuple[float, ...]] | None = None) -> Decision:
    """Learn the decision from ``items`` (see the module docstring).

    Args:
        items: labelled questions with their signals.
        kinds: the kind of every passage ("role", "comparison", "overview").
        model: the embedding model the signals come from (recorded).
        seed: for the inner folds.
        grid: ranking weights to try (default :data:`GRID`).
    """
    grid = grid or GRID
    is_role = np.array([k == "role" for k in kinds])
    used = [i for i in items if i.signal is not None]
    signals = [i.signal for i in used if i.signal is not None]
    vectors = np.array([s.vector for s in signals])
    scoped = np.array([bool(i.targets) for i in used])

    labels = [_kind_label(i, is_role) for i in used]
    kind_rows = np.array([n for n, label in enumerate(labels) if label is not None])
    kind_y = np.array([labels[n] for n in kind_rows], dtype=float)
    asks_role = logistic(vectors[kind_rows], kind_y, QUESTION_L2)
    role_p = asks_role.probability(vectors)
    role_p[kind_rows] = 1 / (1 + np.exp(-out_of_fold(vectors[kind_rows], kind_y,
                                                       QUESTION_L2, seed)))
    in_scope = logistic(vectors, scoped.astype(float), QUESTION_L2)
    scope_logit = out_of_fold(vectors, scoped.astype(float), QUESTION_L2, seed)

    def ranked(ranking: Ranking) -> list[tuple[tuple[int, ...], np.ndarray]]:
        out = []
        for s, p in zip(signals, role_p, strict=True):
            scores = rank(s, ranking, is_role, float(p))
            out.append((tuple(int(i) for i in np.argsort(-scores, kind="stable")), scores))
        return out

    names = list(grid)
    points = [Ranking(**dict(zip(names, values, strict=True)))
              for values in itertools.product(*(grid[n] for n in names))]
    ranking = max(points, key=lambda r: sum(
        _top1(order, item) for (order, _), item in zip(ranked(r), used, strict=True)
        if item.targets))

    rankings = ranked(ranking)
    x = np.array([features(s, order, scores, float(logit)) for s, (order, scores), logit
                  in zip(signals, rankings, scope_logit, strict=True)])
    right = np.array([bool(i.targets) and _top1(order, i)
                      for i, (order, _) in zip(used, rankings, strict=True)])
    correct = logistic(x, right.astype(float), CORRECT_L2)
    p = correct.probability(x)
    oos = ~scoped
    scope_p = 1 / (1 + np.exp(-scope_logit))
    gate = max(SCOPE_GATES, key=lambda g: max(
        _score(np.where(scope_p >= g, p, 0.0), right, oos, t) for t in THRESHOLDS))
    p = np.where(scope_p >= gate, p, 0.0)
    answer_t = _best_threshold(list(THRESHOLDS), lambda t: _score(p, right, oos, t))
    helpful = np.array([bool(i.targets) and bool(set(order[:3]) & i.targets)
                        for i, (order, _) in zip(used, rankings, strict=True)])

    def clarify_gain(t: float) -> float:
        band = (p >= t) & (p < answer_t)
        return float((band & helpful).sum() - (band & ~helpful).sum())

    below = [t for t in THRESHOLDS if t <= answer_t]
    clarify_t = _best_threshold(below[::-1], clarify_gain)
    if clarify_gain(clarify_t) <= 0:
        clarify_t = answer_t
    return Decision(model, ranking, asks_role, in_scope, correct, answer_t, clarify_t, gate,
                    {"questions": len(items)})


def judge(item: Item, decision: Decision, kinds: Sequence[str]) -> tuple[bool, bool]:
    """Whether ``decision`` gets ``item`` right, and whether it quoted a passage for an
    out-of-scope question."""
    if item.signal is None:
        return not item.targets, False
    verdict = decide(item.signal, decision, kinds)
    answered = verdict.outcome == "answer"
    if not item.targets:
        return not answered, answered
    return answered and verdict.order[0] in item.targets, False


@dataclass
class CvReport:
    """Cross-validated results: per question whether its held-out fold got it right."""

    k: int
    correct: dict[str, list[bool]] = field(default_factory=dict)  # style -> results
    oos_answered: int = 0
    folds: list[Decision] = field(default_factory=list)

    @property
    def total(self) -> tuple[int, int]:
        """(right, questions)."""
        results = [c for values in self.correct.values() for c in values]
        return sum(results), len(results)

    def lines(self) -> list[str]:
        right, n = self.total
        out = [f"{self.k}-fold cross-validated: {right}/{n} ({100 * right / max(n, 1):.1f} %) "
               f"correct, {self.oos_answered} out-of-scope answered with a quote"]
        for style, results in sorted(self.correct.items()):
            out.append(f"  {style:<12} {sum(results):>4}/{len(results):<4} "
                       f"{100 * sum(results) / len(results):5.1f} %")
        return out


def cross_validate(items: Sequence[Item], kinds: Sequence[str], model: str, k: int = 5,
                   seed: int = 0) -> CvReport:
    """k-fold cross-validation of :func:`fit` over ``items``."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    report = CvReport(k=k)
    for fold in range(k):
        held = set(order[fold::k])
        decision = fit([items[i] for i in order if i not in held], kinds, model, seed=seed)
        report.folds.append(decision)
        for i in sorted(held):
            right, oos = judge(items[i], decision, kinds)
            report.correct.setdefault(items[i].style, []).append(right)
            report.oos_answered += oos
    return report
