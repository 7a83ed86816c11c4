"""Every weight and threshold of retrieval and of the answer decision, in one place.

The decision thresholds and fusion weights are chosen by k-fold cross-validation over all
labelled questions (``rolle eval --cv``, :mod:`bot.core.calibrate`); the index weights
below them change the signals themselves, so they are compared as whole CV runs, a few
values each, not grid-searched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """How rankings are fused and when the engine answers, asks back or refuses."""

    # --- fusion (cross-validated) ---------------------------------------------------
    lexical_weight: float = 0.8  # share of the fused score from BM25 (rest: dense)
    name_bonus: float = 0.25  # added for the passage whose name the question contains
    # --- decision (cross-validated) ---------------------------------------------------
    min_coverage: float = 0.35  # share of the question's words the best passage must contain
    min_dense: float = 0.1  # below this the model says the best passage is about else
    weak_lexical: float = 1.5  # BM25 below this: only generic words ("Kunden") matched ...
    min_dense_if_weak: float = 0.3  # ... so the dense model must agree more strongly
    clarify_coverage: float = 0.3  # medium evidence: ask "Meinst du …?" instead
    clarify_dense: float = 0.3
    # --- lexical index (structural) -------------------------------------------------
    title_boost: int = 3  # title terms are repeated this often in the BM25 document
    alias_boost: int = 2
    bm25_k1: float = 1.2
    bm25_b: float = 0.75  # the usual default; in CV better than 0.3, 0.5 and 0.6
    part_weight: float = 0.6  # a compound part: in CV 0.6-0.7 beat 0.5 and 0.8
    doc_part_credit: float = 0.7  # coverage of a word a passage has only in its compounds
    expansion_weight: float = 0.6  # a glossary synonym counts a bit less than the word
    frame_weight: float = 0.3  # "Aufgaben", "zuständig": they frame a question
    typo_weight: float = 0.8  # a corrected typo counts a bit less than the word
    typo_max_zipf: float = 3.0  # words this common (wordfreq) are never corrected
    unknown_verb_weight: float = 1.0  # an unknown lower-case German word in coverage
    unknown_compound_credit: float = 0.5  # an unknown compound found only through parts
    lowercase_factor: float = 0.5  # known lower-case German words say less than nouns
    common_zipf: float = 4.5  # an unknown word more common than this (wordfreq) ...
    common_factor: float = 0.3  # ... weighs down to this share one Zipf step above it
    # --- output -----------------------------------------------------------------------
    clarify_hits: int = 3
