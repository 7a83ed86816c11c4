"""The guided tour in the conversation core: "tour" lines, button moves, the position
in a real store (authoritative over what a button carries) and the fallback without."""

from __future__ import annotations

from pathlib import Path

from bot.conversation import Conversation
from bot.core.storage.guard import GuardedStore
from bot.core.tour import TourState
from tests.support import sqlite_store
from tests.support.stub_engine import StubEngine

USER = "U0TOURIST"


def test_tour_word_shows_the_department_menu_in_german_or_english() -> None:
    conversation = Conversation(StubEngine())
    reply = conversation.respond("Tour!")
    assert reply.kind == "tour" and reply.language == "de" and reply.tour is not None
    assert reply.tour.step is None and reply.tour.departments == conversation.tour_departments()
    english = conversation.respond("take the tour")
    assert english.kind == "tour" and english.language == "en"
    assert conversation.respond("Was macht ein Tourguide?").kind != "tour"


def test_tour_with_a_department_starts_there() -> None:
    reply = Conversation(StubEngine()).respond("tour vertrieb")
    assert reply.tour is not None and reply.tour.state is not None
    assert reply.tour.state.department == "Vertrieb" and reply.tour.number == 1


def test_the_stored_position_survives_a_new_conversation(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    first = Conversation(StubEngine(), store=store)
    first.tour("start", user=USER, department="Marketing", language="en")
    first.tour("next", user=USER, department="Marketing", position=0)
    store.close()
    again = sqlite_store(tmp_path)  # a restart: same database file, new everything
    second = Conversation(StubEngine(), store=again)
    reply = second.tour("next", user=USER, department="Marketing", position=0)
    assert reply.tour is not None and reply.tour.number == 3  # from the store, not the button
    assert reply.language == "en"  # the language the tour was started in
    menu = second.respond("tour", user=USER)
    assert menu.tour is not None and menu.tour.resume == TourState(
        department="Marketing", position=2, language="en")
    resumed = second.tour("resume", user=USER)
    assert resumed.tour is not None and resumed.tour.number == 3
    ended = second.tour("end", user=USER, department="Marketing", position=2)
    assert ended.tour is not None and ended.tour.finished
    assert again.load_tour(USER) is None
    again.close()


def test_without_the_database_the_button_carries_the_tour() -> None:
    def broken() -> GuardedStore:
        raise OSError("database down")

    conversation = Conversation(StubEngine(), store=GuardedStore(broken))  # type: ignore[arg-type]
    reply = conversation.tour("next", user=USER, department="Vertrieb", position=4,
                              language="en")
    assert reply.tour is not None and reply.tour.number == 6 and reply.language == "en"


def test_unknown_department_or_action_shows_the_menu() -> None:
    conversation = Conversation(StubEngine())
    reply = conversation.tour("next", user=None, department="<!channel>", position=1)
    assert reply.tour is not None and reply.tour.step is None and reply.tour.departments
    assert conversation.tour("resume", user=None).tour.step is None  # type: ignore[union-attr]
