#!/usr/bin/env python3
"""Print one step of the guided tour as the real renderers make it, for previewing:
Slack Block Kit JSON (paste into https://app.slack.com/block-kit-builder) or, with
``--teams``, the Adaptive Card (paste into https://adaptivecards.io/designer/).

Usage: python scripts/tour_example.py [--teams] [--readme]

``--readme`` rewrites the Block Kit snippet in README.md (tests/test_readme_tour.py
checks that it is in sync with the renderer).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.tour import Tour, TourState

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DEPARTMENT = "Vertrieb"  # the example: the first step of the Vertrieb tour
BEGIN, END = "<!-- tour-step:begin -->", "<!-- tour-step:end -->"


def example(teams: bool = False) -> str:
    """The first step of the example tour as pretty JSON."""
    view = Tour(load_knowledge(ROOT / "knowledge").passages).view(
        TourState(department=DEPARTMENT))
    if teams:
        from bot.teams.tour import tour_card

        data: object = tour_card(view, "de")
    else:
        from bot.slack.tour import tour_message

        data = {"blocks": list(tour_message(view, "de").blocks)}
    return json.dumps(data, ensure_ascii=False, indent=2)


def readme_snippet() -> str:
    """The fenced Block Kit JSON as it belongs between the README's markers."""
    return f"{BEGIN}\n```json\n{example()}\n```\n{END}"


def rewrite_readme(text: str) -> str:
    """``text`` (the README) with the snippet between the markers replaced."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {BEGIN} … {END} section")
    return pattern.sub(lambda _: readme_snippet(), text)


if __name__ == "__main__":
    if "--readme" in sys.argv:
        README.write_text(rewrite_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(example(teams="--teams" in sys.argv))
