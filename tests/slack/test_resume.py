"""Resuming and apologising for deliveries left pending by a dead process (issue 11,
items 2 and 5), in process: the store is prepared directly, then a real server starts
and its resume loop does the rest against the fake Slack Web API."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import Delivery, NewDelivery
from bot.slack import durable
from bot.wording import t
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack, header
from tests.slack.harness import SlackServer
from tests.support import reconfigure, sqlite_store
from tests.support.net import LoopThread, http
from tests.support.stub_engine import StubEngine

MAX_AGE = 1.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GuardedStore]:
    opened = sqlite_store(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def start(loop_thread: LoopThread, slack_settings: Settings, engine: StubEngine,
          store: GuardedStore) -> Iterator[object]:
    """Start a server (once the test has prepared the store) that resumes deliveries
    younger than MAX_AGE seconds."""
    servers: list[SlackServer] = []
    settings = reconfigure(slack_settings, {"resume_max_age_seconds": MAX_AGE,
                                            "delivery_lease_seconds": 2.0})

    def run() -> SlackServer:
        servers.append(SlackServer(loop_thread, settings, engine, store=store))
        return servers[-1]

    yield run
    for server in servers:
        server.stop()


def message(ts: str, text: str = "Was macht ein Sales Manager?", channel: str = p.CHANNEL
            ) -> NewDelivery:
    """A delivery as the middleware records it for a channel mention."""
    return NewDelivery(key=durable.message_key(channel, ts), platform="slack", kind="message",
                       user_id=p.USER, payload={"text": text},
                       target={"channel": channel, "thread_ts": ts, "direct": False})


def command(fake: FakeSlack, key: str, text: str = "Sales Manager") -> NewDelivery:
    return NewDelivery(key=durable.command_key(key), platform="slack", kind="command",
                       user_id=p.USER, payload={"text": text},
                       target={"response_url": fake.response_url(key)})


def test_too_old_deliveries_get_the_apology_in_their_thread(
        start, store: GuardedStore, fake_slack: FakeSlack) -> None:
    ts = p.next_ts()
    store.accept(message(ts), lease_seconds=0)
    store.accept(command(fake_slack, "old-command"), lease_seconds=0)
    store.accept(NewDelivery(key="slack:message:C0X:1.0", platform="slack", kind="message",
                             user_id=p.USER, payload={"text": "x"}, target=None),
                 lease_seconds=0)  # no target known: dropped with a log line
    time.sleep(MAX_AGE + 0.2)
    start()
    posts = fake_slack.wait_posts(2)
    time.sleep(0.5)
    assert len(fake_slack.posts()) == 2
    in_thread = fake_slack.of("chat.postMessage")
    assert len(in_thread) == 1
    assert in_thread[0].params["thread_ts"] == ts and in_thread[0].params["channel"] == p.CHANNEL
    assert in_thread[0].params["text"] == t("lost", "de")
    ephemeral = [c for c in posts if c.method == "response_url"]
    assert ephemeral[0].params["text"] == t("lost", "de")
    assert ephemeral[0].path.endswith("/old-command")
    assert fake_slack.of("conversations.replies") == []  # apologies need no check
    # Expired, not pending: a later sweep does not apologise again.
    assert store.take_pending(max_age_seconds=3600, lease_seconds=0) == ()
    assert not store.is_answered(message(ts).key)


def test_pending_deliveries_of_a_dead_process_are_answered_once(
        start, store: GuardedStore, fake_slack: FakeSlack) -> None:
    lost, posted, alive = p.next_ts(), p.next_ts(), p.next_ts()
    store.accept(message(lost), lease_seconds=0)  # its process died before answering
    store.accept(command(fake_slack, "lost-command"), lease_seconds=0)
    # Its process died after posting the answer but before marking it answered.
    store.accept(message(posted, "Was macht ein Vertriebsleiter?"), lease_seconds=0)
    http("POST", fake_slack.url + "/api/chat.postMessage",
         (f'{{"channel": "{p.CHANNEL}", "thread_ts": "{posted}", "text": "Vertriebsleiter",'
          f' "metadata": {{"event_type": "{durable.METADATA_TYPE}", "event_payload": '
          f'{{"key": "{message(posted).key}"}}}}}}').encode(),
         {"Content-Type": "application/json", "Authorization": "Bearer xoxb-test-token"})
    # Still leased by a live process: not touched.
    store.accept(message(alive), lease_seconds=60)
    start()
    fake_slack.wait_posts(3)
    time.sleep(0.5)
    answers = fake_slack.of("chat.postMessage")
    assert [c.params["thread_ts"] for c in answers] == [posted, lost]
    resumed = answers[1]
    assert header(resumed) == "Sales Manager"
    assert resumed.params["metadata"]["event_payload"]["key"] == message(lost).key
    assert [header(c) for c in fake_slack.of("response_url")] == ["Sales Manager"]
    checked = fake_slack.of("conversations.replies")
    assert sorted(c.params["ts"] for c in checked) == sorted([lost, posted])
    for key in (message(lost).key, message(posted).key, command(fake_slack, "lost-command").key):
        assert store.is_answered(key)
    assert not store.is_answered(message(alive).key)


def test_a_resumed_mention_is_asked_without_the_bot_mention(
        start, store: GuardedStore, fake_slack: FakeSlack, engine: StubEngine) -> None:
    ts = p.next_ts()
    mention = NewDelivery(
        key=durable.message_key(p.CHANNEL, ts), platform="slack", kind="message",
        user_id=p.USER, payload={"text": "<@UBOT0001> Was macht ein Sales Manager?",
                                 "bot_user_id": "UBOT0001"},
        target={"channel": p.CHANNEL, "thread_ts": ts, "direct": False})
    store.accept(mention, lease_seconds=0)
    start()
    fake_slack.wait_posts(1)
    # (The server's start-up self-check asks the engine a question of its own, too.)
    resumed = [q for q in engine.asked if "Sales Manager" in q]
    assert resumed == ["Was macht ein Sales Manager?"]


class SlowEngine(StubEngine):
    """Takes its time, like the real engine in a burst on a busy machine."""

    def answer(self, question: str):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        return super().answer(question)


def test_a_lease_running_out_while_answering_does_not_answer_twice(
        loop_thread: LoopThread, slack_settings: Settings, store: GuardedStore,
        fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = reconfigure(slack_settings, {"delivery_lease_seconds": 0.1,
                                            "resume_interval_seconds": 0.2})
    sweeps: list[float] = []
    take_pending = store.take_pending

    def counted(**kwargs: float) -> tuple[Delivery, ...]:
        sweeps.append(time.monotonic())
        return take_pending(**kwargs)

    monkeypatch.setattr(store, "take_pending", counted)
    server = SlackServer(loop_thread, settings, SlowEngine(), store=store)
    try:
        ts = p.next_ts()
        mention = p.app_mention("<@UBOT0001> Was macht ein Sales Manager?", ts=ts)
        assert server.event(p.event_callback(mention)).status == 200
        fake_slack.wait_posts(1)
        server.idle()
        time.sleep(1.0)  # several sweeps after the lease ran out
        # ROLLE_RESUME_INTERVAL_SECONDS is honoured: a sweep every 0.2 s (not every 5).
        assert len(sweeps) >= 6
        assert max(b - a for a, b in itertools.pairwise(sweeps)) < 1.0
        assert [c.params["thread_ts"] for c in fake_slack.posts()] == [ts]
        assert store.is_answered(durable.message_key(p.CHANNEL, ts))
    finally:
        server.stop()


def test_a_delivery_whose_check_fails_stays_pending_and_does_not_block_the_others(
        start, store: GuardedStore, fake_slack: FakeSlack) -> None:
    broken, fine = p.next_ts(), p.next_ts()
    store.accept(message(broken, channel="C0BROKEN"), lease_seconds=0)
    store.accept(message(fine), lease_seconds=0)
    fake_slack.fail("conversations.replies", 1, status=404)  # not retried by the client
    server = start()
    posts = fake_slack.wait_posts(1)
    server.idle()
    assert [c.params["thread_ts"] for c in posts] == [fine]
    assert not store.is_answered(message(broken, channel="C0BROKEN").key)
    assert store.is_answered(message(fine).key)


def test_a_restarted_server_takes_over_its_predecessors_deliveries_at_once(
        loop_thread: LoopThread, slack_settings: Settings, engine: StubEngine,
        store: GuardedStore, fake_slack: FakeSlack) -> None:
    """The predecessor (same instance name) held two deliveries with a long lease when it
    died: they are answered at start, not when the lease runs out; a live replica's
    delivery is left alone."""
    mine, also_mine, theirs = p.next_ts(), p.next_ts(), p.next_ts()
    for ts in (mine, also_mine, theirs):
        store.accept(message(ts), lease_seconds=600)
    store.renew("bot-a", [message(mine).key, message(also_mine).key], lease_seconds=600)
    store.renew("bot-b", [message(theirs).key], lease_seconds=600)
    settings = reconfigure(slack_settings, {"instance": "bot-a",
                                            "delivery_lease_seconds": 600.0})
    started = time.monotonic()
    server = SlackServer(loop_thread, settings, engine, store=store)
    try:
        posts = fake_slack.wait_posts(2)
        took = time.monotonic() - started
        server.idle()
        assert sorted(c.params["thread_ts"] for c in posts) == sorted([mine, also_mine])
        assert took < 10  # not the 600 s of their lease
        assert store.is_answered(message(mine).key) and store.is_answered(
            message(also_mine).key)
        assert not store.is_answered(message(theirs).key)
    finally:
        server.stop()


def test_a_live_servers_leases_are_renewed_so_another_does_not_answer_too(
        loop_thread: LoopThread, slack_settings: Settings, store: GuardedStore,
        fake_slack: FakeSlack) -> None:
    """Answering takes longer than the lease: the heartbeat renews it, so the other
    replica's sweep never takes the delivery over."""
    short = reconfigure(slack_settings, {"delivery_lease_seconds": 0.6,
                                         "resume_interval_seconds": 0.1})
    slow = SlackServer(loop_thread, reconfigure(short, {"instance": "slow"}), SlowEngine(),
                       store=store)
    other = SlackServer(loop_thread, reconfigure(short, {"instance": "other"}), StubEngine(),
                        store=store)
    try:
        ts = p.next_ts()
        mention = p.app_mention("<@UBOT0001> Was macht ein Sales Manager?", ts=ts)
        assert slow.event(p.event_callback(mention)).status == 200
        slow.idle()  # 1.5 s of answering: the lease ran out twice meanwhile, unrenewed
        other.idle()
        assert [c.params["thread_ts"] for c in fake_slack.posts()] == [ts]
        assert store.is_answered(durable.message_key(p.CHANNEL, ts))
    finally:
        slow.stop()
        other.stop()
