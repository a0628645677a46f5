"""An index that orders findings by reference: prefix, year, then number.

Sorting the register by Ref walked the ids, which is the order references were issued in
only while nobody imports, renumbers or backdates: NC-2025-007 entered in 2026 sorted after
NC-2026-001. The references are ordered by their head without the trailing number
(``NC-2026-``), then by length (NC-2026-999 before NC-2026-1000), then as text; this index
holds exactly that expression so the sort stays an index walk.

Derived data only: the record is not touched.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_findings_ref_order "
        "ON findings (rtrim(ref, '0123456789'), length(ref), ref)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_findings_ref_order")
