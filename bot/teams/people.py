"""The people holding a quoted role, for a Teams card: plain names (escaped, so no
``<at>`` mention can form), with a mailto link when ``people.yaml`` knows the e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from bot.core.models import Language
from bot.core.people import EMAIL, Person
from bot.teams.cards import escape
from bot.wording import t


def person_text(person: Person) -> str:
    """One colleague as card markdown: the escaped name, linked to ``mailto:`` if known."""
    name = escape(" ".join(person.name.split()))
    if person.email and EMAIL.fullmatch(person.email):
        return f"[{name}](mailto:{quote(person.email, safe='@.+-_')})"
    return name


def people_block(people: Sequence[Person], language: Language) -> dict[str, Any]:
    """A TextBlock listing ``people`` under a bold line, or saying nobody was found."""
    if not people:
        text = escape(t("people_none", language))
    else:
        lines = [f"**{escape(t('people_here', language))}**",
                 *(f"- {person_text(p)}" for p in people)]
        text = "\n".join(lines)
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": "Medium"}
