"""Audits: the list with their finding counts, and references for pickers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from carapp.models.entities import Audit, Finding, Person
from carapp.models.enums import AuditKind
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
        """How a picker names the audit: "AUD-2026-12 · Surveillance · BSI · 3 Nov 2026"
        (reference, kind, certification body if any, start date)."""
        start = f"{self.starts_on.day} {self.starts_on:%b %Y}"
        parts = [self.ref, self.kind.label, self.certification_body or "", start]
        return " \u00b7 ".join(p for p in parts if p)


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
        return [
            AuditView(
                ref=audit.ref,
                kind=audit.kind,
                certification_body=audit.certification_body,
                lead_auditor=lead,
                starts_on=audit.starts_on,
                ends_on=audit.ends_on,
                report_received_on=audit.report_received_on,
                scope_note=audit.scope_note,
                findings=n,
            )
            for audit, lead, n in session.execute(query)
        ]


def audit_refs(register: Register, limit: int | None = None) -> list[str]:
    """Audit references, the most recent first (for filters and pickers)."""
    query = select(Audit.ref).order_by(Audit.starts_on.desc(), Audit.id.desc()).limit(limit)
    with register.engine.connect() as conn:
        return list(conn.execute(query).scalars())
