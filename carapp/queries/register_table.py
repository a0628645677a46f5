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
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import aliased

from carapp.models import finding_index
from carapp.models.bulk import plain
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    EffectivenessReview,
    Finding,
    FindingAction,
    Person,
    Requirement,
    finding_requirements,
    finding_sort_keys,
)
from carapp.models.enums import Classification, Source, Stage
from carapp.models.finding_index import OPEN_STAGES_EXCLUDED, next_due_sql
from carapp.models.words import stage_text
from carapp.store import Register


def overdue_sql(today: dt.date) -> ColumnElement[bool]:
    """Past the deadline it works towards, or an effectiveness review of its current round
    past its due date and not done (the review's date is not a deadline of the finding, so
    it stays out of next due and days left)."""
    return or_(next_due_sql() < today, review_overdue_sql(today))


def review_overdue_sql(today: dt.date) -> ColumnElement[bool]:
    # Not correlated: SQLite reads the late reviews once, by their due-date index, and each
    # finding is a lookup in that list, so the Overdue filter stays one pass over findings.
    current = aliased(Finding)
    late = (
        select(EffectivenessReview.finding_id)
        .join(
            current,
            and_(
                current.id == EffectivenessReview.finding_id,
                current.cycle == EffectivenessReview.cycle,
            ),
        )
        .where(EffectivenessReview.due_on < today, EffectivenessReview.done_on.is_(None))
    )
    return and_(Finding.stage.not_in(OPEN_STAGES_EXCLUDED), Finding.id.in_(late))


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
        .where(*finding_index.current_actions())
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
        .where(*finding_index.current_actions(), like(Person.name))
    )
    return or_(
        like(Finding.ref),
        like(Finding.cb_ref),
        like(Finding.title),
        like(Finding.statement),
        requirement,
        owner,
    )


def requirement_matches(text: str) -> ColumnElement[bool]:
    """Requirements ``text`` names, as a person types it: case aside, a code and every code
    under it ("A.5" is A.5.1 to A.5.37, not A.50), Annex A with or without its "A." ("5.15"
    is A.5.15 and clause 5.15 if there is one), or words of the title ("access")."""
    term = text.strip()
    code = term.upper()
    codes = [code] if code.startswith("A.") else [code, f"A.{code}"]
    upper = func.upper(Requirement.code)
    out: list[ColumnElement[bool]] = []
    for c in codes:
        below = c.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
        out += [upper == c, upper.like(below, escape="\\")]
    # A code is digits and dots after its "A."; anything with letters in it is a title word.
    if any(ch.isalpha() for ch in code.removeprefix("A.")):
        out.append(Requirement.title.ilike(escape_like(term), escape="\\"))
    return or_(*out)


def requirement_catalog(register: Register) -> list[tuple[str, str]]:
    """(code, title) of the register's requirements in use, by code: what the requirement
    filter offers as the user types."""
    query = (
        select(Requirement.code, Requirement.title)
        .where(Requirement.retired.is_(False))
        .order_by(Requirement.kind, func.length(Requirement.code), Requirement.code)
    )
    with register.engine.connect() as conn:
        return [(code, title) for code, title in conn.execute(query)]


def quick_condition(quick: QuickFilter, today: dt.date) -> ColumnElement[bool] | None:
    """The SQL condition of a quick filter; None for all findings."""
    # Only the chosen one is built: a keystroke's budget is a few milliseconds of Python.
    is_open = Finding.stage.not_in(OPEN_STAGES_EXCLUDED)
    match quick:
        case QuickFilter.ALL:
            return None
        case QuickFilter.ALL_OPEN:
            return is_open
        case QuickFilter.OVERDUE:
            return overdue_sql(today)
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
    out = [c for c in (quick_condition(f.quick, today),) if c is not None]
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
    if f.requirement_code and f.requirement_code.strip():
        out.append(
            exists(
                select(1)
                .select_from(finding_requirements)
                .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
                .where(
                    finding_requirements.c.finding_id == Finding.id,
                    requirement_matches(f.requirement_code),
                )
            )
        )
    for term in f.search.split():
        out.append(_search_term(term, full_text))
    return out


# Prefix and year (the reference without its trailing number), then the number by its
# length and digits: NC-2025-001 < NC-2026-001 and NC-2026-999 < NC-2026-1000. The very
# expressions of the index ix_findings_ref_order (migration 0003), literals included, so
# that SQLite walks it instead of sorting.
REF_ORDER: tuple[Any, ...] = (
    func.rtrim(Finding.ref, literal_column("'0123456789'")),
    func.length(Finding.ref),
    Finding.ref,
)


