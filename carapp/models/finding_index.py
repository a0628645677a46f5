"""What the register table sorts and searches by, kept beside each finding.

Seven of the table's columns (owners, requirements, root-cause category, audit, days left,
classification by severity, stage in workflow order) come from other tables or are worked
out, and a correlated subquery per row to sort 100,000 findings by one of them costs a
second; a search that reads every statement costs as much. So each finding has a row of
indexed sort keys in ``finding_sort_keys`` and, on SQLite, a document in the FTS5 table
``finding_search`` (its refs, title, statement, requirements and current owners).

Both are derived, never typed by anyone: :func:`refresh` rewrites them from the record for
the findings a flush touched (see :mod:`carapp.models.rules`), bulk loaders call it for what
they inserted, and :func:`disagreements` rebuilds them in memory to compare, for
``carapp check``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    cast,
    column,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
)

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
from carapp.models.enums import ActionStatus, Classification, Stage

SEARCH_TABLE = "finding_search"
SEARCH_COLUMNS = ("refs", "title", "statement", "requirements", "owners")
finding_search = table(SEARCH_TABLE, column("rowid"), *(column(c) for c in SEARCH_COLUMNS))
# Ids per statement: well under SQLite's limit on bound parameters.
_BATCH = 500


def has_full_text(conn: Connection) -> bool:
    """Whether this register keeps the full-text search table (SQLite's FTS5)."""
    return conn.dialect.name == "sqlite"


# A finding's details that live in other tables, as correlated subqueries over ``Finding``:
# the sort keys, the search documents and the register table's rows all read them so.


def current_actions() -> list[ColumnElement[bool]]:
    """Conditions that pick the finding's live actions of its current analysis round."""
    return [
        FindingAction.finding_id == Finding.id,
        FindingAction.cycle == Finding.cycle,
        CorrectiveAction.status != ActionStatus.CANCELLED,
    ]


def owners_of_finding(aggregate: Any) -> Any:
    """``aggregate`` (over ``Person``) of the owners of the finding's current actions."""
    return (
        select(aggregate)
        .select_from(FindingAction)
        .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
        .join(Person, Person.id == CorrectiveAction.owner_id)
        .where(*current_actions())
        .scalar_subquery()
    )


def requirements_of_finding(aggregate: Any) -> Any:
    """``aggregate`` (over ``Requirement``) of the requirements the finding breaches."""
    return (
        select(aggregate)
        .select_from(finding_requirements)
        .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
        .where(finding_requirements.c.finding_id == Finding.id)
        .scalar_subquery()
    )


def cause_category_of_finding() -> Any:
    """The first category of the finding's root causes in its current round, as text."""
    return (
        select(func.min(cast(RootCause.category, String)))
        .join(FindingRootCause, FindingRootCause.root_cause_id == RootCause.id)
        .where(FindingRootCause.finding_id == Finding.id, FindingRootCause.cycle == Finding.cycle)
        .scalar_subquery()
    )


OPEN_STAGES_EXCLUDED = (Stage.CLOSED, Stage.VOID)


def next_due_sql() -> ColumnElement[Any]:
    """The date the finding is working towards: mirrors :func:`workflow.next_deadline`."""
    return case(
        (Finding.stage.in_(OPEN_STAGES_EXCLUDED), None),
        (and_(Finding.plan_due.is_not(None), Finding.plan_sent_on.is_(None)), Finding.plan_due),
        else_=Finding.closure_due,
    )


SORT_KEYS = (
    "owner",
    "requirement",
    "cause_category",
    "audit",
    "next_due",
    "severity",
    "stage_order",
)


def severity_sql() -> ColumnElement[int]:
    return case(
        *((Finding.classification == c, i) for i, c in enumerate(Classification)),
        else_=len(Classification),
    )


def stage_order_sql() -> ColumnElement[int]:
    return case(*((Finding.stage == s, i) for i, s in enumerate(Stage)), else_=len(Stage))


def sort_keys_query() -> Select[Any]:
    """Each finding's sort keys, worked out from the record (one row per finding)."""
    return select(
        Finding.id.label("finding_id"),
        owners_of_finding(func.min(Person.name)).label("owner"),
        requirements_of_finding(func.min(Requirement.code)).label("requirement"),
        cause_category_of_finding().label("cause_category"),
        select(Audit.ref).where(Audit.id == Finding.audit_id).scalar_subquery().label("audit"),
        next_due_sql().label("next_due"),
        severity_sql().label("severity"),
        stage_order_sql().label("stage_order"),
    )


def search_documents_query() -> Select[Any]:
    """Each finding's searchable words, worked out from the record (SQLite only)."""
    space: ColumnElement[str] = literal_column("' '")
    return select(
        Finding.id.label("rowid"),
        (Finding.ref + space + Finding.cb_ref).label("refs"),
        Finding.title,
        Finding.statement,
        requirements_of_finding(
            func.group_concat(Requirement.code + space + Requirement.title, " ")
        ).label("requirements"),
        owners_of_finding(func.group_concat(Person.name.distinct())).label("owners"),
    )


def _batches(finding_ids: Collection[int] | None) -> Iterator[list[int] | None]:
    if finding_ids is None:
        yield None
        return
    ordered = sorted(finding_ids)
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start : start + _BATCH]


