"""Block Kit for everything that is not an answer: help, the role list, the App Home
tab, the onboarding welcome DM and the assistant greeting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.views import View

from bot.buttons import Ask
from bot.conversation import REPORT_DAYS
from bot.core.models import Language, Passage
from bot.reply import Lead
from bot.report.gaps import Gap
from bot.slack.blocks import ACTION_ASK, passage_buttons
from bot.slack.kit import (
    MAX_BLOCKS,
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    fit,
    header,
    section,
)
from bot.slack.markup import clip_lines, escape, shorten
from bot.slack.offers import lead_buttons
from bot.slack.tour import department_buttons
from bot.slack.values import value
from bot.wording import EXAMPLE_QUESTIONS, report_lines, t

MAX_HOME_BLOCKS = 100
Catalogue = Mapping[str, Sequence[Passage]]


def example_buttons(language: Language = "de") -> list[Block]:
    """The three example questions as buttons that ask them."""
    return actions([button(q, f"{ACTION_ASK}.{n}", value(Ask(text=q, language=language)))
                    for n, q in enumerate(EXAMPLE_QUESTIONS[language])])


def catalogue_blocks(groups: Catalogue, language: Language = "de") -> list[Block]:
    """Per department a bold heading and one button per role or topic."""
    blocks: list[Block] = []
    start = 0
    for department, passages in groups.items():
        blocks.append(section(f"*{escape(department)}*"))
        blocks.extend(actions(passage_buttons(passages, language, start)))
        start += len(passages)
    return blocks


def help_message(language: Language = "de", leads: Sequence[Lead] = ()) -> Message:
    """Usage, then the ``leads`` as buttons (the example questions, the list, the tour;
    default: the example questions)."""
    text = t("help", language)
    buttons = lead_buttons(leads, language) if leads else example_buttons(language)
    return Message.of(escape(text), (section(escape(text)), *buttons))


def catalogue_message(groups: Catalogue, language: Language = "de",
                      leads: Sequence[Lead] = ()) -> Message:
    """All roles and topics grouped by department (``/rolle liste``), each a button,
    then the ``leads`` (the tour, help)."""
    lines = [t("list_header", language)]
    for department, passages in groups.items():
        lines.append(f"{department}: " + ", ".join(p.title for p in passages))
    blocks = [section(f"*{escape(t('list_header', language))}*"),
              *catalogue_blocks(groups, language),
              context(escape(t("catalogue_hint", language))), *lead_buttons(leads, language)]
    return Message.of(clip_lines(escape("\n".join(lines)), 3000),
                      fit(blocks, MAX_BLOCKS, language))


def home_view(groups: Catalogue, *, gaps: Sequence[Gap] | None = None) -> dict[str, Any]:
    """The App Home tab: what the bot is for, how to ask, the roles by department; for
    admins (``gaps`` given) the top knowledge gaps of the last 30 days first."""
    blocks = [
        header("Rollenbot"),
        section(escape(t("home_intro"))),
        section(escape(t("home_how"))),
        divider(),
        section(f"*{escape(t('list_header'))}*"),
        *catalogue_blocks(groups),
        context(escape(t("catalogue_hint"))),
    ]
    if gaps is not None:
        lines = report_lines(gaps, "de", REPORT_DAYS)
        blocks[1:1] = [section(clip_lines(escape("\n".join(lines)), 3000)), divider()]
    return View(type="home", blocks=fit(blocks, MAX_HOME_BLOCKS, "de")).to_dict()


def welcome_message(groups: Catalogue, departments: tuple[str, ...] = ()) -> Message:
    """The onboarding DM: a greeting, three example questions, the departments, and
    (with ``departments``) "In welchem Bereich startest du?" with a button per
    department that starts the guided tour (as a new message: the welcome stays)."""
    overview = [escape(t("departments"))]
    for department, passages in groups.items():
        names = shorten(", ".join(p.title for p in passages), 250)
        overview.append(f"• *{escape(department)}*: {escape(names)}")
    blocks = [
        section(escape(t("welcome"))),
        *example_buttons(),
        divider(),
        section(clip_lines("\n".join(overview), 3000)),
    ]
    if departments:
        blocks += [section(f"*{escape(t('tour_question'))}*"),
                   *department_buttons(departments, "de", keep=True)]
    blocks.append(context(escape(t("welcome_tip"))))
    return Message.of(escape(t("welcome")), fit(blocks, MAX_BLOCKS, "de"))


def assistant_prompts(language: Language = "de") -> list[dict[str, str]]:
    """Suggested prompts for the assistant panel."""
    return [{"title": q, "message": q} for q in EXAMPLE_QUESTIONS[language]]
