"""Operator commands beside the CLI: ``rolle db upgrade``, ``rolle db purge``, ``rolle forget``
and ``rolle report``. Each returns the lines to print; errors are RollenbotErrors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.compose import question_embedder, store_from_settings
from bot.config import Settings
from bot.core.embedding.protocol import Embedder
from bot.core.errors import RollenbotError
from bot.report import build_report, render_html, render_text
from bot.store.migrate import (
    DatabaseURLError,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)


def db_upgrade(settings: Settings) -> str:
    """Migrate the database to the newest revision and say what happened."""
    engine = make_engine(settings.database_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        before, after = upgrade(engine)
        assert current_revision(engine) == head_revision()
    except SQLAlchemyError as exc:
        raise DatabaseURLError(f"cannot migrate {where}: {str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()
    if before == after:
        return f"Database {where} is up to date (revision {after})."
    return f"Database {where} migrated from {before or 'empty'} to revision {after}."


def db_purge(settings: Settings) -> str:
    """Delete records older than ROLLE_RETENTION_DAYS."""
    store = store_from_settings(settings)
    try:
        purged = store.purge(retention_days=settings.retention_days)
    finally:
        store.close()
    detail = ", ".join(f"{n} {kind}" for kind, n in purged.counts.items()) or "nothing"
    return f"Purged records older than {settings.retention_days} days: {detail}."


def forget(settings: Settings, user_id: str) -> str:
    """Delete every record of one user."""
    store = store_from_settings(settings)
    try:
        purged = store.forget(user_id)
    finally:
        store.close()
    if not purged.total:
        return (f"No records of {user_id} found (if ROLLE_SECRET was changed since they "
                "were recorded, they are kept under the old key until retention removes them).")
    detail = ", ".join(f"{n} {kind}" for kind, n in purged.counts.items())
    return f"Deleted all records of {user_id}: {detail}."


def report(settings: Settings, *, days: int, html: Path | None) -> str:
    """Build the report; write the HTML page if asked; return the text summary."""
    store = store_from_settings(settings)
    try:
        now = datetime.now(UTC)
        unanswered = any(q.outcome == "none"
                         for q in store.questions_since(now - timedelta(days=days)))
        embedder: Embedder | None = question_embedder(settings) if unanswered else None
        result = build_report(store, embedder, days=days, now=now)
    finally:
        store.close()
    text = render_text(result)
    if html is not None:
        try:
            html.write_text(render_html(result), encoding="utf-8")
        except OSError as exc:
            raise RollenbotError(f"cannot write {html}: {exc.strerror or exc}") from exc
        text += f"\n\nHTML report written to {html}"
    return text
