"""The answer decision, learned from labelled questions: rank the passages, then
answer, ask back ("Meinst du …?") or refuse, from a calibrated probability.

Per question the engine computes :class:`Signals` (dense similarity, BM25, coverage,
names per passage, and the question's own vector). A :class:`Decision` holds what was
fitted on labelled questions (:mod:`bot.evaluation.calibrate`, ``rolle calibrate``):

- two logistic models over the question's vector: whether it asks about a role (rather
  than how marketing and sales differ) and whether the articles answer it at all;
- the ranking: a weighted sum of dense similarity and BM25 (both scaled per question),
  a bonus for the kind of passage the question asks about and one for a passage the
  question names;
- a logistic model over a few signals of the first passage that gives the probability
  that it is the right answer, and the two thresholds on it for "answer" and "clarify";
  a question the articles do not answer with enough probability is never answered.

All of it is plain numbers in a JSON file per model (``bot/core/retrieval/decisions/``); nothing
here is set by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.errors import ModelLoadError
from bot.core.models import Outcome, Reason

DECISIONS = Path(__file__).with_name("decisions")
FEATURES = ("dense", "dense_margin", "dense_z", "lexical", "coverage", "named",
            "fused_margin", "in_scope")


@dataclass(frozen=True)
class Signals:
    """What the engine knows about one question before it decides.

    Per passage: ``lexical`` (BM25), ``dense`` (best chunk similarity), ``names``
    (length in words of the passage's longest name in the question), ``coverage``
    (share of the question's content words the passage has), ``topics`` (1 where the
    question contains one of the passage's search terms). ``named``: passages named in
    the question, in order; ``vector``: the question's embedding.
    """

    lexical: np.ndarray
    dense: np.ndarray
    names: np.ndarray
    coverage: np.ndarray
    named: tuple[int, ...]
    has_content: bool
    vector: np.ndarray
    topics: np.ndarray | None = None


@dataclass(frozen=True)
class Linear:
    """A logistic model over standardised inputs: ``sigmoid(((x - mean) / scale) @ w + b)``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, x: np.ndarray) -> np.ndarray:
        """The log-odds for each row of ``x`` (or for one vector)."""
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(z @ np.asarray(self.weights) + self.bias)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """The probability for each row of ``x`` (or for one vector)."""
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.logit(x), -30, 30))))


@dataclass(frozen=True)
class Ranking:
    """How the passages are ordered for a question."""

    dense_weight: float  # share of dense similarity (rest: BM25)
    kind_weight: float  # bonus for the kind of passage the question asks about
    name_bonus: float  # bonus for the passage whose longest name the question contains


