"""The store's settings: defaults, the admins list, the secret kept out of logs, and a
database URL that cannot be used, each refused with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import ROOT, Settings
from bot.store import open_store
from bot.store.migrate import DatabaseURLError


def test_defaults_need_nothing_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ROLLE_DATABASE_URL", "ROLLE_SECRET", "ROLLE_RETENTION_DAYS", "ROLLE_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None)
    assert s.database_url == f"sqlite:///{ROOT / 'var' / 'rollenbot.db'}"
    assert s.secret is None and s.retention_days == 90 and s.admins == []


def test_admins_and_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLLE_ADMINS", "U01ABC, U02DEF;29:1xyz")
    monkeypatch.setenv("ROLLE_SECRET", "s3cr3t-value")
    monkeypatch.setenv("ROLLE_RETENTION_DAYS", "30")
    s = Settings(_env_file=None)
    assert s.admins == ["U01ABC", "U02DEF", "29:1xyz"] and s.retention_days == 30
    assert s.secret is not None and s.secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(s) and "s3cr3t-value" not in str(s.model_dump())


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://u@h/db", "unsupported database 'mysql'"),
    ("postgresql+asyncpg://u@127.0.0.1/db", "use the psycopg 3 driver"),
    ("no url at all", "is not a database URL"),
])
def test_unusable_urls_are_one_clear_line(url: str, message: str) -> None:
    with pytest.raises(DatabaseURLError, match=message):
        open_store(url)


def test_unwritable_sqlite_folder_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseURLError, match=r"cannot create .* set ROLLE_DATABASE_URL"):
        open_store(f"sqlite:///{blocker / 'var' / 'x.db'}")


def test_resume_interval_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLLE_RESUME_INTERVAL_SECONDS", raising=False)
    assert Settings(_env_file=None).resume_interval_seconds == 2.0
    monkeypatch.setenv("ROLLE_RESUME_INTERVAL_SECONDS", "0.5")
    assert Settings(_env_file=None).resume_interval_seconds == 0.5
    monkeypatch.setenv("ROLLE_RESUME_INTERVAL_SECONDS", "0")  # a sweep without a pause
    with pytest.raises(ValidationError, match="ROLLE_RESUME_INTERVAL_SECONDS"):
        Settings(_env_file=None)


def test_lease_and_instance_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ROLLE_DELIVERY_LEASE_SECONDS", "ROLLE_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    # Renewed every quarter lease by a live process, so a short lease is safe.
    assert (settings.delivery_lease_seconds, settings.instance) == (12.0, "")
    monkeypatch.setenv("ROLLE_INSTANCE", "bot-1")
    assert Settings(_env_file=None).instance == "bot-1"
