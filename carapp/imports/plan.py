"""An imported table, row by row, as findings: what would be created, updated, left alone
and skipped, and every problem by row, column, value and what is wrong.

A plan is a dry run: it writes nothing. Committing it (:func:`carapp.operations.importing.
run_import`) writes the records it built when the register has not changed since (its
history head says so), or builds them again with the same code
(:func:`carapp.imports.build.build`) inside the write transaction, so a register changed
since the preview is never written from a stale reading.

Stages are never taken on trust. A row's status word is a claim, and the finding is
imported at the furthest stage up to that claim its content proves, by the same workflow
rules the editor applies; a row that claims more ("Closed" with no effectiveness review) is
imported lower and flagged for review, with what it lacks. A row with no status claims no
more than its content proves, and is closed only when it gives a closing date.

A finding imported before is found again by its reference in the spreadsheet
(``findings.source_ref``): importing the register again updates what changed in those
findings and adds nothing twice. A stage only moves forward on re-import: work done in
carapp since the last import is never undone by an older spreadsheet, and a cell left blank
never clears what the register holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carapp.errors import InvalidInputError
from carapp.imports import values
from carapp.imports.build import ISMS_TARGETS, Built, apply_updates, build
from carapp.imports.fields import CellValue, Field
from carapp.imports.mapping import Mapping
from carapp.imports.own_export import Related, is_carapp_export, read_related
from carapp.imports.rows import ParsedRow, Problem
from carapp.imports.sheets import Spreadsheet, Table
from carapp.imports.values import DateOrder, DateOrderProblem, ValueProblem
from carapp.models.bulk import oldest_collections_paused
from carapp.models.enums import (
    Source,
)
from carapp.progress import Progress, no_progress
from carapp.store import Register

# What a finding cannot be recorded without; the title may come from the description.
REQUIRED = frozenset({Field.IDENTIFIED_ON, Field.CLASSIFICATION})
_WORDS: dict[Field, Callable[[CellValue], Any]] = {
    Field.SOURCE: values.source_of,
    Field.CLASSIFICATION: values.classification_of,
    Field.STATUS: values.stage_claim,
    Field.CAUSE_CATEGORY: values.cause_category_of,
    Field.ACTION_STATUS: values.action_status_of,
    Field.REVIEW_RESULT: values.review_result_of,
}
# What the Findings sheet of carapp's own export sums up from its other sheets.
_FROM_OTHER_SHEETS = frozenset(
    {Field.ACTION, Field.ACTION_OWNER, Field.REVIEW_RESULT, Field.REVIEWER, Field.CAUSE_CATEGORY}
)
_PAIRS: dict[Field, Callable[[CellValue], Any]] = {
    **{f: values.isms_decision_of for f in ISMS_TARGETS},
    Field.OBSERVATION_DECISION: values.observation_decision_of,
}


@dataclass(frozen=True, slots=True)
class ImportPlan:
    spreadsheet: Spreadsheet
    table: Table
    mapping: Mapping
    date_order: DateOrder | None  # as used: the mapping's, or what the file settled
    rows: tuple[ParsedRow, ...]
    related: Related | None
    created: int
    updated: int
    unchanged: int
    skipped: int
    problems: tuple[Problem, ...]
    people_added: tuple[str, ...]
    skip_errors: bool
    built: Built | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def flags(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def ok(self) -> bool:
        """Every row can be imported."""
        return not self.errors

    @property
    def can_commit(self) -> bool:
        return self.ok or self.skip_errors

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated)

    @property
    def failed_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.blocking and p.row})

    def summary(self, *, done: bool = False) -> str:
        verb = "" if done else " would be"
        parts = [
            f"{_count(self.created, 'finding')}{verb} created",
            f"{self.updated}{verb} updated",
            f"{self.unchanged} unchanged",
        ]
        failed = len(self.failed_rows)
        if self.skip_errors or done:
            parts.append(f"{_count(self.skipped, 'row')} skipped")
        else:
            if failed:
                parts.append(f"{_count(failed, 'row')} cannot be imported")
            aside = self.skipped - failed
            if aside:
                parts.append(f"{_count(aside, 'row')} left out (notes, totals, headings)")
        return ", ".join(parts)

    def report(self) -> list[str]:
        """The summary, then each problem in a sentence: errors first, then flags."""
        lines = [f"{self.table.name}: {self.summary()}."]
        if self.people_added:
            lines.append(
                f"{_count(len(self.people_added), 'person', 'people')} would be added: "
                + ", ".join(self.people_added)
                + "."
            )
        lines += [p.sentence() for p in self.errors]
        if self.flags:
            lines.append(f"Flagged for review ({len(self.flags)}):")
            lines += ["  " + p.sentence() for p in self.flags]
        return lines


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# --- Reading the rows ------------------------------------------------------------------------


def _date_order(table: Table, mapping: Mapping) -> DateOrder | None:
    if mapping.date_order is not None:
        return mapping.date_order
    columns = [i for i, f in enumerate(mapping.fields) if f is not None and f.kind == "date"]
    return values.settle_date_order(cells[i] for _n, cells in table.rows for i in columns)


def parse_rows(
    table: Table,
    mapping: Mapping,
    order: DateOrder | None,
    *,
    own_export: bool = False,
    progress: Progress = no_progress,
    cancel: Callable[[], None] | None = None,
) -> list[ParsedRow]:
    """Each data row's mapped cells read as our values."""
    mapped = [(i, f, table.headings[i] or f.label) for i, f in enumerate(mapping.fields) if f]
    if own_export:
        # carapp's own export lists action refs and owners here; the Actions sheet has them whole.
        mapped = [m for m in mapped if m[1] not in _FROM_OTHER_SHEETS]
    out: list[ParsedRow] = []
    total = len(table.rows)
    headings = [h.casefold() for h in table.headings]
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = ParsedRow(number)
        out.append(row)
        aside = _not_a_finding(cells, headings)
        if aside:
            row.left_out = True
            row.problems.append(Problem(number, "", "", aside, blocking=False))
            continue
        for i, f, heading in mapped:
            cell = cells[i] if i < len(cells) else None
            try:
                value = _read(f, cell, order)
            except ValueProblem as problem:
                # A finding needs its date and classification; another cell that does not
                # read ("TBC" as a target date) is left blank and flagged, unless the date
                # order, which is the whole file's, is what is in doubt.
                blocking = f in REQUIRED or isinstance(problem, DateOrderProblem)
                reason = str(problem) if blocking else f"{problem}; left blank"
                row.problems.append(
                    Problem(number, heading, values.text_of(cell), reason, blocking=blocking)
                )
                continue
            if value is not None and value != "":
                row.values[f] = value
        if done % 500 == 0:
            progress(done, total)
            if cancel is not None:
                cancel()
    progress(total, total)
    return out