@dataclass(frozen=True)
class Decision:
    """Everything the decision learned, for one embedding model."""

    model: str
    ranking: Ranking
    asks_role: Linear  # P(the question asks about a role) from its vector
    in_scope: Linear  # P(the articles answer the question) from its vector
    correct: Linear  # P(the first passage is the answer) from :data:`FEATURES`
    answer_threshold: float
    clarify_threshold: float
    scope_gate: float  # below this P(in scope) a question is never answered
    fitted_on: dict[str, Any] = field(default_factory=dict)  # questions, figures

    def to_json(self) -> str:
        """The decision as JSON (what :func:`load_decision` reads)."""
        return json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Read a decision written by :meth:`to_json`.

        Raises:
            KeyError, TypeError, ValueError: the data is not a decision.
        """
        linear = {k: Linear(mean=tuple(data[k]["mean"]), scale=tuple(data[k]["scale"]),
                            weights=tuple(data[k]["weights"]), bias=float(data[k]["bias"]))
                  for k in ("asks_role", "in_scope", "correct")}
        return cls(**{**data, **linear, "ranking": Ranking(**data["ranking"])})


def decision_file(model: str) -> Path:
    """Where the packaged decision for ``model`` lives."""
    slug = "".join(c if c.isalnum() or c in "-." else "-" for c in model.split(":")[-1])
    return DECISIONS / f"{slug}.json"


def load_decision(model: str, path: Path | None = None) -> Decision:
    """The decision for ``model``: from ``path`` if given, else the packaged one.

    Raises:
        ModelLoadError: there is none for this model, or it is damaged or was fitted
            for another model (the message says how to fit one).
    """
    path = path or decision_file(model)
    fit = "fit one with `rolle calibrate --output FILE` and set ROLLE_DECISION_FILE"
    try:
        decision = Decision.from_dict(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        raise ModelLoadError(f"No answer decision for the model '{model}' ({path}): "
                             f"{fit}.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"The answer decision {path} cannot be read ({exc}): "
                             f"{fit}.") from None
    if decision.model != model:
        raise ModelLoadError(f"The answer decision {path} was fitted for '{decision.model}', "
                             f"not '{model}': {fit}.")
    return decision


@dataclass(frozen=True)
class Decided:
    """What :func:`decide` concluded for one question."""

    outcome: Outcome
    order: tuple[int, ...]  # passages, best first
    scores: np.ndarray  # the ranking score per passage
    probability: float  # that ``order[0]`` is the answer
    comparison: bool = False  # two named roles, shown side by side
    reason: Reason = "ok"  # for "none": "no_match" or "out_of_scope"


def scaled(values: np.ndarray) -> np.ndarray:
    """``values`` scaled to 0..1 within the question (all zero when they are equal)."""
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def rank(signal: Signals, ranking: Ranking, is_role: np.ndarray,
         asks_role: float) -> np.ndarray:
    """The ranking score of every passage, 0..1 (higher is better)."""
    top = float(signal.lexical.max())
    lexical = signal.lexical / top if top > 0 else np.zeros_like(signal.lexical)
    w = ranking.dense_weight
    score = w * scaled(signal.dense) + (1 - w) * lexical
    score = score + ranking.kind_weight * np.where(is_role, asks_role, 1 - asks_role)
    longest = float(signal.names.max())
    if longest > 0:
        score = score + ranking.name_bonus * (signal.names == longest)
    return np.asarray(score / (1 + ranking.kind_weight + ranking.name_bonus))


def features(signal: Signals, order: Sequence[int], scores: np.ndarray,
             in_scope_logit: float) -> np.ndarray:
    """The signals of the first passage that :attr:`Decision.correct` weighs
    (:data:`FEATURES`)."""
    first, second = order[0], order[1]
    dense = signal.dense
    rest = np.delete(dense, first)
    return np.array([
        dense[first],
        dense[first] - rest.max(),
        (dense[first] - dense.mean()) / (dense.std() + 1e-6),
        np.log1p(max(float(signal.lexical[first]), 0.0)),
        signal.coverage[first],
        float(signal.names[first] > 0),
        scores[first] - scores[second],
        in_scope_logit,
    ])


def decide(signal: Signals, decision: Decision, kinds: Sequence[str]) -> Decided:
    """Rank the passages and decide: "answer" when the probability that the first is
    right reaches the answer threshold, "clarify" when it reaches the clarify threshold,
    else "none" ("out_of_scope" when the question names the first passage or one of its
    topics, so that passage can be offered as related; "no_match" otherwise). Two roles named
    in an answered question make it a comparison of both."""
    is_role = np.array([k == "role" for k in kinds])
    asks_role = float(decision.asks_role.probability(signal.vector))
    in_scope = float(decision.in_scope.logit(signal.vector))
    scores = rank(signal, decision.ranking, is_role, asks_role)
    order = tuple(int(i) for i in np.argsort(-scores, kind="stable"))
    p = float(decision.correct.probability(features(signal, order, scores, in_scope)))
    if 1 / (1 + np.exp(-in_scope)) < decision.scope_gate:
        p = 0.0
    if not signal.has_content:
        return Decided("none", order, scores, p, reason="no_match")
    if p >= decision.answer_threshold:
        roles = [i for i in signal.named if is_role[i]]
        if len(roles) >= 2:
            order = (*roles, *(i for i in order if i not in roles))
            return Decided("answer", order, scores, p, comparison=True)
        return Decided("answer", order, scores, p)
    if p >= decision.clarify_threshold:
        return Decided("clarify", order, scores, p)
    # The question names the first passage or one of its topics, but asks for something
    # the passage does not say.
    topics = signal.topics if signal.topics is not None else np.zeros_like(signal.names)
    related = signal.names[order[0]] > 0 or topics[order[0]] > 0
    return Decided("none", order, scores, p,
                   reason="out_of_scope" if related else "no_match")
