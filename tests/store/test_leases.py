"""The lease heartbeat and the hand-over to a restarted process (issue 20, item 4), on
SQLite and PostgreSQL: renewing keeps a live process's deliveries its own; a process
that starts under the same name adopts its dead predecessor's at once, but not what
another replica took over since, nor what was answered."""

from __future__ import annotations

from bot.core.storage.port import NewDelivery
from bot.store import SqlStore
from bot.store.leases import name
from bot.store.schema import meta
from tests.support import Clock

LEASE = 12.0
MAX_AGE = 600.0


def delivery(key: str) -> NewDelivery:
    return NewDelivery(key=key, platform="slack", kind="message", user_id="U1",
                       payload={"text": key}, target={"channel": "C1", "thread_ts": key})


def registries(store: SqlStore) -> list[str]:
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(meta.select()).all()
                if row[0].startswith("leases:")]


def test_a_renewed_lease_is_not_taken_by_another_process(store: SqlStore, clock: Clock) -> None:
    store.accept(delivery("k1"), lease_seconds=LEASE)
    for _ in range(10):  # a live process, answering slowly: renewed every quarter lease
        clock.advance(seconds=LEASE / 4)
        store.renew("host:3000", ["k1"], lease_seconds=LEASE)
        assert store.take_pending(max_age_seconds=MAX_AGE, lease_seconds=LEASE) == ()
    clock.advance(seconds=LEASE + 1)  # it died: nobody renews
    assert [d.key for d in store.take_pending(max_age_seconds=MAX_AGE,
                                              lease_seconds=LEASE)] == ["k1"]


def test_a_restarted_process_adopts_its_predecessors_deliveries_at_once(
        store: SqlStore, clock: Clock) -> None:
    for key in ("k1", "k2", "k3", "answered", "other"):
        store.accept(delivery(key), lease_seconds=LEASE)
    store.renew("host:3000", ["k1", "k2", "k3", "answered"], lease_seconds=LEASE)
    store.renew("host:3001", ["other"], lease_seconds=LEASE)  # a live replica
    store.mark_answered("answered")
    clock.advance(seconds=2)  # killed; restarted on the same port two seconds later
    adopted = store.adopt("host:3000", max_age_seconds=MAX_AGE, lease_seconds=LEASE)
    assert [d.key for d in adopted] == ["k1", "k2", "k3"]  # leases still running
    assert store.adopt("host:3000", max_age_seconds=MAX_AGE, lease_seconds=LEASE) == ()
    assert registries(store) == [name("host:3001")]
    # Leased to the adopter now: no sweep takes them before that lease runs out.
    clock.advance(seconds=LEASE - 1)
    store.renew("host:3001", ["other"], lease_seconds=LEASE)
    assert store.take_pending(max_age_seconds=MAX_AGE, lease_seconds=LEASE) == ()


def test_what_another_replica_took_over_is_not_adopted(store: SqlStore, clock: Clock) -> None:
    store.accept(delivery("k1"), lease_seconds=LEASE)
    store.accept(delivery("k2"), lease_seconds=LEASE)
    store.renew("host:3000", ["k1", "k2"], lease_seconds=LEASE)
    clock.advance(seconds=LEASE + 1)  # dead, and restarted only much later
    [taken] = store.take_pending(max_age_seconds=MAX_AGE, lease_seconds=LEASE)[:1]
    store.renew("other:3000", [taken.key], lease_seconds=LEASE)
    clock.advance(seconds=1)
    adopted = store.adopt("host:3000", max_age_seconds=MAX_AGE, lease_seconds=LEASE)
    assert taken.key not in [d.key for d in adopted]


def test_deliveries_accepted_after_the_last_renewal_wait_for_their_lease(
        store: SqlStore, clock: Clock) -> None:
    store.accept(delivery("k1"), lease_seconds=LEASE)
    store.renew("host:3000", ["k1"], lease_seconds=LEASE)
    clock.advance(seconds=0.1)
    store.accept(delivery("late"), lease_seconds=LEASE)  # then killed before a renewal
    adopted = store.adopt("host:3000", max_age_seconds=MAX_AGE, lease_seconds=LEASE)
    assert [d.key for d in adopted] == ["k1"]
    clock.advance(seconds=LEASE)
    store.renew("host:3000", ["k1"], lease_seconds=LEASE)  # the successor holds k1 now
    assert [d.key for d in store.take_pending(max_age_seconds=MAX_AGE,
                                              lease_seconds=LEASE)] == ["late"]


def test_nothing_held_removes_the_registry_and_purge_removes_stale_ones(
        store: SqlStore, clock: Clock) -> None:
    store.accept(delivery("k1"), lease_seconds=LEASE)
    store.renew("a:1", ["k1"], lease_seconds=LEASE)
    store.renew("b:1", ["k1"], lease_seconds=LEASE)
    store.renew("a:1", [], lease_seconds=LEASE)
    assert registries(store) == [name("b:1")]
    clock.advance(days=2)
    assert store.purge(retention_days=90).counts.get("lease_registries") == 1
    assert registries(store) == []
