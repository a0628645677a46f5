"""Why steps are marked removed instead of deleted when a why chain is shortened.

Rewriting a root cause's why chain keeps every step that was ever recorded: steps beyond
the new chain's length are marked removed and no longer shown. Steps recorded before this
revision are all live, which the server default says; their history has no ``removed``
field and ``carapp check`` reads it as false.

Released; never edit. Add a new revision instead.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "why_steps",
        sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("why_steps") as batch:
        batch.drop_column("removed")
