"""The guided tour and the welcome in Teams, end to end through the loopback harness:
"tour" in the personal chat, Action.Submit buttons updating the card in place, a tour
that survives a restart (a new bot on the same SQLite file), and ROLLE_TEAMS_WELCOME
(a 1:1 chat per new member through the connector, the channel once per team, or off)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.core.tour import Tour
from bot.teams import cards
from bot.teams.tour import TOUR
from bot.wording import t
from tests.support import reconfigure, sqlite_store
from tests.support.stub_engine import StubEngine
from tests.teams.conftest import StartBot
from tests.teams.harness import (
    BOT_ID,
    USER,
    FakeConnector,
    TeamsClient,
    actions_of,
    card_of,
    card_submit,
    members_added,
    personal_message,
    texts_of,
)

pytestmark = [pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")]
NEWBIE = {"id": "29:1new-colleague", "name": "Neu",
          "aadObjectId": "00000000-0000-4000-8000-0000000000aa"}


def tour_buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tour buttons of a card: title -> data."""
    return {a["title"]: a["data"] for a in actions_of(
        card, lambda a: a["data"].get(cards.ACTION_KEY) == TOUR)}


def press(bot: TeamsClient, connector: FakeConnector, card: dict[str, Any], title: str
          ) -> dict[str, Any]:
    """Press ``title`` on ``card``; return the card that replaced it (a PUT)."""
    before = len(connector.updates())
    status, _ = bot.post(card_submit(connector.url, tour_buttons(card)[title]))
    assert status == 202
    connector.wait_for_updates(before + 1)
    update = connector.updates()[-1]
    assert update.reply_to_id == "reply-1"
    return card_of(update.body)


@pytest.fixture
def tour() -> Tour:
    return Tour(StubEngine().passages)


def test_tour_in_the_personal_chat_updates_the_card_in_place(
        bot: TeamsClient, connector: FakeConnector, tour: Tour) -> None:
    bot.post(personal_message(connector.url, "tour"))
    menu = card_of(connector.wait_messages(1)[-1])
    assert cards.escape(t("tour_question", "de")) in texts_of(menu)
    assert list(tour_buttons(menu)) == list(tour.departments)

    steps = tour.steps("Business Development")
    step = press(bot, connector, menu, "Business Development")
    assert steps[0].passage.title in texts_of(step)
    assert t("tour_back", "de") not in tour_buttons(step)
    step = press(bot, connector, step, t("tour_next", "de"))
    assert steps[1].passage.title in texts_of(step)
    full = press(bot, connector, step, t("tour_more", "de"))
    assert len(" ".join(texts_of(full))) > len(" ".join(texts_of(step)))
    step = press(bot, connector, full, t("tour_back", "de"))
    assert steps[0].passage.title in texts_of(step)
    for _ in steps[1:]:
        step = press(bot, connector, step, t("tour_next", "de"))
    assert steps[-1].passage.title in texts_of(step) and steps[-1].part == "related"
    done = press(bot, connector, step, t("tour_finish", "de"))
    assert cards.escape(t("tour_finished", "de", department="Business Development")) \
        in texts_of(done)
    assert len(connector.messages()) == 1  # everything after the menu was an update


def test_english_tour_from_an_english_button(bot: TeamsClient, connector: FakeConnector,
                                             tour: Tour) -> None:
    bot.post(personal_message(connector.url, "take the tour", locale="en-US"))
    menu = card_of(connector.wait_messages(1)[-1])
    assert cards.escape(t("tour_question", "en")) in texts_of(menu)
    step = press(bot, connector, menu, "Vertrieb")
    assert t("tour_next", "en") in tour_buttons(step)
    assert cards.escape(t("tour_step", "en", department="Vertrieb", number=1,
                          total=len(tour.steps("Vertrieb")))) in " ".join(texts_of(step))


