"""Spreadsheet imports: each import on record, and the reference each imported finding had
in its spreadsheet, so that importing the same register again updates those findings.

Released; never edit. Add a new revision instead.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "findings",
        sa.Column("source_ref", sa.String(length=200), nullable=False, server_default=""),
    )
    op.create_index(op.f("ix_findings_source_ref"), "findings", ["source_ref"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports "
            "BEGIN SELECT RAISE(ABORT, 'imports are never deleted'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("carapp registers are never downgraded; restore a backup instead")
