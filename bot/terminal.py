"""Plain-text rendering of answers for the terminal (`rolle ask`, `rolle chat`)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.models import Answer, Language, Passage
from bot.core.retrieval.highlight import excerpt, gist, locate
from bot.core.text.clean import clean_question
from bot.core.tour import TourAction, TourView
from bot.reply import Contrast, Reply
from bot.wording import report_lines, t

MARK = "**"  # marks highlighted sentences for tests and tools; never printed
BOLD, BOLD_COLOR, RESET = "\x1b[1m", "\x1b[1;36m", "\x1b[0m"
_HL_ON, _HL_OFF = "\x00<", ">\x00"  # placeholders while wrapping, replaced after


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
        bullet = line.replace(_HL_ON, "").startswith("•")
        lines.extend(textwrap.wrap(line, width - 2, initial_indent="> ", break_on_hyphens=False,
                                   subsequent_indent="> " + ("  " if bullet else "")))
    return "\n".join(lines)


def marked(text: str, highlights: tuple[str, ...], mark: tuple[str, str] = (MARK, MARK)) -> str:
    """``text`` with each highlighted sentence between ``mark`` (a task line's "• "
    stays in front of the mark)."""
    out, at = [], 0
    for start, end in sorted(locate(text, highlights)):
        if text.startswith("• ", start):
            start += 2
        out += [text[at:start], mark[0], text[start:end], mark[1]]
        at = end
    return "".join([*out, text[at:]])


def _styled(quoted: str, color: bool) -> str:
    """A quote whose highlighted sentences are between placeholders, finished: on a
    terminal each highlighted piece of a line in ANSI bold colour (the "> " left
    plain), piped without codes or marks."""
    if not color:
        return quoted.replace(_HL_ON, "").replace(_HL_OFF, "")
    lines, inside = [], False
    for line in quoted.split("\n"):
        prefix, body = line[:2], line[2:]
        start = BOLD_COLOR if inside else ""
        inside = body.rfind(_HL_ON) > body.rfind(_HL_OFF) if _HL_ON in body or _HL_OFF in body \
            else inside
        body = body.replace(_HL_ON, BOLD_COLOR).replace(_HL_OFF, RESET)
        lines.append(prefix + start + body + (RESET if inside else ""))
    return "\n".join(lines)


def render_passage(passage: Passage, highlights: tuple[str, ...] = (), *, full: bool = False,
                   color: bool = False, label: str = "de") -> str:
    """A passage as the chat front ends show it: its title, its gist (``highlights``)
    quoted, or with ``full`` the whole passage; the gist in bold colour on a terminal
    (``color``); then the source."""
    title = f"{BOLD}{passage.title}{RESET}" if color else passage.title
    if full or not highlights:
        body = _styled(_quote(marked(passage.text, highlights, (_HL_ON, _HL_OFF))), color)
    else:  # the gist: every line of it highlighted
        gist_lines = excerpt(passage.text, highlights)
        body = _styled(_quote("\n".join(_HL_ON + line + _HL_OFF for line in gist_lines)),
                       color)
    return f"{title}\n{body}\n{t('source', label, source=passage.source.label())}"  # type: ignore[arg-type]


def render(reply: Reply, *, color: bool = False) -> str:
    """The readable terminal form of a decided reply (``color``: ANSI styles for a
    terminal; plain text when piped)."""
    language = reply.language
    if reply.kind == "help":
        examples = [f"• {lead.text}" for lead in reply.leads if lead.kind == "example"]
        return "\n".join([t("help", language), t("examples", language), *examples])
    if reply.kind == "listing":
        return render_catalogue(reply.catalogue or {}, language) + _hint(reply)
    if reply.kind == "empty":
        return t("empty", language)
    if reply.kind == "thanks":
        return t("thanks_feedback", language)
    if reply.kind == "too_long":
        return t("too_long", language, length=len(reply.question), limit=reply.limit)
    if reply.kind == "rate_limited":
        return t("rate_limited", language)
    if reply.kind == "report":
        return "\n".join(report_lines(reply.gaps, language))
    if reply.kind == "tour" and reply.tour is not None:
        return render_tour(reply.tour, language)
    if reply.quotes:
        return _quoted(reply, color)
    if reply.kind == "clarify":
        lines = [t("did_you_mean", language)]
        lines += [f"  • {p.title}: {reply.blurbs.get(p.id, '')}".rstrip(": ")
                  for p in reply.offered]
        return "\n".join([*lines, t("clarify_hint", language)])
    lines = [t(reply.no_answer or "no_match", language)]
    lines += [f"  • {p.title}" for p in reply.offered]
    return "\n".join(lines) + _hint(reply)


def _quoted(reply: Reply, color: bool) -> str:
    language = reply.language
    parts: list[str] = []
    if reply.contrast is not None and not reply.full:
        parts.append(_contrast(reply.contrast, language, color))
    elif reply.contrast is not None:  # whole: every paragraph of the table
        parts += [render_passage(row.passage, full=True, color=color, label=language)
                  for row in reply.contrast.rows]
    else:
        if reply.comparison:
            parts.append(t("comparison", language))
        parts += [render_passage(p, reply.gist(p), full=reply.full, color=color,
                                 label=language) for p in reply.shown]
    out = "\n\n".join(parts)
    if reply.about is not None:
        out = t("about", language, title=reply.about.title) + "\n" + out
    shortened = any(sum(map(len, reply.gist(p))) < len(p.text.strip()) for p in reply.shown)
    if not reply.full and (reply.contrast is not None or shortened):
        out += "\n" + t("more_hint", language)
    if reply.people_asked:
        out += "\n\n" + people_text(reply)
    if reply.offered:
        more = ", ".join(p.title for p in reply.offered)
        out += f"\n\n{t(reply.offer_label or 'more', language)} {more}"
    return out


def _contrast(contrast: Contrast, language: Language, color: bool) -> str:
    left, right = contrast.sides
    title = t("contrast_title", language, left=left, right=right)
    lines = [f"{BOLD}{title}{RESET}" if color else title]
    for row in contrast.rows:
        lines += ["", row.passage.title]
        for side, said in ((left, row.left), (right, row.right)):
            lines.append(_quote(f"{side}: {' '.join(said)}"))
    sources = dict.fromkeys(row.passage.source.label() for row in contrast.rows)
    lines.append(t("source", language, source=" · ".join(sources)))
    return "\n".join(lines)


def _hint(reply: Reply) -> str:
    """What to type for the reply's ways on (the terminal's buttons)."""
    if not reply.leads:
        return ""
    return "\n" + t("type_hint", reply.language,
                    items=" · ".join(lead.text for lead in reply.leads))


def people_text(reply: Reply) -> str:
    """The people holding the quoted role, by name (and e-mail), or "nobody found"."""
    if not reply.people:
        return t("people_none", reply.language)
    names = (f"  • {p.name}" + (f" <{p.email}>" if p.email else "") for p in reply.people)
    return "\n".join([t("people_here", reply.language), *names])


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
