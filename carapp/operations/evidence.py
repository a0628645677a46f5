"""Evidence files kept inside the register."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from pathlib import Path

from carapp.errors import InvalidInputError, NotFoundError
from carapp.models.entities import (
    EffectivenessReview,
    Evidence,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    file_name,
    get_action,
    get_finding,
    length_of,
    optional_date,
    today,
)
from carapp.store import Register


def attach_evidence(
    register: Register,
    path: Path,
    *,
    finding_ref: str | None = None,
    action_ref: str | None = None,
    review_id: int | None = None,
    on: dt.date | None = None,
) -> Changes[int]:
    """Copy the file at ``path`` into the register on one finding, action or review."""
    if sum(x is not None for x in (finding_ref, action_ref, review_id)) != 1:
        raise InvalidInputError("Evidence belongs to exactly one finding, action or review.")
    optional_date(on, "date added")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be read: {exc.strerror}.") from None
    with register.session() as session:
        evidence = Evidence(
            name=file_name(path.name, length_of(Evidence.name)),
            media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            added_on=on or today(session),
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
        result = evidence.id
    return changes_of(session, result)
