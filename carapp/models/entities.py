"""The register's records, as SQLAlchemy 2 typed ORM classes.

Column names equal attribute names everywhere: the history log names fields by column, and
``carapp check`` replays that log against the tables, so one name per field keeps the two
comparable without a mapping table.

Every tracked table has an integer ``id``; nothing is ever hard-deleted (people are retired,
actions cancelled, findings voided). Old values of every column are loaded before a change
(``active_history``) so that history records what was really there.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
)

from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    Deadline,
    DisputeOutcome,
    ExtensionStatus,
    IsmsDecision,
    ObservationDecision,
    RequirementKind,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[Any], name: str | None = None) -> Enum:
    # Stored as plain strings with a CHECK constraint: portable to PostgreSQL without native
    # ENUM types, which would need their own migrations for every new value.
    return Enum(
        cls,
        native_enum=False,
        values_callable=lambda e: [m.value for m in e],
        length=32,
        validate_strings=True,
        create_constraint=True,
        # The CHECK constraint is named after this; it must be unique within a table.
        name=name or cls.__name__.lower(),
    )


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="RESTRICT")


class Setting(Base):
    """A register-wide setting (organisation name, reference prefixes)."""

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, active_history=True)
    value: Mapped[str] = mapped_column(Text, active_history=True)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), active_history=True)
    role: Mapped[str] = mapped_column(String(200), default="", active_history=True)
    email: Mapped[str] = mapped_column(String(320), default="", active_history=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)


class Audit(Base):
    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True, active_history=True)
    kind: Mapped[AuditKind] = mapped_column(_enum(AuditKind), active_history=True)
    certification_body: Mapped[str | None] = mapped_column(String(200), active_history=True)
    lead_auditor_id: Mapped[int | None] = mapped_column(_fk("people.id"), active_history=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, active_history=True)
    ends_on: Mapped[dt.date] = mapped_column(Date, active_history=True)
    report_received_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    scope_note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    lead_auditor: Mapped[Person | None] = relationship()
    findings: Mapped[list[Finding]] = relationship(back_populates="audit")

    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)


class Requirement(Base):
    """A requirement that can be breached: a clause, an Annex A control, or the
    organisation's own, legal or contractual duty."""

    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequirementKind] = mapped_column(_enum(RequirementKind), active_history=True)
    code: Mapped[str] = mapped_column(String(64), active_history=True)
    title: Mapped[str] = mapped_column(String(300), active_history=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)

    __table_args__ = (UniqueConstraint("kind", "code"),)

    @property
    def display(self) -> str:
        return f"{self.code} {self.title}"


