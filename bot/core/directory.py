"""A platform directory (people with profile titles), cached in the store, as a
:class:`~bot.core.people.Directory` that matches titles to roles.

The platform adapter supplies only ``fetch`` (for Slack: ``users.list``); this module
decides when to call it: at most once per ``max_age_seconds`` across all replicas (the
cache and a claim live in the shared store), and never in a way that costs an answer:
when the fetch fails, the last snapshot is used, or the lookup fails and the
conversation shows the role alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.core.models import Passage
from bot.core.people import DirectoryError, Person
from bot.core.storage.guard import GuardedStore
from bot.core.storage.port import MemberSnapshot, Platform
from bot.core.titles import TitleMatcher

log = logging.getLogger(__name__)
MAX_AGE_SECONDS = 3600.0  # refresh the directory at most hourly
RETRY_SECONDS = 60  # after a failed refresh, the next attempt (any replica) waits this long


def _now() -> datetime:
    return datetime.now(UTC)


class CachedMembers:
    """The directory ``source``, fetched by ``fetch`` and cached in process and store."""

    def __init__(self, source: str, fetch: Callable[[], MemberSnapshot], *,
                 store: GuardedStore | None = None, max_age_seconds: float = MAX_AGE_SECONDS,
                 clock: Callable[[], datetime] = _now) -> None:
        """Cache ``fetch``'s snapshots of ``source``.

        Args:
            source: the directory's name in the store ("slack").
            fetch: reads the whole directory from the platform (may raise).
            store: the shared store (None: this process only).
            max_age_seconds: a snapshot younger than this is used without fetching.
            clock: the time source (aware UTC), replaceable in tests.
        """
        self.source = source
        self._fetch = fetch
        self._store = store
        self._max_age = timedelta(seconds=max_age_seconds)
        self._clock = clock
        self._memory: MemberSnapshot | None = None
        self._lock = threading.Lock()

    def _fresh(self, snapshot: MemberSnapshot | None, now: datetime) -> bool:
        return snapshot is not None and now - snapshot.fetched_at < self._max_age

    def snapshot(self) -> MemberSnapshot:
        """The directory, at most ``max_age_seconds`` old when it could be refreshed.

        Raises:
            DirectoryError: there is no snapshot and the fetch failed (or another
                replica is fetching it right now).
        """
        with self._lock:  # one fetch per process at a time
            now = self._clock()
            if self._fresh(self._memory, now):
                assert self._memory is not None
                return self._memory
            stored = self._store.directory(self.source) if self._store else None
            if stored is not None and (self._memory is None
                                       or stored.fetched_at > self._memory.fetched_at):
                self._memory = stored
            if self._fresh(self._memory, now):
                assert self._memory is not None
                return self._memory
            return self._refresh(now)

    def _refresh(self, now: datetime) -> MemberSnapshot:
        slot = int(now.timestamp()) // RETRY_SECONDS
        key = f"directory:{self.source}:{slot}"
        if self._store is not None and not self._store.claim(key, ttl_seconds=RETRY_SECONDS * 2):
            log.info("directory %s: another replica is refreshing it", self.source)
            return self._stale("is being refreshed elsewhere")
        try:
            fresh = self._fetch()
        except Exception as exc:
            log.warning("directory %s: refresh failed (%s: %s); %s", self.source,
                        type(exc).__name__, exc,
                        "using the last copy" if self._memory else "showing no people")
            return self._stale("could not be fetched")
        log.info("directory %s: %d people with a title", self.source, len(fresh.members))
        self._memory = fresh
        if self._store is not None:
            self._store.save_directory(fresh)
        return fresh

    def _stale(self, why: str) -> MemberSnapshot:
        if self._memory is None:
            raise DirectoryError(f"directory {self.source} {why}")
        return self._memory


class TitleDirectory:
    """The people of a cached platform directory whose title names the role; serves
    askers on ``platform`` only (a Slack directory means nothing in Teams).

    The titles are matched once per snapshot (and set of roles), not per question.
    """

    def __init__(self, members: CachedMembers, *, platform: Platform,
                 link: Callable[[MemberSnapshot, str], str | None] | None = None) -> None:
        """Match ``members``' titles; ``link(snapshot, user_id)`` makes a profile URL."""
        self.members = members
        self.platform = platform
        self._link = link
        self._index: tuple[object, dict[str, tuple[Person, ...]]] = (None, {})

    def people(self, role: Passage, roles: Sequence[Passage], *,
               platform: Platform) -> tuple[Person, ...]:
        """The members whose title names ``role`` (see :mod:`bot.core.titles`).

        Raises:
            DirectoryError: the directory could not be read.
        """
        if platform != self.platform:
            return ()
        return self._by_role(self.members.snapshot(), roles).get(role.id, ())

    def _by_role(self, snapshot: MemberSnapshot,
                 roles: Sequence[Passage]) -> dict[str, tuple[Person, ...]]:
        key = (id(snapshot), snapshot.fetched_at, tuple((r.id, r.title, r.aliases) for r in roles))
        cached_key, index = self._index
        if cached_key == key:
            return index
        matcher = TitleMatcher(roles)
        found: dict[str, list[Person]] = {}
        for member in sorted(snapshot.members, key=lambda m: m.name.casefold()):
            person = Person(name=member.name, user_id=member.user_id,
                            url=self._link(snapshot, member.user_id) if self._link else None)
            for role_id in matcher.roles_of(member.title):
                found.setdefault(role_id, []).append(person)
        index = {role_id: tuple(people) for role_id, people in found.items()}
        self._index = (key, index)  # one assignment: readers see old or new
        return index
