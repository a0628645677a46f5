"""Findings: the register list (FindingRow), one finding whole as a typed read model
(FindingDetail and the views it is made of), its history, and the whole-register load the
checks use.

Lists are built with SQL over columns (no ORM objects), so that they stay fast at 100,000
findings; one finding in full is loaded through the ORM and copied into frozen views, so
that screens and the command line never hold a session open or parse strings back into
enums and dates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from carapp.models import finding_index, workflow
from carapp.models.entities import (
    Audit,
    Base,
    CorrectiveAction,
    EffectivenessReview,
    Finding,
    FindingAction,
    FindingRootCause,
    HistoryEntry,
    ParkedIssue,
    Person,
    Requirement,
    RootCause,
    WhyStep,
    Workshop,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    CauseCategory,
    Classification,
    Deadline,
    DisputeOutcome,
    ExtensionStatus,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    RequirementKind,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.models.finding_index import next_due_sql
from carapp.models.history import CREATED
from carapp.models.words import day_text, stage_text
from carapp.operations.common import get_finding
from carapp.queries.register_table import RegisterFilter, as_date, overdue_sql, where_clauses
from carapp.store import Register


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One line of the register list."""

    ref: str
    title: str
    classification: Classification
    stage: Stage
    identified: dt.date
    plan_due: dt.date | None
    closure_due: dt.date | None
    next_due: dt.date | None
    days_left: int | None
    overdue: bool
    source: Source
    audit: str | None
    cb_ref: str


def list_findings(
    register: Register, *, today: dt.date, only: RegisterFilter | None = None
) -> Iterator[FindingRow]:
    """Every finding, void and closed included, in order of identification, unless
    ``only`` narrows them (the register table's filters)."""
    next_due = next_due_sql().label("next_due")
    query = (
        select(
            Finding.ref,
            Finding.title,
            Finding.classification,
            Finding.stage,
            Finding.identified_on,
            Finding.plan_due,
            Finding.closure_due,
            next_due,
            overdue_sql(today).label("overdue"),
            Finding.source,
            Audit.ref.label("audit_ref"),
            Finding.cb_ref,
        )
        .outerjoin(Audit, Audit.id == Finding.audit_id)
        .order_by(Finding.identified_on, Finding.id)
    )
    with register.engine.connect() as conn:
        where = where_clauses(
            only or RegisterFilter(), today, full_text=finding_index.has_full_text(conn)
        )
        for row in conn.execute(query.where(*where)):
            due = as_date(row.next_due)
            left = None if due is None else (due - today).days
            yield FindingRow(
                ref=row.ref,
                title=row.title,
                classification=row.classification,
                stage=row.stage,
                identified=row.identified_on,
                plan_due=as_date(row.plan_due),
                closure_due=as_date(row.closure_due),
                next_due=due,
                days_left=left,
                overdue=bool(row.overdue),
                source=row.source,
                audit=row.audit_ref,
                cb_ref=row.cb_ref,
            )


@dataclass(frozen=True, slots=True)
class RequirementView:
    code: str
    title: str
    kind: RequirementKind


@dataclass(frozen=True, slots=True)
class Containment:
    what: str
    on: dt.date | None
    by: str | None
    by_id: int | None
    none_needed_reason: str


