"""Root-cause workshops, the drafts that keep them safe, and the step named the root cause.

A workshop records who was in the room, how long it took, the similar findings the team
evaluated and the side issues it parked; its analysis is the root cause it recorded. Drafts
hold a workshop as it is typed: they are not history and are deleted when saved or
discarded. ``why_steps.is_root`` marks the step the team named the root cause; steps
recorded before this revision have none, which the server default says.

Released; never edit. Add a new revision instead.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEVER_DELETED = ("workshops", "parked_issues", "similar_evaluations")


def upgrade() -> None:
    op.add_column(
        "why_steps",
        sa.Column("is_root", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("root_cause_id", sa.Integer(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes_taken", sa.Integer(), nullable=False),
        sa.Column("fewer_whys_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_workshops_finding_id_findings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["root_cause_id"],
            ["root_causes.id"],
            name=op.f("fk_workshops_root_cause_id_root_causes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshops")),
    )
    op.create_index(op.f("ix_workshops_finding_id"), "workshops", ["finding_id"])
    op.create_index(op.f("ix_workshops_root_cause_id"), "workshops", ["root_cause_id"])
    op.create_table(
        "workshop_attendees",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_attendees_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_workshop_attendees_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("workshop_id", "person_id", name=op.f("pk_workshop_attendees")),
    )
    op.create_index(
        op.f("ix_workshop_attendees_person_id"), "workshop_attendees", ["person_id"]
    )
    op.create_table(
        "parked_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_parked_issues_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_parked_issues_finding_id_findings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked_issues")),
    )
    op.create_index(op.f("ix_parked_issues_workshop_id"), "parked_issues", ["workshop_id"])
    op.create_table(
        "similar_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("related", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_similar_evaluations_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_similar_evaluations_finding_id_findings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_similar_evaluations")),
    )
    op.create_index(
        op.f("ix_similar_evaluations_workshop_id"), "similar_evaluations", ["workshop_id"]
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("finding_ref", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("kind", "finding_ref", name=op.f("uq_drafts_kind_finding_ref")),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in NEVER_DELETED:
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are never deleted'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("carapp registers are never downgraded; restore a backup instead")