finding_requirements = Table(
    "finding_requirements",
    Base.metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="RESTRICT"), primary_key=True),
    Column(
        "requirement_id",
        ForeignKey("requirements.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

# Derived, not record: what the register table sorts by where the value is worked out or
# lives in another table, each with an index to walk instead of sorting every row.
# models/finding_index.py rewrites a finding's row whenever a flush touches it; history does
# not record it, and `carapp check` works it out again to compare.
finding_sort_keys = Table(
    "finding_sort_keys",
    Base.metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="RESTRICT"), primary_key=True),
    Column("owner", String(200), index=True),
    Column("requirement", String(64), index=True),
    Column("cause_category", String(32), index=True),
    Column("audit", String(32), index=True),
    Column("next_due", Date, index=True),
    Column("severity", Integer, index=True),  # majors first
    Column("stage_order", Integer, index=True),  # the order of Stage
)


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True, active_history=True)
    cb_ref: Mapped[str] = mapped_column(String(64), default="", index=True, active_history=True)
    audit_id: Mapped[int | None] = mapped_column(_fk("audits.id"), index=True, active_history=True)
    source: Mapped[Source] = mapped_column(_enum(Source), index=True, active_history=True)
    identified_on: Mapped[dt.date] = mapped_column(Date, index=True, active_history=True)
    raised_by_id: Mapped[int | None] = mapped_column(_fk("people.id"), active_history=True)
    title: Mapped[str] = mapped_column(String(300), index=True, active_history=True)
    statement: Mapped[str] = mapped_column(Text, default="", active_history=True)
    evidence_observed: Mapped[str] = mapped_column(Text, default="", active_history=True)
    area: Mapped[str] = mapped_column(String(200), default="", active_history=True)
    classification: Mapped[Classification] = mapped_column(
        _enum(Classification), index=True, active_history=True
    )

    # Containment / correction: what, when, who; or none needed, with a reason.
    containment: Mapped[str] = mapped_column(Text, default="", active_history=True)
    contained_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    contained_by_id: Mapped[int | None] = mapped_column(_fk("people.id"), active_history=True)
    containment_none_reason: Mapped[str] = mapped_column(Text, default="", active_history=True)

    dispute_raised_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    dispute_outcome: Mapped[DisputeOutcome | None] = mapped_column(
        _enum(DisputeOutcome), active_history=True
    )
    dispute_note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    # Observation / OFI: the decision to act or not.
    decision: Mapped[ObservationDecision | None] = mapped_column(
        _enum(ObservationDecision), active_history=True
    )
    decision_note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    # Clause 10.2 e): changes to the ISMS, one decision per target.
    isms_risk_assessment: Mapped[IsmsDecision | None] = mapped_column(
        _enum(IsmsDecision, "isms_risk_assessment"), active_history=True
    )
    isms_risk_assessment_note: Mapped[str] = mapped_column(Text, default="", active_history=True)
    isms_soa: Mapped[IsmsDecision | None] = mapped_column(
        _enum(IsmsDecision, "isms_soa"), active_history=True
    )
    isms_soa_note: Mapped[str] = mapped_column(Text, default="", active_history=True)
    isms_risk_treatment_plan: Mapped[IsmsDecision | None] = mapped_column(
        _enum(IsmsDecision, "isms_risk_treatment_plan"), active_history=True
    )
    isms_risk_treatment_plan_note: Mapped[str] = mapped_column(
        Text, default="", active_history=True
    )
    isms_policies: Mapped[IsmsDecision | None] = mapped_column(
        _enum(IsmsDecision, "isms_policies"), active_history=True
    )
    isms_policies_note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    plan_sent_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    void_reason: Mapped[str] = mapped_column(Text, default="", active_history=True)
    voided_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    # The finding's reference in the spreadsheet it was imported from (schema 0008): a
    # second import of that register updates this finding instead of adding another.
    source_ref: Mapped[str] = mapped_column(
        String(200), default="", server_default="", index=True, active_history=True
    )

    stage: Mapped[Stage] = mapped_column(_enum(Stage), index=True, active_history=True)
    # Analysis round: a failed effectiveness review starts a new one, so root causes,
    # actions and reviews of earlier rounds stay on record but no longer prove a stage.
    cycle: Mapped[int] = mapped_column(Integer, default=1, active_history=True)
    # Derived from the deadline rules and granted extensions; stored for SQL sort/filter.
    plan_due: Mapped[dt.date | None] = mapped_column(Date, index=True, active_history=True)
    closure_due: Mapped[dt.date | None] = mapped_column(Date, index=True, active_history=True)
    # Counts the saves of this record: an edit made from an older version is refused
    # (carapp.operations.common.check_version). NULL (counted as 1) in records older than
    # schema 0003 and in those a bulk load wrote.
    version: Mapped[int | None] = mapped_column(Integer, default=1, active_history=True)

    audit: Mapped[Audit | None] = relationship(back_populates="findings")
    raised_by: Mapped[Person | None] = relationship(foreign_keys=[raised_by_id])
    contained_by: Mapped[Person | None] = relationship(foreign_keys=[contained_by_id])
    requirements: Mapped[list[Requirement]] = relationship(
        secondary=finding_requirements, order_by="Requirement.code", active_history=True
    )
    cause_links: Mapped[list[FindingRootCause]] = relationship(
        back_populates="finding", order_by="FindingRootCause.id"
    )
    action_links: Mapped[list[FindingAction]] = relationship(
        back_populates="finding", order_by="FindingAction.id"
    )
    reviews: Mapped[list[EffectivenessReview]] = relationship(
        back_populates="finding", order_by="EffectivenessReview.id"
    )
    extensions: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="finding", order_by="ExtensionRequest.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="finding", order_by="Evidence.id"
    )

    __table_args__ = (
        CheckConstraint("cycle >= 1", name="cycle_positive"),
        Index("ix_findings_stage_closure_due", "stage", "closure_due"),
    )

    # Views of the current analysis round, which is what the workflow guards look at.
    @property
    def root_causes(self) -> list[RootCause]:
        return [link.root_cause for link in self.cause_links if link.cycle == self.cycle]

    @property
    def actions(self) -> list[CorrectiveAction]:
        return [link.action for link in self.action_links if link.cycle == self.cycle]

    @property
    def current_reviews(self) -> list[EffectivenessReview]:
        return [r for r in self.reviews if r.cycle == self.cycle]


