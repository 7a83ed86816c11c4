"""UI strings shared by the Slack and Teams adapters, German by default, English for
English questions. Quoted passages are never translated."""

from __future__ import annotations

from bot.core.models import Language

_STRINGS: dict[str, dict[Language, str]] = {
    "no_answer": {
        "de": "Dazu habe ich leider nichts in meiner Wissensbasis. "
        "Ich kenne diese Rollen und Themen:",
        "en": "Sorry, my knowledge base has nothing on that. "
        "These are the roles and topics I know:",
    },
    "empty": {
        "de": "Stell mir eine Frage zu einer Rolle, z. B. „Was macht ein Sales Manager?“",
        "en": "Ask me about a role, e.g. “What does a sales manager do?”",
    },
    "too_long": {
        "de": "Die Frage ist zu lang ({length} Zeichen, höchstens {limit}). "
        "Bitte kürzer fassen.",
        "en": "That question is too long ({length} characters, at most {limit}). "
        "Please shorten it.",
    },
    "error": {
        "de": "Da ist bei mir etwas schiefgegangen. Bitte versuch es gleich noch einmal. "
        "(Referenz: {request_id})",
        "en": "Something went wrong on my side. Please try again in a moment. "
        "(Reference: {request_id})",
    },
    "rate_limited": {
        "de": "Du hast gerade sehr viele Fragen gestellt. Bitte warte kurz und frag dann "
        "noch einmal.",
        "en": "You have asked a lot of questions just now. Please wait a moment and ask "
        "again.",
    },
    "source": {"de": "Quelle: {source}", "en": "Source: {source}"},
    "more": {"de": "Weitere Treffer:", "en": "More matches:"},
    "your_question": {"de": "Deine Frage: {question}", "en": "Your question: {question}"},
    "share": {"de": "Im Kanal teilen", "en": "Share in channel"},
    "shared_by": {"de": "Geteilt von {user}", "en": "Shared by {user}"},
    "helpful": {"de": "Hilfreich", "en": "Helpful"},
    "not_helpful": {"de": "Nicht hilfreich", "en": "Not helpful"},
    "thanks_feedback": {
        "de": "Danke für dein Feedback!",
        "en": "Thanks for your feedback!",
    },
    "help": {
        "de": "Ich beantworte Fragen zu Rollen in Marketing, Vertrieb, Business Development "
        "und E-Commerce, mit Zitaten aus unserer Wissensbasis.\n"
        "Beispiele:\n"
        "• Was macht ein Business Development Manager?\n"
        "• Wer ist für Key Accounts zuständig?\n"
        "• Unterschied Marketing und Vertrieb?\n"
        "Befehle: „hilfe“ (diese Hilfe), „liste“ (alle Rollen und Themen), "
        "oder einfach ein Rollenname.",
        "en": "I answer questions about roles in marketing, sales, business development "
        "and e-commerce, quoting our knowledge base (in German).\n"
        "Examples:\n"
        "• What does a business development manager do?\n"
        "• Who is responsible for key accounts?\n"
        "• Difference between marketing and sales?\n"
        "Commands: “help”, “list” (all roles and topics), or just a role name.",
    },
    "list_header": {
        "de": "Rollen und Themen nach Bereich:",
        "en": "Roles and topics by department:",
    },
    "welcome": {
        "de": "Willkommen! Ich bin Rollenbot und erkläre dir, wer bei uns was macht: "
        "Marketing, Vertrieb, Business Development und E-Commerce. "
        "Frag mich einfach, zum Beispiel:",
        "en": "Welcome! I am Rollenbot and explain who does what here: marketing, sales, "
        "business development and e-commerce. Just ask me, for example:",
    },
}

EXAMPLE_QUESTIONS: dict[Language, tuple[str, ...]] = {
    "de": (
        "Was macht ein Business Development Manager?",
        "Wer ist für Key Accounts zuständig?",
        "Unterschied Marketing und Vertrieb?",
    ),
    "en": (
        "What does a business development manager do?",
        "Who is responsible for key accounts?",
        "Difference between marketing and sales?",
    ),
}

HELP_WORDS = frozenset({"hilfe", "help", "?", "hilfe!"})
LIST_WORDS = frozenset({"liste", "list", "rollen", "roles", "themen", "topics"})


def pick(
    table: dict[str, dict[Language, str]], key: str, language: Language, **values: object
) -> str:
    """String ``key`` of ``table`` in ``language`` (German if missing), formatted."""
    text = table[key].get(language) or table[key]["de"]
    return text.format(**values) if values else text


def t(key: str, language: Language = "de", **values: object) -> str:
    """The UI string ``key`` in ``language``, formatted with ``values``."""
    return pick(_STRINGS, key, language, **values)
