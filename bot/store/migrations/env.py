"""Alembic environment: runs on the connection ``bot.store.migrate`` hands over.

The scripts ship inside the package, so an installed bot migrates its own database on
start; there is no alembic.ini to find.
"""

from __future__ import annotations

from alembic import context

from bot.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via bot.store.migrate
    raise RuntimeError("run migrations through `rolle db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
