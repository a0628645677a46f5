"""What an editor's Save needs beyond the use cases it runs: proof that nothing it shows
was saved by someone else since it was opened.

A Save runs several use cases in one :meth:`carapp.store.Register.transaction`; the first
save bumps each record's version, so the versions the editor read are checked once, here,
before any of them, instead of by each use case.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from carapp.errors import NotFoundError
from carapp.models.entities import EffectivenessReview, RootCause
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import check_version, get_action, get_finding
from carapp.store import Register


def confirm_unchanged(
    register: Register,
    ref: str,
    version: int,
    *,
    root_causes: Mapping[int, int] | None = None,
    actions: Mapping[str, int] | None = None,
    reviews: Mapping[int, int] | None = None,
) -> Changes[None]:
    """Refuse (StaleEditError, naming who changed what) unless the finding and each of its
    records listed are still at the version given."""
    with register.session() as session:
        finding = get_finding(session, ref)
        check_version(session, finding, version, finding.ref)
        for cause_id, seen in (root_causes or {}).items():
            cause = session.scalar(select(RootCause).where(RootCause.id == cause_id))
            if cause is None:
                raise NotFoundError(f"There is no root cause number {cause_id}.")
            check_version(session, cause, seen, f"The root cause of {finding.ref}")
        for action_ref, seen in (actions or {}).items():
            check_version(session, get_action(session, action_ref), seen, action_ref)
        for review_id, seen in (reviews or {}).items():
            review = session.get(EffectivenessReview, review_id)
            if review is None:
                raise NotFoundError(f"There is no effectiveness review number {review_id}.")
            check_version(session, review, seen, f"The effectiveness review of {finding.ref}")
    return changes_of(session, None)