_ASIDE = ("total", "totals", "note", "notes", "key", "legend", "prepared by", "approved by")


def _not_a_finding(cells: Sequence[CellValue], headings: Sequence[str]) -> str:
    """Why a row under the headings is no finding (a note, a total, the headings again for
    the next section), or "" when it may be one."""
    filled = [(i, values.text_of(c)) for i, c in enumerate(cells) if values.text_of(c)]
    repeats = sum(1 for i, text in filled if i < len(headings) and text.casefold() == headings[i])
    if len(filled) >= 2 and repeats * 2 >= len(filled):
        return "repeats the headings (the start of another section); left out"
    first = filled[0][1] if filled else ""
    if len(filled) == 1 or (len(filled) <= 3 and first.casefold().rstrip(":").startswith(_ASIDE)):
        shown = first if len(first) <= 60 else first[:57] + "\u2026"
        return (
            f"holds only \u201c{shown}\u201d and reads as a note or a total, not a "
            "finding; left out"
        )
    return ""


def _read(f: Field, cell: CellValue, order: DateOrder | None) -> Any:
    if f.kind == "date":
        return values.parse_date(cell, order)
    if f in _WORDS:
        return _WORDS[f](cell)
    if f in _PAIRS:
        return _PAIRS[f](cell)
    if f.kind == "codes":
        text = values.text_of(cell)
        return (values.requirement_codes(cell), text) if text else None
    return values.text_of(cell)


# --- The dry run -----------------------------------------------------------------------------