@dataclass(frozen=True, slots=True)
class Dispute:
    raised_on: dt.date | None
    outcome: DisputeOutcome | None
    note: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What was decided about an observation."""

    decision: ObservationDecision | None
    note: str


@dataclass(frozen=True, slots=True)
class IsmsUpdate:
    """Whether one part of the ISMS needs updating after the finding (clause 10.2 e)."""

    decision: IsmsDecision | None
    note: str


@dataclass(frozen=True, slots=True)
class VoidView:
    reason: str
    on: dt.date | None


@dataclass(frozen=True, slots=True)
class WhyView:
    """One step of a five-whys chain; ``branch_of`` is the position it branches from."""

    position: int
    branch_of: int | None
    question: str
    answer: str
    evidence: str
    checked: bool
    is_root: bool = False


@dataclass(frozen=True, slots=True)
class RootCauseView:
    id: int
    version: int  # the save it shows; an editor hands it back (operations expected_version)
    round: int
    method: RootCauseMethod
    category: CauseCategory | None
    statement: str
    symptom_justification: str
    whys: tuple[WhyView, ...]
    findings: tuple[str, ...]  # every finding this cause explains, this one included


@dataclass(frozen=True, slots=True)
class ActionView:
    ref: str
    version: int  # the save it shows; an editor hands it back (operations expected_version)
    round: int
    kind: ActionKind
    description: str
    owner: str | None
    target_on: dt.date | None
    outcome: str
    status: ActionStatus
    completed_on: dt.date | None
    completion_evidence: str
    attachments: tuple[str, ...]
    owner_id: int | None
    cancelled_reason: str
    findings: tuple[str, ...]  # every finding this action answers, this one included


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: int
    version: int  # the save it shows; an editor hands it back (operations expected_version)
    round: int
    method: str
    criteria: str
    due_on: dt.date | None
    reviewer: str | None
    done_on: dt.date | None
    result: ReviewResult | None
    notes: str
    reviewer_id: int | None


@dataclass(frozen=True, slots=True)
class ExtensionView:
    id: int
    deadline: Deadline
    asked_on: dt.date
    previous_due: dt.date
    requested_due: dt.date
    granted_due: dt.date | None  # None while undecided or refused; as asked if older
    reason: str
    status: ExtensionStatus
    decided_on: dt.date | None


@dataclass(frozen=True, slots=True)
class EvidenceView:
    name: str
    media_type: str
    size: int
    sha256: str
    id: int = 0  # for carapp.queries.evidence_data


@dataclass(frozen=True, slots=True)
class HistoryView:
    """One history entry; ``old`` and ``new`` are the values as recorded (any JSON)."""

    seq: int
    at: str
    actor: str
    record: str
    field: str
    old: Any
    new: Any
    note: str
    # The record as a user names it ("Action CA-2026-004", "Effectiveness review (round
    # 1)"), and for a field that refers to other records (a person, an audit, requirements)
    # what those records are called, as the register holds them now.
    record_label: str = ""
    old_name: str | None = None
    new_name: str | None = None


@dataclass(frozen=True, slots=True)
class ParkedView:
    id: int
    text: str
    raised_as: str  # the finding it became, or ""


@dataclass(frozen=True, slots=True)
class WorkshopSummary:
    """A root-cause workshop held on the finding, as the editor lists it."""

    id: int
    held_on: dt.date
    minutes_taken: int
    attendees: tuple[str, ...]
    parked: tuple[ParkedView, ...]


@dataclass(frozen=True, slots=True)
class FindingDetail:
    """One finding whole. Root causes, actions and reviews of every analysis round are
    kept (a failed review starts a new round, and the old one stays readable); the
    ``current_*`` properties give the round in progress."""

    ref: str
    version: int  # the save it shows; an editor hands it back (operations expected_version)
    cb_ref: str
    title: str
    classification: Classification
    stage: Stage
    cycle: int
    source: Source
    audit: str | None
    identified: dt.date
    raised_by: str | None
    raised_by_id: int | None
    area: str
    statement: str
    evidence_observed: str
    requirements: tuple[RequirementView, ...]
    containment: Containment
    dispute: Dispute
    decision: Decision
    isms_update: Mapping[IsmsTarget, IsmsUpdate]
    plan_due: dt.date | None
    plan_sent_on: dt.date | None
    closure_due: dt.date | None
    days_left: int | None
    overdue: bool
    closed_on: dt.date | None
    void: VoidView | None
    next_step: str
    # Where the finding goes next and what its record lacks for that, in the words of the
    # workflow's own guards (None and empty when closed, void or disputed).
    next_stage: Stage | None
    missing: tuple[str, ...]
    root_causes: tuple[RootCauseView, ...]
    actions: tuple[ActionView, ...]
    reviews: tuple[ReviewView, ...]
    extensions: tuple[ExtensionView, ...]
    evidence: tuple[EvidenceView, ...]
    history: tuple[HistoryView, ...]
    finding_id: int = 0  # the record's id, which a use case's Changes name
    workshops: tuple[WorkshopSummary, ...] = ()  # newest first
    source_ref: str = ""  # its reference in the spreadsheet it was imported from

    @property
    def stage_text(self) -> str:
        return stage_text(self.stage, self.cycle)

    @property
    def current_root_causes(self) -> tuple[RootCauseView, ...]:
        return tuple(c for c in self.root_causes if c.round == self.cycle)

    @property
    def current_actions(self) -> tuple[ActionView, ...]:
        return tuple(a for a in self.actions if a.round == self.cycle)

    @property
    def current_reviews(self) -> tuple[ReviewView, ...]:
        return tuple(r for r in self.reviews if r.round == self.cycle)


def _person_name(person: Person | None) -> str | None:
    return person.name if person else None


# Everything finding_detail reads, in one query per relationship instead of one per record
# (an editor on a finding with ten actions opened in 70 ms of lazy loads before).
WHOLE_FINDING = (
    selectinload(Finding.audit),
    selectinload(Finding.raised_by),
    selectinload(Finding.contained_by),
    selectinload(Finding.requirements),
    selectinload(Finding.cause_links)
    .selectinload(FindingRootCause.root_cause)
    .selectinload(RootCause.steps)
    .selectinload(WhyStep.parent),
    selectinload(Finding.cause_links)
    .selectinload(FindingRootCause.root_cause)
    .selectinload(RootCause.finding_links)
    .selectinload(FindingRootCause.finding),
    selectinload(Finding.action_links)
    .selectinload(FindingAction.action)
    .selectinload(CorrectiveAction.owner),
    selectinload(Finding.action_links)
    .selectinload(FindingAction.action)
    .selectinload(CorrectiveAction.evidence),
    selectinload(Finding.action_links)
    .selectinload(FindingAction.action)
    .selectinload(CorrectiveAction.finding_links)
    .selectinload(FindingAction.finding),
    selectinload(Finding.reviews).selectinload(EffectivenessReview.reviewer),
    selectinload(Finding.extensions),
    selectinload(Finding.evidence),
)


def finding_detail(register: Register, ref: str, today: dt.date) -> FindingDetail:
    """One finding whole: its fields, requirements, root causes, actions, reviews,
    extensions, evidence, deadlines, next step and history."""
    with register.sessions() as session:
        return _detail(session, get_finding(session, ref, *WHOLE_FINDING), today)


def finding_details(
    register: Register,
    ids: Sequence[int],
    today: dt.date,
    *,
    with_history: bool = True,
    chunk: int = 500,
) -> Iterator[FindingDetail]:
    """The findings ``ids`` whole, in that order, read ``chunk`` at a time (an export of
    the whole register holds one chunk of records at once, not the register). Without
    history, each finding's ``history`` is empty: a table export does not print it."""
    for start in range(0, len(ids), chunk):
        wanted = list(ids[start : start + chunk])
        with register.sessions() as session:
            found = {
                f.id: f
                for f in session.scalars(
                    select(Finding).where(Finding.id.in_(wanted)).options(*WHOLE_FINDING)
                )
            }
            for finding_id in wanted:
                finding = found.get(finding_id)
                if finding is not None:
                    yield _detail(session, finding, today, with_history=with_history)


