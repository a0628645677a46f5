"""carapp's own Excel register, read back: its Findings sheet is recognised by its
headings, and its Actions and Effectiveness reviews sheets come in with it, so that an
exported register imports back into an equal one (every round, every shared action)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carapp.imports import values
from carapp.imports.fields import CellValue, Field
from carapp.imports.sheets import Spreadsheet, Table
from carapp.imports.values import DateOrder, ValueProblem
from carapp.workbook_layout import ACTION_COLUMNS, FINDING_COLUMNS, REVIEW_COLUMNS


@dataclass(slots=True)
class Related:
    """Actions and reviews read from other sheets of carapp's own export, by finding ref."""

    actions: dict[str, list[dict[Any, Any]]] = field(default_factory=dict)
    reviews: dict[str, list[dict[Any, Any]]] = field(default_factory=dict)


def is_carapp_export(spreadsheet: Spreadsheet, table: Table) -> bool:
    """Whether ``table`` is the Findings sheet of carapp's own Excel export, whose Actions
    and Effectiveness reviews sheets then come in with it."""
    return table.headings[: len(FINDING_COLUMNS)] == tuple(c.name for c in FINDING_COLUMNS)


def _columns(table: Table, names: Sequence[str]) -> dict[str, int] | None:
    index = {h: i for i, h in enumerate(table.headings)}
    return index if all(n in index for n in names) else None


def read_related(spreadsheet: Spreadsheet, order: DateOrder | None) -> Related:
    """The Actions and Effectiveness reviews sheets of carapp's own export."""
    related = Related()
    for table in spreadsheet.tables:
        name = table.name.casefold()
        actions = _columns(table, [c.name for c in ACTION_COLUMNS])
        if actions is not None and name == "actions":
            for _number, cells in table.rows:
                a = {n: cells[i] for n, i in actions.items()}
                ref = values.text_of(a["Ref"])
                entry: dict[Any, Any] = {
                    Field.REF: ref,
                    Field.ACTION: values.text_of(a["Description"]),
                    Field.ACTION_OUTCOME: values.text_of(a["Expected outcome"]),
                    Field.ACTION_OWNER: values.text_of(a["Owner"]),
                    Field.ACTION_TARGET: quiet_date(a["Target"], order),
                    Field.ACTION_STATUS: quiet(values.action_status_of, a["Status"]),
                    Field.ACTION_COMPLETED_ON: quiet_date(a["Completed on"], order),
                    Field.COMPLETION_EVIDENCE: values.text_of(a["Completion evidence"]),
                    "kind": values.text_of(a["Kind"]),
                    "cancelled": values.text_of(a["Cancelled reason"]),
                }
                for finding_ref in values.text_of(a["Findings"]).splitlines():
                    related.actions.setdefault(finding_ref, []).append(entry)
        reviews = _columns(table, [c.name for c in REVIEW_COLUMNS])
        if reviews is not None and name == "effectiveness reviews":
            for _number, cells in table.rows:
                r = {n: cells[i] for n, i in reviews.items()}
                related.reviews.setdefault(values.text_of(r["Finding"]), []).append(
                    {
                        "round": r["Round"],
                        Field.REVIEW_METHOD: values.text_of(r["Method"]),
                        "criteria": values.text_of(r["Criteria"]),
                        Field.REVIEW_DUE: quiet_date(r["Due"], order),
                        Field.REVIEWER: values.text_of(r["Reviewer"]),
                        Field.REVIEW_DONE_ON: quiet_date(r["Done on"], order),
                        Field.REVIEW_RESULT: quiet(values.review_result_of, r["Result"]),
                        Field.REVIEW_NOTES: values.text_of(r["Notes"]),
                    }
                )
    return related


def quiet(read: Callable[[CellValue], Any], cell: CellValue) -> Any:
    try:
        return read(cell)
    except ValueProblem:
        return None


def quiet_date(cell: CellValue, order: DateOrder | None) -> dt.date | None:
    try:
        return values.parse_date(cell, order or DateOrder.DMY)
    except ValueProblem:
        return None
