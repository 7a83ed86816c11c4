"""Cleaning user text at the edge, before anything else looks at it."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
# Lone UTF-16 surrogates: what undecodable bytes become on a POSIX command line
# (Python's "surrogateescape"); no tokenizer accepts them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_lines(text: str) -> str:
    """Drop undecodable bytes, control and invisible characters; keep line breaks."""
    text = unicodedata.normalize("NFC", _SURROGATE.sub(" ", text)).replace("\ufffd", " ")
    return _CONTROL.sub(" ", text)


def clean_question(text: str) -> str:
    """:func:`clean_lines`, and all white space collapsed to single spaces."""
    return " ".join(clean_lines(text).split())
