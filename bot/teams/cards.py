"""Engine results as Teams messages: Adaptive Cards for answers and the welcome, markdown
text for help, lists and refusals. All text is escaped for the markdown it lands in."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from bot.core.highlight import excerpt, gist
from bot.core.models import Language, Passage
from bot.texts import EXAMPLE_QUESTIONS, t

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"  # the highest version Teams renders on desktop, web and mobile
# Action.Submit data carries this key; its value names what the button does.
ACTION_KEY = "rolle"
SHOW, FEEDBACK, ASK, MISSING = "show", "feedback", "ask", "missing"
MISSING_INPUT = "missing"  # the Input.Text of "Was hat gefehlt?"
MAX_COMMENT_CHARS = 300
Feedback = Literal["ask", "thanks", "missing"]
MAX_MORE = 2
_BUTTON_TITLE_CHARS = 45  # longer titles are cut at a word; the tooltip has them whole

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


def _block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str) -> dict:
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


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    action = {"type": "Action.Submit", "title": button_label(title), "data": data}
    if action["title"] != title:
        action["tooltip"] = title
    return action


def _is_task_paragraph(paragraph: str) -> bool:
    return any(line.lstrip().startswith("•") for line in paragraph.splitlines())


def _paragraph_blocks(paragraphs: Sequence[str]) -> list[dict[str, Any]]:
    """Paragraphs verbatim as TextBlocks, task lists one line each."""
    items: list[dict[str, Any]] = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if not _is_task_paragraph(paragraph):
            items.append(_block(escape(" ".join(line.strip() for line in lines))))
            continue
        for n, line in enumerate(lines):
            spacing = "Small" if n == 0 else "None"
            items.append(_block(escape(line.strip()), spacing=spacing))
    return items


def _quote(passage: Passage) -> dict[str, Any]:
    """The passage verbatim in an emphasised container, task lists one line each."""
    return {"type": "Container", "style": "emphasis",
            "items": _paragraph_blocks(passage.paragraphs)}


def element_ids(n: int = 0) -> dict[str, str]:
    """The ids of the gist, whole-passage and task-list containers of the ``n``-th
    quoted passage of a card."""
    return {"gist": f"gist-{n}", "full": f"full-{n}", "tasks": f"tasks-{n}"}


def _gist_quote(passage: Passage, sentences: Sequence[str], language: Language,
                n: int = 0) -> list[dict[str, Any]]:
    """The gist (the chosen verbatim sentences) in view; the whole passage and its task
    list hidden; and the buttons that reveal them (``Action.ToggleVisibility``).

    "Ganze Beschreibung" swaps the gist and the whole passage (and closes the task
    list, which the whole passage contains); "Aufgaben" opens or closes the task list
    under the gist (and closes the whole passage). So the card never shows a text twice
    in full, and each button always does what it says from any state.
    """
    ids = element_ids(n)
    lines = excerpt(passage.text, sentences) if sentences else ()
    if not lines:  # nothing chosen: the whole passage is the gist
        return [_quote(passage)]
    items: list[dict[str, Any]] = [
        {"type": "Container", "id": ids["gist"], "style": "emphasis",
         "items": [_block(escape(line), spacing="None" if i and line.startswith("•")
                          else "Default") for i, line in enumerate(lines)]},
        {**_quote(passage), "id": ids["full"], "isVisible": False},
    ]
    tasks = [p for p in passage.paragraphs if _is_task_paragraph(p)]
    with_tasks = bool(tasks) and len(tasks) < len(passage.paragraphs)
    whole: list[str | dict[str, Any]] = [ids["gist"], ids["full"]]
    if with_tasks:
        whole.append({"elementId": ids["tasks"], "isVisible": False})
    toggles = [{"type": "Action.ToggleVisibility", "title": t("full_description", language),
                "targetElements": whole}]
    if with_tasks:
        items.append({"type": "Container", "id": ids["tasks"], "isVisible": False,
                      "style": "emphasis", "items": _paragraph_blocks(tasks)})
        toggles.append({"type": "Action.ToggleVisibility", "title": t("tasks", language),
                        "targetElements": [ids["tasks"],
                                           {"elementId": ids["gist"], "isVisible": True},
                                           {"elementId": ids["full"], "isVisible": False}]})
    return [*items, {"type": "ActionSet", "actions": toggles}]


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
) -> dict[str, Any]:
    """An Adaptive Card quoting ``passage``: the gist first, the whole passage and the
    task list one click away.

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
            ``question`` by :func:`bot.core.highlight.gist`).

    Returns:
        The card as a JSON-ready dict.
    """
    body = [_block(escape(passage.title), size="Medium", weight="Bolder", style="heading")]
    if question:
        text = t("your_question", language, question=escape(" ".join(question.split())))
        body.append(_block(text, isSubtle=True, spacing="None", size="Small"))
    if highlights is None:
        highlights = gist(passage, question or "")
    quote = _gist_quote(passage, highlights, language)
    source = t("source", language, source=escape(passage.source.label()))
    body += [*quote[:-1], _block(source, isSubtle=True, size="Small"), *quote[-1:]]
    more = [p for p in more if p.id != passage.id][:MAX_MORE]
    if more:
        body.append(_block(t(more_label, language), weight="Bolder"))
        body.append(show_buttons(more, language))
    ref = {"q": html.escape(question or ""), "ids": [passage.id, *(p.id for p in more)], "n": 1,
           "qid": question_id, "label": more_label, "lang": language}
    body, actions = _with_feedback(body, ref, language, feedback)
    return _card(body, actions, plain_answer(passage, language))


def show_buttons(passages: Iterable[Passage], language: Language) -> dict[str, Any]:
    """An ActionSet with one "show this passage" button per passage."""
    return {
        "type": "ActionSet",
        "actions": [_submit(p.title, {ACTION_KEY: SHOW, "passage": p.id, "lang": language})
                    for p in passages],
    }


def _with_feedback(
    body: list[dict[str, Any]], ref: dict[str, Any], language: Language, feedback: Feedback
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The card body and actions for the feedback state. ``ref`` (question, HTML-escaped
    so no markup travels in the data; passage ids; recorded question id) travels in the
    buttons, so that the card can be rebuilt on click."""
    data = {ACTION_KEY: FEEDBACK, "passage": ref["ids"][0], "lang": language, "ref": ref}
    if feedback == "ask":
        return body, [
            _submit("👍 " + t("helpful", language), {**data, "helpful": True}),
            _submit("👎 " + t("not_helpful", language), {**data, "helpful": False}),
        ]
    body = [*body, _block(escape(t("thanks_feedback", language)), isSubtle=True)]
    if feedback == "thanks":
        return body, []
    body.append({"type": "Input.Text", "id": MISSING_INPUT, "maxLength": MAX_COMMENT_CHARS,
                 "label": t("what_was_missing", language), "isRequired": False})
    return body, [_submit(t("send", language), {**data, ACTION_KEY: MISSING})]


