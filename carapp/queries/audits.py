"""Audits: the list with their finding counts, and references for pickers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from carapp.models.entities import Audit, Finding, Person
from carapp.models.enums import AuditKind
from carapp.models.words import day_text
from carapp.store import Register


@dataclass(frozen=True, slots=True)
class AuditView:
    ref: str
    kind: AuditKind
    certification_body: str | None
    lead_auditor: str | None
    starts_on: dt.date
    ends_on: dt.date
    report_received_on: dt.date | None
    scope_note: str
    findings: int

    @property
    def label(self) -> str:
        return audit_label(self.ref, self.kind, self.certification_body, self.starts_on)


def audit_label(ref: str, kind: AuditKind, body: str | None, starts_on: dt.date) -> str:
    """How a picker names an audit: "AUD-2026-12 · Surveillance · BSI · 3 Nov 2026"
    (reference, kind, certification body if any, start date)."""
    parts = [ref, kind.label, body or "", day_text(starts_on)]
    return " \u00b7 ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class AuditChoice:
    """An audit as a picker offers it."""

    ref: str
    kind: AuditKind
    label: str


def audit_choices(register: Register, refs: Sequence[str] | None = None) -> list[AuditChoice]:
    """Every audit (or those of ``refs``), the newest first, as a picker lists them: columns
    only, no counts."""
    query = select(Audit.ref, Audit.kind, Audit.certification_body, Audit.starts_on).order_by(
        Audit.starts_on.desc(), Audit.id.desc()
    )
    if refs is not None:
        query = query.where(Audit.ref.in_(refs))
    with register.engine.connect() as conn:
        return [
            AuditChoice(ref, kind, audit_label(ref, kind, body, starts))
            for ref, kind, body, starts in conn.execute(query)
        ]


def find_audit(register: Register, ref: str) -> AuditView | None:
    """One audit by its reference, or None."""
    query = (
        select(Audit, Person.name)
        .outerjoin(Person, Person.id == Audit.lead_auditor_id)
        .where(Audit.ref == ref)
    )
    with register.sessions() as session:
        row = session.execute(query).first()
        if row is None:
            return None
        audit, lead = row
        count = select(func.count()).select_from(Finding).where(Finding.audit_id == audit.id)
        return _view(audit, lead, session.scalar(count) or 0)


def _view(audit: Audit, lead: str | None, findings: int) -> AuditView:
    return AuditView(
        ref=audit.ref,
        kind=audit.kind,
        certification_body=audit.certification_body,
        lead_auditor=lead,
        starts_on=audit.starts_on,
        ends_on=audit.ends_on,
        report_received_on=audit.report_received_on,
        scope_note=audit.scope_note,
        findings=findings,
    )


def list_audits(register: Register, *, newest_first: bool = False) -> list[AuditView]:
    """Every audit by start date (the newest first if asked: a picker's order), with how
    many findings it raised."""
    counts = select(Finding.audit_id, func.count().label("n")).group_by(Finding.audit_id).subquery()
    query = (
        select(Audit, Person.name, func.coalesce(counts.c.n, 0))
        .outerjoin(Person, Person.id == Audit.lead_auditor_id)
        .outerjoin(counts, counts.c.audit_id == Audit.id)
        .order_by(
            *(
                (Audit.starts_on.desc(), Audit.id.desc())
                if newest_first
                else (Audit.starts_on, Audit.id)
            )
        )
    )
    with register.sessions() as session:
        return [_view(audit, lead, n) for audit, lead, n in session.execute(query)]


def audit_refs(register: Register, limit: int | None = None) -> list[str]:
    """Audit references, the most recent first (for filters and pickers)."""
    query = select(Audit.ref).order_by(Audit.starts_on.desc(), Audit.id.desc()).limit(limit)
    with register.engine.connect() as conn:
        return list(conn.execute(query).scalars())
