"""Use cases: what a user does to the register, as plain functions of plain values.

Screens and the command line call these and nothing below them. Each runs in one short
session: it commits whole, or, when refused, changes nothing. History is written by the
session hooks, so a use case only changes records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carapp import catalog
from carapp.errors import InvalidInputError, NotFoundError, WorkflowRefused
from carapp.models import workflow
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    DeadlineRule,
    EffectivenessReview,
    Evidence,
    ExtensionRequest,
    Finding,
    FindingAction,
    FindingRootCause,
    Person,
    RefCounter,
    Requirement,
    RootCause,
    Setting,
    WhyStep,
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
    IsmsTarget,
    ObservationDecision,
    RequirementKind,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.store import Register, open_register

# --- Settings and references -------------------------------------------------------------

DEFAULT_SETTINGS: dict[str, str] = {
    "organisation": "",
    "prefix.major": "NC",
    "prefix.minor": "NC",
    "prefix.observation": "OBS",
    "prefix.ofi": "OFI",
    "prefix.audit": "AUD",
    "prefix.action": "CA",
}
REF_WIDTH = {"audit": 2}


def create_register(location: str | Path, organisation: str = "") -> Register:
    """A new register at ``location``, holding the settings, default deadline rules and the
    ISO/IEC 27001:2022 catalog."""
    register = open_register(location, create=True)
    with register.session() as session:
        seed(session, organisation)
    return register


def seed(session: Session, organisation: str) -> None:
    settings = dict(DEFAULT_SETTINGS, organisation=organisation.strip())
    session.add_all(Setting(key=k, value=v) for k, v in settings.items())
    session.add_all(
        DeadlineRule(scope=s, classification=c, plan_days=p, closure_days=d)
        for s, c, p, d in workflow.DEFAULT_RULES
    )
    session.add_all(
        Requirement(kind=e.kind, code=e.code, title=e.title, retired=False)
        for e in catalog.iso27001()
    )


def setting(session: Session, key: str) -> str:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return value if value is not None else DEFAULT_SETTINGS.get(key, "")


def format_ref(prefix: str, year: int, number: int, width: int = 3) -> str:
    return f"{prefix}-{year}-{number:0{width}d}"


def next_ref(session: Session, kind: str, year: int) -> str:
    """The next reference for ``kind`` in ``year``; numbers are never reused.

    The counter alone is not trusted: a counter reset with the sqlite3 shell (it is not in
    history) would hand out numbers again, so the next number is also above every reference
    that exists with that prefix and year.
    """
    prefix = setting(session, f"prefix.{kind}")
    counter = session.get(RefCounter, (prefix, year))
    if counter is None:
        counter = RefCounter(prefix=prefix, year=year, last=0)
        session.add(counter)
    counter.last = max(counter.last, _highest_ref_number(session, prefix, year)) + 1
    return format_ref(prefix, year, counter.last, REF_WIDTH.get(kind, 3))


def _highest_ref_number(session: Session, prefix: str, year: int) -> int:
    """The highest number in use as ``PREFIX-YEAR-N`` by a finding, action or audit.

    A range on the unique index of ``ref`` ('-' + 1 is '.'), so only that year's references
    are read; the longest, then the greatest, is the highest number (NC-2026-1000 after
    NC-2026-999).
    """
    start = f"{prefix}-{year}-"
    end = f"{prefix}-{year}."
    highest = 0
    for table in (Finding, CorrectiveAction, Audit):
        refs = session.scalars(
            select(table.ref)
            .where(table.ref >= start, table.ref < end)
            .order_by(func.length(table.ref).desc(), table.ref.desc())
            .execution_options(yield_per=64)  # the first is nearly always the answer
        )
        try:
            # References imported or typed by hand may carry a suffix; only numbers count.
            tails = (ref[len(start) :] for ref in refs)
            number = next((t for t in tails if t.isascii() and t.isdigit()), "0")
        finally:
            refs.close()
        highest = max(highest, int(number))
    return highest


# --- Lookups -----------------------------------------------------------------------------


def get_finding(session: Session, ref: str) -> Finding:
    finding = session.scalar(select(Finding).where(Finding.ref == ref.strip().upper()))
    if finding is None:
        raise NotFoundError(f"There is no finding {ref} in this register.")
    return finding


def get_action(session: Session, ref: str) -> CorrectiveAction:
    action = session.scalar(
        select(CorrectiveAction).where(CorrectiveAction.ref == ref.strip().upper())
    )
    if action is None:
        raise NotFoundError(f"There is no corrective action {ref} in this register.")
    return action


def get_audit(session: Session, ref: str) -> Audit:
    audit = session.scalar(select(Audit).where(Audit.ref == ref.strip().upper()))
    if audit is None:
        raise NotFoundError(f"There is no audit {ref} in this register.")
    return audit


def _person(session: Session, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"There is no person number {person_id} in this register.")
    return person


def requirement_by_code(session: Session, code: str) -> Requirement:
    wanted = catalog.normalise_code(code)
    found = session.scalars(select(Requirement).where(Requirement.code == wanted)).all()
    if not found:
        raise NotFoundError(
            f"There is no requirement {code} in this register; add it as the organisation's "
            "own, legal or contractual requirement first."
        )
    return found[0]


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInputError(f"The {what} is empty; write it before saving.")
    return value


# --- People, audits, requirements ----------------------------------------------------------


def add_person(register: Register, name: str, role: str = "", email: str = "") -> int:
    with register.session() as session:
        person = Person(name=_text(name, "name"), role=role.strip(), email=email.strip())
        session.add(person)
        session.flush()
        return person.id


@dataclass(frozen=True)
class AuditDraft:
    kind: AuditKind
    starts_on: dt.date
    ends_on: dt.date
    certification_body: str | None = None
    lead_auditor_id: int | None = None
    report_received_on: dt.date | None = None
    scope_note: str = ""


def add_audit(register: Register, draft: AuditDraft) -> str:
    if draft.ends_on < draft.starts_on:
        raise InvalidInputError("The audit ends before it starts; check the dates.")
    if draft.kind.by_certification_body and not (draft.certification_body or "").strip():
        raise InvalidInputError(
            f"A {draft.kind.label.lower()} audit needs the certification body's name."
        )
    with register.session() as session:
        audit = Audit(
            ref=next_ref(session, "audit", draft.starts_on.year),
            kind=draft.kind,
            certification_body=(draft.certification_body or "").strip() or None,
            lead_auditor=_person(session, draft.lead_auditor_id),
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            report_received_on=draft.report_received_on,
            scope_note=draft.scope_note.strip(),
        )
        session.add(audit)
        session.flush()
        return audit.ref


def record_audit_report(register: Register, audit_ref: str, received_on: dt.date) -> None:
    with register.session() as session:
        get_audit(session, audit_ref).report_received_on = received_on


def add_requirement(register: Register, kind: RequirementKind, code: str, title: str) -> int:
    if kind in (RequirementKind.CLAUSE, RequirementKind.ANNEX_A):
        raise InvalidInputError(
            "ISO/IEC 27001 clauses and controls come from the catalog; add your own, legal "
            "or contractual requirements here."
        )
    with register.session() as session:
        requirement = Requirement(
            kind=kind, code=_text(code, "requirement code"), title=_text(title, "title")
        )
        session.add(requirement)
        session.flush()
        return requirement.id


# --- Findings ------------------------------------------------------------------------------


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


def record_finding(register: Register, draft: FindingDraft) -> str:
    with register.session() as session:
        audit = get_audit(session, draft.audit_ref) if draft.audit_ref else None
        if audit is not None and draft.identified_on < audit.starts_on:
            raise InvalidInputError(
                f"The finding is dated before audit {audit.ref} started; check the date."
            )
        finding = Finding(
            ref=next_ref(session, draft.classification.value, draft.identified_on.year),
            cb_ref=draft.cb_ref.strip(),
            audit=audit,
            source=draft.source,
            identified_on=draft.identified_on,
            raised_by=_person(session, draft.raised_by_id),
            title=_text(draft.title, "title"),
            statement=draft.statement.strip(),
            evidence_observed=draft.evidence_observed.strip(),
            area=draft.area.strip(),
            classification=draft.classification,
            requirements=[
                requirement_by_code(session, c) for c in dict.fromkeys(draft.requirement_codes)
            ],
        )
        session.add(finding)
        session.flush()
        return finding.ref


def record_containment(register: Register, ref: str, what: str, on: dt.date, by_id: int) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        finding.containment = _text(what, "containment")
        finding.contained_on = on
        finding.contained_by = _person(session, by_id)
        finding.containment_none_reason = ""


def containment_not_needed(register: Register, ref: str, reason: str) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        finding.containment_none_reason = _text(reason, "reason why no containment is needed")
        finding.containment = ""
        finding.contained_on = None
        finding.contained_by = None


@dataclass(frozen=True)
class WhyDraft:
    question: str
    answer: str
    evidence: str = ""
    checked: bool = False
    branch_of: int | None = None  # position of the step this one branches from


def record_root_cause(
    register: Register,
    refs: Sequence[str],
    method: RootCauseMethod,
    statement: str,
    category: CauseCategory | None,
    whys: Sequence[WhyDraft] = (),
    justification: str = "",
    on: dt.date | None = None,
) -> int:
    """Record a root cause shared by the findings ``refs`` (in their current round)."""
    if not refs:
        raise InvalidInputError("A root cause must belong to at least one finding.")
    with register.session() as session:
        cause = RootCause(
            method=method,
            statement=statement.strip(),
            category=category,
            symptom_justification=justification.strip(),
            recorded_on=on or dt.date.today(),
        )
        session.add(cause)
        steps: list[WhyStep] = []
        for position, why in enumerate(whys, start=1):
            parent = None
            if why.branch_of is not None:
                if not 1 <= why.branch_of < position:
                    raise InvalidInputError(
                        f"Why {position} branches from a step that does not come before it."
                    )
                parent = steps[why.branch_of - 1]
            step = WhyStep(
                root_cause=cause,
                position=position,
                question=why.question.strip(),
                answer=why.answer.strip(),
                evidence=why.evidence.strip(),
                checked=why.checked,
            )
            step.parent = parent
            steps.append(step)
            session.add(step)
        for ref in dict.fromkeys(refs):
            finding = get_finding(session, ref)
            session.add(FindingRootCause(finding=finding, root_cause=cause, cycle=finding.cycle))
        session.flush()
        return cause.id


def plan_action(
    register: Register,
    refs: Sequence[str],
    kind: ActionKind,
    description: str,
    owner_id: int | None,
    target_on: dt.date | None,
    outcome: str,
    year: int | None = None,
) -> str:
    """Plan an action answering the findings ``refs``; returns its reference."""
    if not refs:
        raise InvalidInputError("An action must answer at least one finding.")
    with register.session() as session:
        findings = [get_finding(session, ref) for ref in dict.fromkeys(refs)]
        action = CorrectiveAction(
            ref=next_ref(session, "action", year or dt.date.today().year),
            kind=kind,
            description=_text(description, "action description"),
            owner=_person(session, owner_id),
            target_on=target_on,
            outcome=outcome.strip(),
            status=ActionStatus.PLANNED,
        )
        session.add(action)
        for finding in findings:
            session.add(FindingAction(finding=finding, action=action, cycle=finding.cycle))
        session.flush()
        return action.ref


def complete_action(
    register: Register, action_ref: str, completed_on: dt.date, evidence: str = ""
) -> None:
    with register.session() as session:
        action = get_action(session, action_ref)
        if action.status is ActionStatus.CANCELLED:
            raise InvalidInputError(f"{action.ref} was cancelled; plan a new action instead.")
        if not evidence.strip() and not action.evidence:
            raise InvalidInputError(
                f"{action.ref} needs evidence of completion: describe it or attach a file."
            )
        action.status = ActionStatus.DONE
        action.completed_on = completed_on
        if evidence.strip():
            action.completion_evidence = evidence.strip()


def cancel_action(register: Register, action_ref: str, reason: str) -> None:
    with register.session() as session:
        action = get_action(session, action_ref)
        action.cancelled_reason = _text(reason, "reason for cancelling")
        action.status = ActionStatus.CANCELLED


@dataclass(frozen=True)
class ReviewDraft:
    method: str
    criteria: str = ""
    due_on: dt.date | None = None
    reviewer_id: int | None = None
    done_on: dt.date | None = None
    result: ReviewResult | None = None
    notes: str = ""


def record_review(register: Register, ref: str, draft: ReviewDraft) -> int:
    """Record an effectiveness review of the finding's current round.

    A result of "not effective" sends the finding back to root-cause analysis.
    """
    if draft.result is not None and draft.done_on is None:
        raise InvalidInputError("A review with a result needs the date it was done.")
    with register.session() as session:
        finding = get_finding(session, ref)
        review = EffectivenessReview(
            finding=finding,
            cycle=finding.cycle,
            method=draft.method.strip(),
            criteria=draft.criteria.strip(),
            due_on=draft.due_on,
            reviewer=_person(session, draft.reviewer_id),
            done_on=draft.done_on,
            result=draft.result,
            notes=draft.notes.strip(),
        )
        session.add(review)
        session.flush()
        return review.id


def decide_isms_update(
    register: Register, ref: str, target: IsmsTarget, decision: IsmsDecision, note: str
) -> None:
    what = "reference of the update" if decision is IsmsDecision.UPDATED else "reason"
    with register.session() as session:
        finding = get_finding(session, ref)
        decision_field, note_field = workflow.ISMS_FIELDS[target]
        setattr(finding, decision_field, decision)
        setattr(finding, note_field, _text(note, what))


def decide_observation(
    register: Register, ref: str, decision: ObservationDecision, note: str
) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        if finding.classification.is_nonconformity:
            raise InvalidInputError(
                f"{finding.ref} is a nonconformity: it must be acted on, not decided."
            )
        finding.decision = decision
        finding.decision_note = _text(note, "note on the decision")


def record_plan_sent(register: Register, ref: str, on: dt.date) -> None:
    with register.session() as session:
        get_finding(session, ref).plan_sent_on = on


def move(register: Register, ref: str, stage: Stage) -> Stage:
    """Move a finding to ``stage``; returns the stage it left. Refusals name what is
    missing."""
    with register.session() as session:
        return workflow.move(get_finding(session, ref), stage)


def close(register: Register, ref: str, on: dt.date) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        finding.closed_on = on
        workflow.move(finding, Stage.CLOSED)


def void(register: Register, ref: str, reason: str, on: dt.date) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        if finding.stage is Stage.VOID:
            raise WorkflowRefused(f"{finding.ref} is already void.", ["already void"])
        finding.void_reason = _text(reason, "reason for voiding")
        finding.voided_on = on
        workflow.move(finding, Stage.VOID)


def raise_dispute(register: Register, ref: str, on: dt.date, note: str) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        if not workflow.is_open(finding):
            raise WorkflowRefused(
                f"Cannot dispute {finding.ref}: it is {finding.stage.label.lower()}.",
                [finding.stage.label],
            )
        finding.dispute_raised_on = on
        finding.dispute_outcome = None
        finding.dispute_note = _text(note, "grounds of the dispute")
        workflow.move(finding, Stage.DISPUTED)


def resolve_dispute(
    register: Register,
    ref: str,
    outcome: DisputeOutcome,
    note: str,
    on: dt.date,
    new_classification: Classification | None = None,
) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        if finding.stage is not Stage.DISPUTED:
            raise WorkflowRefused(f"{finding.ref} is not disputed.", ["not disputed"])
        if outcome is DisputeOutcome.RECLASSIFIED:
            if new_classification is None or new_classification is finding.classification:
                raise InvalidInputError("A reclassified finding needs its new classification.")
            finding.classification = new_classification
        finding.dispute_outcome = outcome
        finding.dispute_note = (finding.dispute_note + "\n" + note.strip()).strip()
        if outcome is DisputeOutcome.WITHDRAWN:
            finding.void_reason = f"Withdrawn by the auditor after dispute: {note.strip()}".strip()
            finding.voided_on = on
            workflow.move(finding, Stage.VOID)


def request_extension(
    register: Register,
    ref: str,
    deadline: Deadline,
    asked_on: dt.date,
    requested_due: dt.date,
    reason: str,
) -> int:
    with register.session() as session:
        finding = get_finding(session, ref)
        refusal = workflow.extension_refusal(finding, deadline, asked_on)
        if refusal:
            raise WorkflowRefused(f"Cannot request an extension: {refusal}.", [refusal])
        current = finding.plan_due if deadline is Deadline.PLAN else finding.closure_due
        assert current is not None
        if requested_due <= current:
            raise InvalidInputError(
                f"The requested date must be after the current deadline, {current.isoformat()}."
            )
        request = ExtensionRequest(
            finding=finding,
            deadline=deadline,
            asked_on=asked_on,
            previous_due=current,
            requested_due=requested_due,
            reason=_text(reason, "reason for the extension"),
        )
        session.add(request)
        session.flush()
        return request.id


def decide_extension(
    register: Register, request_id: int, granted: bool, on: dt.date, note: str = ""
) -> None:
    with register.session() as session:
        request = session.get(ExtensionRequest, request_id)
        if request is None:
            raise NotFoundError(f"There is no extension request number {request_id}.")
        if request.status is not ExtensionStatus.REQUESTED:
            raise InvalidInputError(
                f"That extension request was already {request.status.label.lower()}."
            )
        request.status = ExtensionStatus.GRANTED if granted else ExtensionStatus.REFUSED
        request.decided_on = on
        request.decision_note = note.strip()


def set_deadline_rule(
    register: Register,
    scope: str,
    classification: Classification,
    plan_days: int | None,
    closure_days: int | None,
) -> None:
    for days in (plan_days, closure_days):
        if days is not None and not 0 < days <= 3650:
            raise InvalidInputError("Deadline days must be between 1 and 3650, or none.")
    with register.session() as session:
        rule = session.scalar(
            select(DeadlineRule).where(
                DeadlineRule.scope == scope.strip(), DeadlineRule.classification == classification
            )
        )
        if rule is None:
            rule = DeadlineRule(scope=_text(scope, "rule scope"), classification=classification)
            session.add(rule)
        rule.plan_days = plan_days
        rule.closure_days = closure_days


def attach_evidence(
    register: Register,
    path: Path,
    *,
    finding_ref: str | None = None,
    action_ref: str | None = None,
    review_id: int | None = None,
    on: dt.date | None = None,
) -> int:
    """Copy the file at ``path`` into the register on one finding, action or review."""
    if sum(x is not None for x in (finding_ref, action_ref, review_id)) != 1:
        raise InvalidInputError("Evidence belongs to exactly one finding, action or review.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be read: {exc.strerror}.") from None
    with register.session() as session:
        evidence = Evidence(
            name=path.name,
            media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            added_on=on or dt.date.today(),
            data=data,
        )
        if finding_ref is not None:
            evidence.finding = get_finding(session, finding_ref)
        elif action_ref is not None:
            evidence.action = get_action(session, action_ref)
        else:
            review = session.get(EffectivenessReview, review_id)
            if review is None:
                raise NotFoundError(f"There is no effectiveness review number {review_id}.")
            evidence.review = review
        session.add(evidence)
        session.flush()
        return evidence.id


def set_requirements(register: Register, ref: str, codes: Sequence[str]) -> None:
    with register.session() as session:
        finding = get_finding(session, ref)
        finding.requirements = [requirement_by_code(session, c) for c in dict.fromkeys(codes)]
