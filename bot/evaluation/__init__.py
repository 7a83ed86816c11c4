"""Measuring and fitting the engine on labelled questions (``rolle eval``, ``rolle
calibrate``): tooling, not part of the answering path."""
