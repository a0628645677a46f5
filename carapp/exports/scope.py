"""What every export says about itself: which findings (the register table's filters), from
which register (its fingerprint, so an auditor can check it later with ``carapp check
--anchor``), when and by whom; and how it reaches the disk (whole, or not at all).

Exports read the register in chunks and write to a temporary file beside the destination,
renamed over it only once complete: a failed or cancelled export leaves no half file and
never destroys the previous one. Work that may be cancelled polls ``progress``, which
raises :class:`Cancelled` when the user asked to stop.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from carapp.account import actor
from carapp.anchors import Fingerprint, fingerprint
from carapp.errors import InvalidInputError
from carapp.files import atomic_path
from carapp.models.history import now_utc
from carapp.progress import Progress, no_progress
from carapp.queries.findings import FindingDetail, finding_details
from carapp.queries.register_table import Column, QuickFilter, RegisterFilter, finding_ids
from carapp.queries.settings import register_settings
from carapp.store import Register


class Cancelled(Exception):
    """The user stopped the export; nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportScope:
    """Which findings an export holds: the register table's filter, as of ``today``."""

    today: dt.date
    filter: RegisterFilter = field(default_factory=RegisterFilter)
    overdue: bool = False  # the command line's --overdue: the quick filter's

    def effective_filter(self) -> RegisterFilter:
        if self.overdue and self.filter.quick is QuickFilter.ALL:
            return RegisterFilter(
                search=self.filter.search,
                quick=QuickFilter.OVERDUE,
                classifications=self.filter.classifications,
                stages=self.filter.stages,
                sources=self.filter.sources,
                audit_ref=self.filter.audit_ref,
                owner_id=self.filter.owner_id,
                requirement_code=self.filter.requirement_code,
            )
        return self.filter

    def describe(self, owner_name: str | None = None) -> str:
        """The filters in words, for the cover page: 'All findings' when there are none."""
        f = self.effective_filter()
        parts = []
        if f.quick is not QuickFilter.ALL:
            parts.append(f"the quick filter \u201c{f.quick.label}\u201d")
        if f.classifications:
            parts.append("classification " + ", ".join(sorted(c.label for c in f.classifications)))
        if f.stages:
            parts.append("stage " + ", ".join(sorted(s.label for s in f.stages)))
        if f.sources:
            parts.append("source " + ", ".join(sorted(s.label for s in f.sources)))
        if f.audit_ref:
            parts.append(f"audit {f.audit_ref}")
        if f.owner_id is not None:
            parts.append(f"owner {owner_name or f'#{f.owner_id}'}")
        if f.requirement_code:
            parts.append(f"requirement {f.requirement_code}")
        if f.search:
            parts.append(f"search \u201c{f.search}\u201d")
        return "All findings" if not parts else "Findings with " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class ExportHeader:
    """What the first page of every export says."""

    organisation: str
    scope: str  # the filters in words
    exported_at: str  # UTC, as history stamps it
    exported_by: str
    fingerprint: Fingerprint
    today: dt.date

    @property
    def fingerprint_text(self) -> str:
        """In full: what ``carapp check --anchor`` verifies."""
        return self.fingerprint.full


def export_header(
    register: Register, scope: ExportScope, owner_name: str | None = None
) -> ExportHeader:
    settings = register_settings(register)
    return ExportHeader(
        organisation=settings["organisation"],
        scope=scope.describe(owner_name),
        exported_at=now_utc().strftime("%Y-%m-%d %H:%M UTC"),
        exported_by=actor(),
        fingerprint=fingerprint(register),
        today=scope.today,
    )


def selected_ids(register: Register, scope: ExportScope) -> list[int]:
    """The findings the scope selects, in reference order (as an auditor files them)."""
    return finding_ids(register, scope.effective_filter(), scope.today, Column.REF)


def selected_findings(
    register: Register,
    scope: ExportScope,
    *,
    with_history: bool = False,
    progress: Progress = no_progress,
) -> Iterator[FindingDetail]:
    """Each selected finding whole, a chunk at a time, telling ``progress`` as it goes."""
    ids = selected_ids(register, scope)
    progress(0, len(ids))
    for done, detail in enumerate(
        finding_details(register, ids, scope.today, with_history=with_history), start=1
    ):
        yield detail
        if done % 50 == 0 or done == len(ids):
            progress(done, len(ids))


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def check_destination(destination: Path) -> None:
    """Refuse, before any work, a destination that cannot be written: its folder missing,
    a folder itself, or a folder this account may not write to."""
    folder = destination.expanduser().resolve().parent
    if destination.expanduser().is_dir():
        raise InvalidInputError(f"{destination} is a folder: give the file's name too.")
    if _is_database(destination.expanduser()):
        # A register is an SQLite file: an export over it would destroy every record.
        raise InvalidInputError(
            f"{destination} is a register (an SQLite database): an export written over it "
            "would destroy it. Nothing was written; choose another file name."
        )
    if not folder.is_dir():
        raise InvalidInputError(f"There is no folder {folder}: create it or choose another.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(f"This account may not write to {folder}: choose another folder.")


def write_atomically(destination: Path, write: Callable[[Path], None]) -> Path:
    """Run ``write`` on a temporary path beside ``destination`` and rename it over the
    destination once complete; on any failure (a full disk, a Cancelled) nothing is left
    and the previous file is untouched. A destination that cannot be written is refused
    first, and the disk's own refusal is said in a sentence."""
    check_destination(destination)
    try:
        with atomic_path(destination.expanduser()) as partial:
            write(partial)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InvalidInputError(
            f"carapp could not write {destination} ({reason}); nothing was written and any "
            "earlier file there is as it was: choose another place, or free some space."
        ) from None
    return destination
