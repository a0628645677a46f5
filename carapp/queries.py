"""Read-only views of the register for lists, detail and exports.

Lists are built with SQL over columns (no ORM objects), so that they stay fast at 100,000
findings; one finding in full is loaded through the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from carapp.models import finding_index, workflow
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    Finding,
    FindingAction,
    FindingRootCause,
    HistoryEntry,
    Person,
    Requirement,
    RootCause,
    finding_requirements,
)
from carapp.models.enums import Stage
from carapp.models.finding_index import next_due_sql
from carapp.operations.common import get_finding
from carapp.register_table import (
    QuickFilter,
    RegisterFilter,
    as_date,
    overdue_sql,
    quick_condition,
    where_clauses,
)
from carapp.store import Register


@dataclass(frozen=True, slots=True)
class FindingRow:
    ref: str
    title: str
    classification: str
    stage: str
    identified: str
    plan_due: str | None
    closure_due: str | None
    next_due: str | None
    days_left: int | None
    overdue: bool
    source: str
    audit: str | None
    cb_ref: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


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
                classification=row.classification.value,
                stage=row.stage.value,
                identified=row.identified_on.isoformat(),
                plan_due=_iso(row.plan_due),
                closure_due=_iso(row.closure_due),
                next_due=_iso(due),
                days_left=left,
                overdue=bool(row.overdue),
                source=row.source.value,
                audit=row.audit_ref,
                cb_ref=row.cb_ref,
            )


def list_audits(register: Register) -> list[dict[str, Any]]:
    counts = select(Finding.audit_id, func.count().label("n")).group_by(Finding.audit_id).subquery()
    query = (
        select(Audit, Person.name, func.coalesce(counts.c.n, 0))
        .outerjoin(Person, Person.id == Audit.lead_auditor_id)
        .outerjoin(counts, counts.c.audit_id == Audit.id)
        .order_by(Audit.starts_on, Audit.id)
    )
    with register.sessions() as session:
        return [
            {
                "ref": audit.ref,
                "kind": audit.kind.value,
                "certification_body": audit.certification_body,
                "lead_auditor": lead,
                "starts_on": audit.starts_on.isoformat(),
                "ends_on": audit.ends_on.isoformat(),
                "report_received_on": _iso(audit.report_received_on),
                "scope_note": audit.scope_note,
                "findings": n,
            }
            for audit, lead, n in session.execute(query)
        ]


def audit_refs(register: Register, limit: int | None = None) -> list[str]:
    """Audit references, the most recent first (for filters and pickers)."""
    query = select(Audit.ref).order_by(Audit.starts_on.desc(), Audit.id.desc()).limit(limit)
    with register.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def list_people(register: Register) -> list[tuple[int, str]]:
    """(id, name) of everyone not retired, by name."""
    query = select(Person.id, Person.name).where(Person.retired.is_(False)).order_by(Person.name)
    with register.engine.connect() as conn:
        return [(pid, name) for pid, name in conn.execute(query)]


def _person_name(person: Person | None) -> str | None:
    return person.name if person else None


def finding_detail(register: Register, ref: str, today: dt.date) -> dict[str, Any]:
    """One finding whole: its fields, requirements, root causes, actions, reviews,
    extensions, evidence, deadlines, next step and history."""
    with register.sessions() as session:
        finding = get_finding(session, ref)
        left = workflow.days_left(finding, today)
        detail: dict[str, Any] = {
            "ref": finding.ref,
            "cb_ref": finding.cb_ref,
            "title": finding.title,
            "classification": finding.classification.value,
            "stage": finding.stage.value,
            "cycle": finding.cycle,
            "source": finding.source.value,
            "audit": finding.audit.ref if finding.audit else None,
            "identified": finding.identified_on.isoformat(),
            "raised_by": _person_name(finding.raised_by),
            "area": finding.area,
            "statement": finding.statement,
            "evidence_observed": finding.evidence_observed,
            "requirements": [
                {"code": r.code, "title": r.title, "kind": r.kind.value}
                for r in finding.requirements
            ],
            "containment": {
                "what": finding.containment,
                "on": _iso(finding.contained_on),
                "by": _person_name(finding.contained_by),
                "none_needed_reason": finding.containment_none_reason,
            },
            "dispute": {
                "raised_on": _iso(finding.dispute_raised_on),
                "outcome": finding.dispute_outcome.value if finding.dispute_outcome else None,
                "note": finding.dispute_note,
            },
            "decision": {
                "decision": finding.decision.value if finding.decision else None,
                "note": finding.decision_note,
            },
            "isms_update": {
                target.value: {
                    "decision": (d.value if (d := getattr(finding, f)) else None),
                    "note": getattr(finding, n),
                }
                for target, (f, n) in workflow.ISMS_FIELDS.items()
            },
            "plan_due": _iso(finding.plan_due),
            "plan_sent_on": _iso(finding.plan_sent_on),
            "closure_due": _iso(finding.closure_due),
            "days_left": left,
            "overdue": (left is not None and left < 0)
            or (
                workflow.is_open(finding)
                and any(
                    r.done_on is None and r.due_on is not None and r.due_on < today
                    for r in finding.current_reviews
                )
            ),
            "closed_on": _iso(finding.closed_on),
            "void": {"reason": finding.void_reason, "on": _iso(finding.voided_on)}
            if finding.voided_on
            else None,
            "next_step": workflow.next_step(finding),
            "root_causes": [
                {
                    "id": link.root_cause.id,
                    "round": link.cycle,
                    "method": link.root_cause.method.value,
                    "category": link.root_cause.category.value
                    if link.root_cause.category
                    else None,
                    "statement": link.root_cause.statement,
                    "symptom_justification": link.root_cause.symptom_justification,
                    "whys": [
                        {
                            "position": s.position,
                            "branch_of": s.parent.position if s.parent else None,
                            "question": s.question,
                            "answer": s.answer,
                            "evidence": s.evidence,
                            "checked": s.checked,
                        }
                        for s in link.root_cause.steps
                    ],
                }
                for link in finding.cause_links
            ],
            "actions": [
                {
                    "ref": link.action.ref,
                    "round": link.cycle,
                    "kind": link.action.kind.value,
                    "description": link.action.description,
                    "owner": _person_name(link.action.owner),
                    "target_on": _iso(link.action.target_on),
                    "outcome": link.action.outcome,
                    "status": link.action.status.value,
                    "completed_on": _iso(link.action.completed_on),
                    "completion_evidence": link.action.completion_evidence,
                    "attachments": [e.name for e in link.action.evidence],
                }
                for link in finding.action_links
            ],
            "reviews": [
                {
                    "id": r.id,
                    "round": r.cycle,
                    "method": r.method,
                    "criteria": r.criteria,
                    "due_on": _iso(r.due_on),
                    "reviewer": _person_name(r.reviewer),
                    "done_on": _iso(r.done_on),
                    "result": r.result.value if r.result else None,
                    "notes": r.notes,
                }
                for r in finding.reviews
            ],
            "extensions": [
                {
                    "id": e.id,
                    "deadline": e.deadline.value,
                    "asked_on": e.asked_on.isoformat(),
                    "previous_due": e.previous_due.isoformat(),
                    "requested_due": e.requested_due.isoformat(),
                    "reason": e.reason,
                    "status": e.status.value,
                    "decided_on": _iso(e.decided_on),
                }
                for e in finding.extensions
            ],
            "evidence": [
                {"name": e.name, "media_type": e.media_type, "size": e.size, "sha256": e.sha256}
                for e in finding.evidence
            ],
            "history": finding_history(session, finding),
        }
        return detail


def finding_history(session: Session, finding: Finding) -> list[dict[str, Any]]:
    """History of the finding and of the records hanging off it, oldest first."""
    keys = [("findings", finding.id)]
    keys += [("finding_root_causes", link.id) for link in finding.cause_links]
    keys += [("root_causes", link.root_cause_id) for link in finding.cause_links]
    keys += [("finding_actions", link.id) for link in finding.action_links]
    keys += [("corrective_actions", link.action_id) for link in finding.action_links]
    keys += [("effectiveness_reviews", r.id) for r in finding.reviews]
    keys += [("extension_requests", e.id) for e in finding.extensions]
    keys += [("evidence", e.id) for e in finding.evidence]
    entries = session.scalars(
        select(HistoryEntry)
        .where(or_(*(and_(HistoryEntry.entity == t, HistoryEntry.entity_id == i) for t, i in keys)))
        .order_by(HistoryEntry.seq)
    )
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "record": f"{e.entity}#{e.entity_id}",
            "field": e.field,
            "old": json.loads(e.old) if e.old is not None else None,
            "new": json.loads(e.new) if e.new is not None else None,
            "note": e.note,
        }
        for e in entries
    ]


@dataclass(frozen=True, slots=True)
class Similar:
    ref: str
    title: str
    classification: str
    identified: str
    reasons: tuple[str, ...]


def similar_findings(register: Register, ref: str, window_days: int = 365) -> list[Similar]:
    """Findings within a year of ``ref`` that share a requirement or a root-cause category:
    the raw material for recurrence warnings and for spotting minors clustering into a
    major."""
    with register.sessions() as session:
        finding = get_finding(session, ref)
        low = finding.identified_on - dt.timedelta(days=window_days)
        high = finding.identified_on + dt.timedelta(days=window_days)
        reasons: dict[int, list[str]] = {}
        requirement_ids = [r.id for r in finding.requirements]
        if requirement_ids:
            rows = session.execute(
                select(finding_requirements.c.finding_id, Requirement.code)
                .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
                .where(finding_requirements.c.requirement_id.in_(requirement_ids))
            )
            for fid, code in rows:
                reasons.setdefault(fid, []).append(f"requirement {code}")
        categories = {c.category for c in finding.root_causes if c.category is not None}
        if categories:
            rows = session.execute(
                select(FindingRootCause.finding_id, RootCause.category)
                .join(RootCause, RootCause.id == FindingRootCause.root_cause_id)
                .where(RootCause.category.in_(categories))
                .distinct()
            )
            for fid, category in rows:
                reasons.setdefault(fid, []).append(f"root cause: {category.label.lower()}")
        reasons.pop(finding.id, None)
        if not reasons:
            return []
        others = session.scalars(
            select(Finding)
            .where(
                Finding.id.in_(reasons),
                Finding.identified_on.between(low, high),
                Finding.stage != Stage.VOID,
            )
            .order_by(Finding.identified_on.desc())
        )
        return [
            Similar(
                o.ref,
                o.title,
                o.classification.value,
                o.identified_on.isoformat(),
                tuple(dict.fromkeys(reasons[o.id])),
            )
            for o in others
        ]


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


@dataclass(frozen=True, slots=True)
class RegisterSummary:
    """The register at a glance: its organisation and how many findings each quick filter
    shows."""

    organisation: str
    counts: Mapping[QuickFilter, int]

    @property
    def findings(self) -> int:
        return self.counts[QuickFilter.ALL]

    @property
    def open(self) -> int:
        return self.counts[QuickFilter.ALL_OPEN]

    @property
    def overdue(self) -> int:
        return self.counts[QuickFilter.OVERDUE]


def register_summary(register: Register, today: dt.date) -> RegisterSummary:
    from carapp.models.entities import Setting

    # One pass over the findings counts every quick filter.
    counted = []
    for quick in QuickFilter:
        condition = quick_condition(quick, today)
        counted.append(func.count() if condition is None else func.count().filter(condition))
    with register.engine.connect() as conn:
        organisation = conn.execute(
            select(Setting.value).where(Setting.key == "organisation")
        ).scalar_one_or_none()
        counts = conn.execute(select(*counted).select_from(Finding)).one()
    return RegisterSummary(organisation or "", dict(zip(QuickFilter, counts, strict=True)))
