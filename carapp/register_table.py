"""The register table's questions, answered in SQL: which findings, in which order, and what
each row shows.

Filtering and sorting are SQL over indexed columns, never a pass over every row in Python,
so that 100,000 findings answer as fast as 100. A view asks for the ordered ids once, then
for the display data of only the rows it paints (:func:`rows_for`).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)

from carapp.models import finding_index
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    Finding,
    FindingAction,
    FindingRootCause,
    Person,
    Requirement,
    RootCause,
    finding_requirements,
    finding_sort_keys,
)
from carapp.models.enums import ActionStatus, Classification, Source, Stage
from carapp.store import Register

OPEN_STAGES_EXCLUDED = (Stage.CLOSED, Stage.VOID)


def next_due_sql() -> ColumnElement[Any]:
    """The date the finding is working towards: mirrors :func:`workflow.next_deadline`."""
    return case(
        (Finding.stage.in_(OPEN_STAGES_EXCLUDED), None),
        (and_(Finding.plan_due.is_not(None), Finding.plan_sent_on.is_(None)), Finding.plan_due),
        else_=Finding.closure_due,
    )


def overdue_sql(today: dt.date) -> ColumnElement[bool]:
    return next_due_sql() < today


def as_date(value: dt.date | str | None) -> dt.date | None:
    """A date read through a CASE, which loses the column type on SQLite."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class QuickFilter(enum.StrEnum):
    ALL = "all"
    ALL_OPEN = "all_open"
    OVERDUE = "overdue"
    MAJORS = "majors"
    PLAN_DUE = "plan_due"
    AWAITING_REVIEW = "awaiting_review"
    DUE_14_DAYS = "due_14_days"
    CLOSED_THIS_YEAR = "closed_this_year"
    OBSERVATIONS = "observations"

    @property
    def label(self) -> str:
        return _QUICK_LABELS[self]


_QUICK_LABELS = {
    QuickFilter.ALL: "All findings",
    QuickFilter.ALL_OPEN: "All open",
    QuickFilter.OVERDUE: "Overdue",
    QuickFilter.MAJORS: "Majors",
    QuickFilter.PLAN_DUE: "Plan due to auditor",
    QuickFilter.AWAITING_REVIEW: "Awaiting effectiveness review",
    QuickFilter.DUE_14_DAYS: "Due in 14 days",
    QuickFilter.CLOSED_THIS_YEAR: "Closed this year",
    QuickFilter.OBSERVATIONS: "OFIs and observations",
}


class Column(enum.StrEnum):
    """The register table's columns, in their default order: what is late and who owns it
    first, provenance last."""

    REF = "ref"
    TITLE = "title"
    CLASSIFICATION = "classification"
    STAGE = "stage"
    DAYS_LEFT = "days_left"
    OWNERS = "owners"
    PLAN_DUE = "plan_due"
    CLOSURE_DUE = "closure_due"
    IDENTIFIED = "identified"
    REQUIREMENTS = "requirements"
    AUDIT = "audit"
    CB_REF = "cb_ref"
    SOURCE = "source"
    CAUSE_CATEGORY = "cause_category"

    @property
    def label(self) -> str:
        return _COLUMN_LABELS[self]


_COLUMN_LABELS = {
    Column.REF: "Ref",
    Column.CB_REF: "CB ref",
    Column.TITLE: "Title",
    Column.CLASSIFICATION: "Class",
    Column.SOURCE: "Source",
    Column.AUDIT: "Audit",
    Column.REQUIREMENTS: "Requirements",
    Column.STAGE: "Stage",
    Column.OWNERS: "Owner(s)",
    Column.IDENTIFIED: "Identified",
    Column.PLAN_DUE: "Plan due",
    Column.CLOSURE_DUE: "Closure due",
    Column.DAYS_LEFT: "Days left",
    Column.CAUSE_CATEGORY: "Root-cause category",
}


