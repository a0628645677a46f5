"""The date a certification body granted for an extension, beside the date asked.

An auditor often grants a different date from the one requested; the deadline follows the
granted one. Requests granted before this revision keep NULL, which means "as asked", so
no history entry is written for them.

Released; never edit. Add a new revision instead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("extension_requests", sa.Column("granted_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extension_requests") as batch:
        batch.drop_column("granted_due")
