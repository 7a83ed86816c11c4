"""Score the engine on a question file in the dev format (shared/eval/README.md).

A question file is a YAML list of ``{q, expect}``; ``targets.yaml`` beside it maps each
section name to phrases that only that section contains. A passage hits a section when
its title plus text contains one of the phrases (case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import RollenbotError
from bot.core.models import Answer, Passage

PROJECT = Path(__file__).resolve().parents[2]
PROJECT_TARGETS = PROJECT / "tests" / "data" / "targets.yaml"
# Every labelled question file: the project's own and the shared ones beside the checkout.
QUESTION_FOLDERS = (PROJECT / "tests" / "data", PROJECT.parent / "shared" / "eval")


def question_files(folders: tuple[Path, ...] = QUESTION_FOLDERS) -> list[Path]:
    """The labelled question files (``*questions.yaml``) in ``folders`` that exist."""
    return [path for folder in folders for path in sorted(folder.glob("*questions.yaml"))]


def labelled_questions(folders: tuple[Path, ...] = QUESTION_FOLDERS) -> list[str]:
    """The text of every labelled question, file by file (for benchmarks and tests)."""
    return [item["q"] for path in question_files(folders)
            for item in yaml.safe_load(path.read_text("utf-8"))]


@dataclass
class Scored:
    """One question's result."""

    question: str
    expect: list[str]
    answer: Answer
    correct: bool
    in_top3: bool
    style: str = "untagged"


@dataclass
class Report:
    """All outcomes and the figures over them."""

    outcomes: list[Scored] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def correct(self) -> int:
        return sum(o.correct for o in self.outcomes)

    def summary(self) -> dict[str, Any]:
        scoped = [o for o in self.outcomes if o.expect]
        unscoped = [o for o in self.outcomes if not o.expect]
        return {
            "correct": self.correct,
            "total": self.total,
            "top1": sum(o.correct for o in scoped),
            "top3": sum(o.in_top3 for o in scoped),
            "in_scope": len(scoped),
            "refused_correctly": sum(not o.answer.answered for o in unscoped),
            "out_of_scope": len(unscoped),
            "refused_wrongly": sum(not o.answer.answered for o in scoped),
            "clarified": sum(o.answer.outcome == "clarify" for o in self.outcomes),
            "oos_quoted": sum(o.answer.answered for o in unscoped),
        }

    def by_style(self) -> dict[str, tuple[int, int]]:
        """Per style: (correct, total)."""
        out: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            right, total = out.get(o.style, (0, 0))
            out[o.style] = (right + o.correct, total + 1)
        return dict(sorted(out.items()))


def load_questions(path: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The questions of ``path`` and the targets beside it (for a file elsewhere, e.g.
    several question files concatenated into a temporary file: the project's copy of the
    shared targets, tests/data/targets.yaml).

    Raises:
        RollenbotError: a file is missing or not in the expected format.
    """
    targets_path = path.parent / "targets.yaml"
    if not targets_path.exists():
        targets_path = PROJECT_TARGETS
    questions, targets = _read_yaml(path), _read_yaml(targets_path)
    if not isinstance(questions, list) or not all(
        isinstance(q, dict) and isinstance(q.get("q"), str) for q in questions
    ):
        raise RollenbotError(f"{path}: expected a list of {{q: ..., expect: [...]}}")
    if not isinstance(targets, dict):
        raise RollenbotError(f"{targets_path}: expected a mapping of section -> phrases")
    return questions, targets


def _read_yaml(path: Path) -> Any:
    """The YAML in ``path``; a missing, unreadable or broken file is one line naming it."""
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise RollenbotError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise RollenbotError(f"{path}: invalid YAML{where}") from None


def hits_section(passage: Passage, phrases: list[str]) -> bool:
    """Whether the passage's title plus text contains one of the phrases."""
    haystack = f"{passage.title}\n{passage.text}".lower()
    return any(phrase.lower() in haystack for phrase in phrases)


def evaluate(engine: Any, *paths: Path) -> Report:
    """Answer every question of ``paths`` (in one batch) and score the answers.

    A question counts as correct when it has targets, is answered (``outcome`` "answer")
    and its first passage hits one; or when it has none and gets no quote ("clarify"
    and "none" are both fine).
    """
    questions: list[dict[str, Any]] = []
    targets: dict[str, list[str]] = {}
    for path in paths:
        more, found = load_questions(path)
        questions.extend(more)
        targets.update(found)
    answers = engine.answer_many([q["q"] for q in questions])
    report = Report()
    for item, answer in zip(questions, answers, strict=True):
        expect = list(item.get("expect") or [])
        phrases = [p for name in expect for p in targets.get(name, [])]
        if expect:
            first = answer.answered and hits_section(answer.hits[0].passage, phrases)
            top3 = answer.answered and any(
                hits_section(h.passage, phrases) for h in answer.hits[:3]
            )
            correct = bool(first)
        else:
            correct, top3 = not answer.answered, False
        style = str(item.get("style") or ("oos" if not expect else "untagged"))
        report.outcomes.append(Scored(item["q"], expect, answer, correct, bool(top3), style))
    return report
