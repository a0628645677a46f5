"""Lookups, settings and references shared by the use cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carapp import catalog
from carapp.errors import InvalidInputError, NotFoundError, StaleEditError, WorkflowRefused
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    EffectivenessReview,
    Finding,
    HistoryEntry,
    Person,
    RefCounter,
    Requirement,
    RootCause,
    Setting,
)
from carapp.models.enums import Stage
from carapp.models.history import CREATED, Clock, now_utc
from carapp.models.refs import DEFAULT_SETTINGS, REF_WIDTH, format_ref
from carapp.models.words import day_text

VersionedRecord = Finding | RootCause | CorrectiveAction | EffectivenessReview


def today(session: Session) -> dt.date:
    """Today by the session's clock (see :meth:`carapp.store.Register.session`), in local
    time as the user's calendar shows it."""
    clock: Clock = session.info.get("clock", now_utc)
    return clock().astimezone().date()


def setting(session: Session, key: str) -> str:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return value if value is not None else DEFAULT_SETTINGS.get(key, "")


def next_ref(session: Session, kind: str, year: int) -> str:
    """The next reference for ``kind`` in ``year``; numbers are never reused.

    The counter alone is not trusted: a counter reset with the sqlite3 shell (it is not in
    history) would hand out numbers again, so the next number is also above every reference
    that exists with that prefix and year.
    """
    prefix = setting(session, f"prefix.{kind}")
    counter = session.get(RefCounter, (prefix, year))
    if counter is None:
        counter = RefCounter(prefix=prefix, year=year, last=0)
        session.add(counter)
    counter.last = max(counter.last, _highest_ref_number(session, prefix, year)) + 1
    return format_ref(prefix, year, counter.last, REF_WIDTH.get(kind, 3))


def _highest_ref_number(session: Session, prefix: str, year: int) -> int:
    """The highest number in use as ``PREFIX-YEAR-N`` by a finding, action or audit.

    A range on the unique index of ``ref`` ('-' + 1 is '.'), so only that year's references
    are read; the longest, then the greatest, is the highest number (NC-2026-1000 after
    NC-2026-999).
    """
    start = f"{prefix}-{year}-"
    end = f"{prefix}-{year}."
    highest = 0
    for table in (Finding, CorrectiveAction, Audit):
        refs = session.scalars(
            select(table.ref)
            .where(table.ref >= start, table.ref < end)
            .order_by(func.length(table.ref).desc(), table.ref.desc())
            .execution_options(yield_per=64)  # the first is nearly always the answer
        )
        try:
            # References imported or typed by hand may carry a suffix; only numbers count.
            tails = (ref[len(start) :] for ref in refs)
            number = next((t for t in tails if t.isascii() and t.isdigit()), "0")
        finally:
            refs.close()
        highest = max(highest, int(number))
    return highest


def get_finding(session: Session, ref: str, *options: Any) -> Finding:
    """The finding ``ref``; ``options`` (loader options) say what to load with it."""
    query = select(Finding).where(Finding.ref == ref.strip().upper()).options(*options)
    finding = session.scalar(query)
    if finding is None:
        raise NotFoundError(f"There is no finding {ref} in this register.")
    return finding


def refuse_if_settled(finding: Finding) -> None:
    """A closed finding is what the auditor was told was closed, and a void one is kept
    as it was: neither changes, unless a closed one is reopened first (with a reason)."""
    if finding.stage is Stage.CLOSED:
        raise WorkflowRefused(
            f"{finding.ref} is closed: reopen it, with a reason, before changing it.",
            ["it is closed"],
        )
    if finding.stage is Stage.VOID:
        raise WorkflowRefused(
            f"{finding.ref} is void: its record is kept as it was.", ["it is void"]
        )


def get_action(session: Session, ref: str) -> CorrectiveAction:
    action = session.scalar(
        select(CorrectiveAction).where(CorrectiveAction.ref == ref.strip().upper())
    )
    if action is None:
        raise NotFoundError(f"There is no corrective action {ref} in this register.")
    return action


def get_audit(session: Session, ref: str) -> Audit:
    audit = session.scalar(select(Audit).where(Audit.ref == ref.strip().upper()))
    if audit is None:
        raise NotFoundError(f"There is no audit {ref} in this register.")
    return audit


def get_person(session: Session, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"There is no person number {person_id} in this register.")
    return person


def requirement_by_code(session: Session, code: str) -> Requirement:
    wanted = catalog.normalise_code(code)
    found = session.scalars(select(Requirement).where(Requirement.code == wanted)).all()
    if not found:
        raise NotFoundError(
            f"There is no requirement {code} in this register; add it as the organisation's "
            "own document or a legal or contractual duty from the requirement picker (type "
            "its code, then Add)."
        )
    return found[0]


def length_of(column: Any) -> int:
    """The length a ``String(N)`` mapped column is declared with."""
    length: int = column.property.columns[0].type.length
    return length


def required_text(value: str, what: str, limit: int | None = None) -> str:
    """``value`` checked as one line (with ``limit``) or as free text, and not empty."""
    value = single_line(value, what, limit) if limit is not None else multi_line(value, what)
    if not value:
        raise InvalidInputError(f"The {what} is empty; write it before saving.")
    return value


