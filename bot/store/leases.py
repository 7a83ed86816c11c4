"""Who holds which pending deliveries: the lease heartbeat and the hand-over to a
restarted process.

A live process renews the leases of the deliveries it holds every few seconds and, in
the same transaction, writes their keys under its instance name (``hostname:port``) in
the ``meta`` table, with the time of the renewal. A process that starts under the same
name is its restarted successor (two live processes cannot listen on one port), so it
*adopts* those deliveries at once instead of waiting for their leases to run out. A
delivery whose lease was renewed since (another replica took it over) is not adopted:
its lease ends later than the registry's renewal says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update

from bot.core.storage.port import Delivery
from bot.store import reads
from bot.store.schema import deliveries, meta

PREFIX = "leases:"
CHUNK = 500  # keys per IN (...) list
_SLACK = timedelta(milliseconds=1)  # timestamps round-trip with microseconds


def name(owner: str) -> str:
    """The ``meta`` row of ``owner``'s registry (``meta.name`` holds 64 characters)."""
    return PREFIX + hashlib.sha256(owner.encode("utf-8", "replace")).hexdigest()[:40]


def renew(conn: Connection, insert: Any, owner: str, keys: Collection[str],
          lease: timedelta, now: datetime) -> None:
    """Extend the leases of ``owner``'s pending ``keys`` to ``now + lease`` and record
    them as ``owner``'s (no keys: the registry is removed)."""
    held = sorted(set(keys))
    for start in range(0, len(held), CHUNK):
        conn.execute(update(deliveries).where(
            deliveries.c.key.in_(held[start:start + CHUNK]), deliveries.c.status == "pending",
        ).values(lease_until=now + lease))
    row = name(owner)
    if not held:
        conn.execute(delete(meta).where(meta.c.name == row))
        return
    value = json.dumps({"owner": owner, "at": now.isoformat(),
                        "lease": lease.total_seconds(), "keys": held})
    stmt = insert(meta).values(name=row, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.name],
                                            set_={"value": value}))


def adopt(conn: Connection, owner: str, lease: timedelta, now: datetime,
          max_age: timedelta) -> tuple[Delivery, ...]:
    """Lease to the caller the pending deliveries ``owner``'s predecessor held at its
    last renewal (and nobody renewed since), younger than ``max_age``; the registry is
    removed. Oldest first."""
    row = name(owner)
    value = conn.execute(select(meta.c.value).where(meta.c.name == row)).scalar()
    conn.execute(delete(meta).where(meta.c.name == row))
    try:
        data = json.loads(value) if value else {}
        renewed = datetime.fromisoformat(data["at"]) + timedelta(seconds=float(data["lease"]))
        keys = [k for k in data["keys"] if isinstance(k, str)]
    except (ValueError, KeyError, TypeError):
        return ()
    taken: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        taken += conn.execute(update(deliveries).where(
            deliveries.c.key.in_(keys[start:start + CHUNK]), deliveries.c.status == "pending",
            deliveries.c.lease_until <= renewed + _SLACK,
            deliveries.c.accepted_at >= now - max_age,
        ).values(lease_until=now + lease).returning(*deliveries.c)).mappings().all()
    return tuple(sorted((reads.delivery(r) for r in taken), key=lambda d: d.accepted_at))


def purge(conn: Connection, before: datetime) -> int:
    """Remove registries last renewed before ``before`` (of instances never restarted)."""
    stale = []
    for row, value in conn.execute(select(meta.c.name, meta.c.value).where(
            meta.c.name.startswith(PREFIX))):
        try:
            at = datetime.fromisoformat(json.loads(value)["at"])
        except (ValueError, KeyError, TypeError):
            at = None
        if at is None or at < before:
            stale.append(row)
    if stale:
        conn.execute(delete(meta).where(meta.c.name.in_(stale)))
    return len(stale)
