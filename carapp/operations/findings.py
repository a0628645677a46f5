"""Findings: recording them, containment, requirements, the stage moves, disputes,
observation decisions and the ISMS update decisions of clause 10.2 e)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from carapp.errors import InvalidInputError, WorkflowRefused
from carapp.models import history, workflow
from carapp.models.entities import (
    Finding,
)
from carapp.models.enums import (
    Classification,
    DisputeOutcome,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    Source,
    Stage,
)
from carapp.models.words import day_text
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    check_version,
    get_audit,
    get_finding,
    get_person,
    happened,
    length_of,
    multi_line,
    next_ref,
    refuse_if_settled,
    required_text,
    requirement_by_code,
    sane_date,
    single_line,
    today,
)
from carapp.store import Register


@dataclass(frozen=True)
class FindingDraft:
    title: str
    source: Source
    classification: Classification
    identified_on: dt.date
    statement: str = ""
    evidence_observed: str = ""
    area: str = ""
    audit_ref: str | None = None
    cb_ref: str = ""
    raised_by_id: int | None = None
    requirement_codes: Sequence[str] = field(default_factory=tuple)


MAJOR_NEEDS_REQUIREMENT = (
    "A major nonconformity must name the requirement it breaches: pick one in "
    "Requirements breached."
)


def record_finding(register: Register, draft: FindingDraft) -> Changes[str]:
    sane_date(draft.identified_on, "date identified")
    with register.session() as session:
        finding = Finding(
            ref=next_ref(session, draft.classification.value, draft.identified_on.year)
        )
        _fill(session, finding, draft)
        session.add(finding)
        session.flush()
        result = finding.ref
    return changes_of(session, result)


def update_finding(
    register: Register, ref: str, draft: FindingDraft, *, expected_version: int | None = None
) -> Changes[None]:
    """Rewrite what was recorded about a finding; its reference stays."""
    sane_date(draft.identified_on, "date identified")
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        _fill(session, finding, draft)
    return changes_of(session, None)


def _fill(session: Session, finding: Finding, draft: FindingDraft) -> None:
    """Check ``draft`` and set it on ``finding``, assigning only what differs: an equal
    value assigned would still mark the record changed and count a save."""
    on = draft.identified_on
    if on > today(session):
        raise InvalidInputError(
            f"The date identified, {day_text(on)}, is after today; a finding is recorded "
            "once it has been identified, so check the date."
        )
    audit = get_audit(session, draft.audit_ref) if draft.audit_ref else None
    if audit is not None and on < audit.starts_on:
        raise InvalidInputError(
            f"The finding is dated before audit {audit.ref} started; check the date."
        )
    values: dict[str, object] = {
        "cb_ref": single_line(
            draft.cb_ref, "certification body reference", length_of(Finding.cb_ref)
        ),
        "audit": audit,
        "source": draft.source,
        "identified_on": on,
        "raised_by": get_person(session, draft.raised_by_id),
        "title": required_text(draft.title, "title", length_of(Finding.title)),
        "statement": multi_line(draft.statement, "statement"),
        "evidence_observed": multi_line(draft.evidence_observed, "evidence observed"),
        "area": single_line(draft.area, "area", length_of(Finding.area)),
        "classification": draft.classification,
    }
    # After the fields above: the form shows them first, so their refusals come first.
    requirements = [requirement_by_code(session, c) for c in dict.fromkeys(draft.requirement_codes)]
    if draft.classification is Classification.MAJOR and not requirements:
        raise InvalidInputError(MAJOR_NEEDS_REQUIREMENT)
    # One flush for the whole edit: each flush that changes the finding counts a save.
    with session.no_autoflush:
        for name, value in values.items():
            if getattr(finding, name) != value:
                setattr(finding, name, value)
        if sorted(r.id for r in finding.requirements) != sorted(r.id for r in requirements):
            finding.requirements = requirements


def record_containment(
    register: Register,
    ref: str,
    what: str,
    on: dt.date,
    by_id: int,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    sane_date(on, "containment date")
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        happened(session, on, "containment date", finding=finding)
        finding.containment = required_text(what, "containment")
        finding.contained_on = on
        finding.contained_by = get_person(session, by_id)
        finding.containment_none_reason = ""
    return changes_of(session, None)


def containment_not_needed(
    register: Register, ref: str, reason: str, *, expected_version: int | None = None
) -> Changes[None]:
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        finding.containment_none_reason = required_text(
            reason, "reason why no containment is needed"
        )
        finding.containment = ""
        finding.contained_on = None
        finding.contained_by = None
    return changes_of(session, None)


def set_requirements(
    register: Register, ref: str, codes: Sequence[str], *, expected_version: int | None = None
) -> Changes[None]:
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        requirements = [requirement_by_code(session, c) for c in dict.fromkeys(codes)]
        if finding.classification is Classification.MAJOR and not requirements:
            raise InvalidInputError(MAJOR_NEEDS_REQUIREMENT)
        finding.requirements = requirements
    return changes_of(session, None)


def decide_observation(
    register: Register,
    ref: str,
    decision: ObservationDecision,
    note: str,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        if finding.classification.is_nonconformity:
            raise InvalidInputError(
                f"{finding.ref} is a nonconformity: it must be acted on, not decided."
            )
        finding.decision = decision
        finding.decision_note = required_text(note, "note on the decision")
    return changes_of(session, None)


def decide_isms_update(
    register: Register,
    ref: str,
    target: IsmsTarget,
    decision: IsmsDecision,
    note: str,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    what = "reference of the update" if decision is IsmsDecision.UPDATED else "reason"
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        decision_field, note_field = workflow.ISMS_FIELDS[target]
        setattr(finding, decision_field, decision)
        setattr(finding, note_field, required_text(note, what))
    return changes_of(session, None)


def move(
    register: Register, ref: str, stage: Stage, *, expected_version: int | None = None
) -> Changes[Stage]:
    """Move a finding to ``stage``; returns the stage it left. Refusals name what is
    missing."""
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        result = workflow.move(finding, stage)
    return changes_of(session, result)


def close(
    register: Register, ref: str, on: dt.date, *, expected_version: int | None = None
) -> Changes[None]:
    sane_date(on, "closing date")
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        finding.closed_on = on
        workflow.move(finding, Stage.CLOSED)
    return changes_of(session, None)


def void(
    register: Register, ref: str, reason: str, on: dt.date, *, expected_version: int | None = None
) -> Changes[None]:
    sane_date(on, "date voided")
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        if finding.stage is Stage.VOID:
            raise WorkflowRefused(f"{finding.ref} is already void.", ["already void"])
        finding.void_reason = required_text(reason, "reason for voiding")
        finding.voided_on = on
        workflow.move(finding, Stage.VOID)
    return changes_of(session, None)


def reopen(
    register: Register, ref: str, reason: str, on: dt.date, *, expected_version: int | None = None
) -> Changes[None]:
    """Reopen a closed finding, back to the furthest stage its record proves below Closed;
    the reason goes with the stage change in history."""
    sane_date(on, "date reopened")
    reason = required_text(reason, "reason for reopening")
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        if finding.stage is not Stage.CLOSED:
            raise WorkflowRefused(
                f"Cannot reopen {finding.ref}: it is {finding.stage.label.lower()}, not closed.",
                ["not closed"],
            )
        if on > today(session) or (finding.closed_on is not None and on < finding.closed_on):
            closed = f" {day_text(finding.closed_on)}" if finding.closed_on else ""
            raise InvalidInputError(
                f"The date reopened, {day_text(on)}, must be between the day it was "
                f"closed{closed} and today; check the date."
            )
        path = workflow.path_for(finding.classification)
        below_closed = path[path.index(Stage.CLOSED) - 1]
        # The history entry carries its own moment; a date other than today is said.
        dated = "" if on == today(session) else f" (dated {day_text(on)})"
        history.annotate(session, finding, "stage", f"Reopened: {reason}{dated}")
        workflow.move(finding, workflow.proven_stage(finding, below_closed))
    return changes_of(session, None)


def raise_dispute(
    register: Register, ref: str, on: dt.date, note: str, *, expected_version: int | None = None
) -> Changes[None]:
    sane_date(on, "date of the dispute")
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        if not workflow.is_open(finding):
            raise WorkflowRefused(
                f"Cannot dispute {finding.ref}: it is {finding.stage.label.lower()}.",
                [finding.stage.label],
            )
        finding.dispute_raised_on = on
        finding.dispute_outcome = None
        finding.dispute_note = required_text(note, "grounds of the dispute")
        workflow.move(finding, Stage.DISPUTED)
    return changes_of(session, None)


def resolve_dispute(
    register: Register,
    ref: str,
    outcome: DisputeOutcome,
    note: str,
    on: dt.date,
    new_classification: Classification | None = None,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    note = multi_line(note, "note on the outcome")
    sane_date(on, "date of the outcome")
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, expected_version, finding.ref)
        if finding.stage is not Stage.DISPUTED:
            raise WorkflowRefused(f"{finding.ref} is not disputed.", ["not disputed"])
        if outcome is DisputeOutcome.RECLASSIFIED:
            if new_classification is None or new_classification is finding.classification:
                raise InvalidInputError("A reclassified finding needs its new classification.")
            finding.classification = new_classification
        finding.dispute_outcome = outcome
        finding.dispute_note = (finding.dispute_note + "\n" + note).strip()
        if outcome is DisputeOutcome.WITHDRAWN:
            finding.void_reason = f"Withdrawn by the auditor after dispute: {note}".strip()
            finding.voided_on = on
            workflow.move(finding, Stage.VOID)
    return changes_of(session, None)
