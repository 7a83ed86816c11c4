"""Fitting the decision on labelled questions and cross-validating it: the logic on
made-up signals, then the real engine on the real labelled questions."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import yaml

from bot.core.engine import Engine
from bot.core.retrieval.decision import Signals, decide, load_decision
from bot.evaluation.calibrate import (
    Item,
    cross_validate,
    fit,
    judge,
    load_items,
    logistic,
    out_of_fold,
)
from bot.evaluation.evaluate import question_files

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = ("role", "role", "role", "comparison")


def test_logistic_regression_finds_the_direction_and_regularisation_shrinks_it() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(float)
    model = logistic(x, y, l2=1.0)
    assert abs(model.weights[1]) > 5 * max(abs(model.weights[0]), abs(model.weights[2]))
    assert ((model.probability(x) > 0.5) == (y == 1)).mean() >= 0.85
    assert abs(logistic(x, y, l2=1000.0).weights[1]) < abs(model.weights[1])
    held_out = out_of_fold(x, y, l2=1.0, seed=0)
    assert held_out.shape == (400,) and not np.allclose(held_out, model.logit(x))


def _item(rng: random.Random, target: int | None) -> Item:
    """A made-up question: in scope ones have their target clearly first by dense and
    words, and a question vector pointing one way; out-of-scope ones the other way and
    few of their words anywhere."""
    dense = np.array([rng.uniform(0.78, 0.82) for _ in KINDS], dtype=np.float32)
    lexical = np.array([rng.uniform(0, 1) for _ in KINDS], dtype=np.float32)
    coverage = np.array([rng.uniform(0, 0.3) for _ in KINDS], dtype=np.float32)
    if target is not None:
        dense[target] += 0.06
        lexical[target] += 3
        coverage[target] = rng.uniform(0.6, 1.0)
    vector = np.array([1.0 if target is not None else -1.0, rng.uniform(-1, 1)])
    vector[0] += rng.gauss(0, 0.5)
    signal = Signals(lexical, dense, np.zeros(len(KINDS), dtype=np.float32), coverage, (),
                     True, vector)
    return Item("q", "oos" if target is None else "made-up",
                frozenset() if target is None else frozenset({target}), signal)


def test_fit_learns_to_answer_in_scope_and_refuse_the_rest() -> None:
    rng = random.Random(1)
    items = [_item(rng, rng.choice([0, 1, 2, 3, None])) for _ in range(300)]
    decision = fit(items, KINDS, "made-up")
    fresh = [_item(rng, rng.choice([0, 1, 2, 3, None])) for _ in range(200)]
    results = [judge(item, decision, KINDS) for item in fresh]
    assert sum(right for right, _ in results) >= 190
    assert sum(oos for _, oos in results) <= 2
    assert decision.model == "made-up" and decision.fitted_on["questions"] == 300


def test_cross_validation_scores_every_question_once_on_a_held_out_fold() -> None:
    rng = random.Random(2)
    items = [_item(rng, rng.choice([0, 1, None])) for _ in range(120)]
    report = cross_validate(items, KINDS, "made-up", k=3)
    assert sum(len(v) for v in report.correct.values()) == 120
    assert len(report.folds) == 3 and report.total[1] == 120
    assert report.lines()[0].startswith("3-fold cross-validated: ")


def test_out_of_scope_items_have_no_targets(engine: Engine) -> None:
    items = load_items(engine, [DATA / "styled_questions.yaml"])
    assert all(not i.targets for i in items if i.style == "oos")
    assert all(i.targets for i in items if i.style in {"typo", "english", "gendered"})


def test_the_packaged_decision_is_what_fitting_every_labelled_question_gives(
        engine: Engine) -> None:
    """Nothing in it is set by hand: refitting on the same questions, signals and knowledge
    (``rolle calibrate``) decides the same for (nearly) every question. After a knowledge
    edit this fails until `make calibrate` has run."""
    items = load_items(engine, question_files())
    kinds = [p.kind for p in engine.passages]
    shipped = load_decision(engine.decision.model)
    refit = fit(items, kinds, engine.decision.model)
    verdicts = [(decide(i.signal, shipped, kinds), decide(i.signal, refit, kinds))
                for i in items if i.signal is not None]
    same = sum(a.outcome == b.outcome and a.order[0] == b.order[0] for a, b in verdicts)
    assert same >= 0.98 * len(verdicts), (same, len(verdicts))
    assert shipped.fitted_on["questions"] == len(items)


def test_a_question_file_elsewhere_uses_the_project_targets(tmp_path: Path) -> None:
    from bot.evaluation.evaluate import PROJECT_TARGETS, load_questions

    joined = tmp_path / "all.yaml"
    joined.write_text((DATA / "holdout_questions.yaml").read_text("utf-8"), "utf-8")
    questions, targets = load_questions(joined)
    assert questions and targets == yaml.safe_load(PROJECT_TARGETS.read_text("utf-8"))