def test_tour_resumes_after_a_restart(start_bot: StartBot, anonymous_settings: Settings,
                                      connector: FakeConnector, tour: Tour,
                                      tmp_path: Path) -> None:
    first_store = sqlite_store(tmp_path)
    first = start_bot(anonymous_settings, StubEngine(), store=first_store)
    first.post(personal_message(connector.url, "tour vertrieb"))
    step = card_of(connector.wait_messages(1)[-1])
    step = press(first, connector, step, t("tour_next", "de"))
    assert tour.steps("Vertrieb")[1].passage.title in texts_of(step)
    first_store.close()

    second_store = sqlite_store(tmp_path)  # a new bot: nothing shared but the database
    second = start_bot(anonymous_settings, StubEngine(), store=second_store)
    step = press(second, connector, step, t("tour_next", "de"))
    assert tour.steps("Vertrieb")[2].passage.title in texts_of(step)
    ended = press(second, connector, step, t("tour_end", "de"))
    assert cards.escape(t("tour_finished", "de", department="Vertrieb")) in texts_of(ended)
    assert second_store.load_tour(USER["aadObjectId"]) is None
    second_store.close()


def test_welcome_card_offers_the_tour_and_starts_it_in_a_new_card(
        bot: TeamsClient, connector: FakeConnector, tour: Tour) -> None:
    bot.post(members_added(connector.url, [{"id": BOT_ID}], "personal"))
    welcome = card_of(connector.wait_messages(1)[-1])
    assert cards.escape(t("tour_question", "de")) in texts_of(welcome)
    assert list(tour_buttons(welcome)) == list(tour.departments)
    bot.post(card_submit(connector.url, tour_buttons(welcome)["Marketing"]))
    step = card_of(connector.wait_messages(2)[-1])  # a new card: the welcome stays
    assert tour.steps("Marketing")[0].passage.title in texts_of(step)
    assert connector.updates() == []


def welcome_bot(start_bot: StartBot, settings: Settings, mode: str, tmp_path: Path
                ) -> TeamsClient:
    return start_bot(reconfigure(settings, {"teams_welcome": mode}), StubEngine(),
                     store=sqlite_store(tmp_path))


def test_new_members_are_welcomed_personally_and_the_channel_once(
        start_bot: StartBot, anonymous_settings: Settings, connector: FakeConnector,
        tmp_path: Path) -> None:
    bot = welcome_bot(start_bot, anonymous_settings, "personal", tmp_path)
    bot.post(members_added(connector.url, [{"id": BOT_ID}]))  # installed in the team
    connector.wait_messages(1)
    for member in (NEWBIE, {"id": "29:1another", "name": "Noch wer"}):
        bot.post(members_added(connector.url, [member]))
    connector.wait_messages(3)
    channel = [r for r in connector.recorded if r.conversation_id.startswith("19:general")]
    personal = [r for r in connector.recorded if r.conversation_id.startswith("a:1on1")]
    assert len(channel) == 1 and len(personal) == 2  # not one card per join in General
    assert [c["members"][0]["id"] for c in connector.created] == [NEWBIE["id"], "29:1another"]
    assert all(c["bot"]["id"] == BOT_ID and c["isGroup"] is False for c in connector.created)
    for record in personal:
        assert cards.escape(t("welcome", "de")) in texts_of(card_of(record.body))


def test_without_1on1_chats_the_team_is_welcomed_once(
        start_bot: StartBot, anonymous_settings: Settings, connector: FakeConnector,
        tmp_path: Path) -> None:
    connector.refuse_create = True
    bot = welcome_bot(start_bot, anonymous_settings, "personal", tmp_path)
    for member in (NEWBIE, {"id": "29:1another", "name": "Noch wer"}):
        bot.post(members_added(connector.url, [member]))
    connector.wait_messages(1)
    bot.post(members_added(connector.url, [{"id": "29:1third", "name": "Dritte"}]))
    bot.post(personal_message(connector.url, "hilfe"))  # a marker: handled after the joins
    connector.wait_messages(2)
    assert len([r for r in connector.recorded
                if r.conversation_id.startswith("19:general")]) == 1


@pytest.mark.parametrize(("mode", "expected"), [("team", 1), ("off", 0)])
def test_team_and_off_modes(start_bot: StartBot, anonymous_settings: Settings,
                            connector: FakeConnector, tmp_path: Path, mode: str,
                            expected: int) -> None:
    bot = welcome_bot(start_bot, anonymous_settings, mode, tmp_path)
    for members in ([{"id": BOT_ID}], [NEWBIE], [{"id": "29:1another"}]):
        bot.post(members_added(connector.url, members))
    bot.post(personal_message(connector.url, "hilfe"))  # a marker: handled after the joins
    messages = connector.wait_messages(expected + 1)
    assert len(messages) == expected + 1 and connector.created == []
    channel = [r for r in connector.recorded if r.conversation_id.startswith("19:general")]
    assert len(channel) == expected
