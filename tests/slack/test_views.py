"""Help, list, App Home, welcome DM and assistant prompts."""

from __future__ import annotations

import json

from bot.core.models import Passage, Source
from bot.slack.views import (
    assistant_prompts,
    catalogue_message,
    help_message,
    home_view,
    welcome_message,
)
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.slack.payloads import points_at

SOURCE = Source(title="Quelle", seed="000.txt")


def groups() -> dict[str, list[Passage]]:
    def p(pid: str, department: str) -> Passage:
        return Passage(id=pid, title=pid.replace("-", " ").title(), kind="role",
                       department=department, text="Text.", source=SOURCE)

    return {"Marketing": [p("leiter-marketing", "Marketing"), p("seo", "Marketing")],
            "Vertrieb & Co": [p("vertriebsleiter", "Vertrieb & Co")]}


def button_values(blocks: list[dict]) -> list[tuple[str, str]]:
    """(action_id, what the button points at) of every button."""
    return [(e["action_id"], points_at(e["value"])) for b in blocks if b["type"] == "actions"
            for e in b["elements"]]


def test_home_view_lists_departments_with_a_button_per_role() -> None:
    view = home_view(groups())
    assert view["type"] == "home"
    text = json.dumps(view, ensure_ascii=False)
    assert "*Marketing*" in text and "*Vertrieb &amp; Co*" in text
    values = [v for _, v in button_values(view["blocks"])]
    assert values == ["leiter-marketing", "seo", "vertriebsleiter"]
    ids = [a for a, _ in button_values(view["blocks"])]
    assert len(set(ids)) == len(ids)
    assert "/rolle" in text


def test_catalogue_message_groups_by_department() -> None:
    message = catalogue_message(groups())
    assert message.text.startswith(t("list_header", "de"))
    assert "Marketing: Leiter Marketing, Seo" in message.text
    assert [v for _, v in button_values(list(message.blocks))] == [
        "leiter-marketing", "seo", "vertriebsleiter"]
    english = catalogue_message(groups(), "en")
    assert english.text.startswith(t("list_header", "en"))


def test_help_has_the_examples_as_buttons() -> None:
    message = help_message("de")
    assert message.text == t("help", "de")
    assert [v for _, v in button_values(list(message.blocks))] == list(EXAMPLE_QUESTIONS["de"])
    assert [v for _, v in button_values(list(help_message("en").blocks))] == list(
        EXAMPLE_QUESTIONS["en"])


def test_welcome_has_three_examples_and_the_departments() -> None:
    message = welcome_message(groups())
    values = button_values(list(message.blocks))
    assert [v for _, v in values] == list(EXAMPLE_QUESTIONS["de"])
    assert all(a.startswith("ask_example") for a, _ in values)
    text = json.dumps(message.kwargs(), ensure_ascii=False)
    assert "• *Marketing*: Leiter Marketing, Seo" in text
    assert message.text == t("welcome", "de")


def test_assistant_prompts() -> None:
    prompts = assistant_prompts()
    assert [p["message"] for p in prompts] == list(EXAMPLE_QUESTIONS["de"])


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    out = []
    for block in blocks:
        if block.get("text", {}).get("type") == "mrkdwn":
            out.append(block["text"]["text"])
        out.extend(e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return out


def test_no_raw_angle_brackets_reach_slack_markup() -> None:
    """Our own strings contain ``<Frage>``: as mrkdwn that must be escaped too."""
    for language in ("de", "en"):
        blocks = [*home_view(groups())["blocks"], *welcome_message(groups()).blocks,
                  *help_message(language).blocks,
                  *catalogue_message(groups(), language).blocks]
        texts = mrkdwn_texts(blocks)
        assert texts and all("<" not in text and ">" not in text for text in texts)
    assert "&lt;Frage&gt;" in json.dumps(home_view(groups()), ensure_ascii=False)
