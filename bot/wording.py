"""The UI strings of every front end, German by default, English for English questions.
Quoted passages are never translated."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.models import Language
from bot.report.gaps import Gap

_STRINGS: dict[str, dict[Language, str]] = {
    "no_match": {
        "de": "Dazu habe ich nichts in meiner Wissensbasis – hier sind die Rollen und "
        "Themen nach Bereich:",
        "en": "My knowledge base has nothing on that – here are the roles and topics by "
        "department:",
    },
    "out_of_scope": {
        "de": "Das beantworten meine Artikel nicht – am nächsten kommt:",
        "en": "My articles do not answer that – the closest they have:",
    },
    "declined": {
        "de": "Danke, notiert – hier sind die Rollen und Themen nach Bereich:",
        "en": "Thanks, noted – here are the roles and topics by department:",
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
    "full_description": {"de": "Ganze Beschreibung", "en": "Full description"},
    "tasks": {"de": "Aufgaben", "en": "Tasks"},
    "short_version": {"de": "Kurzfassung", "en": "Short version"},
    "more": {"de": "Weitere Treffer:", "en": "More matches:"},
    "related": {"de": "Verwandt:", "en": "Related:"},
    "did_you_mean": {
        "de": "Da bin ich mir nicht sicher. Meinst du eins davon?",
        "en": "I am not sure about that one. Did you mean one of these?",
    },
    "comparison": {"de": "Im Vergleich:", "en": "Side by side:"},
    "your_question": {"de": "Deine Frage: {question}", "en": "Your question: {question}"},
    "share": {"de": "Im Kanal teilen", "en": "Share in channel"},
    "shared_by": {"de": "Geteilt von {user}", "en": "Shared by {user}"},
    "helpful": {"de": "Hilfreich", "en": "Helpful"},
    "not_helpful": {"de": "Nicht hilfreich", "en": "Not helpful"},
    "thanks_feedback": {
        "de": "Danke für dein Feedback!",
        "en": "Thanks for your feedback!",
    },
    "what_was_missing": {"de": "Was hat gefehlt? (optional)", "en": "What was missing? (optional)"},
    "send": {"de": "Senden", "en": "Send"},
    "help": {
        "de": "Ich beantworte Fragen zu Rollen in Marketing, Vertrieb, Business Development "
        "und E-Commerce, mit Zitaten aus unserer Wissensbasis. Folgefragen wie „und der "
        "Head davon?“ beziehen sich auf meine letzte Antwort.\n"
        "Befehle: „hilfe“ (diese Hilfe), „liste“ (alle Rollen und Themen), "
        "„tour“ (geführte Tour durch einen Bereich), „mehr“ (die ganze Beschreibung), "
        "oder einfach ein Rollenname.",
        "en": "I answer questions about roles in marketing, sales, business development "
        "and e-commerce, quoting our knowledge base (in German). Follow-ups such as “and "
        "the head of it?” refer to my last answer.\n"
        "Commands: “help”, “list” (all roles and topics), “guided tour” (a department "
        "step by step), “more” (the full description), or just a role name.",
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
    "lost": {
        "de": "Entschuldigung: Eine Frage, die du mir vor einer Weile gestellt hast, ist bei "
        "einem Neustart verloren gegangen. Bitte stell sie noch einmal.",
        "en": "Sorry: a question you asked me a while ago got lost in a restart. Please ask "
        "it again.",
    },
    "report_header": {
        "de": "Wissenslücken der letzten {days} Tage: Fragen ohne Antwort, nach Ähnlichkeit "
        "gruppiert",
        "en": "Knowledge gaps of the last {days} days: unanswered questions, grouped by "
        "similarity",
    },
    "report_empty": {
        "de": "Keine unbeantworteten Fragen in den letzten {days} Tagen.",
        "en": "No unanswered questions in the last {days} days.",
    },
    "report_hint": {
        "de": "Den ganzen Bericht (mit Diagramm und 👎-Kommentaren) erzeugt `rolle report --html`.",
        "en": "The full report (with a chart and the 👎 comments): `rolle report --html`.",
    },
    # --- the guided tour ---------------------------------------------------------------
    "tour_question": {"de": "In welchem Bereich startest du?",
                      "en": "Which department are you starting in?"},
    "tour_intro": {
        "de": "Geführte Tour: Ich zeige dir die Rollen eines Bereichs Schritt für Schritt und "
        "wie er mit seinen Nachbarbereichen zusammenarbeitet.",
        "en": "Guided tour: I show you a department's roles step by step, and how it works "
        "with its neighbours (the quotes are in German).",
    },
    "tour_resume": {"de": "Weiter bei {department} ({number}/{total})",
                    "en": "Continue {department} ({number}/{total})"},
    "tour_step": {"de": "Tour {department} · Schritt {number} von {total}",
                  "en": "Tour {department} · step {number} of {total}"},
    "tour_part_role": {"de": "Rolle", "en": "Role"},
    "tour_part_neighbour": {"de": "Zusammenarbeit mit den Nachbarbereichen",
                            "en": "Working with the neighbouring departments"},
    "tour_part_related": {"de": "Schnittstellen zu anderen Bereichen",
                          "en": "Where it connects to other departments"},
    "tour_next": {"de": "Weiter", "en": "Next"},
    "tour_back": {"de": "Zurück", "en": "Back"},
    "tour_more": {"de": "Mehr lesen", "en": "Read more"},
    "tour_less": {"de": "Kurzfassung", "en": "Short version"},
    "tour_end": {"de": "Tour beenden", "en": "End tour"},
    "tour_finish": {"de": "Tour abschließen", "en": "Finish tour"},
    "tour_finished": {
        "de": "Die Tour {department} ist beendet. Frag mich jederzeit nach einer Rolle, oder "
        "starte eine andere Tour:",
        "en": "The {department} tour is over. Ask me about any role at any time, or start "
        "another tour:",
    },
    "tour_keys": {"de": "weiter (w) · zurück (z) · mehr (m) · ende (e)",
                  "en": "next (n) · back (b) · more (m) · end (e)"},
    "tour_pick": {"de": "Nummer eingeben (oder „ende“):", "en": "Enter a number (or “end”):"},
    "people_here": {"de": "Bei uns in dieser Rolle:", "en": "In this role here:"},
    "people_none": {
        "de": "Ich habe bei uns niemanden mit diesem Titel gefunden.",
        "en": "I found no one here with this title.",
    },
    # --- Slack only ---------------------------------------------------------------------
    "question": {"de": "Frage: {question}", "en": "Question: {question}"},
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
        "de": "Tipp: `/rolle liste` zeigt alle Rollen und Themen, `/rolle tour` startet die "
        "geführte Tour, `/rolle hilfe` erklärt den Rest.",
        "en": "Tip: `/rolle list` shows all roles and topics, `/rolle tour` starts the guided "
        "tour, `/rolle help` explains the rest.",
    },
    "assistant_greeting": {
        "de": "Hallo! Ich erkläre dir, wer bei uns was macht. Frag mich nach einer Rolle "
        "oder einem Thema, zum Beispiel:",
        "en": "Hi! I explain who does what here. Ask me about a role or a topic, "
        "for example:",
    },
    "assistant_prompts_title": {"de": "Zum Beispiel:", "en": "For example:"},
    "looking": {"de": "sucht in der Wissensbasis …", "en": "is looking it up …"},
}

# Short strings of the ways on and the views (key: German, English).
_SHORT: dict[str, tuple[str, str]] = {
    "none_of_these": ("Keins davon", "None of these"),
    "show": ("Anzeigen", "Show"),
    "lead_list": ("Alle Rollen und Themen", "All roles and topics"),
    "lead_tour": ("Geführte Tour", "Guided tour"),
    "lead_help": ("Hilfe", "Help"),
    "about": ("Bezogen auf: {title}", "Following up on: {title}"),
    "type_hint": ("Tippe: {items}", "Type: {items}"),
    "more_hint": ("„mehr“: die ganze Beschreibung", "“more”: the full description"),
    "clarify_hint": ("Tippe einen Namen, oder „keins“.", "Type a name, or “none”."),
    "contrast_title": ("{left} und {right} im Vergleich", "{left} and {right} compared"),
    "all_differences": ("Alle Unterschiede", "All differences"),
    "fewer_differences": ("Weniger", "Fewer"),
    "hide_tasks": ("Aufgaben ausblenden", "Hide tasks"),
    "show_list": ("Rollen und Themen zeigen", "Show roles and topics"),
    "hide_list": ("Rollen und Themen ausblenden", "Hide roles and topics"),
    "examples": ("Beispiele:", "Examples:"),
    "show_topics": ("Themen zeigen ({count})", "Show the topics ({count})"),
    "hide_topics": ("Themen ausblenden", "Hide the topics"),
}
_STRINGS.update({key: {"de": de, "en": en} for key, (de, en) in _SHORT.items()})

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



def t(key: str, language: Language = "de", **values: object) -> str:
    """The UI string ``key`` in ``language`` (German if missing), formatted with ``values``."""
    text = _STRINGS[key].get(language) or _STRINGS[key]["de"]
    return text.format(**values) if values else text


def gap_lines(gaps: Sequence[Gap]) -> list[str]:
    """One plain line per knowledge gap: how often, and up to two example questions."""
    return [f"{gap.count}× " + " · ".join(f"„{e}“" for e in gap.examples[:2]) for gap in gaps]


def report_lines(gaps: Sequence[Gap], language: Language, days: int = 30) -> list[str]:
    """The knowledge-gap report as plain lines: a header, one line per gap, a hint."""
    if not gaps:
        return [t("report_empty", language, days=days)]
    return [t("report_header", language, days=days),
            *(f"• {line}" for line in gap_lines(gaps)), t("report_hint", language)]
