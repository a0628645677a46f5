"""Deadlines: the action plan sent to the certification body, extension requests and
the rules that give each finding its due dates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from carapp.errors import InvalidInputError, NotFoundError, WorkflowRefused
from carapp.models import workflow
from carapp.models.entities import (
    DeadlineRule,
    ExtensionRequest,
)
from carapp.models.enums import (
    Classification,
    Deadline,
    ExtensionStatus,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    check_version,
    get_finding,
    length_of,
    multi_line,
    refuse_if_settled,
    required_text,
    sane_date,
)
from carapp.store import Register


def record_plan_sent(
    register: Register, ref: str, on: dt.date, *, expected_version: int | None = None
) -> Changes[None]:
    sane_date(on, "date the plan was sent")
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
        missing = workflow.plan_sent_refusal(finding)
        if missing:
            raise WorkflowRefused(
                f"Cannot record the action plan of {finding.ref} as sent: {' and '.join(missing)}.",
                missing,
            )
        finding.plan_sent_on = on
    return changes_of(session, None)


def request_extension(
    register: Register,
    ref: str,
    deadline: Deadline,
    asked_on: dt.date,
    requested_due: dt.date,
    reason: str,
    *,
    expected_version: int | None = None,
) -> Changes[int]:
    sane_date(asked_on, "date asked")
    sane_date(requested_due, "requested date")
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        check_version(session, finding, expected_version, finding.ref)
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
            reason=required_text(reason, "reason for the extension"),
        )
        session.add(request)
        session.flush()
        result = request.id
    return changes_of(session, result)


def decide_extension(
    register: Register,
    request_id: int,
    granted: bool,
    on: dt.date,
    note: str = "",
    granted_due: dt.date | None = None,
) -> Changes[None]:
    """Record the certification body's answer; ``granted_due`` is the date it granted,
    which may differ from the one asked (by default, the one asked)."""
    sane_date(on, "date of the decision")
    if granted_due is not None and not granted:
        raise InvalidInputError("A refused extension grants no date; leave the date empty.")
    with register.session() as session:
        request = session.get(ExtensionRequest, request_id)
        if request is None:
            raise NotFoundError(f"There is no extension request number {request_id}.")
        if request.status is not ExtensionStatus.REQUESTED:
            raise InvalidInputError(
                f"That extension request was already {request.status.label.lower()}."
            )
        if granted:
            new_due = sane_date(granted_due or request.requested_due, "granted date")
            if new_due <= request.previous_due:
                raise InvalidInputError(
                    "The granted date must be after the deadline it extends, "
                    f"{request.previous_due.isoformat()}."
                )
            request.granted_due = new_due
        request.status = ExtensionStatus.GRANTED if granted else ExtensionStatus.REFUSED
        request.decided_on = on
        request.decision_note = multi_line(note, "note on the decision")
    return changes_of(session, None)


def set_deadline_rule(
    register: Register,
    scope: str,
    classification: Classification,
    plan_days: int | None,
    closure_days: int | None,
) -> Changes[None]:
    for days in (plan_days, closure_days):
        if days is not None and not 0 < days <= 3650:
            raise InvalidInputError("Deadline days must be between 1 and 3650, or none.")
    scope = required_text(scope, "rule scope", length_of(DeadlineRule.scope))
    with register.session() as session:
        rule = session.scalar(
            select(DeadlineRule).where(
                DeadlineRule.scope == scope, DeadlineRule.classification == classification
            )
        )
        if rule is None:
            rule = DeadlineRule(scope=scope, classification=classification)
            session.add(rule)
        rule.plan_days = plan_days
        rule.closure_days = closure_days
    return changes_of(session, None)
