"""The guided tour in Slack, end to end: ``/rolle tour``, the department buttons, Weiter /
Zurück / Mehr lesen / Tour beenden replacing the message in place through its
``response_url``, the welcome DM's department buttons, and a tour that survives a
restart of the server (a new server on the same SQLite file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.buttons import TourStep
from bot.config import Settings
from bot.core.tour import Tour
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import Call, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support import sqlite_store
from tests.support.net import LoopThread
from tests.support.stub_engine import StubEngine


def buttons(call: Call) -> dict[str, tuple[str, str]]:
    """The buttons of a posted message: label -> (action_id, value)."""
    return {e["text"]["text"]: (e["action_id"], e.get("value", ""))
            for b in call.blocks if b["type"] == "actions" for e in b["elements"]}


def click(server: SlackServer, fake: FakeSlack, call: Call, label: str, key: str,
          *, channel: str = "D0ASKER01", user: str = p.USER) -> Call:
    """Click the button ``label`` on the message ``call`` and return what replaced it."""
    action_id, value = buttons(call)[label]
    before = len(fake.posts())
    payload = p.block_actions(action_id, value, channel=channel, user=user,
                              response_url=fake.response_url(key))
    assert server.interaction(payload).status == 200
    return fake.wait_posts(before + 1)[-1]


def assert_valid(call: Call) -> None:
    for block in call.blocks:
        Block.parse(dict(block)).validate_json()  # raises beyond Slack's limits


@pytest.fixture
def tour() -> Tour:
    return Tour(StubEngine().passages)


def test_rolle_tour_steps_through_a_department_in_place(
        server: SlackServer, fake_slack: FakeSlack, tour: Tour) -> None:
    server.command(p.slash_command("tour", fake_slack.response_url("cmd")))
    menu = fake_slack.wait_posts(1)[0]
    assert menu.path == "/response/cmd" and menu.params["response_type"] == "ephemeral"
    assert t("tour_question", "de") in menu.block_text()
    assert [label for label in buttons(menu)] == list(tour.departments)
    assert_valid(menu)

    step = click(server, fake_slack, menu, "Vertrieb", "menu-msg")
    steps = tour.steps("Vertrieb")
    assert step.path == "/response/menu-msg" and step.params["replace_original"] is True
    assert header(step) == steps[0].passage.title
    assert t("tour_step", "de", department="Vertrieb", number=1, total=len(steps)) \
        in step.block_text()
    assert "Zurück" not in " ".join(buttons(step))  # nothing before the first step
    assert_valid(step)

    step = click(server, fake_slack, step, "Weiter →", "s1")
    assert header(step) == steps[1].passage.title and step.params["replace_original"] is True
    full = click(server, fake_slack, step, t("tour_more", "de"), "s2")
    assert header(full) == steps[1].passage.title
    assert len(full.block_text()) > len(step.block_text())  # the whole passage
    assert t("tour_less", "de") in buttons(full)
    back = click(server, fake_slack, full, "← Zurück", "s3")
    assert header(back) == steps[0].passage.title

    last = back
    for n in range(1, len(steps)):
        last = click(server, fake_slack, last, "Weiter →", f"n{n}")
    assert header(last) == steps[-1].passage.title
    assert steps[-1].part == "neighbour"  # the comparisons with Marketing come last
    done = click(server, fake_slack, last, f"{t('tour_finish', 'de')} →", "finish")
    assert t("tour_finished", "de", department="Vertrieb") in done.block_text()
    assert list(buttons(done)) == list(tour.departments)  # start another


def test_tour_buttons_are_escaped_and_odd_values_show_the_menu(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    odd = p.value(TourStep(action="next", department="<!channel>", position=3))
    assert "<!channel>" not in odd
    payload = p.block_actions("tour.next", odd, response_url=fake_slack.response_url("odd"))
    server.interaction(payload)
    post = fake_slack.wait_posts(1)[0]
    assert "<!channel>" not in json.dumps(post.params)
    assert t("tour_question", "de") in post.block_text()
    server.interaction(p.block_actions("tour.next", "not json",
                                       response_url=fake_slack.response_url("odd2")))
    assert t("tour_question", "de") in fake_slack.wait_posts(2)[-1].block_text()


def test_welcome_dm_starts_the_tour_in_a_new_message(
        server: SlackServer, fake_slack: FakeSlack, tour: Tour) -> None:
    server.event(p.event_callback(p.member_joined_channel("U0NEWBIE", "C0ONBOARD")))
    welcome = fake_slack.wait_posts(1)[0]
    assert t("tour_question", "de") in welcome.block_text()
    assert set(tour.departments) <= set(buttons(welcome))
    assert_valid(welcome)
    channel = welcome.params["channel"]
    step = click(server, fake_slack, welcome, "E-Commerce", "welcome", channel=channel,
                 user="U0NEWBIE")
    assert step.method == "chat.postMessage" and step.params["channel"] == channel
    assert header(step) == tour.steps("E-Commerce")[0].passage.title
    assert not fake_slack.of("response_url")  # the welcome itself stays as it was


@pytest.fixture
def restartable(loop_thread: LoopThread, slack_settings: Settings,
                tmp_path: Path) -> Iterator[Any]:
    """Start a server on the SQLite file in ``tmp_path``; call again after stopping the
    last one to restart (new store, new conversation, same database file)."""
    running: list[tuple[SlackServer, Any]] = []

    def start() -> SlackServer:
        store = sqlite_store(tmp_path)
        running.append((SlackServer(loop_thread, slack_settings, StubEngine(), store=store),
                        store))
        return running[-1][0]

    def stop() -> None:
        server, store = running.pop()
        server.stop()
        store.close()

    yield start, stop
    while running:
        stop()


def test_tour_resumes_after_a_restart(restartable: Any, fake_slack: FakeSlack,
                                      tour: Tour) -> None:
    start, stop = restartable
    server = start()
    server.command(p.slash_command("tour", fake_slack.response_url("cmd")))
    menu = fake_slack.wait_posts(1)[0]
    step = click(server, fake_slack, menu, "Marketing", "m0")
    step = click(server, fake_slack, step, "Weiter →", "m1")
    assert header(step) == tour.steps("Marketing")[1].passage.title
    stop()

    server = start()  # a new process would see exactly this: only the database file
    after = click(server, fake_slack, step, "Weiter →", "m2")
    assert header(after) == tour.steps("Marketing")[2].passage.title
    before = len(fake_slack.posts())
    server.command(p.slash_command("tour", fake_slack.response_url("again")))
    menu = fake_slack.wait_posts(before + 1)[-1]
    resume = t("tour_resume", "de", department="Marketing", number=3,
               total=len(tour.steps("Marketing")))
    assert resume in buttons(menu)
    continued = click(server, fake_slack, menu, resume, "resume")
    assert header(continued) == tour.steps("Marketing")[2].passage.title
    ended = click(server, fake_slack, continued, t("tour_end", "de"), "end")
    assert t("tour_finished", "de", department="Marketing") in ended.block_text()
