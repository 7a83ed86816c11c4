"""Shared test support: a stub engine with canned answers, loopback servers and HTTP."""

from __future__ import annotations

from typing import Any

from bot.config import Settings


def reconfigure(settings: Settings, changes: dict[str, Any]) -> Settings:
    """``settings`` with ``changes`` applied and validated (so secrets become
    ``SecretStr``, as they would from the environment)."""
    return Settings(_env_file=None, **{**settings.model_dump(), **changes})  # type: ignore[call-arg]
