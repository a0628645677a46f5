"""Root-cause analysis: the cause shared by one or more findings, and its why chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from carapp.errors import InvalidInputError
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
    get_finding,
    multi_line,
    optional_date,
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
                question=multi_line(why.question, "why question"),
                answer=multi_line(why.answer, "why answer"),
                evidence=multi_line(why.evidence, "why evidence"),
                checked=why.checked,
            )
            step.parent = parent
            steps.append(step)
            session.add(step)
        for ref in dict.fromkeys(refs):
            finding = get_finding(session, ref)
            session.add(FindingRootCause(finding=finding, root_cause=cause, cycle=finding.cycle))
        session.flush()
        result = cause.id
    return changes_of(session, result)
