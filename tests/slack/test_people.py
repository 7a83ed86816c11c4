""""Who is ours" end to end on Slack: a DM asks who holds a role here; the bot reads the
workspace directory from the fake Slack (users.list, two pages), caches it in the store
and answers with the role and the matching people as profile links, never mentions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot import compose
from bot.config import Settings
from bot.conversation import Reply
from bot.core.people import Person
from bot.server import start
from bot.slack.people import member, slack_directory
from bot.slack.render import render
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import TEAM_ID, Call, FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support import Clock, sqlite_store
from tests.support.net import LoopThread
from tests.support.stub_engine import StubEngine

PROFILE = "https://fake.slack.com/team/"


def user(user_id: str, name: str, title: str, **extra: Any) -> dict[str, Any]:
    """A users.list member as Slack returns it."""
    return {"id": user_id, "team_id": TEAM_ID, "name": name.lower().replace(" ", "."),
            "real_name": name, "deleted": False, "is_bot": False,
            "profile": {"title": title, "display_name": name, "real_name": name,
                        "email": f"{user_id.lower()}@example.com"}, **extra}


WORKSPACE = [
    # page 1
    user("U0ERIKA01", "Erika Muster", "Vertriebsleiterin"),
    user("U0MAX0001", "Max Beispiel", "Software Engineer"),
    user("U0GONE001", "Gerd Weg", "Vertriebsleiter", deleted=True),
    user("U0ASSIST1", "Anna Assist", "Assistant to the Head of Sales"),
    # page 2
    user("U0SALESBT", "Sales Bot", "Head of Sales", is_bot=True),
    user("USLACKBOT", "Slackbot", "Vertriebsleiter"),  # Slackbot is not is_bot
    user("U0EVIL001", "<!channel>", "Head of Sales DACH"),
    user("U0NOTITLE", "Nora Ohne", ""),
]



@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def people_server(loop_thread: LoopThread, slack_settings: Settings, tmp_path: Path,
                  fake_slack: FakeSlack, clock: Clock) -> Iterator[SlackServer]:
    """The real server with the Slack directory on the test clock and a SQLite store."""
    fake_slack.users.extend(WORKSPACE)
    fake_slack.page_size = 4  # two pages
    engine = StubEngine()
    store = sqlite_store(tmp_path)
    people = slack_directory(slack_settings, store, clock=clock)
    conversation = compose.conversation(slack_settings, engine, store, people=people)
    running = loop_thread.run(start(slack_settings, conversation, host="127.0.0.1", port=0))
    server = SlackServer(loop_thread, slack_settings, engine, running=running)
    yield server
    server.stop()
    store.close()


def ask(server: SlackServer, fake: FakeSlack, text: str) -> Call:
    before = len(fake.posts())
    assert server.event(p.event_callback(p.im_message(text, ts=p.next_ts()))).status == 200
    return fake.wait_posts(before + 1)[before]


def no_mentions(call: Call) -> None:
    raw = json.dumps(call.params, ensure_ascii=False)
    assert "<@" not in raw and "<!channel>" not in raw


def test_who_is_ours_shows_the_matching_people_as_links(
    people_server: SlackServer, fake_slack: FakeSlack,
) -> None:
    post = ask(people_server, fake_slack, "Wer ist bei uns Vertriebsleiter?")
    assert header(post) == "Vertriebsleiter"
    text = post.block_text()
    assert "> " in text  # the role passage is quoted
    assert t("people_here", "de") in text
    assert f"<{PROFILE}U0ERIKA01|Erika Muster>" in text  # the gendered title matched
    assert f"<{PROFILE}U0EVIL001|&lt;!channel&gt;>" in text  # escaped: pings no one
    for absent in ("Gerd Weg", "Sales Bot", "Slackbot", "Anna Assist", "Max Beispiel",
                   "Nora Ohne"):
        assert absent not in text
    no_mentions(post)
    pages = fake_slack.of("users.list")
    assert [c.params.get("cursor") for c in pages] == [None, "dXNlcjo4"]
    assert all(c.params["limit"] == "200" for c in pages)


def test_directory_is_cached_and_refreshed_after_an_hour(
    people_server: SlackServer, fake_slack: FakeSlack, clock: Clock,
) -> None:
    ask(people_server, fake_slack, "Wer ist bei uns Vertriebsleiter?")
    assert len(fake_slack.of("users.list")) == 2
    post = ask(people_server, fake_slack, "Who is our head of sales?")
    assert len(fake_slack.of("users.list")) == 2  # from the cache
    assert f"<{PROFILE}U0ERIKA01|Erika Muster>" in post.block_text()
    assert t("people_here", "en") in post.block_text()
    ask(people_server, fake_slack, "Was macht ein Vertriebsleiter?")  # not "who is ours"
    assert len(fake_slack.of("users.list")) == 2

    clock.now += timedelta(minutes=61)
    fake_slack.users[0] = user("U0ERIKA01", "Erika Muster", "Marketingleiterin")
    post = ask(people_server, fake_slack, "Wer ist bei uns Vertriebsleiter?")
    assert len(fake_slack.of("users.list")) == 4  # refreshed once, both pages
    assert "Erika Muster" not in post.block_text()
    post = ask(people_server, fake_slack, "Wer ist unsere Marketingleiterin?")
    assert header(post) == "Leiter Marketing"
    assert f"<{PROFILE}U0ERIKA01|Erika Muster>" in post.block_text()
    no_mentions(post)


def test_nobody_matching_says_so_without_an_empty_list(
    people_server: SlackServer, fake_slack: FakeSlack,
) -> None:
    post = ask(people_server, fake_slack, "Wer ist bei uns Business Development Manager?")
    assert header(post) == "Business Development Manager"
    text = post.block_text()
    assert t("people_none", "de") in text and t("people_here", "de") not in text


def test_rate_limited_directory_shows_the_role_alone(
    people_server: SlackServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture,
) -> None:
    fake_slack.fail("users.list", times=2, status=429, retry_after=1)
    post = ask(people_server, fake_slack, "Wer ist bei uns Vertriebsleiter?")
    assert header(post) == "Vertriebsleiter"
    text = post.block_text()
    assert t("people_here", "de") not in text and t("people_none", "de") not in text
    assert "Referenz" not in text  # no error message
    assert len(fake_slack.attempts("users.list")) == 2  # one retry, then given up
    assert "directory slack: refresh failed" in caplog.text


def test_only_active_people_with_a_title_are_kept() -> None:
    kept = [m for m in map(member, WORKSPACE) if m is not None]
    assert [(m.user_id, m.name, m.title, m.team_id) for m in kept] == [
        ("U0ERIKA01", "Erika Muster", "Vertriebsleiterin", TEAM_ID),
        ("U0MAX0001", "Max Beispiel", "Software Engineer", TEAM_ID),
        ("U0ASSIST1", "Anna Assist", "Assistant to the Head of Sales", TEAM_ID),
        ("U0EVIL001", "<!channel>", "Head of Sales DACH", TEAM_ID)]
    app = user("U0APP0001", "Some App", "Vertriebsleiter", is_app_user=True)
    assert member(app) is None
    no_display = user("U0REAL001", "Real Name", "CMO")
    no_display["profile"]["display_name"] = ""
    found = member(no_display)
    assert found is not None and found.name == "Real Name"


def test_people_blocks_are_valid_block_kit() -> None:
    role = StubEngine().get("vertriebsleiter")
    assert role is not None
    reply = Reply(kind="answer", question="Wer ist bei uns Vertriebsleiter?", shown=(role,),
                  people=(Person(name="A|B *x*", url=PROFILE + "U0A000001"),
                          Person(name="No Link")), people_asked=True)
    message = render(reply)
    for block in message.blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()  # Slack's limits
    [people] = [b for b in message.blocks
                if b["type"] == "section" and "No Link" in b["text"]["text"]]
    assert people["text"]["text"] == (f"*{t('people_here', 'de')}*\n"
                                      f"• <{PROFILE}U0A000001|A\u2223B *x*>\n• No Link")


def test_many_long_names_fill_several_sections_with_whole_links() -> None:
    role = StubEngine().get("vertriebsleiter")
    assert role is not None
    people = tuple(Person(name=f"{n:02d} " + "&" * 250, url=f"{PROFILE}U0A0000{n:02d}")
                   for n in range(20))
    reply = Reply(kind="answer", question="Wer ist bei uns Vertriebsleiter?", shown=(role,),
                  people=people, people_asked=True)
    sections = [b["text"]["text"] for b in render(reply).blocks
                if b["type"] == "section" and PROFILE in b["text"]["text"]]
    assert len(sections) > 1 and all(len(text) <= 3000 for text in sections)
    links = "\n".join(sections).count(f"<{PROFILE}")
    assert links == 20 and all(text.count("<") == text.count(">") for text in sections)


def test_the_people_stay_when_the_message_is_replaced_by_a_click(
    people_server: SlackServer, fake_slack: FakeSlack,
) -> None:
    post = ask(people_server, fake_slack, "Wer ist bei uns Vertriebsleiter?")
    values = dict(post.action_values())
    link = f"<{PROFILE}U0ERIKA01|Erika Muster>"
    for action_id in ("answer_full", "feedback_helpful"):
        before = len(fake_slack.posts())
        click = p.block_actions(action_id, values[action_id], channel="D0ASKER01",
                                response_url=fake_slack.response_url(action_id))
        assert people_server.interaction(click).status == 200
        replaced = fake_slack.wait_posts(before + 1)[before]
        assert replaced.method == "response_url" and replaced.params["replace_original"]
        assert link in replaced.block_text()
        no_mentions(replaced)
    assert len(fake_slack.of("users.list")) == 2  # the cached copy
