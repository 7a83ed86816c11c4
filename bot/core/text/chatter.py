"""Strip the chatter around a chat question before it is analysed.

Greetings ("Hi zusammen"), openers ("kurze Frage", "weiß jemand", "Mal ne blöde
Frage"), sign-offs ("danke!", "LG"), emoji, @mentions (Slack's ``<@U123>`` and a plain
``@name``) and quoted lines (starting with ">") say nothing about the topic but dilute
it. What remains is the question; an empty result means the text was chatter only.
"""

from __future__ import annotations

import re

# Per language: whole phrases, matched case-insensitively at word boundaries. Listed as
# people write them; umlaut and spelling variants are covered by the patterns.
_GERMAN = [
    r"(hallo|hi|hey|huhu|moin( moin)?|servus|grüß ?(dich|gott)|na)( (zusammen|alle|"
    r"leute|team|bot|in die runde|ihr lieben))?",
    r"guten (morgen|tag|abend)( (zusammen|alle))?",
    r"(ich hätte |hab |habe )?(mal |noch )?(ne |eine |'ne )?(kurze |blöde |dumme |"
    r"schnelle )?frage( an euch| an dich| zu)?",
    r"(sorry|entschuldigung)( für die störung)?",
    r"(weiß|weiss|wisst ihr|kann mir|kannst du mir|könnt ihr mir) (jemand|wer|einer|"
    r"ihr|du)?( sagen| erklären)?",
    r"sag mal|alles klar|ich bin neu hier|gute frage",
    r"(vielen |lieben )?dank(e)?( (dir|euch|schön|im voraus|vorab))?",
    r"(viele |liebe |beste )?grüße|gruß|lg|vg|mfg|bg",
    r"bitte",
]
_ENGLISH = [
    r"(hi|hello|hey)( (all|everyone|team|there|folks))?",
    r"good (morning|afternoon|evening)",
    r"(a )?quick question|(sorry,? )?(dumb|stupid) question",
    r"(does )?any(one|body) know",
    r"(many )?thanks( (a lot|in advance))?|thank you|cheers|regards",
    r"please",
]
_PHRASES = re.compile(
    r"(?<![\wäöüß])(?:" + "|".join(_GERMAN + _ENGLISH) + r")(?![\wäöüß])",
    re.IGNORECASE,
)
_MENTION = re.compile(r"<[@#!][^>]*>|(?<![\w.])@[\w.-]+")
_QUOTED = re.compile(r"^\s*(>|&gt;).*$", re.MULTILINE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u2190-\u21ff]"
    r"|:[a-z0-9_+-]+:"  # Slack emoji codes, ":wave:"
)
_PUNCT_ONLY = re.compile(r"^[\s\W_]*$")


def strip_chatter(text: str) -> str:
    """The question in ``text`` without greetings, sign-offs, mentions, emoji and quotes.

    Returns:
        The remaining text with white space collapsed; ``""`` when nothing but
        chatter was there.
    """
    text = _QUOTED.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _PHRASES.sub(" ", text)
    # Punctuation left dangling by removed phrases (", :", "! ?") goes too.
    text = re.sub(r"(?<![\wäöüß])[,:;!–-]+", " ", text)
    text = " ".join(text.split())
    return "" if _PUNCT_ONLY.match(text) else text
