"""Root-cause analysis: the cause shared by one or more findings, and its why chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from carapp.errors import InvalidInputError, NotFoundError
from carapp.models import history
from carapp.models.entities import (
    FindingRootCause,
    RootCause,
    WhyStep,
)
from carapp.models.enums import (
    CauseCategory,
    RootCauseMethod,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    check_version,
    get_finding,
    multi_line,
    optional_date,
    refuse_if_settled,
    today,
)
from carapp.store import Register


@dataclass(frozen=True)
class WhyDraft:
    question: str
    answer: str
    evidence: str = ""
    checked: bool = False
    branch_of: int | None = None  # position of the step this one branches from
    is_root: bool = False  # the step the team named the root cause


def record_root_cause(
    register: Register,
    refs: Sequence[str],
    method: RootCauseMethod,
    statement: str,
    category: CauseCategory | None,
    whys: Sequence[WhyDraft] = (),
    justification: str = "",
    on: dt.date | None = None,
) -> Changes[int]:
    """Record a root cause shared by the findings ``refs`` (in their current round)."""
    if not refs:
        raise InvalidInputError("A root cause must belong to at least one finding.")
    optional_date(on, "date recorded")
    with register.session() as session:
        cause = RootCause(
            method=method,
            statement=multi_line(statement, "root cause statement"),
            category=category,
            symptom_justification=multi_line(justification, "justification"),
            recorded_on=on or today(session),
        )
        session.add(cause)
        _write_whys(session, cause, whys)
        for ref in dict.fromkeys(refs):
            finding = get_finding(session, ref)
            refuse_if_settled(finding)
            session.add(FindingRootCause(finding=finding, root_cause=cause, cycle=finding.cycle))
        session.flush()
        result = cause.id
    return changes_of(session, result)


def update_root_cause(
    register: Register,
    cause_id: int,
    method: RootCauseMethod,
    statement: str,
    category: CauseCategory | None,
    whys: Sequence[WhyDraft],
    justification: str,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    """Rewrite a root cause and its why chain. Steps keep their place: the one at each
    position is changed in place, and those past the new chain's end are marked removed."""
    values = {
        "method": method,
        "statement": multi_line(statement, "root cause statement"),
        "category": category,
        "symptom_justification": multi_line(justification, "justification"),
    }
    with register.session() as session:
        cause = _get_cause(session, cause_id)
        check_version(session, cause, expected_version, "The root cause")
        with session.no_autoflush:
            for name, value in values.items():
                if getattr(cause, name) != value:
                    setattr(cause, name, value)
            steps_changed = _write_whys(session, cause, whys)
            if steps_changed and not history.has_changes(cause):
                # The chain is part of the cause an editor saves: a change to it alone is a
                # save too, so that an edit made from the older chain is refused.
                cause.version = (cause.version or 1) + 1
    return changes_of(session, None)


def link_root_cause(register: Register, ref: str, cause_id: int) -> Changes[None]:
    """Name an existing root cause (another finding's) as the cause of this finding's
    current round."""
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        cause = _get_cause(session, cause_id)
        if cause in finding.root_causes:
            raise InvalidInputError(
                f"{finding.ref} already has this root cause in round {finding.cycle}."
            )
        session.add(FindingRootCause(finding=finding, root_cause=cause, cycle=finding.cycle))
    return changes_of(session, None)


def _get_cause(session: Session, cause_id: int) -> RootCause:
    cause = session.get(RootCause, cause_id)
    if cause is None:
        raise NotFoundError(f"There is no root cause number {cause_id} in this register.")
    return cause


def _write_whys(session: Session, cause: RootCause, whys: Sequence[WhyDraft]) -> bool:
    """Make ``cause``'s live chain ``whys``: the step at each position is reused (revived if
    it was removed), new positions get new steps, and later positions are marked removed.
    Only values that differ are assigned, so an unchanged step writes no history. Returns
    whether any step changed."""
    existing = {s.position: s for s in cause.all_steps} if cause.id is not None else {}
    steps: list[WhyStep] = []
    changed = False
    for position, why in enumerate(whys, start=1):
        parent = None
        if why.branch_of is not None:
            if not 1 <= why.branch_of < position:
                raise InvalidInputError(
                    f"Why {position} branches from a step that does not come before it."
                )
            parent = steps[why.branch_of - 1]
        values = {
            "question": multi_line(why.question, "why question"),
            "answer": multi_line(why.answer, "why answer"),
            "evidence": multi_line(why.evidence, "why evidence"),
            "checked": why.checked,
            "removed": False,
            "is_root": why.is_root,
        }
        step = existing.get(position)
        if step is None:
            step = WhyStep(root_cause=cause, position=position, **values)
            step.parent = parent
            session.add(step)
            changed = True
        else:
            for name, value in values.items():
                if getattr(step, name) != value:
                    setattr(step, name, value)
                    changed = True
            if step.parent is not parent:
                step.parent = parent
                changed = True
        steps.append(step)
    for position, step in existing.items():
        if position > len(steps) and not step.removed:
            step.removed = True
            changed = True
    return changed
