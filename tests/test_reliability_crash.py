"""The crash tests of issues 11 and 20: a real `rolle serve` (Slack HTTP mode, the real
model and index) gets a burst of signed mentions and is killed with SIGKILL after N of
them were acknowledged; restarted, it answers every acknowledged mention exactly once
(the ones Slack never got a 200 for come again as Slack's retries), and a retry of an
already answered event is not answered again.

With the default lease and sweep, on SQLite and on PostgreSQL, a process restarted on
its port takes its predecessor's deliveries over at start: every acknowledged mention
is answered within 20 s of the kill. The others run with a short lease and a restart on
another port (another instance), so that the lease has to run out.

The figures (acknowledged, answered before and after the restart, duplicates, seconds
from the kill) are printed; run with ``-s`` to see them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.store.migrate import make_engine
from bot.store.schema import deliveries
from tests.pg import create_database, pg_admin_url  # noqa: F401  (the fixture)
from tests.slack import payloads as p
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.support.net import LoopThread, start_site
from tests.support.replica import Replica, serve_env
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow
BURST, KILL_AFTER, LEASE_SECONDS, SWEEP_SECONDS = 100, 50, 3, 0.5
# Long enough for another lease to run out and several resume sweeps to run after it.
SETTLE_SECONDS = LEASE_SECONDS + 4 * SWEEP_SECONDS
QUESTIONS = ["Was macht ein Sales Manager?", "Was macht ein BDM?",
             "Aufgaben eines Vertriebsleiters?", "Was macht ein E-Commerce Manager?"]


@pytest.fixture
def default_env(request: pytest.FixtureRequest, loop_thread: LoopThread,
                real_settings: Settings, tmp_path: Path
                ) -> Iterator[tuple[dict[str, str], FakeSlack, str]]:
    """A server with the default lease and sweep, on SQLite or a throwaway PostgreSQL."""
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rollenbot.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_admin_url"))
    env = serve_env(api_url=fake.url + "/api/", database_url=url,
                    index_dir=real_settings.index_dir, ROLLE_RATE_LIMIT_PER_MINUTE="1000")
    yield env, fake, url
    loop_thread.run(runner.cleanup())


def pending(url: str) -> int:
    """Deliveries still pending in the database at ``url``."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(deliveries).where(
                deliveries.c.status == "pending")).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize(("default_env", "successor"), [
    ("sqlite", "restarted"), ("postgresql", "restarted"), ("postgresql", "another replica"),
], indirect=["default_env"])  # SQLite serves one process: no other replica
def test_a_killed_process_is_answered_within_20_s_of_the_kill_exactly_once(
        default_env: tuple[dict[str, str], FakeSlack, str], tmp_path: Path,
        successor: str) -> None:
    """Restarted on its port, the process takes its predecessor's deliveries over at
    start; another replica (another port) takes them when their lease has run out."""
    env, fake, url = default_env
    count, kill_after = 60, 30
    payloads = [p.event_callback(p.app_mention(
        f"<@{BOT_USER_ID}> {QUESTIONS[n % len(QUESTIONS)]}", ts=p.next_ts(), user=f"U{n:08d}"))
        for n in range(count)]
    ts_of = [str(payload["event"]["ts"]) for payload in payloads]
    server = Replica(env, tmp_path / "first.log")
    acknowledged = burst_until_killed(server, lambda n: server.event(payloads[n]), count,
                                      kill_after)
    killed = time.monotonic()
    answered_before = _answers(fake)
    acked = {ts_of[n] for n in acknowledged}
    restarted = Replica(env, tmp_path / "second.log",
                        port=server.port if successor == "restarted" else None)
    try:
        healthy = time.monotonic() - killed
        for n in range(count):
            if n not in acknowledged:  # Slack resends what got no 200
                assert restarted.event(payloads[n], retry=1) == 200
        fake.wait_for(lambda _: set(_answers(fake)) >= acked, 60,
                      what="an answer to every acknowledged mention")
        took = time.monotonic() - killed
        settled(restarted, url)
        final = _answers(fake)
        log = restarted.log()
    finally:
        restarted.stop()
    duplicates = {ts: n for ts, n in final.items() if n > 1}
    print(f"\ncrash test ({url.split(':')[0]}, {successor}, default lease and sweep): "
          f"{count} mentions, "
          f"{len(acknowledged)} acknowledged before SIGKILL, "
          f"{sum(answered_before.values())} answered before it; the successor healthy "
          f"{healthy:.1f} s after the kill, every acknowledged one answered {took:.1f} s "
          f"after the kill ({log.count('resuming delivery')} taken over), "
          f"{len(duplicates)} duplicates")
    assert set(final) == set(ts_of)  # every mention answered …
    assert duplicates == {}  # … exactly once
    assert took <= 20.0
    assert ("taking over" in log) == (successor == "restarted")
    assert "Traceback" not in log


