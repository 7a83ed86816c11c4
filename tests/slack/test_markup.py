"""Escaping, mention handling, shortening and splitting."""

from __future__ import annotations

import re

import pytest

from bot.slack.kit import quote
from bot.slack.markup import (
    clip_lines,
    escape,
    mentions,
    question_from,
    shorten,
    split_text,
    strip_mention,
    unescape,
)


def test_escape_defuses_pings_and_markup() -> None:
    assert escape("<!channel> & <@U123> <https://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x|y&gt;")


def test_unescape_then_escape_round_trips_what_slack_sent() -> None:
    sent = "R&amp;D &lt;3 <!here>"
    assert unescape(sent) == "R&D <3 <!here>"
    assert escape(unescape(sent)) == "R&amp;D &lt;3 &lt;!here&gt;"


def test_unescape_does_not_double_decode() -> None:
    assert unescape("&amp;lt;") == "&lt;"


def test_strip_mention_removes_only_the_bot() -> None:
    text = "<@UBOT> was macht <@UOTHER> und <@UBOT|rollenbot> hier?"
    assert strip_mention(text, "UBOT") == "was macht <@UOTHER> und hier?"
    assert strip_mention("  frage  ", None) == "frage"


def test_mentions() -> None:
    assert mentions("hi <@UBOT>", "UBOT")
    assert mentions("hi <@UBOT|bot>", "UBOT")
    assert not mentions("hi <@UBOTX>", "UBOT")
    assert not mentions("hi <@UBOT>", None)


def test_question_from_message_text() -> None:
    assert question_from("<@UBOT> Was macht R&amp;D?", "UBOT") == "Was macht R&D?"
    assert question_from(None, "UBOT") == ""


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("kurz", 10) == "kurz"
    cut = shorten("Vertriebsleiter und Vertriebsassistenz arbeiten zusammen", 30)
    assert len(cut) <= 30 and cut.endswith("…")
    assert cut == "Vertriebsleiter und…"


def test_clip_lines_keeps_whole_lines() -> None:
    text = "\n".join(f"Zeile {n}" for n in range(100))
    clipped = clip_lines(text, 50)
    assert len(clipped) <= 50
    assert clipped.endswith("\n…")
    assert all(line.startswith("Zeile ") for line in clipped.split("\n")[:-1])
    assert clip_lines("kurz", 50) == "kurz"


def words_intact(pieces: list[str], text: str) -> bool:
    """Every word of every piece is a whole word of the text."""
    words = set(re.split(r"\s+", text))
    return all(w in words for piece in pieces for w in piece.split())


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    para = "\n".join(["• " + " ".join(["Aufgabe"] * 30)] * 5)  # 5 lines of ~240 chars
    text = "\n\n".join([para] * 4)
    pieces = split_text(text, 700)
    assert all(len(p) <= 700 for p in pieces)
    assert words_intact(pieces, text)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace(
        "\n", "").replace(" ", "")
    assert all(not p.startswith("\n") for p in pieces)


def test_split_measures_the_rendered_form() -> None:
    text = " ".join(["a&b"] * 500)  # each & grows by 4 characters when escaped
    pieces = split_text(text, 3000, quote)
    assert all(len(quote(p)) <= 3000 for p in pieces)
    assert len(pieces) > 1
    assert words_intact(pieces, text)


def test_split_cuts_inside_a_word_only_when_nothing_else_fits() -> None:
    word = "x" * 7000
    pieces = split_text(f"kurz {word} ende", 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces).replace(" ", "") == f"kurz{word}ende"


def test_split_edge_cases() -> None:
    assert split_text("", 10) == []
    assert split_text("kurz", 10) == ["kurz"]
    with pytest.raises(ValueError):
        split_text("x", 0)
