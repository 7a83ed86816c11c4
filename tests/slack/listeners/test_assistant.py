"""Slack's assistant panel: greeting with suggested prompts, answers in the thread."""

from __future__ import annotations

from bot.wording import EXAMPLE_QUESTIONS
from bot.wording import t as s
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack, header
from tests.slack.harness import SlackServer


def test_new_assistant_thread_is_greeted_with_prompts(server: SlackServer,
                                                      fake_slack: FakeSlack) -> None:
    server.event(p.event_callback(p.assistant_thread_started(thread_ts="1710000099.000001")))
    calls = fake_slack.wait_for(lambda calls: any(
        c.method == "assistant.threads.setSuggestedPrompts" for c in calls))
    greeting = next(c for c in calls if c.method == "chat.postMessage")
    assert greeting.params["text"] == s("assistant_greeting")
    assert greeting.params["thread_ts"] == "1710000099.000001"
    prompts = next(c for c in calls if c.method == "assistant.threads.setSuggestedPrompts")
    assert [x["message"] for x in prompts.params["prompts"]] == list(EXAMPLE_QUESTIONS["de"])
    assert prompts.params["channel_id"] == "D0ASKER01"


def test_question_in_the_assistant_thread_is_answered_there(server: SlackServer,
                                                            fake_slack: FakeSlack) -> None:
    event = p.im_message("Was macht ein Vertriebsleiter?", ts=p.next_ts(),
                         thread_ts="1710000099.000001")
    server.event(p.event_callback(event))
    post = fake_slack.wait_posts(1)[0]
    assert post.params["channel"] == "D0ASKER01"
    assert post.params["thread_ts"] == "1710000099.000001"
    assert header(post) == "Vertriebsleiter"
    status = fake_slack.of("assistant.threads.setStatus")
    assert [c.params["status"] for c in status] == [s("looking")]
    assert status[0].params["thread_ts"] == "1710000099.000001"


def test_context_change_costs_no_api_calls(server: SlackServer, fake_slack: FakeSlack) -> None:
    event = {"type": "assistant_thread_context_changed",
             "assistant_thread": {"user_id": p.USER, "channel_id": "D0ASKER01",
                                  "thread_ts": "1710000099.000001",
                                  "context": {"channel_id": "C0OTHER", "team_id": "T0TEAM01"}},
             "event_ts": p.next_ts()}
    assert server.event(p.event_callback(event)).status == 200
    server.idle()
    assert [c.method for c in fake_slack.calls if c.method != "auth.test"] == []
