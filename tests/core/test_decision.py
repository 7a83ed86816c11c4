"""The answer decision on hand-made signals (fast; the real thing is in test_engine)."""

from __future__ import annotations

import numpy as np

from bot.core.calibration import Calibration
from bot.core.decision import Signals, decide, fuse

KINDS = ("role", "role", "comparison")
CAL = Calibration()


def _signals(lexical, dense, coverage, names=(0, 0, 0), named=(), content=True) -> Signals:
    def arr(values) -> np.ndarray:
        return np.array(values, dtype=np.float32)

    return Signals(arr(lexical), arr(dense), arr(names), arr(coverage), tuple(named), content)


def test_strong_lexical_evidence_the_model_agrees_with_is_an_answer() -> None:
    outcome, order, comparison = decide(_signals([3, 1, 0], [0.5, 0.3, 0.2], [0.9, 0.3, 0]),
                                        CAL, KINDS)
    assert (outcome, order[0], comparison) == ("answer", 0, False)


def test_no_lexical_evidence_is_never_answered_however_similar() -> None:
    outcome, _, _ = decide(_signals([0, 0, 0], [0.95, 0.9, 0.9], [0, 0, 0]), CAL, KINDS)
    assert outcome == "none"


def test_medium_coverage_asks_back() -> None:
    between = (CAL.clarify_coverage + CAL.min_coverage) / 2
    outcome, order, _ = decide(_signals([3, 1, 0], [0.5, 0.3, 0.2], [between, 0, 0]),
                               CAL, KINDS)
    assert outcome == "clarify" and order[0] == 0


def test_low_coverage_is_refused() -> None:
    outcome, _, _ = decide(_signals([3, 1, 0], [0.5, 0.3, 0.2], [0.05, 0, 0]), CAL, KINDS)
    assert outcome == "none"


def test_two_named_roles_are_a_comparison_in_the_order_named() -> None:
    signal = _signals([1, 3, 0], [0.3, 0.5, 0.2], [0.2, 0.9, 0], names=(1, 1, 0), named=(0, 1))
    outcome, order, comparison = decide(signal, CAL, KINDS)
    assert outcome == "answer" and comparison and order[:2] == [0, 1]


def test_a_named_topic_that_is_no_role_is_no_comparison() -> None:
    signal = _signals([1, 0, 3], [0.3, 0.2, 0.6], [0.2, 0, 0.9], names=(1, 0, 3), named=(0, 2))
    outcome, order, comparison = decide(signal, CAL, KINDS)
    assert outcome == "answer" and not comparison and order[0] == 2


def test_fused_scores_are_between_zero_and_one() -> None:
    fused = fuse(_signals([5, 2, 0], [0.9, -0.2, 0.1], [1, 1, 0], names=(2, 0, 0)), CAL)
    assert fused.max() <= 1.0 and fused.min() >= 0.0 and int(fused.argmax()) == 0
