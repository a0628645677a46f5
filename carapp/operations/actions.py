"""Corrective actions: planning, completing and cancelling them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from carapp.errors import InvalidInputError
from carapp.models.entities import (
    CorrectiveAction,
    FindingAction,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    check_version,
    get_action,
    get_finding,
    get_person,
    happened,
    multi_line,
    next_ref,
    not_before_finding,
    optional_date,
    refuse_if_settled,
    required_text,
    sane_date,
    today,
)
from carapp.store import Register


def plan_action(
    register: Register,
    refs: Sequence[str],
    kind: ActionKind,
    description: str,
    owner_id: int | None,
    target_on: dt.date | None,
    outcome: str,
    year: int | None = None,
) -> Changes[str]:
    """Plan an action answering the findings ``refs``; returns its reference."""
    if not refs:
        raise InvalidInputError("An action must answer at least one finding.")
    optional_date(target_on, "target date")
    with register.session() as session:
        findings = [get_finding(session, ref) for ref in dict.fromkeys(refs)]
        for settled in findings:
            refuse_if_settled(settled)
        not_before_finding(target_on, "target date", findings)
        action = CorrectiveAction(
            ref=next_ref(session, "action", year or today(session).year),
            kind=kind,
            description=required_text(description, "action description"),
            owner=get_person(session, owner_id),
            target_on=target_on,
            outcome=multi_line(outcome, "expected outcome"),
            status=ActionStatus.PLANNED,
        )
        session.add(action)
        for finding in findings:
            session.add(FindingAction(finding=finding, action=action, cycle=finding.cycle))
        session.flush()
        result = action.ref
    return changes_of(session, result)


def complete_action(
    register: Register,
    action_ref: str,
    completed_on: dt.date,
    evidence: str = "",
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    sane_date(completed_on, "completion date")
    with register.session() as session:
        action = get_action(session, action_ref)
        check_version(session, action, expected_version, action.ref)
        happened(session, completed_on, "completion date")
        if action.status is ActionStatus.CANCELLED:
            raise InvalidInputError(f"{action.ref} was cancelled; plan a new action instead.")
        evidence = multi_line(evidence, "completion evidence")
        if not evidence and not action.evidence:
            raise InvalidInputError(
                f"{action.ref} needs evidence of completion: describe it or attach a file."
            )
        action.status = ActionStatus.DONE
        action.completed_on = completed_on
        if evidence:
            action.completion_evidence = evidence
    return changes_of(session, None)


def cancel_action(
    register: Register, action_ref: str, reason: str, *, expected_version: int | None = None
) -> Changes[None]:
    with register.session() as session:
        action = get_action(session, action_ref)
        check_version(session, action, expected_version, action.ref)
        action.cancelled_reason = required_text(reason, "reason for cancelling")
        action.status = ActionStatus.CANCELLED
    return changes_of(session, None)


def update_action(
    register: Register,
    action_ref: str,
    kind: ActionKind,
    description: str,
    owner_id: int | None,
    target_on: dt.date | None,
    outcome: str,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    """Rewrite what an action plans; a cancelled or done action is kept as it was."""
    optional_date(target_on, "target date")
    description = required_text(description, "action description")
    outcome = multi_line(outcome, "expected outcome")
    with register.session() as session:
        action = get_action(session, action_ref)
        check_version(session, action, expected_version, action.ref)
        not_before_finding(
            target_on, "target date", [link.finding for link in action.finding_links]
        )
        if action.status is ActionStatus.CANCELLED:
            raise InvalidInputError(
                f"{action.ref} was cancelled, so its plan stays as it was; plan a new action "
                "instead."
            )
        if action.status is ActionStatus.DONE:
            raise InvalidInputError(
                f"{action.ref} is done, so its plan stays as it was; plan a new action if more "
                "is needed."
            )
        values: dict[str, object] = {
            "kind": kind,
            "description": description,
            "owner": get_person(session, owner_id),
            "target_on": target_on,
            "outcome": outcome,
        }
        with session.no_autoflush:
            for name, value in values.items():
                if getattr(action, name) != value:
                    setattr(action, name, value)
    return changes_of(session, None)


def link_action(register: Register, ref: str, action_ref: str) -> Changes[None]:
    """Name an existing action (another finding's) as answering this finding's current
    round too."""
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        action = get_action(session, action_ref)
        if action.status is ActionStatus.CANCELLED:
            raise InvalidInputError(
                f"{action.ref} was cancelled; pick a live action or plan a new one."
            )
        if action in finding.actions:
            raise InvalidInputError(
                f"{action.ref} already answers {finding.ref} in round {finding.cycle}."
            )
        session.add(FindingAction(finding=finding, action=action, cycle=finding.cycle))
    return changes_of(session, None)
