"""Shared test support: a stub engine with canned answers, loopback servers and HTTP."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.storage.guard import GuardedStore


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


def load_script(name: str) -> Any:
    """The module of ``scripts/<name>.py`` (the scripts are not a package)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a `rolle` process on ``settings``' index and knowledge, with
    no platform or ROLLE_ settings of the caller's, offline (``extra`` on top)."""
    import os

    return {**{k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "ROLLE_", "MICROSOFT_"))},
            "ROLLE_INDEX_DIR": str(settings.index_dir),
            "ROLLE_KNOWLEDGE_DIR": str(settings.knowledge_dir), "HF_HUB_OFFLINE": "1", **extra}
