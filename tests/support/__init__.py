"""Shared test support: a stub engine with canned answers, loopback servers and HTTP."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.store_guard import GuardedStore


class Clock:
    """A settable UTC clock (for the store, the directory cache and their callers)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter of this venv (e.g. which modules an
    import pulls in, which this process has long loaded); a failure raises."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout.strip()


def reconfigure(settings: Settings, changes: dict[str, Any]) -> Settings:
    """``settings`` with ``changes`` applied and validated (so secrets become
    ``SecretStr``, as they would from the environment)."""
    return Settings(_env_file=None, **{**settings.model_dump(), **changes})  # type: ignore[call-arg]


def sqlite_store(folder: Path) -> GuardedStore:
    """A real store in a fresh SQLite file under ``folder``, migrated, guarded."""
    from bot.store import open_store

    return GuardedStore(open_store(f"sqlite:///{folder / 'rollenbot.db'}", secret="test"))
