"""Store fixtures: every store test runs on SQLite (a temporary file) and on a real
PostgreSQL server that the session starts from the system's binaries (see tests/pg.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from tests.pg import create_database, drop_database, pg_admin_url, pg_private
from tests.support import Clock

__all__ = ["pg_admin_url", "pg_private"]  # the PostgreSQL fixtures, defined in tests/pg.py



@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the session's server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'rollenbot.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    url = create_database(admin)
    yield url
    drop_database(admin, url)


@pytest.fixture
def clock() -> Clock:
    """The store's clock, starting 2026-11-02 09:00 UTC."""
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[SqlStore]:
    """A migrated store on ``db_url`` with a fixed secret and the test clock."""
    opened = open_store(db_url, secret="test-secret")
    s = SqlStore(opened.engine, secret=b"test-secret", clock=clock)
    try:
        yield s
    finally:
        s.close()
