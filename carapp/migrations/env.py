"""Alembic environment: carapp always hands over its own open connection."""

from __future__ import annotations

from alembic import context

from carapp.models.entities import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("carapp migrations run through carapp.store.migrate(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
