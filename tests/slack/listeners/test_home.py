"""App Home tab and the onboarding welcome DM, end to end."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.tour import Tour
from bot.wording import EXAMPLE_QUESTIONS, t
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.harness import LoopThread, SlackServer
from tests.support import reconfigure, sqlite_store


def test_home_tab_is_published_with_the_roles(server: SlackServer, fake_slack: FakeSlack,
                                              engine: Engine) -> None:
    server.event(p.event_callback(p.app_home_opened("U0READER")))
    call = fake_slack.wait_for(lambda calls: any(c.method == "views.publish" for c in calls))
    publish = next(c for c in call if c.method == "views.publish")
    assert publish.params["user_id"] == "U0READER"
    assert publish.params["view"]["type"] == "home"
    values = [p.points_at(v) for _, v in publish.action_values()]
    assert values == [passage.id for passage in engine.passages]
    text = publish.block_text()
    for department in engine.by_department():
        assert department in text
    assert t("report_header", days=30) not in text  # not an admin


def test_messages_tab_does_not_publish(server: SlackServer, fake_slack: FakeSlack) -> None:
    server.event(p.event_callback(p.app_home_opened("U0READER", tab="messages")))
    server.idle()
    assert not fake_slack.of("views.publish")


def test_joining_the_onboarding_channel_sends_a_welcome_dm(
        server: SlackServer, fake_slack: FakeSlack, engine: Engine) -> None:
    server.event(p.event_callback(p.member_joined_channel("U0NEWBIE", "C0ONBOARD")))
    post = fake_slack.wait_posts(1)[0]
    assert fake_slack.of("conversations.open")[0].params["users"] == "U0NEWBIE"
    assert post.params["channel"] == "DU0NEWBIE"
    assert post.params["text"] == t("welcome", "de")
    asks = [p.points_at(v) for a, v in post.action_values() if a.startswith("ask_example")]
    assert asks == list(EXAMPLE_QUESTIONS["de"])
    tours = [a for a, _ in post.action_values() if a.startswith("tour.start")]
    assert len(tours) == len(Tour(engine.passages).departments) == 4
    for department in engine.by_department():
        assert department in post.block_text()


def test_a_retried_join_event_sends_one_welcome(server: SlackServer,
                                                fake_slack: FakeSlack) -> None:
    payload = p.event_callback(p.member_joined_channel("U0NEWBIE", "C0ONBOARD"))
    assert server.event(payload).status == 200
    retry = server.event(payload, headers={"X-Slack-Retry-Num": "1",
                                           "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    server.idle()
    assert len(fake_slack.posts()) == 1


def test_other_channels_and_the_bot_itself_get_no_welcome(
        server: SlackServer, fake_slack: FakeSlack) -> None:
    server.event(p.event_callback(p.member_joined_channel("U0NEWBIE", "C0RANDOM")))
    server.event(p.event_callback(p.member_joined_channel(BOT_USER_ID, "C0ONBOARD")))
    server.idle()
    assert fake_slack.posts() == []


def test_onboarding_channel_by_name(loop_thread: LoopThread, slack_settings: Settings,
                                    engine: Engine, fake_slack: FakeSlack) -> None:
    fake_slack.channel_names.update({"C0NAMED01": "onboarding", "C0RANDOM": "random"})
    named = SlackServer(
        loop_thread, reconfigure(slack_settings, {"onboarding_channel": "#Onboarding"}), engine)
    try:
        named.event(p.event_callback(p.member_joined_channel("U0LATE", "C0RANDOM")))
        named.event(p.event_callback(p.member_joined_channel("U0NEWBIE", "C0NAMED01")))
        post = fake_slack.wait_posts(1)[0]
        named.idle()
        assert post.params["channel"] == "DU0NEWBIE"
        assert len(fake_slack.posts()) == 1
    finally:
        named.stop()


def test_admins_see_the_gaps_on_home_and_with_slash_bericht(
        loop_thread: LoopThread, slack_settings: Settings, engine: Engine,
        fake_slack: FakeSlack, tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    admin = SlackServer(loop_thread, reconfigure(slack_settings, {"admins": ["U0BOSS"]}),
                        engine, store=store)
    try:
        admin.event(p.event_callback(p.im_message("Wie beantrage ich Urlaub?", ts=p.next_ts())))
        fake_slack.wait_posts(1)
        admin.event(p.event_callback(p.app_home_opened("U0BOSS")))
        home = fake_slack.wait_for(lambda calls: any(c.method == "views.publish"
                                                     for c in calls))[-1]
        assert t("report_header", days=30) in home.block_text()
        assert "1× „Wie beantrage ich Urlaub?“" in home.block_text()
        admin.command(p.slash_command("bericht", fake_slack.response_url("r"), user="U0BOSS"))
        reply = fake_slack.wait_posts(2)[1]
        assert reply.params["text"].startswith(t("report_header", days=30))
        admin.command(p.slash_command("bericht", fake_slack.response_url("s"), user="U0NOBODY"))
        other = fake_slack.wait_posts(3)[2]
        assert t("report_header", days=30) not in other.block_text()  # just a question
    finally:
        admin.stop()
        store.close()