def refresh(conn: Connection, finding_ids: Collection[int] | None = None) -> None:
    """Rewrite the sort keys and search documents of ``finding_ids`` (all findings when
    None) from the record, inside the caller's transaction."""
    full_text = has_full_text(conn)
    for batch in _batches(finding_ids):
        keys, documents = sort_keys_query(), search_documents_query()
        old_keys, old_documents = delete(finding_sort_keys), delete(finding_search)
        if batch is not None:
            keys = keys.where(Finding.id.in_(batch))
            documents = documents.where(Finding.id.in_(batch))
            old_keys = old_keys.where(finding_sort_keys.c.finding_id.in_(batch))
            old_documents = old_documents.where(finding_search.c.rowid.in_(batch))
        conn.execute(old_keys)
        conn.execute(
            insert(finding_sort_keys).from_select(list(keys.selected_columns.keys()), keys)
        )
        if full_text:
            conn.execute(old_documents)
            conn.execute(insert(finding_search).from_select(["rowid", *SEARCH_COLUMNS], documents))


def disagreements(conn: Connection) -> list[str]:
    """Sentences naming the findings whose stored sort keys or search document differ from
    what their record says; empty when all agree."""
    out = []
    computed = sort_keys_query().subquery()
    stored = finding_sort_keys
    wrong_keys = list(
        conn.execute(
            select(Finding.ref)
            .join(computed, computed.c.finding_id == Finding.id)
            .outerjoin(stored, stored.c.finding_id == Finding.id)
            .where(
                or_(
                    stored.c.finding_id.is_(None),
                    *(stored.c[name].is_distinct_from(computed.c[name]) for name in SORT_KEYS),
                )
            )
            .order_by(Finding.id)
        ).scalars()
    )
    if wrong_keys:
        out.append(f"sort keys out of date for {_refs(wrong_keys)}")
    if has_full_text(conn):
        documents = search_documents_query().subquery()
        wrong_documents = list(
            conn.execute(
                select(Finding.ref)
                .join(documents, documents.c.rowid == Finding.id)
                .outerjoin(finding_search, finding_search.c.rowid == Finding.id)
                .where(
                    or_(
                        finding_search.c.rowid.is_(None),
                        *(
                            finding_search.c[name].is_distinct_from(documents.c[name])
                            for name in SEARCH_COLUMNS
                        ),
                    )
                )
                .order_by(Finding.id)
            ).scalars()
        )
        if wrong_documents:
            out.append(f"search index out of date for {_refs(wrong_documents)}")
        try:
            conn.exec_driver_sql(
                f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('integrity-check')"
            )
        except Exception as exc:  # noqa: BLE001 - the damage is the finding
            out.append(f"search index damaged ({exc})")
    return out


def _refs(refs: list[str]) -> str:
    shown = ", ".join(refs[:5])
    return shown if len(refs) <= 5 else f"{shown} and {len(refs) - 5} more"


# --- searching ---------------------------------------------------------------------------

_WORD = re.compile(r"\w")


def full_text_term(term: str) -> str | None:
    """``term`` as an FTS5 query that matches findings with words starting so (a ref such
    as NC-2026-001 or a control such as A.5.15 matches as a phrase); None when the term has
    no letter or digit, which the full-text index cannot find."""
    if not _WORD.search(term):
        return None
    return '"' + term.replace('"', '""') + '"*'


def matching(query: str) -> Any:
    """Ids of the findings whose search document matches the FTS5 ``query``."""
    return select(finding_search.c.rowid).where(literal_column(SEARCH_TABLE).op("MATCH")(query))