def prepare(
    spreadsheet: Spreadsheet,
    table: Table,
    mapping: Mapping,
    *,
    progress: Progress = no_progress,
    cancel: Callable[[], None] | None = None,
) -> tuple[list[ParsedRow], Related | None, DateOrder | None]:
    """The rows read as our values, refusing a mapping that cannot make findings."""
    if len(mapping.fields) != len(table.headings):
        raise InvalidInputError(
            "The mapping was made for another table (its columns differ); map the columns again."
        )
    mapped = {f for f in mapping.fields if f is not None}
    lacking = []
    if not mapped & {Field.TITLE, Field.STATEMENT}:
        lacking.append("the title or description")
    if Field.IDENTIFIED_ON not in mapped:
        lacking.append("the date identified")
    if Field.CLASSIFICATION not in mapped:
        lacking.append("the classification (Major, Minor, Observation, OFI)")
    if lacking:
        wanted = lacking[0] if len(lacking) == 1 else ", ".join(lacking[:-1]) + " or " + lacking[-1]
        raise InvalidInputError(
            f"No column of {table.name} is read as {wanted}; map a column to each in the "
            "mapping step (or with a mapping profile)."
        )
    if not table.rows:
        raise InvalidInputError(
            f"{table.name} has headings on row {table.header_row} but no rows under them: "
            "there is nothing to import."
        )
    order = _date_order(table, mapping)
    own = is_carapp_export(spreadsheet, table)
    rows = parse_rows(table, mapping, order, own_export=own, progress=progress, cancel=cancel)
    status_column = mapping.column_of(Field.STATUS)
    cause_column = table.headings.index("Cause category") if own else None
    actions_column = table.headings.index("Actions") if own else None
    justification_column = table.headings.index("Cause justification") if own else None
    for row, (_number, cells) in zip(rows, table.rows, strict=True):
        if status_column is not None:
            row.extras["status_heading"] = table.headings[status_column] or Field.STATUS.label
            row.extras["status_text"] = values.text_of(cells[status_column])
        if cause_column is not None and actions_column is not None:
            row.extras["cause_lines"] = values.text_of(cells[cause_column])
            row.extras["action_lines"] = values.text_of(cells[actions_column])
        if justification_column is not None:
            row.extras["justification_lines"] = values.text_of(cells[justification_column])
    related = read_related(spreadsheet, order) if own else None
    return rows, related, order


def plan_import(
    register: Register,
    spreadsheet: Spreadsheet,
    table: Table,
    mapping: Mapping,
    *,
    skip_errors: bool = False,
    today: dt.date | None = None,
    actor: str = "",
    progress: Progress = no_progress,
    cancel: Callable[[], None] | None = None,
) -> ImportPlan:
    """What importing ``table`` with ``mapping`` would do; writes nothing."""
    today = today or dt.date.today()
    total = len(table.rows)

    def reading(done: int, _total: int) -> None:
        progress(done // 2, total)

    def building(done: int, _total: int) -> None:
        progress(total // 2 + done // 2, total)

    with oldest_collections_paused():
        return _plan(
            register,
            spreadsheet,
            table,
            mapping,
            skip_errors,
            today,
            actor,
            reading,
            building,
            cancel,
        )


def _plan(
    register: Register,
    spreadsheet: Spreadsheet,
    table: Table,
    mapping: Mapping,
    skip_errors: bool,
    today: dt.date,
    actor: str,
    reading: Progress,
    building: Progress,
    cancel: Callable[[], None] | None,
) -> ImportPlan:
    rows, related, order = prepare(spreadsheet, table, mapping, progress=reading, cancel=cancel)
    with register.engine.connect() as conn:
        built = build(
            conn,
            rows,
            file_name=spreadsheet.path.name,
            related=related,
            today=today,
            actor=actor,
            sources_given=Field.SOURCE in mapping.fields,
            progress=building,
            cancel=cancel,
        )
        # Updates are applied to a session that is never flushed, then thrown away, to
        # count which rows change anything.
        if built.updates:
            session = register.sessions(bind=conn)
            try:
                with session.no_autoflush:
                    apply_updates(session, built.updates, cancel=cancel)
            finally:
                session.rollback()
                session.close()
    updated = [u.row.number for u in built.updates if u.changed]
    unchanged = [u.row.number for u in built.updates if not u.changed]
    failed = {p.row for p in built.problems if p.blocking and p.row}
    problems = sorted(built.problems, key=lambda p: (not p.blocking, p.row))
    if Field.SOURCE not in mapping.fields and built.created:
        problems.append(
            Problem(
                0,
                "",
                "",
                "has no column giving each finding's source; findings are recorded as from "
                f"\u2018{Source.SELF_IDENTIFIED.label}\u2019, or \u2018"
                f"{Source.INTERNAL_AUDIT.label}\u2019 when they name an audit; map a column "
                "to Source, or correct them in the editor",
                blocking=False,
            )
        )
    return ImportPlan(
        spreadsheet=spreadsheet,
        table=table,
        mapping=mapping,
        date_order=order,
        rows=tuple(rows),
        related=related,
        created=len(built.created),
        updated=len(updated),
        unchanged=len(unchanged),
        skipped=len(failed) + sum(1 for r in rows if r.left_out),
        problems=tuple(problems),
        people_added=tuple(built.new_people),
        skip_errors=skip_errors,
        built=built,
    )