@pytest.fixture
def crash_env(loop_thread: LoopThread, real_settings: Settings, tmp_path: Path
              ) -> Iterator[tuple[dict[str, str], FakeSlack]]:
    fake = FakeSlack()
    runner, fake.url = loop_thread.run(start_site(fake.app()))
    env = serve_env(api_url=fake.url + "/api/",
                    database_url=f"sqlite:///{tmp_path / 'rollenbot.db'}",
                    index_dir=real_settings.index_dir,
                    ROLLE_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
                    ROLLE_RESUME_INTERVAL_SECONDS=str(SWEEP_SECONDS),
                    ROLLE_RATE_LIMIT_PER_MINUTE="1000")
    yield env, fake
    loop_thread.run(runner.cleanup())


def _answers(fake: FakeSlack) -> Counter[str]:
    """Answers per thread (the asked message's ts)."""
    return Counter(str(c.params.get("thread_ts")) for c in fake.of("chat.postMessage"))


def settled(server: Replica, url: str) -> None:
    """Wait until nothing is pending and nothing in flight: nothing more can be posted
    (a poll: the process and its database send no signal)."""
    wait_until(lambda: not pending(url) and server.idle(), 60, every=0.1,
               what="nothing pending and nothing in flight")

def burst_until_killed(server: Replica, send: Callable[[int], int], count: int,
                       kill_after: int) -> set[int]:
    """Send requests 0..count-1 over 8 connections; SIGKILL the server as soon as
    ``kill_after`` of them got HTTP 200. Returns the acknowledged ones."""
    acknowledged: set[int] = set()
    lock = threading.Lock()
    killed = threading.Event()

    def one(n: int) -> None:
        if killed.is_set():
            return
        status = send(n)
        with lock:
            if status == 200:
                acknowledged.add(n)
            if len(acknowledged) >= kill_after and not killed.is_set():
                killed.set()
                server.kill()

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(count)))
    finally:
        server.kill()
    return acknowledged



