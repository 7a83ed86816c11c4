"""Plain-text rendering of answers for the terminal (`rolle ask`, `rolle chat`)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from bot.core.models import Answer, Passage
from bot.texts import t


def passage_json(passage: Passage, score: float | None = None) -> dict[str, Any]:
    """The JSON form of a passage, as `rolle ask --json` prints it."""
    out: dict[str, Any] = {
        "id": passage.id,
        "title": passage.title,
        "text": passage.text,
        "source": passage.source.label(),
        "seed": passage.source.seed,
    }
    if score is not None:
        out["score"] = score
    return out


def answer_json(answer: Answer) -> str:
    """One line of JSON for an answer."""
    data: dict[str, Any] = {
        "question": answer.question,
        "answered": answer.answered,
        "outcome": answer.outcome,
        "comparison": answer.comparison,
        "passages": [passage_json(h.passage, h.score) for h in answer.hits],
        "reason": answer.reason,
        "language": answer.language,
    }
    if not answer.answered:
        data["known_roles"] = [p.title for p in answer.suggestions]
    return json.dumps(data, ensure_ascii=False)


def _quote(text: str, width: int = 88) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            lines.append(">")
            continue
        lines.extend(textwrap.wrap(line, width - 2, initial_indent="> ",
                                   subsequent_indent="> " + ("  " if line.startswith("•") else "")))
    return "\n".join(lines)


def render_passage(passage: Passage, score: float | None = None) -> str:
    """A passage with its title, quoted text and source."""
    head = passage.title + (f"  (score {score:.2f})" if score is not None else "")
    return f"{head}\n{_quote(passage.text)}\n{t('source', 'de', source=passage.source.label())}"


def render_answer(answer: Answer, *, limit: int | None = None) -> str:
    """The readable terminal form of an answer."""
    lang = answer.language
    if answer.reason == "empty":
        return t("empty", lang)
    if answer.reason == "too_long":
        return t("too_long", lang, length=len(answer.question), limit=limit or "?")
    if not answer.answered:
        names = "\n".join(f"  • {p.title}" for p in answer.suggestions)
        return f"{t('no_answer', lang)}\n{names}"
    best, *rest = answer.hits
    out = render_passage(best.passage, best.score)
    if rest:
        more = ", ".join(f"{h.passage.title} ({h.score:.2f})" for h in rest)
        out += f"\n\n{t('more', lang)} {more}"
    return out


def render_catalogue(groups: dict[str, list[Passage]], language: str = "de") -> str:
    """Roles and topics grouped by department."""
    lines = [t("list_header", "en" if language == "en" else "de")]
    for department, passages in groups.items():
        lines.append(f"\n{department}")
        lines.extend(f"  • {p.title}" for p in passages)
    return "\n".join(lines)
