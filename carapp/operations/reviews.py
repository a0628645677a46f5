"""Effectiveness reviews of a finding's current round of actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carapp.errors import InvalidInputError
from carapp.models.entities import (
    EffectivenessReview,
)
from carapp.models.enums import (
    ReviewResult,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    get_finding,
    get_person,
    multi_line,
    optional_date,
)
from carapp.store import Register


@dataclass(frozen=True)
class ReviewDraft:
    method: str
    criteria: str = ""
    due_on: dt.date | None = None
    reviewer_id: int | None = None
    done_on: dt.date | None = None
    result: ReviewResult | None = None
    notes: str = ""


def record_review(register: Register, ref: str, draft: ReviewDraft) -> Changes[int]:
    """Record an effectiveness review of the finding's current round.

    A result of "not effective" sends the finding back to root-cause analysis.
    """
    optional_date(draft.due_on, "review due date")
    optional_date(draft.done_on, "date the review was done")
    if draft.result is not None and draft.done_on is None:
        raise InvalidInputError("A review with a result needs the date it was done.")
    with register.session() as session:
        finding = get_finding(session, ref)
        review = EffectivenessReview(
            finding=finding,
            cycle=finding.cycle,
            method=multi_line(draft.method, "review method"),
            criteria=multi_line(draft.criteria, "review criteria"),
            due_on=draft.due_on,
            reviewer=get_person(session, draft.reviewer_id),
            done_on=draft.done_on,
            result=draft.result,
            notes=multi_line(draft.notes, "review notes"),
        )
        session.add(review)
        session.flush()
        result = review.id
    return changes_of(session, result)
