""""Who is ours" on Teams: the people come from people.yaml (Teams has no profile titles
for the bot to read), shown by name with a mailto link, never as ``<at>`` mentions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.wording import t
from tests.support import reconfigure
from tests.support.stub_engine import StubEngine
from tests.teams.conftest import StartBot
from tests.teams.harness import (
    FakeConnector,
    actions_of,
    card_of,
    card_submit,
    personal_message,
    texts_of,
)
from tests.teams.test_conversation import ask

pytestmark = [
    pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
]

PEOPLE = """\
people:
  vertriebsleiter:
    - name: Erika Muster
      email: erika.muster@example.com
    - name: "<at>Max</at> *Beispiel*"
  sales-manager:
    - name: Nora Neu
"""


def card_texts(start_bot: StartBot, settings: Settings, connector: FakeConnector,
               question: str) -> list[str]:
    """The texts of the card a new bot with ``settings`` answers ``question`` with."""
    bot = start_bot(settings, StubEngine())
    return texts_of(card_of(ask(bot, connector, personal_message(connector.url, question))))


@pytest.fixture
def people_settings(anonymous_settings: Settings, tmp_path: Path) -> Settings:
    path = tmp_path / "people.yaml"
    path.write_text(PEOPLE, "utf-8")
    return reconfigure(anonymous_settings, {"people_file": path})


def test_who_is_ours_lists_the_people_of_the_file(
    start_bot: StartBot, people_settings: Settings, connector: FakeConnector,
) -> None:
    texts = card_texts(start_bot, people_settings, connector, "Wer ist bei uns Vertriebsleiter?")
    assert texts[0] == "Vertriebsleiter"
    [people] = [text for text in texts if t("people_here", "de") in text]
    assert people.splitlines() == [
        f"**{t('people_here', 'de')}**",
        "- [Erika Muster](mailto:erika.muster@example.com)",
        r"- \<at\>Max\</at\> \*Beispiel\*",  # escaped: no mention, no markup
    ]
    assert "Nora Neu" not in "\n".join(texts)


def test_nobody_in_the_file_for_the_role_says_so(
    start_bot: StartBot, people_settings: Settings, connector: FakeConnector,
) -> None:
    texts = card_texts(start_bot, people_settings, connector, "Who is our head of e-commerce?")
    assert texts[0] == "Leiter E-Commerce"
    assert t("people_none", "en") in texts
    assert not any(t("people_here", "en") in text for text in texts)


def test_without_a_people_file_the_role_is_shown_alone(
    start_bot: StartBot, anonymous_settings: Settings, connector: FakeConnector,
) -> None:
    texts = card_texts(start_bot, anonymous_settings, connector, "Wer ist bei uns Vertriebsleiter?")
    assert texts[0] == "Vertriebsleiter"
    assert not any(t("people_here", "de") in x or t("people_none", "de") in x for x in texts)


def test_the_people_stay_when_feedback_updates_the_card(
    start_bot: StartBot, people_settings: Settings, connector: FakeConnector,
) -> None:
    bot = start_bot(people_settings, StubEngine())
    answer = ask(bot, connector, personal_message(connector.url,
                                                  "Wer ist unsere Vertriebsleiterin?"))
    [up] = actions_of(card_of(answer), lambda a: a["data"].get("verdict") == "helpful")
    bot.post(card_submit(connector.url, up["data"], reply_to="reply-1"))
    [update] = connector.updates()
    texts = texts_of(card_of(update.body))
    assert t("thanks_feedback", "de") in texts
    assert any("[Erika Muster](mailto:erika.muster@example.com)" in text for text in texts)