class RootCause(Base):
    __tablename__ = "root_causes"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[RootCauseMethod] = mapped_column(_enum(RootCauseMethod), active_history=True)
    statement: Mapped[str] = mapped_column(Text, default="", active_history=True)
    category: Mapped[CauseCategory | None] = mapped_column(
        _enum(CauseCategory), index=True, active_history=True
    )
    # Required when the statement reads as a symptom ("human error", "forgot", ...).
    symptom_justification: Mapped[str] = mapped_column(Text, default="", active_history=True)
    recorded_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    # Counts the saves of this record: an edit made from an older version is refused
    # (carapp.operations.common.check_version). NULL (counted as 1) in records older than
    # schema 0003 and in those a bulk load wrote.
    version: Mapped[int | None] = mapped_column(Integer, default=1, active_history=True)

    # The live chain: steps a rewrite removed stay in the table (and history), unshown.
    steps: Mapped[list[WhyStep]] = relationship(
        primaryjoin=lambda: and_(RootCause.id == WhyStep.root_cause_id, WhyStep.removed == false()),
        order_by="WhyStep.position",
        viewonly=True,
    )
    all_steps: Mapped[list[WhyStep]] = relationship(
        back_populates="root_cause", order_by="WhyStep.position"
    )
    finding_links: Mapped[list[FindingRootCause]] = relationship(back_populates="root_cause")


class WhyStep(Base):
    """One step of a why chain; ``parent_id`` set means the step starts or continues a
    branch off another step."""

    __tablename__ = "why_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cause_id: Mapped[int] = mapped_column(
        _fk("root_causes.id"), index=True, active_history=True
    )
    position: Mapped[int] = mapped_column(Integer, active_history=True)
    parent_id: Mapped[int | None] = mapped_column(_fk("why_steps.id"), active_history=True)
    question: Mapped[str] = mapped_column(Text, default="", active_history=True)
    answer: Mapped[str] = mapped_column(Text, default="", active_history=True)
    evidence: Mapped[str] = mapped_column(Text, default="", active_history=True)
    checked: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    # Set when a rewrite of the chain left this step out (schema 0006): nothing is deleted.
    removed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), active_history=True
    )
    # The step the team named the root cause (schema 0007).
    is_root: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), active_history=True
    )

    root_cause: Mapped[RootCause] = relationship(back_populates="all_steps")
    parent: Mapped[WhyStep | None] = relationship(remote_side="WhyStep.id")


class FindingRootCause(Base):
    __tablename__ = "finding_root_causes"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), index=True, active_history=True)
    root_cause_id: Mapped[int] = mapped_column(
        _fk("root_causes.id"), index=True, active_history=True
    )
    cycle: Mapped[int] = mapped_column(Integer, default=1, active_history=True)

    finding: Mapped[Finding] = relationship(back_populates="cause_links")
    root_cause: Mapped[RootCause] = relationship(back_populates="finding_links")

    __table_args__ = (UniqueConstraint("finding_id", "root_cause_id", "cycle"),)


class CorrectiveAction(Base):
    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True, active_history=True)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind), active_history=True)
    description: Mapped[str] = mapped_column(Text, active_history=True)
    owner_id: Mapped[int | None] = mapped_column(_fk("people.id"), index=True, active_history=True)
    target_on: Mapped[dt.date | None] = mapped_column(Date, index=True, active_history=True)
    outcome: Mapped[str] = mapped_column(Text, default="", active_history=True)
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus), default=ActionStatus.PLANNED, active_history=True
    )
    completed_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    completion_evidence: Mapped[str] = mapped_column(Text, default="", active_history=True)
    cancelled_reason: Mapped[str] = mapped_column(Text, default="", active_history=True)
    # Counts the saves of this record: an edit made from an older version is refused
    # (carapp.operations.common.check_version). NULL (counted as 1) in records older than
    # schema 0003 and in those a bulk load wrote.
    version: Mapped[int | None] = mapped_column(Integer, default=1, active_history=True)

    owner: Mapped[Person | None] = relationship()
    finding_links: Mapped[list[FindingAction]] = relationship(back_populates="action")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="action", order_by="Evidence.id")


class FindingAction(Base):
    __tablename__ = "finding_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), index=True, active_history=True)
    action_id: Mapped[int] = mapped_column(
        _fk("corrective_actions.id"), index=True, active_history=True
    )
    cycle: Mapped[int] = mapped_column(Integer, default=1, active_history=True)

    finding: Mapped[Finding] = relationship(back_populates="action_links")
    action: Mapped[CorrectiveAction] = relationship(back_populates="finding_links")

    __table_args__ = (UniqueConstraint("finding_id", "action_id", "cycle"),)