def _detail(
    session: Session, finding: Finding, today: dt.date, *, with_history: bool = True
) -> FindingDetail:
    left = workflow.days_left(finding, today)
    return FindingDetail(
        finding_id=finding.id,
        ref=finding.ref,
        version=finding.version or 1,
        cb_ref=finding.cb_ref,
        title=finding.title,
        classification=finding.classification,
        stage=finding.stage,
        cycle=finding.cycle,
        source=finding.source,
        audit=finding.audit.ref if finding.audit else None,
        identified=finding.identified_on,
        raised_by=_person_name(finding.raised_by),
        raised_by_id=finding.raised_by_id,
        area=finding.area,
        statement=finding.statement,
        evidence_observed=finding.evidence_observed,
        requirements=tuple(RequirementView(r.code, r.title, r.kind) for r in finding.requirements),
        containment=Containment(
            what=finding.containment,
            on=finding.contained_on,
            by=_person_name(finding.contained_by),
            by_id=finding.contained_by_id,
            none_needed_reason=finding.containment_none_reason,
        ),
        dispute=Dispute(
            raised_on=finding.dispute_raised_on,
            outcome=finding.dispute_outcome,
            note=finding.dispute_note,
        ),
        decision=Decision(finding.decision, finding.decision_note),
        isms_update={
            target: IsmsUpdate(getattr(finding, f), getattr(finding, n))
            for target, (f, n) in workflow.ISMS_FIELDS.items()
        },
        plan_due=finding.plan_due,
        plan_sent_on=finding.plan_sent_on,
        closure_due=finding.closure_due,
        days_left=left,
        overdue=workflow.is_overdue(finding, today),
        closed_on=finding.closed_on,
        source_ref=finding.source_ref,
        void=VoidView(finding.void_reason, finding.voided_on) if finding.voided_on else None,
        next_step=workflow.next_step(finding),
        next_stage=(upcoming := workflow.upcoming(finding)),
        # The editor closes with today's date, so a missing closing date is not missing.
        missing=tuple(workflow.missing_for(finding, upcoming, closing=True)) if upcoming else (),
        root_causes=tuple(
            RootCauseView(
                id=link.root_cause.id,
                version=link.root_cause.version or 1,
                round=link.cycle,
                method=link.root_cause.method,
                category=link.root_cause.category,
                statement=link.root_cause.statement,
                symptom_justification=link.root_cause.symptom_justification,
                whys=tuple(
                    WhyView(
                        position=s.position,
                        branch_of=s.parent.position if s.parent else None,
                        question=s.question,
                        answer=s.answer,
                        evidence=s.evidence,
                        checked=s.checked,
                        is_root=s.is_root,
                    )
                    for s in link.root_cause.steps
                ),
                findings=tuple(
                    dict.fromkeys(other.finding.ref for other in link.root_cause.finding_links)
                ),
            )
            for link in finding.cause_links
        ),
        actions=tuple(
            ActionView(
                ref=link.action.ref,
                version=link.action.version or 1,
                round=link.cycle,
                kind=link.action.kind,
                description=link.action.description,
                owner=_person_name(link.action.owner),
                target_on=link.action.target_on,
                outcome=link.action.outcome,
                status=link.action.status,
                completed_on=link.action.completed_on,
                completion_evidence=link.action.completion_evidence,
                attachments=tuple(e.name for e in link.action.evidence),
                owner_id=link.action.owner_id,
                cancelled_reason=link.action.cancelled_reason,
                findings=tuple(
                    dict.fromkeys(other.finding.ref for other in link.action.finding_links)
                ),
            )
            for link in finding.action_links
        ),
        reviews=tuple(
            ReviewView(
                id=r.id,
                version=r.version or 1,
                round=r.cycle,
                method=r.method,
                criteria=r.criteria,
                due_on=r.due_on,
                reviewer=_person_name(r.reviewer),
                done_on=r.done_on,
                result=r.result,
                notes=r.notes,
                reviewer_id=r.reviewer_id,
            )
            for r in finding.reviews
        ),
        extensions=tuple(
            ExtensionView(
                id=e.id,
                deadline=e.deadline,
                asked_on=e.asked_on,
                previous_due=e.previous_due,
                requested_due=e.requested_due,
                granted_due=e.granted_due
                or (e.requested_due if e.status is ExtensionStatus.GRANTED else None),
                reason=e.reason,
                status=e.status,
                decided_on=e.decided_on,
            )
            for e in finding.extensions
        ),
        evidence=tuple(
            EvidenceView(e.name, e.media_type, e.size, e.sha256, e.id) for e in finding.evidence
        ),
        history=finding_history(session, finding) if with_history else (),
        workshops=_workshops(session, finding) if with_history else (),
    )


