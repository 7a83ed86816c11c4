"""The Slack app's own worker for what a listener does after acknowledging.

A listener acknowledges within Slack's 3 seconds and hands the rest (the answer, the
Home tab, a welcome DM) to the :class:`Worker`: at most ``limit`` jobs run at once, the
others wait their turn. Each job is counted in flight (:mod:`bot.inflight`) from the
moment it is handed over, so a graceful shutdown waits for it; what still runs when
the server stops is cancelled (its delivery stays pending for the next process, see
:mod:`bot.slack.durable`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from bot.conversation import new_request_id
from bot.inflight import InFlight

log = logging.getLogger(__name__)
MAX_JOBS = 32  # answers wait for the engine's threads anyway; more only queue there

Job = Coroutine[Any, Any, None]


class Worker:
    """Runs jobs in the background of the running loop, bounded and counted."""

    def __init__(self, inflight: InFlight, *, limit: int = MAX_JOBS) -> None:
        self._inflight = inflight
        self._slots = asyncio.Semaphore(limit)
        self._jobs: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def running(self) -> int:
        """How many jobs were handed over and have not ended (waiting ones included)."""
        return len(self._jobs)

    def submit(self, job: Job, *, what: str) -> None:
        """Run ``job`` (``what`` names it in the log); after :meth:`close` it is refused
        with one WARNING line."""
        if self._closed:
            job.close()
            log.warning("%s refused: the server is shutting down", what)
            return
        self._inflight.begin()
        task = asyncio.get_running_loop().create_task(self._run(job, what))
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _run(self, job: Job, what: str) -> None:
        try:
            async with self._slots:
                await job
        except Exception:  # the job's own handling failed: a bug, logged with a reference
            log.exception("request_id=%s: %s failed", new_request_id(), what)
        finally:
            job.close()  # a job cancelled before it started is never awaited
            self._inflight.end()

    async def close(self) -> None:
        """Refuse new jobs, cancel the running ones and wait until they have ended."""
        self._closed = True
        jobs = list(self._jobs)
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if jobs:
            log.warning("cancelled %d Slack job(s) still running at shutdown", len(jobs))

    async def lifetime(self, _: object) -> AsyncIterator[None]:
        """A cleanup context for the web app: :meth:`close` when the server stops."""
        yield
        await self.close()