class EffectivenessReview(Base):
    __tablename__ = "effectiveness_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), index=True, active_history=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1, active_history=True)
    method: Mapped[str] = mapped_column(Text, default="", active_history=True)
    criteria: Mapped[str] = mapped_column(Text, default="", active_history=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True, active_history=True)
    reviewer_id: Mapped[int | None] = mapped_column(_fk("people.id"), active_history=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    result: Mapped[ReviewResult | None] = mapped_column(_enum(ReviewResult), active_history=True)
    notes: Mapped[str] = mapped_column(Text, default="", active_history=True)
    # Counts the saves of this record: an edit made from an older version is refused
    # (carapp.operations.common.check_version). NULL (counted as 1) in records older than
    # schema 0003 and in those a bulk load wrote.
    version: Mapped[int | None] = mapped_column(Integer, default=1, active_history=True)

    finding: Mapped[Finding] = relationship(back_populates="reviews")
    reviewer: Mapped[Person | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="review", order_by="Evidence.id")


class Evidence(Base):
    """A file kept inside the register, on exactly one finding, action or review."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int | None] = mapped_column(
        _fk("findings.id"), index=True, active_history=True
    )
    action_id: Mapped[int | None] = mapped_column(
        _fk("corrective_actions.id"), index=True, active_history=True
    )
    review_id: Mapped[int | None] = mapped_column(
        _fk("effectiveness_reviews.id"), index=True, active_history=True
    )
    name: Mapped[str] = mapped_column(String(300), active_history=True)
    media_type: Mapped[str] = mapped_column(String(200), active_history=True)
    size: Mapped[int] = mapped_column(Integer, active_history=True)
    sha256: Mapped[str] = mapped_column(String(64), active_history=True)
    added_on: Mapped[dt.date] = mapped_column(Date, active_history=True)
    # Not in history (the sha256 column stands for it); loaded only when asked for.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    finding: Mapped[Finding | None] = relationship(back_populates="evidence")
    action: Mapped[CorrectiveAction | None] = relationship(back_populates="evidence")
    review: Mapped[EffectivenessReview | None] = relationship(back_populates="evidence")

    __table_args__ = (
        CheckConstraint(
            "(finding_id IS NOT NULL) + (action_id IS NOT NULL) + (review_id IS NOT NULL) = 1",
            name="one_owner",
        ),
    )


workshop_attendees = Table(
    "workshop_attendees",
    Base.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="RESTRICT"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Workshop(Base):
    """A root-cause workshop held on a finding: who was in the room, how long it took, what
    was set aside for later, and which similar findings the team looked at (schema 0007).
    The analysis itself is the root cause, its why chain and the actions it planned."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), index=True, active_history=True)
    root_cause_id: Mapped[int | None] = mapped_column(
        _fk("root_causes.id"), index=True, active_history=True
    )
    cycle: Mapped[int] = mapped_column(Integer, default=1, active_history=True)
    held_on: Mapped[dt.date] = mapped_column(Date, active_history=True)
    minutes_taken: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    fewer_whys_reason: Mapped[str] = mapped_column(Text, default="", active_history=True)

    finding: Mapped[Finding] = relationship()
    root_cause: Mapped[RootCause | None] = relationship()
    attendees: Mapped[list[Person]] = relationship(
        secondary=workshop_attendees, order_by="Person.name"
    )
    parked: Mapped[list[ParkedIssue]] = relationship(
        back_populates="workshop", order_by="ParkedIssue.id"
    )
    evaluations: Mapped[list[SimilarEvaluation]] = relationship(
        back_populates="workshop", order_by="SimilarEvaluation.id"
    )


class ParkedIssue(Base):
    """A side issue raised in a workshop, kept so that it can become a finding later."""

    __tablename__ = "parked_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(_fk("workshops.id"), index=True, active_history=True)
    text: Mapped[str] = mapped_column(Text, active_history=True)
    # The finding it was raised as, once it was.
    finding_id: Mapped[int | None] = mapped_column(_fk("findings.id"), active_history=True)

    workshop: Mapped[Workshop] = relationship(back_populates="parked")
    finding: Mapped[Finding | None] = relationship()


class SimilarEvaluation(Base):
    """The team's view of a similar finding (clause 10.2 b): related or not, and why."""

    __tablename__ = "similar_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(_fk("workshops.id"), index=True, active_history=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), active_history=True)
    related: Mapped[bool] = mapped_column(Boolean, active_history=True)
    note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    workshop: Mapped[Workshop] = relationship(back_populates="evaluations")
    finding: Mapped[Finding] = relationship()


class Draft(Base):
    """Work in progress that is not yet record: a workshop as the team types it, kept so
    that a crash loses nothing. Not history: saving the work records it, and discarding it
    deletes the draft, which never was part of the record (schema 0007)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    finding_ref: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("kind", "finding_ref"),)


class DeadlineRule(Base):
    """Days allowed for the action plan and for closure.

    ``scope`` is a certification body's name, ``*`` for any certification body, or
    ``internal`` for findings that no certification body raised. ``None`` days: no deadline.
    """

    __tablename__ = "deadline_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), active_history=True)
    classification: Mapped[Classification] = mapped_column(
        _enum(Classification), active_history=True
    )
    plan_days: Mapped[int | None] = mapped_column(Integer, active_history=True)
    closure_days: Mapped[int | None] = mapped_column(Integer, active_history=True)

    __table_args__ = (UniqueConstraint("scope", "classification"),)


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(_fk("findings.id"), index=True, active_history=True)
    deadline: Mapped[Deadline] = mapped_column(_enum(Deadline), active_history=True)
    asked_on: Mapped[dt.date] = mapped_column(Date, active_history=True)
    previous_due: Mapped[dt.date] = mapped_column(Date, active_history=True)
    requested_due: Mapped[dt.date] = mapped_column(Date, active_history=True)
    reason: Mapped[str] = mapped_column(Text, active_history=True)
    status: Mapped[ExtensionStatus] = mapped_column(
        _enum(ExtensionStatus), default=ExtensionStatus.REQUESTED, active_history=True
    )
    decided_on: Mapped[dt.date | None] = mapped_column(Date, active_history=True)
    decision_note: Mapped[str] = mapped_column(Text, default="", active_history=True)

    # What the certification body granted, which may differ from what was asked; requests
    # granted before schema 0005 have none and were granted as asked.
    granted_due: Mapped[dt.date | None] = mapped_column(Date, active_history=True)

    finding: Mapped[Finding] = relationship(back_populates="extensions")


class RefCounter(Base):
    """Last number issued per prefix and year, so that a reference is never reused."""

    __tablename__ = "ref_counters"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class HistoryEntry(Base):
    """One change to one field of one record. Append-only and hash-chained."""

    __tablename__ = "history"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_history_entity", "entity", "entity_id", "seq"),)


class HistoryHead(Base):
    """The last entry of the chain, so that removing entries from the end is detected."""

    __tablename__ = "history_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class RegisterImport(Base):
    """A spreadsheet imported into the register (schema 0008): which file (its name and
    SHA-256), which sheet, how its columns were read, and what it did. Never deleted."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(260), active_history=True)
    sha256: Mapped[str] = mapped_column(String(64), active_history=True)
    sheet: Mapped[str] = mapped_column(String(200), default="", active_history=True)
    # JSON: {"columns": [[heading, field or null], ...], "date_order": ...}
    mapping: Mapped[str] = mapped_column(Text, default="", active_history=True)
    created: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    updated: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    unchanged: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    skipped: Mapped[int] = mapped_column(Integer, default=0, active_history=True)
    # JSON: the import's problems, each in a sentence (the preview's report).
    report: Mapped[str] = mapped_column(Text, default="", active_history=True)


# Tables whose every change is written to history, by table name.
TRACKED: dict[str, type[Base]] = {
    cls.__tablename__: cls
    for cls in (
        Setting,
        Person,
        Audit,
        Requirement,
        Finding,
        RootCause,
        WhyStep,
        FindingRootCause,
        CorrectiveAction,
        FindingAction,
        EffectivenessReview,
        Evidence,
        DeadlineRule,
        ExtensionRequest,
        Workshop,
        ParkedIssue,
        SimilarEvaluation,
        RegisterImport,
    )
}
# Columns left out of history: file bytes are represented by their sha256 column, and a
# record's version counts its saves, which history shows as entries already.
UNTRACKED_COLUMNS = frozenset({"id", "data", "version"})
# Columns added after records were made: older records' history lacks them, and they held
# this value (what the migration's server default gave them), by table.
LATE_COLUMN_DEFAULTS: dict[str, dict[str, Any]] = {
    "why_steps": {"removed": False, "is_root": False},
    "findings": {"source_ref": ""},
}
# Many-to-many collections recorded as one field of their owner: the sorted ids.
TRACKED_COLLECTIONS: dict[str, tuple[str, Table, str, str]] = {
    # table: (field, association table, owner column, member column)
    "findings": ("requirements", finding_requirements, "finding_id", "requirement_id"),
    "workshops": ("attendees", workshop_attendees, "workshop_id", "person_id"),
}


@functools.cache
def tracked_columns(table_name: str) -> tuple[str, ...]:
    table = Base.metadata.tables[table_name]
    return tuple(c.name for c in table.columns if c.name not in UNTRACKED_COLUMNS)