def finding_history(session: Session, finding: Finding) -> tuple[HistoryView, ...]:
    """History of the finding and of the records hanging off it, oldest first."""
    labels: dict[tuple[str, int], str] = {("findings", finding.id): "Finding"}
    for cause_link in finding.cause_links:
        labels[("finding_root_causes", cause_link.id)] = "Root cause"
        labels[("root_causes", cause_link.root_cause_id)] = "Root cause"
        for step in cause_link.root_cause.all_steps:
            labels[("why_steps", step.id)] = f"Root cause, why {step.position}"
    for action_link in finding.action_links:
        labels[("finding_actions", action_link.id)] = f"Action {action_link.action.ref}"
        labels[("corrective_actions", action_link.action_id)] = f"Action {action_link.action.ref}"
    for r in finding.reviews:
        labels[("effectiveness_reviews", r.id)] = f"Effectiveness review (round {r.cycle})"
    for e in finding.extensions:
        labels[("extension_requests", e.id)] = "Extension request"
    attached = [*finding.evidence]
    attached += [ev for link in finding.action_links for ev in link.action.evidence]
    attached += [ev for r in finding.reviews for ev in r.evidence]
    for ev in attached:
        labels[("evidence", ev.id)] = f"Attachment {ev.name}"
    workshops = session.scalars(
        select(Workshop)
        .where(Workshop.finding_id == finding.id)
        .options(selectinload(Workshop.parked), selectinload(Workshop.evaluations))
    )
    for w in workshops:
        labels[("workshops", w.id)] = f"Workshop of {day_text(w.held_on)}"
        for parked in w.parked:
            labels[("parked_issues", parked.id)] = "Workshop parking lot"
        for evaluation in w.evaluations:
            labels[("similar_evaluations", evaluation.id)] = "Similar finding evaluated"
    entries = list(
        session.scalars(
            select(HistoryEntry)
            .where(
                or_(
                    *(
                        and_(HistoryEntry.entity == t, HistoryEntry.entity_id == i)
                        for t, i in labels
                    )
                )
            )
            .order_by(HistoryEntry.seq)
        )
    )
    return history_views(session, entries, labels)


