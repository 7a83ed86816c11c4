"""Atomic claims, counts and leases under real concurrency: threads and processes racing
on one database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.core.storage.port import NewDelivery
from bot.store import SqlStore, open_store
from bot.store.migrate import current_revision, head_revision
from tests.support import Clock

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


def race(workers: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in ``workers`` threads released at the same moment."""
    barrier = threading.Barrier(workers)
    results: list[T] = [None] * workers  # type: ignore[list-item]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_threads_racing_for_claims_win_each_key_once(store: SqlStore) -> None:
    keys = [f"slack:event:Ev{i}" for i in range(150)]

    def claim_all(i: int) -> list[str]:
        order = keys if i % 2 else list(reversed(keys))
        return [k for k in order if store.claim(k, ttl_seconds=600)]

    won = Counter(k for wins in race(6, claim_all) for k in wins)
    assert set(won) == set(keys) and set(won.values()) == {1}


def test_threads_counting_one_user_get_distinct_counts(store: SqlStore, clock: Clock) -> None:
    clock.now = clock.now.replace(second=0)
    counts = race(6, lambda i: [store.count_question("U1") for _ in range(20)])
    assert sorted(c for cs in counts for c in cs) == list(range(1, 121))


def test_threads_taking_pending_deliveries_share_them_out(
    store: SqlStore, clock: Clock,
) -> None:
    for i in range(60):
        store.accept(NewDelivery(key=f"E{i}", platform="slack", kind="event", user_id="U1",
                                 payload={"i": i}), lease_seconds=30)
    clock.advance(seconds=31)
    taken = race(4, lambda i: [d.key for d in store.take_pending(max_age_seconds=600)])
    keys = Counter(k for ks in taken for k in ks)
    assert len(keys) == 60 and set(keys.values()) == {1}


CLAIMER = """
import json, sys
from bot.store import open_store
store = open_store(sys.argv[1], secret="s")
store.in_thread("warm", "up")  # connect before the start signal
print("ready", flush=True)
sys.stdin.readline()
keys = [f"slack:event:Ev{i}" for i in range(200)]
if sys.argv[2] == "1":
    keys.reverse()
print(json.dumps([k for k in keys if store.claim(k, ttl_seconds=600)]))
"""


def test_two_processes_racing_for_claims_win_each_key_once(db_url: str) -> None:
    open_store(db_url, secret="s").close()  # migrate before the race
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, db_url, str(i)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    for p in procs:  # both connected and waiting
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:  # release both at once
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.close()
    outputs = [(p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.wait(timeout=120)
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    first, second = (set(json.loads(out)) for out, _ in outputs)
    assert not first & second
    assert len(first | second) == 200
    if db_url.startswith("postgresql"):  # row locks: both make progress at once
        assert first and second, "no real race: one process won everything"
    # SQLite locks the whole file and its busy handler backs off, so one process may
    # win every key before the other gets a turn: still exactly once, which is the point.


def test_replicas_starting_together_migrate_once(db_url: str) -> None:
    stores = race(4, lambda i: open_store(db_url, secret="s"))
    try:
        assert {current_revision(s.engine) for s in stores} == {head_revision()}
        assert all(s.claim("k", ttl_seconds=60) for s in stores[:1])
        assert not any(s.claim("k", ttl_seconds=60) for s in stores[1:])
    finally:
        for s in stores:
            s.close()
