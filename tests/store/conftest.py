"""Store fixtures: every store test runs on SQLite (a temporary file) and on a real
PostgreSQL server that the session starts from the system's binaries (see tests/pg.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import SqlStore, open_store
from tests.pg import PostgresServer, PostgresUnavailable, create_database, start_server


class Clock:
    """A settable UTC clock for the store."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server for this session; fails loudly if none."""
    existing = os.environ.get("ROLLE_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        yield server.admin_url
    finally:
        server.remove()


@pytest.fixture
def pg_private() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, which the test may stop and start."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the session's server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'rollenbot.db'}"
    return create_database(request.getfixturevalue("pg_admin_url"))


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