def answer_card(
    shown: Sequence[Passage], language: Language, *, question: str | None = None,
    more: Sequence[Passage] = (), more_label: str = "more", question_id: str | None = None,
    feedback: Feedback = "ask", highlights: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The card for quoted passages: one (:func:`passage_card`) or two side by side
    (:func:`comparison_card`); ``highlights`` by passage id (default: chosen for
    ``question``)."""
    if len(shown) >= 2:
        return comparison_card(shown[:2], language, question=question,
                               question_id=question_id, feedback=feedback,
                               highlights=highlights)
    chosen = highlights.get(shown[0].id) if highlights else None
    return passage_card(shown[0], language, question=question, more=more,
                        more_label=more_label, question_id=question_id, feedback=feedback,
                        highlights=chosen)


def comparison_card(
    passages: Sequence[Passage], language: Language, *, question: str | None = None,
    question_id: str | None = None, feedback: Feedback = "ask",
    highlights: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Two passages side by side (a ColumnSet), each under its title with its gist and
    the buttons that reveal the whole passage and its tasks, then the source."""
    chosen = {p.id: (highlights or {}).get(p.id) or gist(p, question or "") for p in passages}
    body: list[dict[str, Any]] = [
        _block(escape(t("comparison", language)), size="Medium", weight="Bolder",
               style="heading"),
    ]
    if question:
        text = t("your_question", language, question=escape(" ".join(question.split())))
        body.append(_block(text, isSubtle=True, spacing="None", size="Small"))
    body.append({
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch",
             "items": [_block(escape(p.title), weight="Bolder"),
                       *_gist_quote(p, chosen[p.id], language, n)]}
            for n, p in enumerate(passages)
        ],
    })
    sources = " · ".join(dict.fromkeys(p.source.label() for p in passages))
    body.append(_block(t("source", language, source=escape(sources)), isSubtle=True,
                       size="Small"))
    fallback = "\n\n".join(plain_answer(p, language) for p in passages)
    ref = {"q": html.escape(question or ""), "ids": [p.id for p in passages], "n": len(passages),
           "qid": question_id, "label": "more", "lang": language}
    body, actions = _with_feedback(body, ref, language, feedback)
    return _card(body, actions, fallback)


