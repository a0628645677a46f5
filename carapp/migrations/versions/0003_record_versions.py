"""A version on each record edited in the window: findings, root causes, corrective actions
and effectiveness reviews.

Each save of such a record adds one to its version (recorded in history like any field), so
that a save made from data read before someone else's save is refused instead of
overwriting it. Records older than this revision keep NULL, which counts as version 1: their
history has no version to replay, and writing one entry per existing record would add
hundreds of thousands of entries to a large register for nothing.

Released; never edit. Add a new revision instead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("findings", "root_causes", "corrective_actions", "effectiveness_reviews")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
