"""Cross-validated calibration over labelled questions, with the real engine."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.calibrate import GRID, cross_validate, load_items
from bot.core.engine import Engine

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = [DATA / "holdout_questions.yaml", DATA / "styled_questions.yaml"]
SMALL_GRID = {"lexical_weight": (0.5, 0.8), "min_coverage": (0.35, 0.5),
              "min_dense": (0.1,), "weak_lexical": (1.5,), "min_dense_if_weak": (0.3, 0.5)}


def test_every_question_is_scored_once_on_a_held_out_fold(engine: Engine) -> None:
    items = load_items(engine, FILES)
    report = cross_validate(engine, FILES, k=4, grid=SMALL_GRID)
    scored = [c for results in report.correct.values() for c in results]
    assert len(scored) == len(items)
    assert {"typo", "chatter", "english", "everyday", "oos"} <= set(report.correct)
    assert sum(scored) / len(scored) > 0.8
    for name, values in SMALL_GRID.items():
        assert getattr(report.chosen, name) in values
    assert set(SMALL_GRID) == set(GRID)
    assert report.lines()[0].startswith("4-fold cross-validated: ")


def test_out_of_scope_items_have_no_targets(engine: Engine) -> None:
    items = load_items(engine, FILES)
    assert all(not i.targets for i in items if i.style == "oos")
    assert all(i.targets for i in items if i.style in {"typo", "english", "gendered"})


def test_a_question_file_elsewhere_uses_the_project_targets(tmp_path: Path) -> None:
    from bot.core.evaluate import PROJECT_TARGETS, load_questions

    joined = tmp_path / "all.yaml"
    joined.write_text((DATA / "holdout_questions.yaml").read_text("utf-8"), "utf-8")
    questions, targets = load_questions(joined)
    assert questions and targets == yaml.safe_load(PROJECT_TARGETS.read_text("utf-8"))
