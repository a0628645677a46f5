"""Audits: recording them and the arrival of their report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carapp.errors import InvalidInputError
from carapp.models.entities import (
    Audit,
)
from carapp.models.enums import (
    AuditKind,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    get_audit,
    get_person,
    length_of,
    multi_line,
    next_ref,
    optional_date,
    sane_date,
    single_line,
)
from carapp.store import Register


@dataclass(frozen=True)
class AuditDraft:
    kind: AuditKind
    starts_on: dt.date
    ends_on: dt.date
    certification_body: str | None = None
    lead_auditor_id: int | None = None
    report_received_on: dt.date | None = None
    scope_note: str = ""


def add_audit(register: Register, draft: AuditDraft) -> Changes[str]:
    sane_date(draft.starts_on, "audit start date")
    sane_date(draft.ends_on, "audit end date")
    optional_date(draft.report_received_on, "date the report was received")
    if draft.ends_on < draft.starts_on:
        raise InvalidInputError("The audit ends before it starts; check the dates.")
    body = single_line(
        draft.certification_body or "", "certification body", length_of(Audit.certification_body)
    )
    scope_note = multi_line(draft.scope_note, "scope note")
    if draft.kind.by_certification_body and not body:
        raise InvalidInputError(
            f"A {draft.kind.label.lower()} audit needs the certification body's name."
        )
    with register.session() as session:
        audit = Audit(
            ref=next_ref(session, "audit", draft.starts_on.year),
            kind=draft.kind,
            certification_body=body or None,
            lead_auditor=get_person(session, draft.lead_auditor_id),
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            report_received_on=draft.report_received_on,
            scope_note=scope_note,
        )
        session.add(audit)
        session.flush()
        result = audit.ref
    return changes_of(session, result)


def record_audit_report(register: Register, audit_ref: str, received_on: dt.date) -> Changes[None]:
    sane_date(received_on, "date the report was received")
    with register.session() as session:
        get_audit(session, audit_ref).report_received_on = received_on
    return changes_of(session, None)
