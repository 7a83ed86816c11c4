"""Engine results as Adaptive Cards for Teams: the building blocks (escaping, buttons,
view switchers) and the answer card. Comparisons are in :mod:`bot.teams.compare`, the
cards that offer instead of quoting (welcome, help, list, "Meinst du …?", no answer) in
:mod:`bot.teams.menus`. All text is escaped for the markdown it lands in."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.buttons import (
    AnswerRef,
    Ask,
    B,
    Button,
    ButtonKind,
    Missing,
    Rating,
    ShowPassage,
    dump,
    parse,
)
from bot.core.models import Language, Passage
from bot.core.retrieval.highlight import excerpt, gist
from bot.core.storage.port import MAX_COMMENT_CHARS
from bot.reply import Feedback, Lead
from bot.teams.views import apply_visibility, view_state, view_switcher
from bot.wording import t

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"  # the highest version Teams renders on desktop, web and mobile
# Action.Submit data is a button of bot.buttons, its kind under this key (the SDK routes
# submissions by it).
ACTION_KEY = "rolle"
SHOW: ButtonKind = "show"
FEEDBACK: ButtonKind = "feedback"
ASK: ButtonKind = "ask"
MISSING: ButtonKind = "missing"
DECLINE: ButtonKind = "decline"
MISSING_INPUT = "missing"  # the Input.Text of "Was hat gefehlt?"
MAX_MORE = 2
MAX_ACTIONS = 5  # per ActionSet (Teams shows at most 6; more go to an overflow menu)
_BUTTON_TITLE_CHARS = 45  # longer titles are cut at a word; the tooltip has them whole
Element = dict[str, Any]

# Markdown (and Teams' <at> mention markup) significant anywhere in a line.
_INLINE = re.compile(r"([\\`*_~\[\]<>#|])")
# Characters that only matter at the start of a line: list items and headings.
_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s)", re.MULTILINE)


def escape(text: str) -> str:
    """Escape ``text`` for Teams markdown (Adaptive Card TextBlock and chat messages).

    Backslash-escapes emphasis, code, link, heading, list and angle-bracket characters,
    so user text renders literally and cannot form ``<at>`` mentions or links. Double
    braces are broken up so Adaptive Card ``{{DATE()}}`` functions do not run.
    """
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text.replace("{{", "{\u200b{").replace("}}", "}\u200b}")


def _block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _card(body: list[Element], actions: list[Element], fallback: str) -> dict:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


def button_label(title: str, limit: int = _BUTTON_TITLE_CHARS) -> str:
    """``title`` as a button label: whole if short, else cut at a word and marked "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut and not title[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,:;-–") + "…"


def _strings(value: Any, change: Callable[[str], str], depth: int = 0) -> Any:
    """``value`` with ``change`` applied to its strings, as deep as a button's data goes."""
    if isinstance(value, str):
        return change(value)
    if depth < 3 and isinstance(value, dict):
        return {key: _strings(item, change, depth + 1) for key, item in value.items()}
    if depth < 3 and isinstance(value, list):
        return [_strings(item, change, depth + 1) for item in value]
    return value


def submit_data(button: Button) -> dict[str, Any]:
    """The Action.Submit data of ``button``: its fields, its kind under :data:`ACTION_KEY`,
    the strings HTML-escaped (so no markup of user text travels in a card)."""
    fields = dump(button)
    return {ACTION_KEY: fields.pop("kind"), **_strings(fields, html.escape)}


def parse_data(value: object) -> Button | None:
    """The button in submitted data (the card's inputs beside it); None when it is none."""
    if not isinstance(value, dict):
        return None
    return parse({**_strings(value, html.unescape), "kind": value.get(ACTION_KEY)})


def read_data(value: object, kind: type[B]) -> B | None:
    """The button of type ``kind`` in submitted data; None when it is no such button."""
    button = parse_data(value)
    return button if isinstance(button, kind) else None


def _submit(title: str, button: Button) -> Element:
    action = {"type": "Action.Submit", "title": button_label(title), "data": submit_data(button)}
    if action["title"] != title:
        action["tooltip"] = title
    return action


def action_sets(actions: Sequence[Element], **style: Any) -> list[Element]:
    """``actions`` in ActionSets of at most :data:`MAX_ACTIONS`."""
    return [{"type": "ActionSet", "actions": list(actions[i:i + MAX_ACTIONS]), **style}
            for i in range(0, len(actions), MAX_ACTIONS)]


