"""Scoring and deciding: BM25 over the analysed text, the learned answer / "Meinst du …?" /
none decision, and the gist of a passage."""
