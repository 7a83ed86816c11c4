"""Comparisons as Adaptive Cards: two roles like for like (the same kind of sentences
for both, row by row, so titles, quotes and task lists line up; one set of buttons for
both), and two departments' comparison paragraphs side by side. Side by side when the
card is at least of standard width, one under the other when it is narrow (the
``targetWidth`` of Teams' responsive cards)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.models import Language, Passage
from bot.reply import Contrast, Feedback
from bot.teams.cards import (
    Element,
    _block,
    _card,
    card_ref,
    escape,
    gist_container,
    head_lines,
    heading,
    paragraph_blocks,
    plain_answer,
    quote,
    show_buttons,
    tasks_of,
    with_feedback,
)
from bot.teams.views import apply_visibility, switcher_row, view_state, view_switcher
from bot.wording import t

WIDE, NARROW = "atLeast:Standard", "atMost:Narrow"
FIRST_ROWS = 2  # paragraphs of a contrast shown before "Alle Unterschiede"


def _row(cells: Sequence[Element], element_id: str | None = None,
         hidden: bool = False) -> Element:
    """Two cells side by side, top-aligned, of equal width."""
    row: Element = {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "stretch", "items": [cell]} for cell in cells]}
    if element_id:
        row["id"] = element_id
    if hidden:
        row["isVisible"] = False
    return row


def _tasks_box(passage: Passage, element_id: str | None = None) -> Element:
    tasks = tasks_of(passage) or [p for p in passage.paragraphs if "•" in p]
    box: Element = {"type": "Container", "style": "emphasis",
                    "items": paragraph_blocks(tasks) or [_block("–", isSubtle=True)]}
    if element_id:
        box["id"] = element_id
    return box


def comparison_card(
    passages: Sequence[Passage], language: Language, *, question: str | None = None,
    more: Sequence[Passage] = (), question_id: str | None = None, feedback: Feedback = "ask",
    highlights: Mapping[str, Sequence[str]] | None = None, full: bool = False,
    about: Passage | None = None,
) -> dict[str, Any]:
    """Two roles like for like: titles, then the same kind of sentences for each (their
    openings), the task lists and the whole passages one click away, row by row."""
    chosen = {p.id: tuple((highlights or {}).get(p.id, ())) for p in passages}
    ids = {"open": "open-c", "close": "close-c", "show_tasks": "show-tasks-c",
           "hide_tasks": "hide-tasks-c"}
    gists, fulls, tasks = ["gist-row"], ["full-row"], ["tasks-row"]
    task_gists = all(line.startswith("•") for p in passages for line in chosen[p.id])
    for n in range(len(passages)):
        gists.append(f"gist-{n}-narrow")
        fulls.append(f"full-{n}-narrow")
        tasks.append(f"tasks-{n}-narrow")
    body: list[Element] = [
        heading(" ↔ ".join(p.title for p in passages)),
        *head_lines(language, question=question, about=about,
                    sources=[p.source.label() for p in passages]),
        view_switcher(ids, gists=gists, fulls=fulls, tasks=tasks, language=language,
                      gist_with_tasks=not task_gists),
        {"type": "Container", "targetWidth": WIDE, "items": [
            _row([_block(escape(p.title), weight="Bolder") for p in passages]),
            _row([gist_container(p, chosen[p.id], f"gist-{n}") for n, p in
                  enumerate(passages)], "gist-row"),
            _row([_tasks_box(p) for p in passages], "tasks-row", hidden=True),
            _row([{**quote(p), "id": f"full-{n}"} for n, p in enumerate(passages)],
                 "full-row", hidden=True),
        ]},
        {"type": "Container", "targetWidth": NARROW, "items": [
            item for n, p in enumerate(passages) for item in (
                _block(escape(p.title), weight="Bolder"),
                gist_container(p, chosen[p.id], f"gist-{n}-narrow"),
                {**_tasks_box(p, f"tasks-{n}-narrow"), "isVisible": False},
                {**quote(p), "id": f"full-{n}-narrow", "isVisible": False})]},
    ]
    if full:
        apply_visibility(body, view_state(ids, gists=gists, fulls=fulls, tasks=tasks,
                                          full=True, with_tasks=False))
    more = [p for p in more if p not in passages][:2]
    if more:
        body += [_block(escape(t("more", language)), weight="Bolder"),
                 show_buttons(more, language)]
    ref = card_ref(question, [*passages, *more], len(passages), question_id, "more", language)
    body, actions = with_feedback(body, ref, language, feedback)
    return _card(body, actions, "\n\n".join(plain_answer(p, language) for p in passages))


def contrast_card(
    best: Passage, contrast: Contrast, language: Language, *, question: str | None = None,
    more: Sequence[Passage] = (), question_id: str | None = None, feedback: Feedback = "ask",
    full: bool = False,
) -> dict[str, Any]:
    """How two departments differ: per comparison paragraph its title and what it says
    of each side, side by side (the first three, "Alle Unterschiede" for the rest),
    the whole paragraphs one click away."""
    left, right = contrast.sides
    rows = contrast.rows
    body: list[Element] = [
        heading(t("contrast_title", language, left=left, right=right)),
        *head_lines(language, question=question, about=None,
                    sources=[row.passage.source.label() for row in rows]),
    ]
    views = [("open-x", t("full_description", language),
              {"rows-x": False, "full-x": True, "open-x": False, "close-x": True}),
             ("close-x", t("short_version", language),
              {"rows-x": True, "full-x": False, "open-x": True, "close-x": False})]
    body.append(switcher_row("open-x", views, shown={"open-x"}))
    wide: list[Element] = [_row([_block(f"**{escape(left)}**"), _block(f"**{escape(right)}**")])]
    narrow: list[Element] = []
    for n, row in enumerate(rows):
        extra = {"id": f"row-{n}", "isVisible": False} if n >= FIRST_ROWS else {}
        wide.append({"type": "Container", **extra, "items": [
            _block(escape(row.passage.title), weight="Bolder", size="Small",
                   spacing="Medium"),
            _row([_block(escape(" ".join(said)), spacing="None")
                  for said in (row.left, row.right)])]})
        narrow.append({"type": "Container", **({**extra, "id": f"row-{n}-narrow"}
                                               if extra else {}), "items": [
            _block(escape(row.passage.title), weight="Bolder", size="Small"),
            *(_block(f"**{escape(side)}:** {escape(' '.join(said))}", spacing="Small")
              for side, said in ((left, row.left), (right, row.right)))]})
    rest = [f"row-{n}" for n in range(FIRST_ROWS, len(rows))]
    rest += [f"{x}-narrow" for x in rest]
    table: list[Element] = [
        {"type": "Container", "style": "emphasis", "targetWidth": WIDE, "items": wide},
        {"type": "Container", "style": "emphasis", "targetWidth": NARROW, "items": narrow}]
    if rest:
        table.append(switcher_row("more-x", [
            ("more-x", t("all_differences", language),
             {**dict.fromkeys(rest, True), "more-x": False, "fewer-x": True}),
            ("fewer-x", t("fewer_differences", language),
             {**dict.fromkeys(rest, False), "more-x": True, "fewer-x": False})],
            shown={"more-x"}))
    body.append({"type": "Container", "id": "rows-x", "items": table})
    body.append({"type": "Container", "id": "full-x", "isVisible": False, "items": [
        item for row in rows for item in (_block(escape(row.passage.title), weight="Bolder"),
                                          quote(row.passage))]})
    if full:
        apply_visibility(body, views[0][2])
    more = list(more)[:2]
    if more:
        body += [_block(escape(t("more", language)), weight="Bolder"),
                 show_buttons(more, language)]
    ref = card_ref(question, [best, *more], 1, question_id, "more", language)
    body, actions = with_feedback(body, ref, language, feedback)
    fallback = "\n\n".join(plain_answer(row.passage, language) for row in rows)
    return _card(body, actions, fallback)
