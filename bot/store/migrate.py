"""Connect to the database and bring its schema to the newest revision.

``open_store`` calls :func:`upgrade` on every start; ``rolle db upgrade`` calls it
alone. On PostgreSQL an advisory lock makes replicas that start together migrate one
after the other. A database already at the newest revision (read from the migration
files, :func:`shipped_head`) is left alone without importing Alembic (0.3–0.6 s and
7 MiB of a server's start).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.core.errors import RollenbotError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x526F6C6C  # "Roll": the advisory lock key for migrations
log = logging.getLogger(__name__)


class DatabaseURLError(RollenbotError):
    """ROLLE_DATABASE_URL cannot be used."""


def make_engine(url: str, *, connect_timeout: int = 5) -> Engine:
    """A SQLAlchemy engine for a ``sqlite:///`` or ``postgresql+psycopg://`` URL.

    SQLite gets its folder created, write-ahead logging and a busy timeout (so threads
    and processes wait for each other instead of failing); PostgreSQL gets a connect
    timeout and connection checks, so a restarted server is picked up again.

    Raises:
        DatabaseURLError: the URL is malformed or names an unsupported database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"ROLLE_DATABASE_URL is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseURLError(
                    f"cannot create {folder} for the SQLite database ({exc.strerror or exc}): "
                    "set ROLLE_DATABASE_URL to a writable place") from exc
        kwargs["connect_args"] = {"timeout": 30}
    elif backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise DatabaseURLError(
                "ROLLE_DATABASE_URL: use the psycopg 3 driver, postgresql+psycopg://…")
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5,
                      connect_args={"connect_timeout": connect_timeout})
    else:
        raise DatabaseURLError(
            f"ROLLE_DATABASE_URL: unsupported database '{backend}' (use sqlite:///FILE "
            "or postgresql+psycopg://USER:PASSWORD@HOST/DB)")
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseURLError(f"ROLLE_DATABASE_URL cannot be used: {exc}") from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, start transactions (see _sqlite_begin):
    # the module's own handling leaves DDL outside transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging (readers never wait for writers) is a property of the file; the
    # switch needs the file to itself and does not wait, so first connections that race
    # retry for a few seconds.
    for attempt in range(100):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError:
            if attempt == 99:
                raise
            time.sleep(0.05)
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at the start: a transaction that reads and then writes cannot
    # fail half-way with "database is locked"; others wait (busy timeout) instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of the bot."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


_REVISION = re.compile(r"^revision(?:: str)? = \"([^\"]+)\"", re.M)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (None|\"[^\"]+\")", re.M)


def shipped_head() -> str | None:
    """The newest migration, read from the files in ``migrations/versions`` without
    Alembic: the one revision that no other one follows. None when that is not plain
    (a branch, a merge, a file these patterns do not read): then Alembic decides."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text("utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if not revision and not down:
            continue  # __init__.py
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0] != "None":
            followed.add(down[0].strip('"'))
    heads = revisions - followed
    return heads.pop() if len(heads) == 1 and followed <= revisions else None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply the missing migrations; returns (revision before, revision after).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database cannot be reached or changed.
    """
    head = shipped_head()
    if head is not None:
        with engine.connect() as conn:
            if inspect(conn).has_table("alembic_version"):
                found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
                if list(found) == [head]:
                    return head, head
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        before = MigrationContext.configure(conn).get_current_revision()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("database %s migrated from %s to %s",
                 engine.url.render_as_string(hide_password=True), before, after)
    return before, after or ""