def test_acknowledged_mentions_survive_a_kill_and_are_answered_exactly_once(
        crash_env: tuple[dict[str, str], FakeSlack], tmp_path: Path) -> None:
    env, fake = crash_env
    payloads: list[dict[str, Any]] = []
    for n in range(BURST):
        text = f"<@{BOT_USER_ID}> {QUESTIONS[n % len(QUESTIONS)]}"
        payloads.append(p.event_callback(p.app_mention(
            text, ts=p.next_ts(), user=f"U{n:08d}")))
    ts_of = [str(payload["event"]["ts"]) for payload in payloads]
    server = Replica(env, tmp_path / "first.log")
    acknowledged = burst_until_killed(server, lambda n: server.event(payloads[n]), BURST,
                                      KILL_AFTER)
    answered_before = _answers(fake)
    acked_ts = {ts_of[n] for n in acknowledged}
    assert len(acknowledged) >= KILL_AFTER
    assert set(answered_before) <= acked_ts  # nothing answered that was not acknowledged

    restarted = Replica(env, tmp_path / "second.log")
    try:
        # Slack resends what it never got a 200 for (with the same event_id).
        unacked = [n for n in range(BURST) if n not in acknowledged]
        for n in unacked:
            assert restarted.event(payloads[n], retry=1) == 200
        with contextlib.suppress(AssertionError):  # the assertion below says what is missing
            fake.wait_for(lambda _: set(_answers(fake)) >= set(ts_of), 90)
        missing = [n for n in range(BURST) if ts_of[n] not in _answers(fake)]
        assert not missing, (
            f"not answered: {[(n, ts_of[n], n in acknowledged) for n in missing]}; "
            f"{len(acknowledged)} acknowledged; log: {restarted.log()[-3000:]}")
        time.sleep(SETTLE_SECONDS)  # under test: a lease runs out, sweeps run, no repeat
        answers = _answers(fake)
        # A retry of an already answered event, after the restart: acknowledged, dropped.
        first_answered = sorted(answered_before)[0] if answered_before else ts_of[0]
        again = payloads[ts_of.index(first_answered)]
        assert restarted.event(again, retry=2) == 200
        # The same message as a `message` event with a new event_id: also not again.
        message = p.event_callback({**again["event"], "type": "message",
                                    "channel_type": "channel"})
        assert restarted.event(message) == 200
        settled(restarted, env["ROLLE_DATABASE_URL"])
        final = _answers(fake)
        log = restarted.log()
    finally:
        restarted.stop()

    duplicates = {ts: count for ts, count in final.items() if count > 1}
    print(f"\ncrash test: {BURST} mentions sent, {len(acknowledged)} acknowledged before "
          f"SIGKILL, {sum(answered_before.values())} answered before the kill, "
          f"{sum(final.values()) - sum(answered_before.values())} after the restart "
          f"({len(unacked)} unacknowledged resent as Slack retries), "
          f"{len(set(final) & acked_ts)}/{len(acked_ts)} acknowledged answered, "
          f"{len(duplicates)} duplicates; resumed: {log.count('resuming delivery')}, "
          f"already posted: {log.count('was answered before the restart')}")
    assert answers == final  # the retry and the repeated message got nothing
    assert set(final) == set(ts_of)  # every mention answered …
    assert duplicates == {}  # … exactly once
    assert "Traceback" not in log


def test_acknowledged_slash_commands_survive_a_kill(
        crash_env: tuple[dict[str, str], FakeSlack], tmp_path: Path) -> None:
    """Slash commands: Slack never resends one, so what was acknowledged must be answered
    after the restart. Their answers go to a response_url, which cannot be read back:
    a command whose answer was on its way when the process died is answered a second
    time (at least once, not exactly once; counted and reported)."""
    env, fake = crash_env
    count, kill_after = 40, 20
    forms = [{**p.slash_command(QUESTIONS[n % len(QUESTIONS)], fake.response_url(f"c{n}"),
                                user=f"U{n:08d}"), "trigger_id": f"trigger.{n}"}
             for n in range(count)]
    server = Replica(env, tmp_path / "first.log")
    acknowledged = burst_until_killed(server, lambda n: server.command(forms[n]), count,
                                      kill_after)

    def answered() -> Counter[str]:
        return Counter(c.path.rsplit("/", 1)[-1] for c in fake.of("response_url"))

    at_kill = answered()
    before = sum(at_kill.values())
    restarted = Replica(env, tmp_path / "second.log")
    try:
        wanted = {f"c{n}" for n in acknowledged}
        with contextlib.suppress(AssertionError):  # the assertion below says what is missing
            fake.wait_for(lambda _: set(answered()) >= wanted, 90)
        time.sleep(SETTLE_SECONDS)  # under test: a lease runs out, sweeps run, no repeat
        final = answered()
    finally:
        restarted.stop()
    duplicates = {key: n for key, n in final.items() if n > 1}
    print(f"\nslash commands: {count} sent, {len(acknowledged)} acknowledged before SIGKILL, "
          f"{before} answered before the kill, {sum(final.values()) - before} after the "
          f"restart, {len(wanted & set(final))}/{len(wanted)} acknowledged answered, "
          f"{len(duplicates)} answered twice")
    assert set(final) >= wanted
    # Only an answer that reached Slack while its process died before marking it can be
    # repeated, and only once.
    assert set(duplicates) <= set(at_kill)
    assert all(n == 2 for n in duplicates.values())
