"""What falls due, and what is overdue: the one answer behind the calendar, the agenda, the
opening banner, the iCalendar export, the owners' reminders and ``carapp agenda``.

A date is *due* while someone still owes it:

- the action plan (:attr:`DueKind.PLAN`): the finding is open and the plan is not recorded
  as sent to the certification body;
- closure (:attr:`DueKind.CLOSURE`): the finding is open;
- an action's target (:attr:`DueKind.ACTION`): the action is planned or in progress and
  answers an open finding in that finding's current round;
- an effectiveness review (:attr:`DueKind.REVIEW`): the review, of the finding's current
  round, is not done and the finding is open.

It is *overdue* once its date is before today. A finding's dates are the granted ones when
the certification body extended them; the date before the first extension is kept as
``original_on`` so every view can show both.

Every question is SQL over the indexed date columns (``plan_due``, ``closure_due``,
``target_on``, ``due_on``), so a month of a 100,000-finding register answers in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    exists,
    func,
    literal,
    select,
    union_all,
)

from carapp.models.due import DueKind, lateness, spoken_date
from carapp.models.entities import (
    CorrectiveAction,
    EffectivenessReview,
    ExtensionRequest,
    Finding,
    FindingAction,
    Person,
)
from carapp.models.enums import ActionStatus, Deadline, ExtensionStatus, Stage
from carapp.models.finding_index import OPEN_STAGES_EXCLUDED
from carapp.store import Register

KIND_ORDER = {kind: i for i, kind in enumerate(DueKind)}
ALL_KINDS: frozenset[DueKind] = frozenset(DueKind)


@dataclass(frozen=True, slots=True)
class AgendaFilter:
    """Which dates to show: an owner's (by person id; ``None`` for everyone's) and of which
    kinds.

    A finding's own dates (plan, closure) belong to the owners of its current actions, an
    action's target to the action's owner, a review to its reviewer.
    """

    owner_id: int | None = None
    kinds: frozenset[DueKind] = ALL_KINDS

    def wants(self, kind: DueKind) -> bool:
        return kind in self.kinds


EVERYTHING = AgendaFilter()


@dataclass(frozen=True, slots=True)
class DueItem:
    kind: DueKind
    on: dt.date
    """The date that counts now: the granted date when the deadline was extended."""
    original_on: dt.date | None
    """The date before the first granted extension, or ``None`` when never extended."""
    finding_ids: tuple[int, ...]
    finding_refs: tuple[str, ...]
    finding_title: str
    """The title of the first finding (an action may answer several)."""
    action_id: int | None = None
    action_ref: str = ""
    review_id: int | None = None
    cycle: int = 1
    subject: str = ""
    """What is owed: the action's description or the review's method."""
    owner_ids: tuple[int, ...] = ()
    owners: tuple[str, ...] = ()
    owner_emails: tuple[str, ...] = ()
    today: dt.date = field(default=dt.date.min, compare=False)
    version: int = 1
    """The save of the record the date belongs to (the finding, the action, the review): it
    only grows, so an .ics event built from it is updated, never replaced by an older one."""

    @property
    def overdue(self) -> bool:
        return self.on < self.today

    @property
    def extended(self) -> bool:
        return self.original_on is not None and self.original_on != self.on

    @property
    def key(self) -> str:
        """Stable across reads and exports: what the iCalendar UID is made of."""
        if self.kind is DueKind.ACTION:
            return f"action-{self.action_ref}"
        if self.kind is DueKind.REVIEW:
            return f"review-{self.review_id}"
        return f"{self.kind.value}-{self.finding_refs[0]}"

    @property
    def item_ref(self) -> str:
        """The reference a person looks for: the action's, else the finding's."""
        return self.action_ref or self.finding_refs[0]

    @property
    def findings_text(self) -> str:
        """The findings, and the analysis round when a failed review reopened them."""
        refs = ", ".join(self.finding_refs)
        return refs if self.cycle <= 1 else f"{refs} (round {self.cycle})"

    @property
    def owners_text(self) -> str:
        return ", ".join(self.owners) if self.owners else "no owner yet"

    @property
    def summary(self) -> str:
        """One line: what is due, for which finding (a calendar event's title)."""
        if self.kind is DueKind.ACTION:
            return f"{self.kind.label}: {self.action_ref} for {self.findings_text}"
        if self.kind is DueKind.REVIEW:
            return f"{self.kind.label}: {self.findings_text}"
        return f"{self.kind.label}: {self.findings_text}"

    def describe(self, *, relative: bool = True) -> str:
        """Everything a screen reader or an email needs, in one sentence; without
        ``relative``, nothing that goes stale the next day ("overdue by 3 days"), for a
        calendar file that is read long after it was written."""
        what = self.summary
        detail = " ".join((self.subject or self.finding_title).split()).rstrip(" .;,")
        text = f"{what}, {detail}" if detail else what
        extended = ""
        if self.extended and self.original_on is not None:
            extended = f" (extended from {spoken_date(self.original_on)})"
        owner = f"owner {self.owners_text}" if self.owners else "no owner yet"
        when = f", {lateness(self.on, self.today)}" if relative else ""
        return f"{text}; {owner}; due {spoken_date(self.on)}{extended}{when}."


@dataclass(frozen=True, slots=True)
class Agenda:
    today: dt.date
    days: int
    overdue: tuple[DueItem, ...]
    coming: tuple[DueItem, ...]
    """Due from today to ``today + days`` inclusive."""

    @property
    def items(self) -> tuple[DueItem, ...]:
        return self.overdue + self.coming


@dataclass(frozen=True, slots=True)
class DayMarks:
    """How many dates of each kind fall on one day, and how many of them are overdue."""

    counts: dict[DueKind, int]
    overdue: dict[DueKind, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- the conditions -------------------------------------------------------------------------


# Named, not "not closed or void", where findings are read by date: SQLite then walks
# (stage, closure_due) instead of scanning. Where a finding is looked up by id (the
# correlated checks), the negative form keeps SQLite on the primary key.
OPEN_STAGES = tuple(s for s in Stage if s not in OPEN_STAGES_EXCLUDED)


def _open_finding() -> ColumnElement[bool]:
    return Finding.stage.not_in(OPEN_STAGES_EXCLUDED)


def _open_finding_by_date() -> ColumnElement[bool]:
    return Finding.stage.in_(OPEN_STAGES)


def _owns_finding(owner_id: int) -> ColumnElement[bool]:
    return exists(
        select(literal(1))
        .select_from(FindingAction)
        .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
        .where(
            FindingAction.finding_id == Finding.id,
            FindingAction.cycle == Finding.cycle,
            CorrectiveAction.status != ActionStatus.CANCELLED,
            CorrectiveAction.owner_id == owner_id,
        )
    )


def _answers_open_finding() -> ColumnElement[bool]:
    return exists(
        select(literal(1))
        .select_from(FindingAction)
        .join(Finding, Finding.id == FindingAction.finding_id)
        .where(
            FindingAction.action_id == CorrectiveAction.id,
            FindingAction.cycle == Finding.cycle,
            _open_finding(),
        )
    )


def _in_range(column: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
    conditions = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def _plan_where(f: AgendaFilter, start: dt.date | None, end: dt.date | None) -> list[Any]:
    where = [
        *_in_range(Finding.plan_due, start, end),
        Finding.plan_sent_on.is_(None),
        _open_finding(),
    ]
    if f.owner_id is not None:
        where.append(_owns_finding(f.owner_id))
    return where


def _closure_where(f: AgendaFilter, start: dt.date | None, end: dt.date | None) -> list[Any]:
    where = [*_in_range(Finding.closure_due, start, end), _open_finding_by_date()]
    if f.owner_id is not None:
        where.append(_owns_finding(f.owner_id))
    return where


def _action_where(f: AgendaFilter, start: dt.date | None, end: dt.date | None) -> list[Any]:
    where = [
        *_in_range(CorrectiveAction.target_on, start, end),
        CorrectiveAction.status.in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
        _answers_open_finding(),
    ]
    if f.owner_id is not None:
        where.append(CorrectiveAction.owner_id == f.owner_id)
    return where


def _review_where(f: AgendaFilter, start: dt.date | None, end: dt.date | None) -> list[Any]:
    where = [
        *_in_range(EffectivenessReview.due_on, start, end),
        EffectivenessReview.done_on.is_(None),
        EffectivenessReview.cycle == Finding.cycle,
        _open_finding(),
    ]
    if f.owner_id is not None:
        where.append(EffectivenessReview.reviewer_id == f.owner_id)
    return where


def _dates(
    kind: DueKind, f: AgendaFilter, start: dt.date | None, end: dt.date | None
) -> Select[Any]:
    """(date) of every due date of ``kind`` in the range: what the month view counts."""
    if kind is DueKind.PLAN:
        return select(Finding.plan_due.label("on")).where(*_plan_where(f, start, end))
    if kind is DueKind.CLOSURE:
        return select(Finding.closure_due.label("on")).where(*_closure_where(f, start, end))
    if kind is DueKind.ACTION:
        return select(CorrectiveAction.target_on.label("on")).where(*_action_where(f, start, end))
    return (
        select(EffectivenessReview.due_on.label("on"))
        .join(Finding, Finding.id == EffectivenessReview.finding_id)
        .where(*_review_where(f, start, end))
    )


# --- the answers ----------------------------------------------------------------------------


def day_marks(
    register: Register,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    f: AgendaFilter = EVERYTHING,
) -> dict[dt.date, DayMarks]:
    """Per day from ``start`` to ``end`` inclusive, how many dates of each kind fall due:
    what a month view paints. Days with nothing are absent."""
    marks: dict[dt.date, DayMarks] = {}
    kinds = [kind for kind in DueKind if f.wants(kind)]
    if not kinds:
        return marks
    # One statement, one round trip: the month view pays for the dates, not for four queries.
    dates = union_all(
        *(
            _dates(kind, f, start, end).add_columns(literal(kind.value).label("kind"))
            for kind in kinds
        )
    ).subquery()
    grouped = select(dates.c.on, dates.c.kind, func.count()).group_by(dates.c.on, dates.c.kind)
    with register.engine.connect() as conn:
        for on, kind_value, n in conn.execute(grouped):
            day = _as_date(on)
            kind = DueKind(kind_value)
            mark = marks.setdefault(day, DayMarks({}, {}))
            mark.counts[kind] = n
            if day < today:
                mark.overdue[kind] = n
    return marks


def due_between(
    register: Register,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
    f: AgendaFilter = EVERYTHING,
) -> list[DueItem]:
    """Every due date from ``start`` to ``end`` inclusive (either may be open), earliest
    first, then by kind and reference."""
    with register.engine.connect() as conn:
        items = list(_items(conn, start, end, today, f))
    items.sort(key=lambda i: (i.on, KIND_ORDER[i.kind], i.item_ref))
    return items


def overdue_items(
    register: Register, today: dt.date, f: AgendaFilter = EVERYTHING
) -> list[DueItem]:
    """Every due date before ``today``, most overdue first."""
    return due_between(register, None, today - dt.timedelta(days=1), today, f)


def agenda(register: Register, today: dt.date, days: int, f: AgendaFilter = EVERYTHING) -> Agenda:
    """What is overdue, and what falls due from today to ``today + days``."""
    if days < 0:
        raise ValueError("The agenda looks ahead a number of days of 0 or more.")
    items = due_between(register, None, today + dt.timedelta(days=days), today, f)
    return Agenda(
        today,
        days,
        tuple(i for i in items if i.on < today),
        tuple(i for i in items if i.on >= today),
    )


def open_items(register: Register, today: dt.date, f: AgendaFilter = EVERYTHING) -> list[DueItem]:
    """Every date still owed, past or future: what an iCalendar export carries."""
    return due_between(register, None, None, today, f)


# --- reading the rows -----------------------------------------------------------------------


def _as_date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(slots=True)
class _People:
    ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    def add(self, pid: int, name: str, email: str) -> None:
        if pid not in self.ids:
            self.ids.append(pid)
            self.names.append(name)
            self.emails.append(email)


# The lookups below take the question that chose the rows (a SELECT of ids) rather than the
# ids: one statement whatever the count, where IN lists of ids cost a compile per chunk.


def _finding_owners(conn: Connection, finding_ids: Any) -> dict[int, _People]:
    """The owners of each finding's current, live actions, by name."""
    owners: dict[int, _People] = defaultdict(_People)
    rows = conn.execute(
        select(FindingAction.finding_id, Person.id, Person.name, Person.email)
        .join(Finding, Finding.id == FindingAction.finding_id)
        .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
        .join(Person, Person.id == CorrectiveAction.owner_id)
        .where(
            FindingAction.finding_id.in_(finding_ids),
            FindingAction.cycle == Finding.cycle,
            CorrectiveAction.status != ActionStatus.CANCELLED,
        )
        .order_by(FindingAction.finding_id, Person.name)
    )
    for fid, pid, name, email in rows:
        owners[fid].add(pid, name, email)
    return owners


def originals_before_extension(
    conn: Connection, finding_ids: Any
) -> dict[tuple[int, Deadline], dt.date]:
    """The deadline each finding (of ``finding_ids``, ids or a SELECT of them) had before
    its first granted extension, by finding id and deadline."""
    originals: dict[tuple[int, Deadline], dt.date] = {}
    rows = conn.execute(
        select(
            ExtensionRequest.finding_id,
            ExtensionRequest.deadline,
            ExtensionRequest.previous_due,
        )
        .where(
            ExtensionRequest.finding_id.in_(finding_ids),
            ExtensionRequest.status == ExtensionStatus.GRANTED,
        )
        .order_by(ExtensionRequest.asked_on, ExtensionRequest.id)
    )
    for fid, deadline, previous in rows:
        originals.setdefault((fid, deadline), _as_date(previous))
    return originals


def _action_findings(conn: Connection, action_ids: Any) -> dict[int, list[tuple[int, str, str]]]:
    """(id, ref, title) of the open findings each action answers in their current round."""
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    rows = conn.execute(
        select(FindingAction.action_id, Finding.id, Finding.ref, Finding.title)
        .join(Finding, Finding.id == FindingAction.finding_id)
        .where(
            FindingAction.action_id.in_(action_ids),
            FindingAction.cycle == Finding.cycle,
            _open_finding(),
        )
        .order_by(FindingAction.action_id, Finding.ref)
    )
    for aid, fid, ref, title in rows:
        found[aid].append((fid, ref, title))
    return found


def _items(
    conn: Connection,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
    f: AgendaFilter,
) -> Iterable[DueItem]:
    finding_rows: list[tuple[DueKind, int, str, str, dt.date, int, int]] = []
    for kind, column, where in (
        (DueKind.PLAN, Finding.plan_due, _plan_where),
        (DueKind.CLOSURE, Finding.closure_due, _closure_where),
    ):
        if not f.wants(kind):
            continue
        rows = conn.execute(
            select(
                Finding.id, Finding.ref, Finding.title, column, Finding.cycle, Finding.version
            ).where(*where(f, start, end))
        )
        finding_rows.extend(
            (kind, fid, ref, title, _as_date(on), cycle, version or 1)
            for fid, ref, title, on, cycle, version in rows
        )

    review_rows: list[Any] = []
    if f.wants(DueKind.REVIEW):
        review_rows = list(
            conn.execute(
                select(
                    EffectivenessReview.id,
                    EffectivenessReview.due_on,
                    EffectivenessReview.method,
                    EffectivenessReview.cycle,
                    Finding.id,
                    Finding.ref,
                    Finding.title,
                    Person.id,
                    Person.name,
                    Person.email,
                    EffectivenessReview.version,
                )
                .join(Finding, Finding.id == EffectivenessReview.finding_id)
                .outerjoin(Person, Person.id == EffectivenessReview.reviewer_id)
                .where(*_review_where(f, start, end))
            )
        )

    action_rows: list[Any] = []
    if f.wants(DueKind.ACTION):
        action_rows = list(
            conn.execute(
                select(
                    CorrectiveAction.id,
                    CorrectiveAction.ref,
                    CorrectiveAction.target_on,
                    CorrectiveAction.description,
                    Person.id,
                    Person.name,
                    Person.email,
                    CorrectiveAction.version,
                )
                .outerjoin(Person, Person.id == CorrectiveAction.owner_id)
                .where(*_action_where(f, start, end))
            )
        )

    chosen = [
        select(Finding.id).where(*where(f, start, end))
        for kind, where in ((DueKind.PLAN, _plan_where), (DueKind.CLOSURE, _closure_where))
        if f.wants(kind)
    ]
    owners: dict[int, _People] = {}
    originals: dict[tuple[int, Deadline], dt.date] = {}
    if chosen:
        finding_ids = union_all(*chosen) if len(chosen) > 1 else chosen[0]
        owners = _finding_owners(conn, finding_ids)
        originals = originals_before_extension(conn, finding_ids)
    for kind, fid, ref, title, on, cycle, version in finding_rows:
        people = owners.get(fid, _People())
        deadline = Deadline.PLAN if kind is DueKind.PLAN else Deadline.CLOSURE
        yield DueItem(
            kind=kind,
            on=on,
            original_on=originals.get((fid, deadline)),
            finding_ids=(fid,),
            finding_refs=(ref,),
            finding_title=title,
            cycle=cycle,
            owner_ids=tuple(people.ids),
            owners=tuple(people.names),
            owner_emails=tuple(people.emails),
            today=today,
            version=version,
        )

    for rid, on, method, cycle, fid, ref, title, pid, name, email, version in review_rows:
        yield DueItem(
            kind=DueKind.REVIEW,
            on=_as_date(on),
            original_on=None,
            finding_ids=(fid,),
            finding_refs=(ref,),
            finding_title=title,
            review_id=rid,
            cycle=cycle,
            subject=method,
            owner_ids=() if pid is None else (pid,),
            owners=() if pid is None else (name,),
            owner_emails=() if pid is None else (email,),
            today=today,
            version=version or 1,
        )

    answered = (
        _action_findings(conn, select(CorrectiveAction.id).where(*_action_where(f, start, end)))
        if action_rows
        else {}
    )
    for aid, aref, on, description, pid, name, email, version in action_rows:
        findings = answered.get(aid, [])
        if not findings:  # the finding closed between the two reads
            continue
        yield DueItem(
            kind=DueKind.ACTION,
            on=_as_date(on),
            original_on=None,
            finding_ids=tuple(fid for fid, _, _ in findings),
            finding_refs=tuple(ref for _, ref, _ in findings),
            finding_title=findings[0][2],
            action_id=aid,
            action_ref=aref,
            subject=description,
            owner_ids=() if pid is None else (pid,),
            owners=() if pid is None else (name,),
            owner_emails=() if pid is None else (email,),
            today=today,
            version=version or 1,
        )


def raw_dates_sql(start: dt.date, end: dt.date) -> tuple[str, tuple[str, ...]]:
    """The same dates as :func:`day_marks` for everyone, as one plain SQLite statement: the
    bench's baseline for painting a month."""
    s, e = start.isoformat(), end.isoformat()
    sql = """
        SELECT plan_due FROM findings
         WHERE plan_due BETWEEN ? AND ? AND plan_sent_on IS NULL
           AND stage NOT IN ('closed', 'void')
        UNION ALL
        SELECT closure_due FROM findings
         WHERE closure_due BETWEEN ? AND ? AND stage NOT IN ('closed', 'void')
        UNION ALL
        SELECT target_on FROM corrective_actions a
         WHERE target_on BETWEEN ? AND ? AND status IN ('planned', 'in_progress')
           AND EXISTS (SELECT 1 FROM finding_actions fa JOIN findings f ON f.id = fa.finding_id
                        WHERE fa.action_id = a.id AND fa.cycle = f.cycle
                          AND f.stage NOT IN ('closed', 'void'))
        UNION ALL
        SELECT r.due_on FROM effectiveness_reviews r JOIN findings f ON f.id = r.finding_id
         WHERE r.due_on BETWEEN ? AND ? AND r.done_on IS NULL AND r.cycle = f.cycle
           AND f.stage NOT IN ('closed', 'void')
    """
    return sql, (s, e) * 4
