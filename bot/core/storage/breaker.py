"""The circuit breaker of :class:`bot.core.storage.guard.GuardedStore`: whether the
database is on, what is kept for it while it is away, and the probe that finds it back.

Only an outage (:attr:`StoreError.outage`) opens the breaker: one WARNING line, and
from then on every call is answered at once without the database while a thread pings
it every ``probe_seconds``, and at once when it is next used (half-open). The writes kept
meanwhile (at most ``max_kept``, then the oldest go) are written in order once it
answers; then the breaker closes, with one more WARNING line. A failure of one call (a
value the database refuses, a bug) is logged with its reference and leaves it closed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.core.storage.port import Store, StoreError

T = TypeVar("T")
log = logging.getLogger("bot.core.storage.guard")  # one logger for the guard's lines
MAX_KEPT = 10_000
PROBE_SECONDS = 0.25
MIN_PROBE_GAP = 0.05  # a burst of calls while the database is away probes this often


@dataclass(frozen=True)
class Write:
    """A write kept while the database is away: what it is (for a log line) and how to
    do it on the store."""

    what: str
    run: Callable[[Store], object]


class Breaker:
    """Calls to a store through the breaker; ``store`` gives the store (it may open it,
    and raise while it cannot)."""

    def __init__(self, store: Callable[[], Store], *, probe_seconds: float = PROBE_SECONDS,
                 max_kept: int = MAX_KEPT, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self._store = store
        self._clock = clock
        self._probe_seconds = probe_seconds
        self._lock = threading.Lock()
        self._kept: deque[Write] = deque()
        self._max_kept = max_kept
        self._up = True
        self._since = 0.0
        self._ref = ""
        self._wake = threading.Event()
        self._closed = False
        self._prober: threading.Thread | None = None
        self.outages = 0  # since start
        self.dropped = 0  # writes lost because the buffer was full, since start
        self._dropped_before = 0

    @property
    def up(self) -> bool:
        """False while the database is away (between the outage and its return)."""
        return self._up

    @property
    def kept(self) -> int:
        """Writes waiting for the database."""
        return len(self._kept)

    def call(self, what: str, call: Callable[[], T], fallback: Callable[[], T], *,
              away: Callable[[], T] | None = None) -> T:
        """``call()``; without the database ``away()`` (default ``fallback()``), which
        may keep writes for later; after a failure of this call alone, ``fallback()``."""
        if not self._up:
            self._wake.set()  # probe now: the database may be back
            return (away or fallback)()
        try:
            return call()
        except Exception as exc:
            if isinstance(exc, StoreError) and exc.outage:
                self.trip(exc)
                return (away or fallback)()
            if isinstance(exc, StoreError):  # its message names what and the reference
                log.error("store: %s failed, carrying on with the database: %s", what, exc)
            else:
                log.error("store: %s failed (ref %s), carrying on with the database", what,
                          uuid.uuid4().hex[:8], exc_info=exc)
            return fallback()

    def later(self, write: Write, result: T) -> T:
        """Keep ``write`` for when the database is back; ``result`` meanwhile."""
        self._keep(write)
        return result

    def _keep(self, write: Write) -> None:
        with self._lock:
            self._kept.append(write)
            if len(self._kept) > self._max_kept:
                self._kept.popleft()
                self.dropped += 1
                if self.dropped == self._dropped_before + 1:
                    log.warning("database still away: %d writes kept, the oldest are now "
                                "dropped", self._max_kept)

    def trip(self, exc: StoreError) -> None:
        """The database is away (``exc`` says why and what failed): say so once and
        start probing."""
        with self._lock:
            if not self._up:
                return
            self._up, self._since, self._ref = False, self._clock(), exc.reference
            self.outages += 1
            self._dropped_before = self.dropped
            log.warning("database unavailable: %s; answering without it, what happens "
                        "meanwhile is kept (up to %d writes) and written when it is back",
                        exc, self._max_kept)
            if self._prober is None or not self._prober.is_alive():
                self._prober = threading.Thread(target=self._probe, name="rolle-db-probe",
                                                daemon=True)
                self._prober.start()

    def _probe(self) -> None:
        """While the database is away: ping it every ``probe_seconds`` (and when it is
        used), and once it answers write what was kept, then switch it on again."""
        last = 0.0
        while not self._closed:
            self._wake.wait(self._probe_seconds)
            self._wake.clear()
            gap = MIN_PROBE_GAP - (self._clock() - last)
            if gap > 0:
                time.sleep(gap)
            last = self._clock()
            if self._closed:
                return
            try:
                self._store().ping()
            except Exception:  # still away: said once, when it went
                continue
            if self._write_kept():
                return

    def _write_kept(self) -> bool:
        """Write the kept writes in order; True when all are written and the database
        is on again, False when it went away again."""
        written = refused = 0
        while True:
            with self._lock:
                if not self._kept:
                    self._up = True
                    break
                write = self._kept.popleft()
            try:
                write.run(self._store())
                written += 1
            except Exception as exc:
                if isinstance(exc, StoreError) and exc.outage:
                    with self._lock:
                        self._kept.appendleft(write)
                    return False
                refused += 1
                log.error("store: a kept write (%s) failed, dropped: %s", write.what, exc)
        dropped = self.dropped - self._dropped_before
        lost = f", {dropped} dropped while the buffer was full" if dropped else ""
        log.warning("database back after %.1f s (ref %s): %d kept writes written%s%s",
                    self._clock() - self._since, self._ref, written,
                    f", {refused} refused" if refused else "", lost)
        return True

    def close(self) -> None:
        """Stop probing."""
        self._closed = True
        self._wake.set()
        if self._prober is not None:
            self._prober.join(5)