def history_views(
    session: Session,
    entries: Sequence[HistoryEntry],
    labels: Mapping[tuple[str, int], str],
) -> tuple[HistoryView, ...]:
    """History entries as views: values decoded, the people and records they refer to
    named, each labelled by ``labels`` (by entity and id) in the user's words."""
    decoded = [
        (
            e,
            json.loads(e.old) if e.old is not None else None,
            json.loads(e.new) if e.new is not None else None,
        )
        for e in entries
    ]
    names = _referred_names(session, [(e.entity, e.field, old, new) for e, old, new in decoded])
    return tuple(
        HistoryView(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            record=f"{e.entity}#{e.entity_id}",
            field=e.field,
            old=old,
            new=new,
            note=e.note,
            record_label=labels[(e.entity, e.entity_id)],
            old_name=_name_of(names, e.entity, e.field, old),
            new_name=_name_of(names, e.entity, e.field, new),
        )
        for e, old, new in decoded
    )


# What a reference to each table is called: a person by name, the others by reference.
_NAME_COLUMNS: dict[str, Any] = {
    "people": Person.name,
    "audits": Audit.ref,
    "corrective_actions": CorrectiveAction.ref,
    "findings": Finding.ref,
    "requirements": Requirement.code,
    "why_steps": WhyStep.position,
}


def _referred_table(entity: str, field: str) -> str | None:
    """The table a field of ``entity`` refers to, if it refers to one."""
    if entity == "findings" and field == "requirements":
        return "requirements"
    column = Base.metadata.tables[entity].c.get(field)
    if column is None:
        return None
    for key in column.foreign_keys:
        table: str = key.column.table.name
        return table if table in _NAME_COLUMNS else None
    return None


def _referred_names(
    session: Session, changes: list[tuple[str, str, Any, Any]]
) -> dict[str, dict[int, str]]:
    """The names of every record the changes refer to, one query per table."""
    wanted: dict[str, set[int]] = {}
    for entity, field, old, new in changes:
        table = _referred_table(entity, field) if field != CREATED else None
        if table is None:
            continue
        for value in (old, new):
            values = value if isinstance(value, list) else [value]
            wanted.setdefault(table, set()).update(i for i in values if isinstance(i, int))
    names: dict[str, dict[int, str]] = {}
    for table, ids_of in wanted.items():
        column = _NAME_COLUMNS[table]
        rows = session.execute(select(column.class_.id, column).where(column.class_.id.in_(ids_of)))
        names[table] = {i: f"why {n}" if table == "why_steps" else str(n) for i, n in rows.tuples()}
    return names


def _name_of(names: dict[str, dict[int, str]], entity: str, field: str, value: Any) -> str | None:
    if field == CREATED or value is None:
        return None
    table = _referred_table(entity, field)
    if table is None:
        return None
    known = names.get(table, {})
    if isinstance(value, list):
        return ", ".join(sorted(known.get(i, f"#{i}") for i in value))
    return known.get(value, f"#{value}")


def load_findings_whole(session: Session) -> Iterator[Finding]:
    """Every finding with what the workflow guards read, loaded in batches."""
    query = (
        select(Finding)
        .options(
            selectinload(Finding.audit),
            selectinload(Finding.cause_links).selectinload(FindingRootCause.root_cause),
            selectinload(Finding.action_links)
            .selectinload(FindingAction.action)
            .selectinload(CorrectiveAction.evidence),
            selectinload(Finding.reviews),
            selectinload(Finding.extensions),
        )
        .order_by(Finding.id)
        .execution_options(yield_per=2000)
    )
    yield from session.scalars(query)


def _workshops(session: Session, finding: Finding) -> tuple[WorkshopSummary, ...]:
    rows = session.scalars(
        select(Workshop)
        .where(Workshop.finding_id == finding.id)
        .order_by(Workshop.held_on.desc(), Workshop.id.desc())
        .options(
            selectinload(Workshop.attendees),
            selectinload(Workshop.parked).selectinload(ParkedIssue.finding),
        )
    )
    return tuple(
        WorkshopSummary(
            w.id,
            w.held_on,
            w.minutes_taken,
            tuple(p.name for p in w.attendees),
            tuple(ParkedView(p.id, p.text, p.finding.ref if p.finding else "") for p in w.parked),
        )
        for w in rows
    )
