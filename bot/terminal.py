"""Plain-text rendering of answers for the terminal (`rolle ask`, `rolle chat`)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from bot.conversation import Reply
from bot.core.highlight import excerpt, gist, locate
from bot.core.models import Answer, Language, Passage
from bot.core.text import clean_question
from bot.core.tour import TourAction, TourView
from bot.texts import report_lines, t

MARK = "**"  # around the highlighted sentences in the terminal


def passage_json(passage: Passage, score: float | None = None,
                 highlights: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON form of a passage, as `rolle ask --json` prints it; ``highlights`` are
    its gist for the question (verbatim sentences of ``text``, in order)."""
    out: dict[str, Any] = {
        "id": passage.id,
        "title": passage.title,
        "text": passage.text,
        "source": passage.source.label(),
        "seed": passage.source.seed,
    }
    if score is not None:
        out["score"] = score
    if highlights is not None:
        out["highlights"] = list(highlights)
    return out


def answer_json(answer: Answer) -> str:
    """One line of JSON for an answer."""
    data: dict[str, Any] = {
        "question": answer.question,
        "answered": answer.answered,
        "outcome": answer.outcome,
        "comparison": answer.comparison,
        "passages": [passage_json(h.passage, h.score,
                                  gist(h.passage, clean_question(answer.question)))
                     for h in answer.hits],
        "reason": answer.reason,
        "language": answer.language,
        "confidence": answer.confidence,
    }
    if answer.reason == "out_of_scope":
        data["related"] = [p.id for p in answer.suggestions]
    elif answer.outcome == "none":
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


def marked(text: str, highlights: tuple[str, ...]) -> str:
    """``text`` with each highlighted sentence between ``**`` (a task line's "• "
    stays in front of the mark)."""
    out, at = [], 0
    for start, end in sorted(locate(text, highlights)):
        if text.startswith("• ", start):
            start += 2
        out += [text[at:start], MARK, text[start:end], MARK]
        at = end
    return "".join([*out, text[at:]])


def render_passage(passage: Passage, score: float | None = None,
                   highlights: tuple[str, ...] = ()) -> str:
    """A passage with its title, quoted text (the ``highlights`` marked) and source."""
    head = passage.title + (f"  (score {score:.2f})" if score is not None else "")
    text = marked(passage.text, highlights)
    return f"{head}\n{_quote(text)}\n{t('source', 'de', source=passage.source.label())}"


def render(reply: Reply) -> str:
    """The readable terminal form of a decided reply."""
    language = reply.language
    if reply.kind == "help":
        return t("help", language)
    if reply.kind == "listing":
        return render_catalogue(reply.catalogue or {}, language)
    if reply.kind == "empty":
        return t("empty", language)
    if reply.kind == "too_long":
        return t("too_long", language, length=len(reply.question), limit=reply.limit)
    if reply.kind == "rate_limited":
        return t("rate_limited", language)
    if reply.kind == "report":
        return "\n".join(report_lines(reply.gaps, language))
    if reply.kind == "tour" and reply.tour is not None:
        return render_tour(reply.tour, language)
    scores = {h.passage.id: h.score for h in reply.hits}
    if reply.quotes:
        out = "\n\n".join(render_passage(p, scores.get(p.id), reply.gist(p))
                            for p in reply.shown)
        if reply.comparison:
            out = f"{t('comparison', language)}\n\n{out}"
        if reply.people_asked:
            out += "\n\n" + people_text(reply)
        if reply.offered:
            more = ", ".join(_titled(p, scores.get(p.id)) for p in reply.offered)
            out += f"\n\n{t(reply.offer_label or 'more', language)} {more}"
        return out
    label = "did_you_mean" if reply.kind == "clarify" else "no_answer"
    names = "\n".join(f"  • {_titled(p, scores.get(p.id))}" for p in reply.offered)
    return f"{t(label, language)}\n{names}"


def people_text(reply: Reply) -> str:
    """The people holding the quoted role, by name (and e-mail), or "nobody found"."""
    if not reply.people:
        return t("people_none", reply.language)
    names = (f"  • {p.name}" + (f" <{p.email}>" if p.email else "") for p in reply.people)
    return "\n".join([t("people_here", reply.language), *names])


def _titled(passage: Passage, score: float | None) -> str:
    return passage.title if score is None else f"{passage.title} ({score:.2f})"


def render_catalogue(groups: Mapping[str, Sequence[Passage]], language: Language = "de") -> str:
    """Roles and topics grouped by department."""
    lines = [t("list_header", language)]
    for department, passages in groups.items():
        lines.append(f"\n{department}")
        lines.extend(f"  • {p.title}" for p in passages)
    return "\n".join(lines)


# --- the guided tour ---------------------------------------------------------------------
# What may be typed while a tour step is shown (German and English, and their initials).
TOUR_KEYS: dict[str, TourAction] = {
    "weiter": "next", "w": "next", "next": "next", "n": "next",
    "zurück": "back", "zurueck": "back", "z": "back", "back": "back", "b": "back",
    "mehr": "more", "m": "more", "more": "more", "kurz": "less", "less": "less",
    "ende": "end", "e": "end", "end": "end", "beenden": "end", "stop": "end",
}


def render_tour(view: TourView, language: Language) -> str:
    """A tour view as text: the numbered department menu, a step with the keys to go
    on, or the end with the menu again."""
    if view.step is not None and view.state is not None:
        passage = view.step.passage
        progress = t("tour_step", language, department=view.state.department,
                     number=view.number, total=view.total)
        text = passage.text if view.full or not view.gist else "\n".join(
            excerpt(passage.text, view.gist))
        return "\n".join([f"{progress} · {t(f'tour_part_{view.step.part}', language)}",
                          passage.title, _quote(text),
                          t("source", language, source=passage.source.label()),
                          f"[{t('tour_keys', language)}]"])
    lines = [t("tour_finished", language, department=view.state.department)
             if view.finished and view.state is not None else t("tour_intro", language),
             t("tour_question", language)]
    lines += [f"  {n}. {d}" for n, d in enumerate(view.departments, 1)]
    if view.resume is not None:
        lines.append("  0. " + t("tour_resume", language, department=view.resume.department,
                                 number=view.resume.position + 1, total=view.resume_total))
    lines.append(t("tour_pick", language))
    return "\n".join(lines)


def tour_input(line: str, view: TourView) -> tuple[TourAction, str, int] | None:
    """What a typed line means while ``view`` is shown: (action, department, position)
    for :meth:`bot.conversation.Conversation.tour`, or None when it is no tour key (a
    question, or "ende" on the menu)."""
    word = line.strip().lower()
    if view.step is not None and view.state is not None:
        action = TOUR_KEYS.get(word)
        return (action, view.state.department, view.state.position) if action else None
    if word == "0" and view.resume is not None:
        return "resume", view.resume.department, view.resume.position
    if word.isdigit() and 1 <= int(word) <= len(view.departments):
        return "start", view.departments[int(word) - 1], 0
    return None
