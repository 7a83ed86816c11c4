"""The README's Block Kit example of a tour step is what the real renderer makes today,
and it is valid Block Kit (a renderer change without `scripts/tour_example.py --readme`
fails here)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

from slack_sdk.models.blocks import Block

ROOT = Path(__file__).resolve().parents[1]


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tour_example",
                                                  ROOT / "scripts" / "tour_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_the_current_tour_step() -> None:
    tour_example = script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tour_example.readme_snippet() in readme, (
        "README's tour step is out of date: run `python scripts/tour_example.py --readme`")
    assert "https://app.slack.com/block-kit-builder" in readme
    assert "https://adaptivecards.io/designer/" in readme


def test_the_example_is_valid_block_kit_and_a_valid_card() -> None:
    tour_example = script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- tour-step:begin -->\n```json\n(.*?)\n```", readme, re.DOTALL)
    assert snippet is not None
    blocks = json.loads(snippet.group(1))["blocks"]
    for block in blocks:
        Block.parse(block).validate_json()  # raises beyond Slack's limits
    assert [b["type"] for b in blocks][:2] == ["context", "header"]
    card = json.loads(tour_example.example(teams=True))
    assert card["type"] == "AdaptiveCard" and card["actions"]
    assert tour_example.rewrite_readme(readme) == readme
