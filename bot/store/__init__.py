"""The store on a real database: SQLAlchemy 2 over SQLite or PostgreSQL (psycopg 3).

Use :func:`open_store`; it migrates the database to the newest revision first.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from bot.core.context import MAX_QUESTION_CHARS
from bot.core.storage.port import Store, StoreError
from bot.store.migrate import DatabaseURLError, make_engine, upgrade
from bot.store.schema import meta
from bot.store.sql import SqlStore, dialect_insert

__all__ = ["DatabaseURLError", "SqlStore", "open_store"]
log = logging.getLogger(__name__)
SECRET_NAME = "user_key_secret"

if TYPE_CHECKING:
    def _implements_the_port(store: SqlStore) -> Store:  # checked by mypy
        return store


def open_store(
    url: str, *, secret: str | None = None, max_question_chars: int = MAX_QUESTION_CHARS,
) -> SqlStore:
    """Connect, migrate to the newest revision and return the store.

    Args:
        url: ``sqlite:///PATH`` or ``postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB``.
        secret: the key for user pseudonyms (``ROLLE_SECRET``). None: a random key is
            generated once and kept in the database's ``meta`` table, so all replicas
            sharing the database use the same one.
        max_question_chars: questions are cut to this length.

    Raises:
        DatabaseURLError: the URL cannot be used.
        StoreError: the database cannot be reached or migrated.
    """
    engine = make_engine(url)
    try:
        upgrade(engine)
        key = secret.encode("utf-8") if secret else _stored_secret(engine)
    except SQLAlchemyError as exc:
        ref = secrets.token_hex(4)  # logged by the caller (the guard probes quietly)
        where = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        raise StoreError(f"cannot open the database {where}: {str(exc).splitlines()[0]}",
                         reference=ref) from exc
    return SqlStore(engine, secret=key, max_question_chars=max_question_chars)


def _stored_secret(engine: Engine) -> bytes:
    insert = dialect_insert(engine)
    with engine.begin() as conn:
        conn.execute(insert(meta).values(name=SECRET_NAME, value=secrets.token_hex(32))
                     .on_conflict_do_nothing(index_elements=[meta.c.name]))
        value = conn.execute(select(meta.c.value).where(meta.c.name == SECRET_NAME)).scalar_one()
    log.info("ROLLE_SECRET is not set: user keys use a generated key kept in the database")
    return bytes.fromhex(value)