def ask_action(lead: Lead, language: Language) -> Element:
    """A button that asks the lead's text, as if typed (a plain Action.Submit: it works
    in every Teams client and in the Agents Playground)."""
    return _submit(lead.label, Ask(text=lead.text, language=language))


def lead_sets(leads: Sequence[Lead], language: Language) -> list[Element]:
    """The ways on: the departments in one ActionSet, the commands (and examples) in
    the next."""
    departments = [ask_action(x, language) for x in leads if x.kind == "department"]
    others = [ask_action(x, language) for x in leads if x.kind != "department"]
    return [*action_sets(departments), *action_sets(others)]


def show_action(passage: Passage, language: Language) -> Element:
    """A button that shows ``passage``."""
    return _submit(passage.title, ShowPassage(passage=passage.id, language=language))


def show_buttons(passages: Iterable[Passage], language: Language) -> Element:
    """An ActionSet with one "show this passage" button per passage (at most five)."""
    return {"type": "ActionSet",
            "actions": [show_action(p, language) for p in passages][:MAX_ACTIONS]}


def element_ids(n: int = 0) -> dict[str, str]:
    """The ids of the gist, whole-passage and task-list containers of the ``n``-th
    quoted passage of a card, and of the buttons that switch between them."""
    return {"gist": f"gist-{n}", "full": f"full-{n}", "tasks": f"tasks-{n}",
            "open": f"open-{n}", "close": f"close-{n}", "show_tasks": f"show-tasks-{n}",
            "hide_tasks": f"hide-tasks-{n}"}


def is_task_paragraph(paragraph: str) -> bool:
    """Whether a paragraph holds "•" task lines."""
    return any(line.lstrip().startswith("•") for line in paragraph.splitlines())


def paragraph_blocks(paragraphs: Sequence[str]) -> list[Element]:
    """Paragraphs verbatim as TextBlocks, task lists one line each."""
    items: list[Element] = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if not is_task_paragraph(paragraph):
            items.append(_block(escape(" ".join(line.strip() for line in lines))))
            continue
        for n, line in enumerate(lines):
            spacing = "Small" if n == 0 else "None"
            items.append(_block(escape(line.strip()), spacing=spacing))
    return items


def quote(passage: Passage) -> Element:
    """The passage verbatim in an emphasised container, task lines one line each."""
    return {"type": "Container", "style": "emphasis",
            "items": paragraph_blocks(passage.paragraphs)}


def gist_container(passage: Passage, sentences: Sequence[str], element_id: str) -> Element:
    """The chosen verbatim sentences in an emphasised container."""
    lines = excerpt(passage.text, sentences) if sentences else ()
    return {"type": "Container", "id": element_id, "style": "emphasis",
            "items": [_block(escape(line), spacing="None" if i and line.startswith("•")
                             else "Default") for i, line in enumerate(lines)]}


def tasks_of(passage: Passage) -> list[str]:
    """The passage's task-list paragraphs, when it also has other paragraphs."""
    tasks = [p for p in passage.paragraphs if is_task_paragraph(p)]
    return tasks if tasks and len(tasks) < len(passage.paragraphs) else []


def heading(text: str) -> Element:
    """The card's title."""
    return _block(escape(text), size="Medium", weight="Bolder", style="heading")


def subtle(text: str, **style: Any) -> Element:
    """A small grey line (our own text, already escaped)."""
    return _block(text, isSubtle=True, size="Small", spacing="None", **style)


def head_lines(language: Language, *, question: str | None, about: Passage | None,
               sources: Sequence[str]) -> list[Element]:
    """Under the title: the question (escaped), what a follow-up was read against, and
    the source, so that none of them moves when the quote opens."""
    lines = []
    if question:
        lines.append(subtle(t("your_question", language,
                              question=escape(" ".join(question.split())))))
    if about is not None:
        lines.append(subtle(escape(t("about", language, title=about.title))))
    lines.append(subtle(t("source", language,
                          source=escape(" · ".join(dict.fromkeys(sources))))))
    return lines


def plain_answer(passage: Passage, language: Language) -> str:
    """The passage as plain text with its source: the fallback for clients without cards."""
    source = t("source", language, source=passage.source.label())
    return f"{passage.title}\n\n{passage.text}\n\n{source}"


