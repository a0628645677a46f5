"""Sort keys and a full-text index for the register table.

Derived data only: the record is not touched. Three more columns of findings get an index,
and each finding gets its indexed sort keys (first current owner, first requirement,
root-cause category, audit, the date it works towards, severity, stage order) and, on SQLite, an FTS5 document of
its refs, title, statement, requirements and current owners, so that sorting and searching
100,000 findings reads an index instead of every row.

The backfill below is this revision's own SQL, frozen with it: carapp keeps both tables up
to date from then on (carapp/models/finding_index.py).

Released; never edit. Add a new revision instead.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT_ACTIONS = """
    FROM finding_actions fa
    JOIN corrective_actions a ON a.id = fa.action_id
    JOIN people p ON p.id = a.owner_id
    WHERE fa.finding_id = f.id AND fa.cycle = f.cycle AND a.status != 'cancelled'
"""
REQUIREMENTS = """
    FROM finding_requirements fr
    JOIN requirements r ON r.id = fr.requirement_id
    WHERE fr.finding_id = f.id
"""


SORT_KEYS = (
    "owner",
    "requirement",
    "cause_category",
    "audit",
    "next_due",
    "severity",
    "stage_order",
)
# The orders the register table sorts these by, as they are at this revision.
CLASSIFICATIONS = ("major", "minor", "observation", "ofi")
STAGES = (
    "identified",
    "contained",
    "cause_found",
    "actions_planned",
    "actions_done",
    "effective",
    "closed",
    "open",
    "decided",
    "disputed",
    "void",
)


def _rank(column: str, values: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(values))
    return f"CASE {column} {whens} ELSE {len(values)} END"


def upgrade() -> None:
    # Text columns the table sorts by: an index walk instead of sorting every row.
    for name in ("title", "cb_ref", "source"):
        op.create_index(op.f(f"ix_findings_{name}"), "findings", [name], unique=False)
    op.create_table(
        "finding_sort_keys",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("requirement", sa.String(length=64), nullable=True),
        sa.Column("cause_category", sa.String(length=32), nullable=True),
        sa.Column("audit", sa.String(length=32), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("stage_order", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_finding_sort_keys_finding_id_findings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_finding_sort_keys")),
    )
    for name in SORT_KEYS:
        op.create_index(
            op.f(f"ix_finding_sort_keys_{name}"), "finding_sort_keys", [name], unique=False
        )
    op.execute(
        f"""
        INSERT INTO finding_sort_keys
            (finding_id, owner, requirement, cause_category, audit, next_due, severity,
            stage_order)
        SELECT f.id,
            (SELECT min(p.name) {CURRENT_ACTIONS}),
            (SELECT min(r.code) {REQUIREMENTS}),
            (SELECT min(CAST(rc.category AS VARCHAR))
                FROM finding_root_causes frc
                JOIN root_causes rc ON rc.id = frc.root_cause_id
                WHERE frc.finding_id = f.id AND frc.cycle = f.cycle),
            (SELECT a.ref FROM audits a WHERE a.id = f.audit_id),
            CASE
                WHEN f.stage IN ('closed', 'void') THEN NULL
                WHEN f.plan_due IS NOT NULL AND f.plan_sent_on IS NULL THEN f.plan_due
                ELSE f.closure_due
            END,
            {_rank("f.classification", CLASSIFICATIONS)},
            {_rank("f.stage", STAGES)}
        FROM findings f
        """
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    # unicode61 folds case and accents; the prefix indexes answer the first keystrokes.
    op.execute(
        "CREATE VIRTUAL TABLE finding_search USING fts5("
        "refs, title, statement, requirements, owners, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"""
        INSERT INTO finding_search (rowid, refs, title, statement, requirements, owners)
        SELECT f.id, f.ref || ' ' || f.cb_ref, f.title, f.statement,
            (SELECT group_concat(r.code || ' ' || r.title, ' ') {REQUIREMENTS}),
            (SELECT group_concat(DISTINCT p.name) {CURRENT_ACTIONS})
        FROM findings f
        """
    )


def downgrade() -> None:
    raise NotImplementedError("carapp registers are never downgraded; restore a backup instead")
