"""Chatter around a chat question is stripped before analysis."""

from __future__ import annotations

import pytest

from bot.core.text.chatter import strip_chatter


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Hi zusammen 👋 kurze Frage: was macht eigentlich ein Sales Manager?",
         "was macht eigentlich ein Sales Manager?"),
        ("Mal ne blöde Frage 😅 was ist der Unterschied zwischen Marketing und Vertrieb?",
         "was ist der Unterschied zwischen Marketing und Vertrieb?"),
        ("Hallo! Weiß jemand, was eine Vertriebsassistenz so macht? Danke!",
         "was eine Vertriebsassistenz so macht?"),
        ("<@U02ABCDEF> was macht ein BDM?", "was macht ein BDM?"),
        ("@rollenbot wer kümmert sich um SEO?", "wer kümmert sich um SEO?"),
        ("Servus, wer macht Key Accounts? LG", "wer macht Key Accounts?"),
        ("> Was macht das Marketing?\nIst Marketing langfristig ausgerichtet?",
         "Ist Marketing langfristig ausgerichtet?"),
        ("hi :wave: what does a head of sales do? thanks!", "what does a head of sales do?"),
        ("Hey team, quick question: who trains the sales staff?", "who trains the sales staff?"),
        ("Wer kümmert sich um Kunden?", "Wer kümmert sich um Kunden?"),
        ("E-Mail-Marketing und A/B-Tests", "E-Mail-Marketing und A/B-Tests"),
    ],
)
def test_chatter_is_stripped(text: str, question: str) -> None:
    assert strip_chatter(text) == question


@pytest.mark.parametrize("text", ["Hallo 😊", "Danke!", "Guten Morgen zusammen!", "hello?",
                                  "🙏🙏", "<@U1> LG"])
def test_chatter_only_leaves_nothing(text: str) -> None:
    assert strip_chatter(text) == ""
