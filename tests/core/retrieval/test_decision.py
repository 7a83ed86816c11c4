"""The learned decision's runtime half, on hand-made signals and a hand-made
:class:`Decision` (what fitting learns is tested in test_calibrate.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core.errors import ModelLoadError
from bot.core.retrieval.decision import (
    FEATURES,
    Decision,
    Linear,
    Ranking,
    Signals,
    decide,
    decision_file,
    load_decision,
    rank,
)

KINDS = ("role", "role", "comparison")
IS_ROLE = np.array([True, True, False])


def _linear(weights: list[float], bias: float = 0.0) -> Linear:
    n = len(weights)
    return Linear((0.0,) * n, (1.0,) * n, tuple(weights), bias)


# P(right) rises with the first passage's coverage (feature 4) only; the question models
# read the first component of a 2-d question vector.
DECISION = Decision(
    model="m",
    ranking=Ranking(dense_weight=0.4, kind_weight=0.0, name_bonus=0.25),
    asks_role=_linear([10.0, 0.0]),
    in_scope=_linear([0.0, 10.0]),
    correct=_linear([0.0, 0.0, 0.0, 0.0, 20.0, 0.0, 0.0, 0.0], bias=-10.0),
    answer_threshold=0.8,
    clarify_threshold=0.2,
    scope_gate=0.0,
)


def _signals(lexical: list[float], dense: list[float], coverage: list[float], *,
             names: tuple[int, ...] = (0, 0, 0), named: tuple[int, ...] = (),
             content: bool = True, vector: tuple[float, float] = (0.0, 1.0)) -> Signals:
    def arr(v: list[float] | tuple[int, ...]) -> np.ndarray:
        return np.array(v, dtype=np.float32)
    return Signals(arr(lexical), arr(dense), arr(names), arr(coverage), named, content,
                   np.array(vector))


def test_the_ranking_weighs_dense_and_lexical_and_the_named_passage() -> None:
    signal = _signals([4, 0, 2], [0.80, 0.90, 0.85], [0, 0, 0])
    assert list(np.argsort(-rank(signal, DECISION.ranking, IS_ROLE, 0.5))) == [0, 2, 1]
    dense_only = Ranking(dense_weight=1.0, kind_weight=0.0, name_bonus=0.0)
    assert int(np.argmax(rank(signal, dense_only, IS_ROLE, 0.5))) == 1
    named = replace(signal, names=np.array([0, 0, 2], dtype=np.float32))
    assert int(np.argmax(rank(named, DECISION.ranking, IS_ROLE, 0.5))) == 2


def test_the_kind_the_question_asks_about_lifts_those_passages() -> None:
    signal = _signals([1, 1, 1], [0.8, 0.8, 0.8], [0, 0, 0])
    by_kind = Ranking(dense_weight=0.5, kind_weight=0.3, name_bonus=0.0)
    assert int(np.argmax(rank(signal, by_kind, IS_ROLE, asks_role=0.1))) == 2
    assert int(np.argmax(rank(signal, by_kind, IS_ROLE, asks_role=0.9))) == 0


@pytest.mark.parametrize(("coverage", "outcome"), [(0.95, "answer"), (0.5, "clarify"),
                                                   (0.3, "none")])
def test_the_probability_decides_answer_clarify_or_none(coverage: float,
                                                        outcome: str) -> None:
    verdict = decide(_signals([3, 1, 0], [0.9, 0.8, 0.7], [coverage, 0, 0]), DECISION, KINDS)
    assert verdict.outcome == outcome and verdict.order[0] == 0
    assert 0.0 <= verdict.probability <= 1.0


def test_a_refused_question_naming_a_topic_is_out_of_scope_not_no_match() -> None:
    low = decide(_signals([3, 1, 0], [0.9, 0.8, 0.7], [0.1, 0, 0]), DECISION, KINDS)
    assert (low.outcome, low.reason) == ("none", "no_match")
    topic = replace(_signals([3, 1, 0], [0.9, 0.8, 0.7], [0.1, 0, 0]),
                    topics=np.array([1, 0, 0], dtype=np.float32))
    verdict = decide(topic, DECISION, KINDS)
    assert (verdict.outcome, verdict.reason, verdict.order[0]) == ("none", "out_of_scope", 0)
    named = decide(_signals([3, 1, 0], [0.9, 0.8, 0.7], [0.1, 0, 0], names=(2, 0, 0)),
                   DECISION, KINDS)
    assert named.reason == "out_of_scope"


def test_below_the_scope_gate_nothing_is_answered() -> None:
    signal = _signals([3, 1, 0], [0.9, 0.8, 0.7], [1.0, 0, 0], vector=(0.0, -1.0))
    assert decide(signal, DECISION, KINDS).outcome == "answer"  # the gate is open at 0
    gated = decide(signal, replace(DECISION, scope_gate=0.5), KINDS)
    assert gated.outcome == "none" and gated.probability == 0.0


def test_two_named_roles_in_an_answer_are_a_comparison_in_the_order_named() -> None:
    signal = _signals([3, 2, 0], [0.9, 0.8, 0.7], [1.0, 0.9, 0], names=(2, 2, 0),
                      named=(1, 0))
    verdict = decide(signal, DECISION, KINDS)
    assert verdict.outcome == "answer" and verdict.comparison
    assert verdict.order[:2] == (1, 0)
    refused = decide(replace(signal, coverage=np.zeros(3, dtype=np.float32)), DECISION, KINDS)
    assert refused.outcome != "answer" and not refused.comparison


def test_a_question_of_frame_words_only_is_never_answered() -> None:
    signal = _signals([3, 1, 0], [0.9, 0.8, 0.7], [1.0, 0, 0], content=False)
    assert decide(signal, DECISION, KINDS).outcome == "none"


def test_a_decision_survives_its_json_and_loading_checks_it(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(DECISION.to_json(), "utf-8")
    assert load_decision("m", path) == DECISION
    with pytest.raises(ModelLoadError, match="fitted for 'm'"):
        load_decision("other", path)
    path.write_text("{", "utf-8")
    with pytest.raises(ModelLoadError, match="cannot be read"):
        load_decision("m", path)
    with pytest.raises(ModelLoadError, match="rolle calibrate"):
        load_decision("m", tmp_path / "missing.json")


@pytest.mark.parametrize("model", ["packaged:multilingual-e5-small-q4",
                                   "packaged:all-MiniLM-L6-v2"])
def test_every_packaged_model_has_its_decision(model: str) -> None:
    decision = load_decision(model)
    assert decision.model == model and len(decision.correct.weights) == len(FEATURES)
    assert 0 < decision.clarify_threshold <= decision.answer_threshold < 1
    data = json.loads(decision_file(model).read_text("utf-8"))
    assert data["fitted_on"]["questions"] >= 700