@dataclass(frozen=True)
class RegisterFilter:
    """What the user asked to see; every part narrows the others."""

    search: str = ""
    quick: QuickFilter = QuickFilter.ALL
    classifications: frozenset[Classification] = field(default_factory=frozenset)
    stages: frozenset[Stage] = field(default_factory=frozenset)
    sources: frozenset[Source] = field(default_factory=frozenset)
    audit_ref: str | None = None
    owner_id: int | None = None
    requirement_code: str | None = None


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally, anywhere (escape char ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _current_owner_ids() -> Any:
    return (
        select(CorrectiveAction.owner_id)
        .join(FindingAction, FindingAction.action_id == CorrectiveAction.id)
        .where(
            FindingAction.finding_id == Finding.id,
            FindingAction.cycle == Finding.cycle,
            CorrectiveAction.status != ActionStatus.CANCELLED,
        )
    )


def _search_term(term: str, full_text: bool) -> ColumnElement[bool]:
    words = finding_index.full_text_term(term) if full_text else None
    if words is not None:
        return Finding.id.in_(finding_index.matching(words))
    # No full-text index (PostgreSQL), or a term of punctuation alone: read every row.
    pattern = escape_like(term)

    def like(column: Any) -> ColumnElement[bool]:
        matched: ColumnElement[bool] = column.ilike(pattern, escape="\\")
        return matched

    requirement = exists(
        select(1)
        .select_from(finding_requirements)
        .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
        .where(
            finding_requirements.c.finding_id == Finding.id,
            or_(like(Requirement.code), like(Requirement.title)),
        )
    )
    owner = exists(
        select(1)
        .select_from(FindingAction)
        .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
        .join(Person, Person.id == CorrectiveAction.owner_id)
        .where(
            FindingAction.finding_id == Finding.id,
            FindingAction.cycle == Finding.cycle,
            CorrectiveAction.status != ActionStatus.CANCELLED,
            like(Person.name),
        )
    )
    return or_(
        like(Finding.ref),
        like(Finding.cb_ref),
        like(Finding.title),
        like(Finding.statement),
        requirement,
        owner,
    )


def _quick_condition(quick: QuickFilter, today: dt.date) -> ColumnElement[bool] | None:
    # Only the chosen one is built: a keystroke's budget is a few milliseconds of Python.
    is_open = Finding.stage.not_in(OPEN_STAGES_EXCLUDED)
    match quick:
        case QuickFilter.ALL:
            return None
        case QuickFilter.ALL_OPEN:
            return is_open
        case QuickFilter.OVERDUE:
            return next_due_sql() < today
        case QuickFilter.MAJORS:
            return and_(is_open, Finding.classification == Classification.MAJOR)
        case QuickFilter.PLAN_DUE:
            return and_(is_open, Finding.plan_due.is_not(None), Finding.plan_sent_on.is_(None))
        case QuickFilter.AWAITING_REVIEW:
            return Finding.stage == Stage.ACTIONS_DONE
        case QuickFilter.DUE_14_DAYS:
            return next_due_sql().between(today, today + dt.timedelta(days=14))
        case QuickFilter.CLOSED_THIS_YEAR:
            return and_(
                Finding.stage == Stage.CLOSED, Finding.closed_on >= dt.date(today.year, 1, 1)
            )
        case QuickFilter.OBSERVATIONS:
            return and_(
                Finding.stage != Stage.VOID,
                Finding.classification.in_((Classification.OBSERVATION, Classification.OFI)),
            )


def where_clauses(
    f: RegisterFilter, today: dt.date, *, full_text: bool
) -> list[ColumnElement[bool]]:
    """The SQL conditions for ``f``; all of them must hold. ``full_text``: search through
    the register's full-text index (a search term matches words that start with it)."""
    out = [c for c in (_quick_condition(f.quick, today),) if c is not None]
    if f.classifications:
        out.append(Finding.classification.in_(sorted(f.classifications)))
    if f.stages:
        out.append(Finding.stage.in_(sorted(f.stages)))
    if f.sources:
        out.append(Finding.source.in_(sorted(f.sources)))
    if f.audit_ref:
        out.append(Finding.audit_id.in_(select(Audit.id).where(Audit.ref == f.audit_ref)))
    if f.owner_id is not None:
        out.append(literal(f.owner_id).in_(_current_owner_ids()))
    if f.requirement_code:
        out.append(
            exists(
                select(1)
                .select_from(finding_requirements)
                .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
                .where(
                    finding_requirements.c.finding_id == Finding.id,
                    Requirement.code == f.requirement_code,
                )
            )
        )
    for term in f.search.split():
        out.append(_search_term(term, full_text))
    return out


_SEVERITY = case(
    (Finding.classification == Classification.MAJOR, 0),
    (Finding.classification == Classification.MINOR, 1),
    (Finding.classification == Classification.OBSERVATION, 2),
    else_=3,
)
_STAGE_ORDER = case(
    *((Finding.stage == stage, i) for i, stage in enumerate(Stage)), else_=len(Stage)
)


def sort_key(column: Column) -> Any:
    """The SQL that orders rows by ``column`` (days left orders by the next due date;
    owners, requirements and cause by the keys kept in ``finding_sort_keys``)."""
    keys: dict[Column, Any] = {
        Column.REF: Finding.id,  # refs are issued in order; the id sorts numbers right
        Column.CB_REF: Finding.cb_ref,
        Column.TITLE: Finding.title,
        Column.CLASSIFICATION: _SEVERITY,
        Column.SOURCE: Finding.source,
        Column.AUDIT: select(Audit.ref).where(Audit.id == Finding.audit_id).scalar_subquery(),
        Column.REQUIREMENTS: finding_sort_keys.c.requirement,
        Column.STAGE: _STAGE_ORDER,
        Column.OWNERS: finding_sort_keys.c.owner,
        Column.IDENTIFIED: Finding.identified_on,
        Column.PLAN_DUE: Finding.plan_due,
        Column.CLOSURE_DUE: Finding.closure_due,
        Column.DAYS_LEFT: next_due_sql(),
        Column.CAUSE_CATEGORY: finding_sort_keys.c.cause_category,
    }
    return keys[column]


def finding_ids(
    register: Register,
    f: RegisterFilter,
    today: dt.date,
    sort: Column = Column.IDENTIFIED,
    descending: bool = False,
    limit: int | None = None,
) -> list[int]:
    """Ids of the findings ``f`` selects, in display order (empty values last); the first
    ``limit`` only, if given (a first screenful, answered from an index)."""
    with register.engine.connect() as conn:
        result = conn.execute(ids_query(f, today, sort, descending, full_text(conn), limit))
        try:
            # Straight from the driver: result rows cost twice SQLite's own work at 100k ids.
            return [finding_id for (finding_id,) in result.cursor.fetchall()]
        finally:
            result.close()


def ids_query(
    f: RegisterFilter,
    today: dt.date,
    sort: Column,
    descending: bool,
    full_text: bool,
    limit: int | None = None,
) -> Select[tuple[int]]:
    """The SQL behind :func:`finding_ids`."""
    key = sort_key(sort)
    ordering = [key.desc() if descending else key.asc()]
    if sort not in NEVER_EMPTY:
        ordering.insert(0, key.is_(None))
    if sort is not Column.REF:  # the ref sorts by id already
        ordering.append(Finding.id.desc() if descending else Finding.id)
    query = select(Finding.id)
    if sort in KEPT_SORT_KEYS:
        query = query.outerjoin(finding_sort_keys, finding_sort_keys.c.finding_id == Finding.id)
    where = where_clauses(f, today, full_text=full_text)
    return query.where(*where).order_by(*ordering).limit(limit)


def full_text(conn: Connection) -> bool:
    return finding_index.has_full_text(conn)


KEPT_SORT_KEYS = frozenset({Column.OWNERS, Column.REQUIREMENTS, Column.CAUSE_CATEGORY})

# Columns that always hold a value: sorting them needs no "empty last" term, which would
# keep SQLite from walking an index.
NEVER_EMPTY = frozenset(
    {
        Column.REF,
        Column.TITLE,
        Column.CLASSIFICATION,
        Column.SOURCE,
        Column.STAGE,
        Column.IDENTIFIED,
        Column.CB_REF,
    }
)


def count(register: Register, f: RegisterFilter, today: dt.date) -> int:
    with register.engine.connect() as conn:
        where = where_clauses(f, today, full_text=full_text(conn))
        return int(
            conn.execute(select(func.count()).select_from(Finding).where(*where)).scalar_one()
        )


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """What one row of the register table shows."""

    id: int
    ref: str
    cb_ref: str
    title: str
    classification: Classification
    source: Source
    audit: str | None
    requirements: tuple[str, ...]
    stage: Stage
    owners: tuple[str, ...]
    identified: dt.date
    plan_due: dt.date | None
    closure_due: dt.date | None
    next_due: dt.date | None
    days_left: int | None
    cause_category: str | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 14


@functools.cache
def _row_statements() -> tuple[Select[Any], ...]:
    """rows_for's four queries, built once: building them again for every page scrolled
    to would cost more Python than SQLite spends answering them."""
    wanted: Any = bindparam("ids", expanding=True)
    base = (
        select(
            Finding.id,
            Finding.ref,
            Finding.cb_ref,
            Finding.title,
            Finding.classification,
            Finding.source,
            Audit.ref.label("audit_ref"),
            Finding.stage,
            Finding.identified_on,
            Finding.plan_due,
            Finding.closure_due,
            next_due_sql().label("next_due"),
        )
        .outerjoin(Audit, Audit.id == Finding.audit_id)
        .where(Finding.id.in_(wanted))
    )
    requirements = (
        select(finding_requirements.c.finding_id, Requirement.code)
        .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
        .where(finding_requirements.c.finding_id.in_(wanted))
        .order_by(Requirement.code)
    )
    # One query per kind of detail, each walking its index by finding id; a correlated
    # subquery per row costs ten times more on a large register.
    causes = (
        select(FindingRootCause.finding_id, RootCause.category)
        .join(Finding, Finding.id == FindingRootCause.finding_id)
        .join(RootCause, RootCause.id == FindingRootCause.root_cause_id)
        .where(
            FindingRootCause.finding_id.in_(wanted),
            FindingRootCause.cycle == Finding.cycle,
            RootCause.category.is_not(None),
        )
    )
    owners = (
        select(FindingAction.finding_id, Person.name)
        .join(Finding, Finding.id == FindingAction.finding_id)
        .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
        .join(Person, Person.id == CorrectiveAction.owner_id)
        .where(
            FindingAction.finding_id.in_(wanted),
            FindingAction.cycle == Finding.cycle,
            CorrectiveAction.status != ActionStatus.CANCELLED,
        )
        .distinct()
        .order_by(Person.name)
    )
    return base, requirements, causes, owners


def rows_for(register: Register, ids: Sequence[int], today: dt.date) -> dict[int, RegisterRow]:
    """Display data for the findings ``ids`` (a page of the table), by id."""
    if not ids:
        return {}
    wanted = {"ids": list(ids)}
    base_query, requirements_query, causes_query, owners_query = _row_statements()
    requirements: dict[int, list[str]] = {}
    causes: dict[int, list[str]] = {}
    owners: dict[int, list[str]] = {}
    with register.engine.connect() as conn:
        base = conn.execute(base_query, wanted).all()
        for fid, code in conn.execute(requirements_query, wanted):
            requirements.setdefault(fid, []).append(code)
        for fid, category in conn.execute(causes_query, wanted):
            causes.setdefault(fid, []).append(category.value)
        for fid, name in conn.execute(owners_query, wanted):
            owners.setdefault(fid, []).append(name)
    out = {}
    for r in base:
        due = as_date(r.next_due)
        out[r.id] = RegisterRow(
            id=r.id,
            ref=r.ref,
            cb_ref=r.cb_ref,
            title=r.title,
            classification=r.classification,
            source=r.source,
            audit=r.audit_ref,
            requirements=tuple(requirements.get(r.id, ())),
            stage=r.stage,
            owners=tuple(owners.get(r.id, ())),
            identified=r.identified_on,
            plan_due=r.plan_due,
            closure_due=r.closure_due,
            next_due=due,
            days_left=None if due is None else (due - today).days,
            cause_category=min(causes[r.id]) if causes.get(r.id) else None,
        )
    return out