def sort_key(column: Column) -> Any:
    """The SQL that orders rows by ``column`` (days left orders by the next due date;
    columns in :data:`KEPT_SORT_KEYS` by the keys kept in ``finding_sort_keys``)."""
    keys: dict[Column, Any] = {
        Column.REF: REF_ORDER[0],
        Column.CB_REF: Finding.cb_ref,
        Column.TITLE: Finding.title,
        Column.CLASSIFICATION: finding_sort_keys.c.severity,
        Column.SOURCE: Finding.source,
        Column.AUDIT: finding_sort_keys.c.audit,
        Column.REQUIREMENTS: finding_sort_keys.c.requirement,
        Column.STAGE: finding_sort_keys.c.stage_order,
        Column.OWNERS: finding_sort_keys.c.owner,
        Column.IDENTIFIED: Finding.identified_on,
        Column.PLAN_DUE: Finding.plan_due,
        Column.CLOSURE_DUE: Finding.closure_due,
        Column.DAYS_LEFT: finding_sort_keys.c.next_due,
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
    ids: list[int] = []
    with register.engine.connect() as conn:
        for query in ids_queries(f, today, sort, descending, finding_index.has_full_text(conn)):
            wanted = None if limit is None else limit - len(ids)
            if wanted is not None and wanted <= 0:
                break
            result = conn.execute(query.limit(wanted))
            try:
                # Straight from the driver: result rows cost twice SQLite's work at 100k ids.
                ids += [finding_id for (finding_id,) in result.cursor.fetchall()]
            finally:
                result.close()
    return ids


def ids_queries(
    f: RegisterFilter, today: dt.date, sort: Column, descending: bool, full_text: bool
) -> list[Select[tuple[int]]]:
    """The SQL behind :func:`finding_ids`: one query, or several whose rows follow each other.

    A single ORDER BY with "empty values last" makes SQLite sort every row (100 ms at
    100,000). So a column that may be empty is read in two parts, each walking an index:
    the findings with a value, in order, then those without, by id. Every finding has its
    row of sort keys (written in the transaction that writes the finding; ``carapp check``
    reports one missing), so reading ids from that table loses none.
    """
    where = where_clauses(f, today, full_text=full_text)
    key = sort_key(sort)

    def in_order(*columns: Any) -> list[Any]:
        return [c.desc() if descending else c.asc() for c in columns]

    # finding_sort_keys has a narrow row per finding, its id as rowid: walking it by id
    # reads a few MB where walking findings by id reads every statement.
    keys = finding_sort_keys
    chosen = [keys.c.finding_id.in_(select(Finding.id).where(*where))] if where else []
    if sort is Column.REF:
        return [select(Finding.id).where(*where).order_by(*in_order(*REF_ORDER))]
    if sort in NEVER_EMPTY:
        return [select(Finding.id).where(*where).order_by(*in_order(key, Finding.id))]
    # A text key is empty when NULL or '': "key > ''" keeps the present ones as one range of
    # the key's index, walked either way; the empty ones follow, the NULLs then the '',
    # each an index lookup already in id order (one OR of both would be sorted whole).
    text = sort in TEXT_KEYS
    has_value = key > "" if text else key.is_not(None)
    no_values = [key.is_(None), key == ""] if text else [key.is_(None)]
    if sort in KEPT_SORT_KEYS:
        present = select(keys.c.finding_id).where(has_value, *chosen)
        present = present.order_by(*in_order(key, keys.c.finding_id))
        return [present] + [
            select(keys.c.finding_id).where(empty, *chosen).order_by(*in_order(keys.c.finding_id))
            for empty in no_values
        ]
    present = select(Finding.id).where(*where, has_value)
    present = present.order_by(*in_order(key, Finding.id))
    return [present] + [
        select(Finding.id).where(*where, empty).order_by(*in_order(Finding.id))
        for empty in no_values
    ]


# Columns sorted by the keys kept in finding_sort_keys.
KEPT_SORT_KEYS = frozenset(
    {
        Column.OWNERS,
        Column.REQUIREMENTS,
        Column.CAUSE_CATEGORY,
        Column.AUDIT,
        Column.DAYS_LEFT,
        Column.CLASSIFICATION,
        Column.STAGE,
    }
)

# Columns that always hold a value: one query sorts them.
NEVER_EMPTY = frozenset(
    {
        Column.REF,
        Column.TITLE,
        Column.SOURCE,
        Column.IDENTIFIED,
    }
)

# Columns whose key is text: '' is as empty as NULL (a finding without a certification
# body's reference has cb_ref '').
TEXT_KEYS = frozenset(
    {Column.CB_REF, Column.OWNERS, Column.REQUIREMENTS, Column.CAUSE_CATEGORY, Column.AUDIT}
)


def count(register: Register, f: RegisterFilter, today: dt.date) -> int:
    with register.engine.connect() as conn:
        where = where_clauses(f, today, full_text=finding_index.has_full_text(conn))
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
    round: int = 1
    """The analysis round: above 1 after a failed effectiveness review reopened it."""

    @property
    def stage_text(self) -> str:
        return stage_text(self.stage, self.round)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 14


# Between the names or codes a row's subquery joins into one text: no one types it.
_JOIN = "\x1f"


@functools.cache
def _rows_statement() -> Select[Any]:
    """rows_for's query, built once: building it for every page scrolled to would cost
    more Python than SQLite spends answering it. One statement, not one per kind of
    detail: the first page after opening a register then compiles one query, not four."""
    wanted: Any = bindparam("ids", expanding=True)
    return (
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
            finding_index.requirements_of_finding(
                func.aggregate_strings(Requirement.code, _JOIN)
            ).label("requirements"),
            finding_index.owners_of_finding(func.aggregate_strings(Person.name, _JOIN)).label(
                "owners"
            ),
            finding_index.cause_category_of_finding().label("cause_category"),
            Finding.cycle,
        )
        .outerjoin(Audit, Audit.id == Finding.audit_id)
        .where(Finding.id.in_(wanted))
    )


