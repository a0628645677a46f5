"""Workshops as the wizard and the minutes read them: a new draft from a finding, the
unfinished drafts a crash left behind, and the workshops a finding has had."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carapp.models.entities import Draft, Finding, RootCause, Workshop
from carapp.models.workshop import Facts, WorkshopDraft
from carapp.operations.common import get_finding, refuse_if_settled
from carapp.operations.workshops import WORKSHOP
from carapp.store import Register


def start_workshop(register: Register, ref: str, today: dt.date) -> WorkshopDraft:
    """A new workshop on ``ref``: its facts as the register has them, and, when the round
    already has a root cause, that cause's chain to work from (saving revises it). A closed
    or void finding is refused before anyone types: its analysis could not be saved."""
    with register.sessions() as session:
        finding = get_finding(session, ref, selectinload(Finding.cause_links))
        refuse_if_settled(finding)
        facts = Facts(finding.title, finding.statement, finding.evidence_observed, finding.area)
        draft = WorkshopDraft(
            ref=finding.ref,
            started_on=today,
            facts=_copy(facts),
            facts_before=facts,
            finding_version=finding.version,
            # Who raised the finding is often the auditor, not someone in the room: the
            # room says who is there.
            identified_on=finding.identified_on,
        )
        causes = finding.root_causes
        if causes:
            cause = session.scalar(
                select(RootCause)
                .where(RootCause.id == causes[0].id)
                .options(selectinload(RootCause.steps))
            )
            assert cause is not None
            draft.cause_id = cause.id
            draft.cause_version = cause.version
            draft.category = cause.category
            draft.statement = cause.statement
            draft.justification = cause.symptom_justification
            steps = sorted(cause.steps, key=lambda s: s.position)
            draft.load_chain(
                [
                    (s.answer, s.evidence, s.checked, s.parent.position if s.parent else None)
                    for s in steps
                ]
            )
            root = next((i for i, s in enumerate(steps) if s.is_root), None)
            if root is not None:
                draft.root_key = draft.whys[root].key
    return draft


def _copy(facts: Facts) -> Facts:
    return Facts(facts.title, facts.statement, facts.evidence_observed, facts.area)


@dataclass(frozen=True, slots=True)
class SavedDraft:
    """An unfinished workshop kept on disk."""

    ref: str
    author: str
    saved_at: str  # UTC, as history stamps it
    draft: WorkshopDraft | None  # None: written by a carapp that reads it differently
    problem: str = ""


def unfinished_workshops(register: Register) -> list[SavedDraft]:
    """Every workshop draft in the register, oldest first: what a crash left behind."""
    with register.sessions() as session:
        rows = session.scalars(
            select(Draft).where(Draft.kind == WORKSHOP).order_by(Draft.saved_at)
        ).all()
    out = []
    for row in rows:
        try:
            out.append(SavedDraft(row.finding_ref, row.author, row.saved_at, _read(row.body)))
        except ValueError as error:
            out.append(SavedDraft(row.finding_ref, row.author, row.saved_at, None, str(error)))
    return out


def saved_draft(register: Register, ref: str) -> SavedDraft | None:
    return next((d for d in unfinished_workshops(register) if d.ref == ref), None)


def _read(body: str) -> WorkshopDraft:
    try:
        return WorkshopDraft.from_json(body)
    except (KeyError, TypeError) as error:
        raise ValueError(f"The draft cannot be read ({error}).") from error


@dataclass(frozen=True, slots=True)
class WorkshopView:
    id: int
    held_on: dt.date
    minutes_taken: int
    attendees: tuple[str, ...]
    parked: tuple[tuple[int, str, str], ...]  # (id, text, the finding it became or "")
    evaluations: tuple[tuple[str, bool, str], ...]  # (ref, related, note)
    root_cause_id: int | None


def workshops_of(register: Register, ref: str) -> list[WorkshopView]:
    """The workshops held on ``ref``, newest first."""
    with register.sessions() as session:
        finding = get_finding(session, ref)
        rows = session.scalars(
            select(Workshop)
            .where(Workshop.finding_id == finding.id)
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
            .options(
                selectinload(Workshop.attendees),
                selectinload(Workshop.parked),
                selectinload(Workshop.evaluations),
            )
        ).all()
        return [
            WorkshopView(
                id=w.id,
                held_on=w.held_on,
                minutes_taken=w.minutes_taken,
                attendees=tuple(p.name for p in w.attendees),
                parked=tuple((p.id, p.text, p.finding.ref if p.finding else "") for p in w.parked),
                evaluations=tuple((e.finding.ref, e.related, e.note) for e in w.evaluations),
                root_cause_id=w.root_cause_id,
            )
            for w in rows
        ]