def check_version(
    session: Session, record: VersionedRecord, expected: int | None, name: str
) -> None:
    """Refuse to save ``record`` over a version other than the one the editor read.

    ``expected`` is the version the user saw (None: the caller read it in this very
    transaction, which holds the write lock). The refusal names what changed since, from
    the history of the saves in between (each save is the entries of one moment and actor).
    """
    current = record.version or 1
    if expected is None or current == expected:
        return
    entries = session.execute(
        select(HistoryEntry.at, HistoryEntry.actor, HistoryEntry.field)
        .where(
            HistoryEntry.entity == type(record).__tablename__,
            HistoryEntry.entity_id == record.id,
            HistoryEntry.field != CREATED,
        )
        .order_by(HistoryEntry.seq.desc())
    )
    saves: dict[tuple[str, str], list[str]] = {}
    for at, actor, changed in entries:
        if (at, actor) not in saves and len(saves) >= max(current - expected, 1):
            break
        saves.setdefault((at, actor), []).append(changed)
    fields = [f.removesuffix("_id").replace("_", " ") for group in saves.values() for f in group]
    latest = next(iter(saves), None)
    who = f" by {latest[1]} at {latest[0][:16].replace('T', ' ')}" if latest else ""
    listed = f" ({', '.join(dict.fromkeys(reversed(fields)))})" if fields else ""
    raise StaleEditError(
        f"{name} was changed{who} since you opened it{listed}; nothing was saved: reopen it "
        "to see the changes, then make yours again."
    )


# Line breaks and tabs are text; every other C0/C1 control (NUL, ESC, DEL, ...) is not: it
# would be stored, exported and printed to terminals verbatim.
_FREE_TEXT_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A} | frozenset(range(0x7F, 0xA0))
_LINE_CONTROLS = _FREE_TEXT_CONTROLS | {0x09, 0x0A}
# Explicit embeddings, overrides and isolates make a file name read differently from what it
# is ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _refuse_unsafe(value: str, what: str, controls: frozenset[int]) -> None:
    for char in value:
        code = ord(char)
        if code in controls:
            raise InvalidInputError(
                f"The {what} contains the control character U+{code:04X}; remove it and "
                "write plain text."
            )
        if 0xD800 <= code <= 0xDFFF:
            raise InvalidInputError(
                f"The {what} contains text that is not valid Unicode; type it again."
            )


def single_line(value: str, what: str, limit: int) -> str:
    """``value`` without surrounding blanks, refused if it holds a control character (line
    breaks and tabs included) or a lone surrogate, or is longer than ``limit``."""
    value = value.strip()
    _refuse_unsafe(value, what, _LINE_CONTROLS)
    if len(value) > limit:
        raise InvalidInputError(
            f"The {what} is {len(value)} characters long; shorten it to at most {limit}."
        )
    return value


def multi_line(value: str, what: str) -> str:
    """Free text without surrounding blanks; line breaks (Windows ones become plain) and
    tabs are kept, other control characters and lone surrogates are refused."""
    value = value.replace("\r\n", "\n").strip()
    _refuse_unsafe(value, what, _FREE_TEXT_CONTROLS)
    return value


def file_name(value: str, limit: int) -> str:
    """An evidence file's name: one line, and no bidirectional override or isolate."""
    value = single_line(value, "file name", limit)
    for char in value:
        if ord(char) in _BIDI_CONTROLS:
            raise InvalidInputError(
                f"The file name contains the bidirectional control U+{ord(char):04X}, which "
                "makes it read differently from what it is; rename the file and attach it again."
            )
    return value


# Dates a register can mean: a typo such as 0226 or 9999 would otherwise be stored and, near
# the end of the calendar, overflow the due dates computed from it.
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)


def sane_date(value: dt.date, what: str) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInputError(
            f"The {what} {value.isoformat()} is outside {EARLIEST_DATE.year} to "
            f"{LATEST_DATE.year}; check the year."
        )
    return value


def happened(
    session: Session, value: dt.date, what: str, *, finding: Finding | None = None
) -> dt.date:
    """A date of something done (containment, completion, a review): not after today, and
    not before the finding it answers was identified."""
    sane_date(value, what)
    if value > today(session):
        raise InvalidInputError(
            f"The {what}, {day_text(value)}, is after today: record it once it has happened."
        )
    if finding is not None and value < finding.identified_on:
        raise InvalidInputError(
            f"The {what}, {day_text(value)}, is before {finding.ref} was identified "
            f"({day_text(finding.identified_on)}); check the date."
        )
    return value


def not_before_finding(value: dt.date | None, what: str, findings: list[Finding]) -> None:
    """A date planned for a finding (an action's target) cannot come before it existed."""
    for finding in findings:
        if value is not None and value < finding.identified_on:
            raise InvalidInputError(
                f"The {what}, {day_text(value)}, is before {finding.ref} was identified "
                f"({day_text(finding.identified_on)}); check the date."
            )


def optional_date(value: dt.date | None, what: str) -> dt.date | None:
    return None if value is None else sane_date(value, what)
