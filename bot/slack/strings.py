"""UI strings only the Slack adapter uses (the shared ones live in :mod:`bot.texts`)."""

from __future__ import annotations

from bot.core.models import Language
from bot.texts import pick

_STRINGS: dict[str, dict[Language, str]] = {
    "question": {"de": "Frage: {question}", "en": "Question: {question}"},
    "related": {"de": "Verwandt:", "en": "Related:"},
    "truncated": {
        "de": "… (für Slack gekürzt: der Text ist länger als eine Nachricht erlaubt)",
        "en": "… (shortened for Slack: the text is longer than a message allows)",
    },
    "catalogue_hint": {
        "de": "Klick auf einen Namen, um die Beschreibung zu sehen.",
        "en": "Click a name to see its description.",
    },
    "home_intro": {
        "de": "Ich erkläre, wer bei uns was macht: Rollen und Zuständigkeiten in Marketing, "
        "Vertrieb, Business Development und E-Commerce. Ich antworte mit Zitaten aus "
        "unserer Wissensbasis und sage dazu, woher sie stammen.",
        "en": "I explain who does what here: roles and responsibilities in marketing, "
        "sales, business development and e-commerce, quoting our knowledge base.",
    },
    "home_how": {
        "de": "*So fragst du mich*\n"
        "• Schreib mir hier im Tab „Nachrichten“ eine Direktnachricht.\n"
        "• Erwähne mich in einem Kanal: `@Rollenbot Was macht ein Sales Manager?` "
        "(Folgefragen im Thread gehen ohne Erwähnung).\n"
        "• Überall: `/rolle <Frage>`, `/rolle liste`, `/rolle hilfe` oder "
        "`/rolle <Rollenname>`.",
        "en": "*How to ask me*\n"
        "• Send me a direct message in the Messages tab.\n"
        "• Mention me in a channel: `@Rollenbot What does a sales manager do?` "
        "(follow-ups in the thread need no mention).\n"
        "• Anywhere: `/rolle <question>`, `/rolle list`, `/rolle help` or "
        "`/rolle <role name>`.",
    },
    "departments": {"de": "*Die Bereiche im Überblick*", "en": "*The departments*"},
    "welcome_tip": {
        "de": "Tipp: `/rolle liste` zeigt alle Rollen und Themen, `/rolle hilfe` erklärt "
        "den Rest.",
        "en": "Tip: `/rolle list` shows all roles and topics, `/rolle help` explains the rest.",
    },
    "assistant_greeting": {
        "de": "Hallo! Ich erkläre dir, wer bei uns was macht. Frag mich nach einer Rolle "
        "oder einem Thema, zum Beispiel:",
        "en": "Hi! I explain who does what here. Ask me about a role or a topic, "
        "for example:",
    },
    "assistant_prompts_title": {"de": "Zum Beispiel:", "en": "For example:"},
}


def s(key: str, language: Language = "de", **values: object) -> str:
    """The Slack UI string ``key`` in ``language``, formatted with ``values``."""
    return pick(_STRINGS, key, language, **values)
