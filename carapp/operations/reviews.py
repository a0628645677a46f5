"""Effectiveness reviews of a finding's current round of actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from carapp.errors import InvalidInputError, NotFoundError
from carapp.models.entities import (
    EffectivenessReview,
)
from carapp.models.enums import (
    ReviewResult,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    check_version,
    get_finding,
    get_person,
    happened,
    multi_line,
    optional_date,
    refuse_if_settled,
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
    _check(draft)
    with register.session() as session:
        finding = get_finding(session, ref)
        refuse_if_settled(finding)
        review = EffectivenessReview(finding=finding, cycle=finding.cycle)
        session.add(review)
        _fill(session, review, draft)
        session.flush()
        result = review.id
    return changes_of(session, result)


def update_review(
    register: Register,
    review_id: int,
    draft: ReviewDraft,
    *,
    expected_version: int | None = None,
) -> Changes[None]:
    """Rewrite a review: scheduled first, its result recorded later. A result of "not
    effective" sends the finding back to root-cause analysis, as when recorded at once."""
    _check(draft)
    with register.session() as session:
        review = session.get(EffectivenessReview, review_id)
        if review is None:
            raise NotFoundError(
                f"There is no effectiveness review number {review_id} in this register."
            )
        check_version(session, review, expected_version, "The effectiveness review")
        # A past round's result is what ended that round; its wording may be corrected.
        if review.cycle != review.finding.cycle and draft.result is not review.result:
            raise InvalidInputError(
                f"This review belongs to round {review.cycle} of {review.finding.ref}, which "
                f"is over, so its result stands; record a review of round "
                f"{review.finding.cycle} instead."
            )
        _fill(session, review, draft)
    return changes_of(session, None)


def _check(draft: ReviewDraft) -> None:
    optional_date(draft.due_on, "review due date")
    optional_date(draft.done_on, "date the review was done")
    if draft.result is not None and draft.done_on is None:
        raise InvalidInputError("A review with a result needs the date it was done.")


def _fill(session: Session, review: EffectivenessReview, draft: ReviewDraft) -> None:
    """Set ``draft`` on ``review``, assigning only what differs (an equal value assigned
    would still count a save)."""
    if draft.done_on is not None and draft.done_on != review.done_on:
        happened(session, draft.done_on, "date the review was done", finding=review.finding)
    with session.no_autoflush:
        values: dict[str, object] = {
            "method": multi_line(draft.method, "review method"),
            "criteria": multi_line(draft.criteria, "review criteria"),
            "due_on": draft.due_on,
            "reviewer": get_person(session, draft.reviewer_id),
            "done_on": draft.done_on,
            "result": draft.result,
            "notes": multi_line(draft.notes, "review notes"),
        }
        for name, value in values.items():
            if getattr(review, name) != value:
                setattr(review, name, value)
