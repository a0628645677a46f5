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

# A register is one SQLite file that is backed up, mailed and opened whole: a scan of a
# 300-page binder would make every backup of it that much heavier. Large exports belong in
# the document system, with a reference to them attached instead.
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024


def megabytes(size: int) -> str:
    """A size as people read it: "20.0 MB", "312 KB", "18 bytes"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} byte" if size == 1 else f"{size} bytes"


def too_large(name: str, size: int) -> str | None:
    """The sentence refusing a file of ``size`` bytes, or None when it may be stored."""
    if size <= MAX_EVIDENCE_BYTES:
        return None
    shown = megabytes(size)
    if shown == megabytes(MAX_EVIDENCE_BYTES):
        shown = f"{size:,} bytes"  # just over: "25.0 MB" would read as within the limit
    return (
        f"{name} is {shown}; files over {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB"
        " are not stored in the register: attach a smaller export or a reference to where "
        "it is kept."
    )


def evidence_name(name: str) -> str:
    """A file name as the register keeps it, or refused with a sentence saying why."""
    return file_name(name, length_of(Evidence.name))


def read_evidence_file(path: Path) -> bytes:
    """The bytes of the file at ``path``, refused (before reading it) when its name cannot
    be kept or it is over the limit."""
    evidence_name(path.name)
    try:
        size = path.stat().st_size
        refusal = too_large(path.name, size)
        if refusal:
            raise InvalidInputError(refusal)
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be read: {exc.strerror}.") from None


def attach_evidence(
    register: Register,
    path: Path | None = None,
    *,
    data: bytes | None = None,
    name: str | None = None,
    finding_ref: str | None = None,
    action_ref: str | None = None,
    review_id: int | None = None,
    on: dt.date | None = None,
) -> Changes[int]:
    """Copy a file into the register on one finding, action or review: the file at
    ``path``, or ``data`` already read (with its ``name``), so that what is stored is
    exactly the bytes the user was shown the size and SHA-256 of."""
    if sum(x is not None for x in (finding_ref, action_ref, review_id)) != 1:
        raise InvalidInputError("Evidence belongs to exactly one finding, action or review.")
    optional_date(on, "date added")
    if data is None:
        if path is None:
            raise InvalidInputError("Say which file to attach.")
        data = read_evidence_file(path)
        name = name or path.name
    elif name is None:
        if path is None:
            raise InvalidInputError("Say the name of the file to attach.")
        name = path.name
    refusal = too_large(name, len(data))
    if refusal:
        raise InvalidInputError(refusal)
    with register.session() as session:
        evidence = Evidence(
            name=evidence_name(name),
            media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
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
