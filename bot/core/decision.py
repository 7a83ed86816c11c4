"""The answer decision: fuse the rankings, then answer, ask back ("clarify") or refuse.

Pure functions of per-question :class:`Signals` and a :class:`Calibration`, so that
calibration can try many thresholds on signals computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.calibration import Calibration
from bot.core.models import Outcome


@dataclass(frozen=True)
class Signals:
    """What the engine knows about one question before it decides (per passage).

    They do not depend on the decision thresholds, so calibration computes them once
    and tries many :class:`Calibration` values on them.
    """

    lexical: np.ndarray  # BM25
    dense: np.ndarray  # best chunk similarity
    names: np.ndarray  # length of the longest name of the passage in the question
    coverage: np.ndarray  # share of the question's content words in the passage
    named: tuple[int, ...]  # passages named in the question, in order, distinct
    has_content: bool  # the question has a content word (not only frame words)


def fuse(signal: Signals, cal: Calibration) -> np.ndarray:
    """Weighted sum of max-normalised BM25 and dense similarity, plus a bonus for the
    passage(s) whose longest name the question contains; scaled to 0..1."""
    top = float(signal.lexical.max())
    lex = signal.lexical / top if top > 0 else np.zeros_like(signal.lexical)
    dense = np.clip(signal.dense, 0.0, 1.0)
    fused = cal.lexical_weight * lex + (1 - cal.lexical_weight) * dense
    longest = float(signal.names.max())
    if longest > 0:
        fused = fused + cal.name_bonus * (signal.names == longest)
    return np.asarray(fused / (1 + cal.name_bonus), dtype=np.float32)


def decide(
    signal: Signals, cal: Calibration, kinds: Sequence[str]
) -> tuple[Outcome, list[int], bool]:
    """The outcome, the passage order and whether it is a comparison of two roles.

    - Two roles named ("Head of BD vs. BDM"): an answer with both roles first.
    - A passage named, or strong lexical evidence the dense model agrees with: an answer.
    - Medium lexical evidence: "clarify", the top passages offered as candidates.
    - Otherwise (also: no lexical evidence at all, however similar the model finds
      the text): none.
    """
    fused = fuse(signal, cal)
    order = [int(i) for i in np.argsort(-fused, kind="stable")]
    roles = [i for i in signal.named if kinds[i] == "role"]
    if len(roles) >= 2:
        return "answer", roles + [i for i in order if i not in roles], True
    best = order[0]
    if signal.names[best] > 0:
        return "answer", order, False
    lexical, dense, coverage = (
        float(signal.lexical[best]), float(signal.dense[best]), float(signal.coverage[best])
    )
    if lexical <= 0 or not signal.has_content:
        return "none", order, False
    weak = lexical < cal.weak_lexical and dense < cal.min_dense_if_weak
    if coverage >= cal.min_coverage and dense >= cal.min_dense and not weak:
        return "answer", order, False
    if coverage >= cal.clarify_coverage and dense >= cal.clarify_dense:
        return "clarify", order, False
    return "none", order, False