def offer_card(note: str, passages: Sequence[Passage], language: Language) -> dict[str, Any]:
    """Our ``note`` ("did you mean …?") with one button per candidate passage."""
    body = [_block(escape(note)), show_buttons(passages, language)]
    lines = [note, *(f"- {p.title}" for p in passages)]
    return _card(body, [], "\n".join(lines))


def welcome_card(departments: Mapping[str, Iterable[Passage]], language: Language,
                 tour: Sequence[dict[str, Any]] = ()) -> dict:
    """The onboarding card: what the bot does, the example questions as buttons that ask
    them, the departments with their roles and topics, and ``tour`` (the guided tour's
    "In welchem Bereich startest du?" elements) at the end."""
    questions = EXAMPLE_QUESTIONS[language]
    body: list[dict[str, Any]] = [
        _block("Rollenbot", size="Large", weight="Bolder", style="heading"),
        _block(escape(t("welcome", language))),
        {
            "type": "ActionSet",
            "actions": [
                _submit(q, {
                    ACTION_KEY: ASK,
                    "q": q,
                    # messageBack shows the question in the chat as if the user typed it.
                    "msteams": {"type": "messageBack", "displayText": q, "text": q},
                })
                for q in questions
            ],
        },
        _block(escape(t("list_header", language)), weight="Bolder", spacing="Large"),
    ]
    lines = [t("welcome", language), *questions, t("list_header", language)]
    for department, passages in departments.items():
        titles = [p.title for p in passages]
        body.append(_block(f"**{escape(department)}**", spacing="Medium"))
        body.append(_block(", ".join(escape(x) for x in titles), spacing="None", isSubtle=True))
        lines.append(f"{department}: {', '.join(titles)}")
    body.extend(tour)
    return _card(body, [], "\n".join(lines))


def markdown(text: str) -> str:
    """A UI string as Teams chat markdown: escaped, every line its own paragraph."""
    return "\n\n".join(escape(line) for line in text.splitlines() if line.strip())


def bullet_list(titles: Iterable[str]) -> str:
    """Escaped titles as a markdown list."""
    return "\n".join(f"- {escape(title)}" for title in titles)


def no_answer_text(suggestions: Sequence[Passage], language: Language) -> str:
    """Friendly refusal listing the roles and topics the bot knows."""
    return markdown(t("no_answer", language)) + "\n\n" + bullet_list(p.title for p in suggestions)


def list_text(departments: Mapping[str, Iterable[Passage]], language: Language) -> str:
    """All roles and topics, grouped by department."""
    parts = [markdown(t("list_header", language))]
    for department, passages in departments.items():
        parts.append(f"**{escape(department)}**\n\n" + bullet_list(p.title for p in passages))
    return "\n\n".join(parts)