def prepare(page_size: int) -> None:
    """Compile the statement that fetches a page of ``page_size`` rows, at start: the
    one-time work is then not paid while a register opens."""
    _sqlite_rows_sql(page_size)


def _joined(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(set(text.split(_JOIN)))) if text else ()


_AN_ID = object()  # a placeholder that takes the next finding id


@functools.lru_cache(maxsize=16)
def _sqlite_rows_sql(count: int) -> tuple[str, tuple[Any, ...]]:
    """rows_for's statement as SQLite text for ``count`` ids, compiled once per process.

    SQLAlchemy compiles a statement once per engine, and every register opened is a new
    engine: 7 ms before the first page of a register can show, where SQLite answers in 1.
    Returns the SQL and what each placeholder takes, in order: ``_AN_ID`` for the next id,
    else the statement's own constant, as SQLite stores it.
    """
    compiled = (
        _rows_statement()
        .params(ids=list(range(count)))
        .compile(dialect=sqlite_dialect(), compile_kwargs={"render_postcompile": True})
    )
    slots = tuple(
        _AN_ID if name.startswith("ids_") else plain(compiled.params[name])
        for name in compiled.positiontup or ()
    )
    return compiled.string, slots


def _sqlite_rows_parameters(ids: list[int]) -> tuple[str, tuple[Any, ...]]:
    sql, slots = _sqlite_rows_sql(len(ids))
    given = iter(ids)
    return sql, tuple(next(given) if slot is _AN_ID else slot for slot in slots)


def rows_for(register: Register, ids: Sequence[int], today: dt.date) -> dict[int, RegisterRow]:
    """Display data for the findings ``ids`` (a page of the table), by id."""
    if not ids:
        return {}
    wanted = list(ids)
    with register.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            result = conn.exec_driver_sql(*_sqlite_rows_parameters(wanted))
        else:
            result = conn.execute(_rows_statement(), {"ids": wanted})
        try:
            # The driver's values (on SQLite, dates and enums as text), read as the
            # statement's columns are ordered.
            base = result.cursor.fetchall()
        finally:
            result.close()
    out = {}
    for (
        finding_id,
        ref,
        cb_ref,
        title,
        classification,
        source,
        audit_ref,
        stage,
        identified_on,
        plan_due,
        closure_due,
        next_due,
        requirements,
        owners,
        cause_category,
        cycle,
    ) in base:
        due = as_date(next_due)
        identified = as_date(identified_on)
        assert identified is not None  # the column is NOT NULL
        out[finding_id] = RegisterRow(
            id=finding_id,
            ref=ref,
            cb_ref=cb_ref,
            title=title,
            classification=Classification(classification),
            source=Source(source),
            audit=audit_ref,
            requirements=_joined(requirements),
            stage=Stage(stage),
            owners=_joined(owners),
            identified=identified,
            plan_due=as_date(plan_due),
            closure_due=as_date(closure_due),
            next_due=due,
            days_left=None if due is None else (due - today).days,
            cause_category=cause_category,
            round=cycle or 1,
        )
    return out
