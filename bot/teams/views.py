"""Views of an Adaptive Card switched in place, without a round trip: buttons
(``Action.ToggleVisibility``) whose label says what they do from the view shown
("Ganze Beschreibung" becomes "Kurzfassung" once open), and a card sent in a view other
than its first (whole, after "mehr")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.models import Language
from bot.wording import t

Element = dict[str, Any]


def view_state(ids: dict[str, str], *, gists: Sequence[str], fulls: Sequence[str],
               tasks: Sequence[str], full: bool, with_tasks: bool,
               gist_with_tasks: bool = True) -> dict[str, bool]:
    """Which of these containers and switcher buttons show in one view: the gists or
    the whole passages, the task lists or not (with the gists, unless
    ``gist_with_tasks`` is False: a gist that is itself task lines)."""
    gist = not full and (gist_with_tasks or not with_tasks)
    out = {**dict.fromkeys(gists, gist), **dict.fromkeys(fulls, full),
           **dict.fromkeys(tasks, with_tasks), ids["open"]: not full, ids["close"]: full}
    if tasks:
        out.update({ids["show_tasks"]: not with_tasks, ids["hide_tasks"]: with_tasks})
    return out


def view_switcher(ids: dict[str, str], *, gists: Sequence[str], fulls: Sequence[str],
                  tasks: Sequence[str], language: Language,
                  gist_with_tasks: bool = True) -> Element:
    """"Ganze Beschreibung" / "Kurzfassung" and (with ``tasks``) "Aufgaben" / "Aufgaben
    ausblenden" for the containers with these ids; from any view each button does what
    it says, and the whole passage and the task list are never open together."""
    parts: dict[str, Any] = {"gists": gists, "fulls": fulls, "tasks": tasks,
                             "gist_with_tasks": gist_with_tasks}
    views = [(ids["open"], t("full_description", language),
              view_state(ids, **parts, full=True, with_tasks=False)),
             (ids["close"], t("short_version", language),
              view_state(ids, **parts, full=False, with_tasks=False))]
    if tasks:
        views += [(ids["show_tasks"], t("tasks", language),
                   view_state(ids, **parts, full=False, with_tasks=True)),
                  (ids["hide_tasks"], t("hide_tasks", language),
                   view_state(ids, **parts, full=False, with_tasks=False))]
    return switcher_row(ids["open"], views, shown={ids["open"], ids["show_tasks"]})


def switcher_row(name: str, views: Sequence[tuple[str, str, dict[str, bool]]],
                 shown: set[str]) -> Element:
    """A row of buttons that switch a card's view in place (Action.ToggleVisibility),
    each in an ActionSet of its own so that it can be swapped for its opposite: the
    views come in pairs (open, close), each pair in one column, so a button's
    opposite takes its place. The buttons not in ``shown`` start hidden. ``views``:
    (button id, label, what each element id shows after the click)."""
    columns = []
    for start in range(0, len(views), 2):
        items = []
        for button_id, label, visible in views[start:start + 2]:
            targets = [{"elementId": eid, "isVisible": on} for eid, on in visible.items()]
            item: Element = {"type": "ActionSet", "id": button_id, "actions": [{
                "type": "Action.ToggleVisibility", "title": label,
                "targetElements": targets}]}
            if button_id not in shown:
                item["isVisible"] = False
            items.append(item)
        columns.append({"type": "Column", "width": "auto", "items": items})
    return {"type": "ColumnSet", "id": f"{name}-switch", "spacing": "Small",
            "columns": columns}


def apply_visibility(elements: Any, visible: dict[str, bool]) -> None:
    """Set ``isVisible`` of the elements with these ids, wherever they are in the card
    (a card sent in a view other than its first, e.g. whole after "mehr")."""
    if isinstance(elements, list):
        for item in elements:
            apply_visibility(item, visible)
    elif isinstance(elements, dict):
        if elements.get("id") in visible and elements.get("type") != "Action.ToggleVisibility":
            if visible[elements["id"]]:
                elements.pop("isVisible", None)
            else:
                elements["isVisible"] = False
        for key, value in elements.items():
            if key != "targetElements":
                apply_visibility(value, visible)