def passage_card(
    passage: Passage,
    language: Language,
    *,
    question: str | None = None,
    more: Sequence[Passage] = (),
    more_label: str = "more",
    question_id: str | None = None,
    feedback: Feedback = "ask",
    highlights: Sequence[str] | None = None,
    full: bool = False,
    about: Passage | None = None,
) -> dict[str, Any]:
    """An Adaptive Card quoting ``passage``: title, question, source, the buttons that
    switch views, then the gist (the whole passage and the task list one click away),
    further passages, feedback.

    Args:
        passage: the passage to quote.
        language: language of the UI strings (the quote stays German).
        question: the user's question, shown (escaped) above the quote.
        more: further passages, at most two are offered as buttons.
        more_label: the text key of their heading ("more" or "related").
        question_id: the recorded question, carried by the feedback buttons.
        feedback: the 👍/👎 buttons ("ask"), the thanks after a click ("thanks"), or the
            thanks and the optional "Was hat gefehlt?" line after a 👎 ("missing").
        highlights: the verbatim sentences to show first (default: chosen for
            ``question`` by :func:`bot.core.retrieval.highlight.gist`).
        full: open with the whole passage in view.
        about: for a follow-up, the earlier answer's passage it was read against.

    Returns:
        The card as a JSON-ready dict.
    """
    ids = element_ids(0)
    body = [heading(passage.title),
            *head_lines(language, question=question, about=about,
                        sources=[passage.source.label()])]
    chosen = gist(passage, question or "") if highlights is None else highlights
    shown = excerpt(passage.text, chosen) if chosen else ()
    if not shown or "\n".join(shown).strip() == passage.text.strip():
        body.append(quote(passage))  # the gist is the whole passage: nothing to open
    else:
        tasks = tasks_of(passage)
        parts: dict[str, Any] = {"gists": [ids["gist"]], "fulls": [ids["full"]],
                                 "tasks": [ids["tasks"]] if tasks else []}
        body.append(view_switcher(ids, **parts, language=language))
        body.append(gist_container(passage, chosen, ids["gist"]))
        body.append({**quote(passage), "id": ids["full"], "isVisible": False})
        if tasks:
            body.append({"type": "Container", "id": ids["tasks"], "isVisible": False,
                         "style": "emphasis", "items": paragraph_blocks(tasks)})
        if full:
            apply_visibility(body, view_state(ids, **parts, full=True, with_tasks=False))
    more = [p for p in more if p.id != passage.id][:MAX_MORE]
    if more:
        body.append(_block(escape(t(more_label, language)), weight="Bolder"))
        body.append(show_buttons(more, language))
    ref = card_ref(question, [passage, *more], 1, question_id, more_label, language)
    body, actions = with_feedback(body, ref, language, feedback)
    return _card(body, actions, plain_answer(passage, language))


def card_ref(question: str | None, passages: Sequence[Passage], shown: int,
             question_id: str | None, label: str, language: Language) -> AnswerRef:
    """What the feedback buttons carry to rebuild the card: the question, the passages,
    how many are quoted, the recorded question, the heading of the further passages."""
    return AnswerRef(question=question or "", passages=tuple(p.id for p in passages),
                     shown=2 if shown == 2 else 1, question_id=question_id,
                     label="related" if label == "related" else "more", language=language)


def with_feedback(body: list[Element], ref: AnswerRef, language: Language,
                  feedback: Feedback) -> tuple[list[Element], list[Element]]:
    """The card body and actions for the feedback state; ``ref`` (:func:`card_ref`)
    travels in the buttons, so that the card can be rebuilt on click."""
    if feedback == "ask":
        return body, [
            _submit("👍 " + t("helpful", language), Rating(verdict="helpful", answer=ref)),
            _submit("👎 " + t("not_helpful", language),
                    Rating(verdict="not_helpful", answer=ref)),
        ]
    body = [*body, _block(escape(t("thanks_feedback", language)), isSubtle=True)]
    if feedback == "thanks":
        return body, []
    body.append({"type": "Input.Text", "id": MISSING_INPUT, "maxLength": MAX_COMMENT_CHARS,
                 "label": t("what_was_missing", language), "isRequired": False})
    return body, [_submit(t("send", language), Missing(answer=ref))]


def markdown(text: str) -> str:
    """A UI string as Teams chat markdown: escaped, every line its own paragraph."""
    return "\n\n".join(escape(line) for line in text.splitlines() if line.strip())
