"""The Excel register: a cover sheet saying what was exported, from which register and how
to verify it, then Findings, Actions and Effectiveness reviews, each an Excel table an
auditor can filter, with a frozen header and a print setup that fits the page width.

The register is read with a few flat SQL queries per chunk of findings instead of one
FindingDetail each (a FindingDetail costs about 1 ms, which is most of a 10,000-finding
export); tests compare every cell with ``finding_detail`` so the two readings cannot drift.

Every text cell is written as text, never as a formula, so a title typed as
``=HYPERLINK(...)`` opens as those characters; characters XML cannot hold become U+FFFD;
a carriage return is written in the spreadsheet's own ``_x000D_`` escape, because XML
would read a bare one back as a line feed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from carapp.exports.scope import (
    ExportHeader,
    ExportScope,
    export_header,
    selected_ids,
    write_atomically,
)
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    EffectivenessReview,
    Evidence,
    Finding,
    FindingAction,
    FindingRootCause,
    Person,
    Requirement,
    RootCause,
    finding_requirements,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    CauseCategory,
    Classification,
    IsmsDecision,
    ObservationDecision,
    ReviewResult,
    Source,
    Stage,
)
from carapp.models.finding_index import next_due_sql
from carapp.models.workflow import ISMS_FIELDS
from carapp.progress import Progress, no_progress
from carapp.queries.register_table import as_date, overdue_sql
from carapp.store import Register
from carapp.workbook_layout import ACTION_COLUMNS, FINDING_COLUMNS, REVIEW_COLUMNS, Column

Value = str | int | dt.date | None
CHUNK = 500  # findings per read: well under SQLite's limit on bound parameters

# Characters XML 1.0 cannot hold: C0 controls but tab, line feed and carriage return; lone
# surrogates; the two non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The spreadsheet escape _xHHHH_: a user's own text that looks like one is escaped in turn.
_LOOKS_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")


def cell_text(text: str) -> str:
    """``text`` as a cell can hold it and a spreadsheet reads it back: characters XML
    cannot hold replaced by U+FFFD, carriage returns in the ``_x000D_`` escape."""
    text = _NOT_XML.sub("\ufffd", text)
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    return text.replace("\r", "_x000D_")


@dataclass(slots=True)
class RegisterRows:
    """The cell values of the three data sheets, in the order they are written."""

    findings: list[tuple[Value, ...]] = field(default_factory=list)
    actions: list[tuple[Value, ...]] = field(default_factory=list)
    reviews: list[tuple[Value, ...]] = field(default_factory=list)
    by_classification: dict[Classification, int] = field(default_factory=dict)
    by_stage: dict[Stage, int] = field(default_factory=dict)


def _lines(items: Iterable[str]) -> str:
    return "\n".join(dict.fromkeys(i for i in items if i))


def _isms(decision: IsmsDecision | None, note: str) -> str:
    if decision is None:
        return ""
    return f"{decision.label}: {note}" if note else decision.label


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def register_rows(
    register: Register,
    ids: Sequence[int],
    today: dt.date,
    *,
    progress: Progress = no_progress,
    total: int | None = None,
) -> RegisterRows:
    """The rows of the Findings, Actions and Reviews sheets for the findings ``ids`` (in
    that order), as of ``today``. ``progress`` hears (findings read, ``total``)."""
    total = len(ids) if total is None else total
    rows = RegisterRows()
    action_ids: dict[int, None] = {}
    raised_by, contained_by = aliased(Person), aliased(Person)
    isms_columns = [getattr(Finding, f) for f, n in ISMS_FIELDS.values()]
    isms_notes = [getattr(Finding, n) for f, n in ISMS_FIELDS.values()]
    findings_query = (
        select(
            Finding.id,
            Finding.ref,
            Finding.cb_ref,
            Finding.identified_on,
            Finding.source,
            Audit.ref,
            raised_by.name,
            Finding.title,
            Finding.statement,
            Finding.evidence_observed,
            Finding.area,
            Finding.classification,
            Finding.stage,
            Finding.cycle,
            Finding.containment,
            Finding.containment_none_reason,
            Finding.contained_on,
            contained_by.name,
            Finding.plan_due,
            Finding.plan_sent_on,
            Finding.closure_due,
            next_due_sql(),
            overdue_sql(today),
            Finding.decision,
            Finding.decision_note,
            Finding.closed_on,
            Finding.void_reason,
            *isms_columns,
            *isms_notes,
        )
        .outerjoin(Audit, Audit.id == Finding.audit_id)
        .outerjoin(raised_by, raised_by.id == Finding.raised_by_id)
        .outerjoin(contained_by, contained_by.id == Finding.contained_by_id)
    )
    done = 0
    progress(0, total)
    with register.engine.connect() as conn:
        for chunk in _chunks(ids):
            found = {r[0]: r for r in conn.execute(findings_query.where(Finding.id.in_(chunk)))}
            requirements: dict[int, list[tuple[str, str]]] = {}
            for fid, code, title in conn.execute(
                select(finding_requirements.c.finding_id, Requirement.code, Requirement.title)
                .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
                .where(finding_requirements.c.finding_id.in_(chunk))
                .order_by(Requirement.code)
            ):
                requirements.setdefault(fid, []).append((code, title))
            causes: dict[int, list[tuple[int, str, CauseCategory | None, str]]] = {}
            for fid, cycle, statement, category, justification in conn.execute(
                select(
                    FindingRootCause.finding_id,
                    FindingRootCause.cycle,
                    RootCause.statement,
                    RootCause.category,
                    RootCause.symptom_justification,
                )
                .join(RootCause, RootCause.id == FindingRootCause.root_cause_id)
                .where(FindingRootCause.finding_id.in_(chunk))
                .order_by(FindingRootCause.id)
            ):
                causes.setdefault(fid, []).append((cycle, statement, category, justification))
            actions: dict[int, list[tuple[int, str, ActionStatus, str | None]]] = {}
            for fid, aid, cycle, ref, status, owner in conn.execute(
                select(
                    FindingAction.finding_id,
                    FindingAction.action_id,
                    FindingAction.cycle,
                    CorrectiveAction.ref,
                    CorrectiveAction.status,
                    Person.name,
                )
                .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
                .outerjoin(Person, Person.id == CorrectiveAction.owner_id)
                .where(FindingAction.finding_id.in_(chunk))
                .order_by(FindingAction.id)
            ):
                actions.setdefault(fid, []).append((cycle, ref, status, owner))
                action_ids[aid] = None
            reviews: dict[int, list[tuple[Value, ...]]] = {}
            for r in conn.execute(
                select(
                    EffectivenessReview.finding_id,
                    EffectivenessReview.cycle,
                    EffectivenessReview.method,
                    EffectivenessReview.criteria,
                    EffectivenessReview.due_on,
                    Person.name,
                    EffectivenessReview.done_on,
                    EffectivenessReview.result,
                    EffectivenessReview.notes,
                )
                .outerjoin(Person, Person.id == EffectivenessReview.reviewer_id)
                .where(EffectivenessReview.finding_id.in_(chunk))
                .order_by(EffectivenessReview.id)
            ):
                reviews.setdefault(r[0], []).append(tuple(r[1:]))
            for fid in chunk:
                f = found.get(fid)
                if f is None:
                    continue
                rows.findings.append(
                    _finding_row(
                        f,
                        today,
                        requirements.get(fid, []),
                        causes.get(fid, []),
                        actions.get(fid, []),
                        reviews.get(fid, []),
                    )
                )
                classification, stage = f[11], f[12]
                rows.by_classification[classification] = (
                    rows.by_classification.get(classification, 0) + 1
                )
                rows.by_stage[stage] = rows.by_stage.get(stage, 0) + 1
                for review in reviews.get(fid, []):
                    result = review[6]
                    rows.reviews.append(
                        (
                            f[1],
                            *review[:6],
                            result.label if isinstance(result, ReviewResult) else None,
                            review[7],
                        )
                    )
            done += len(chunk)
            progress(done, total)
        rows.actions = _action_rows(conn, list(action_ids))
    return rows


def _finding_row(
    f: Sequence[Any],  # a row of register_rows' findings query
    today: dt.date,
    requirements: list[tuple[str, str]],
    causes: list[tuple[int, str, CauseCategory | None, str]],
    actions: list[tuple[int, str, ActionStatus, str | None]],
    reviews: list[tuple[Value, ...]],
) -> tuple[Value, ...]:
    (
        _id,
        ref,
        cb_ref,
        identified,
        source,
        audit,
        raised_by,
        title,
        statement,
        evidence,
        area,
        classification,
        stage,
        cycle,
        containment,
        none_reason,
        contained_on,
        contained_by,
        plan_due,
        plan_sent,
        closure_due,
        next_due,
        overdue,
        decision,
        decision_note,
        closed_on,
        void_reason,
    ) = f[:27]
    isms = f[27:]
    assert isinstance(source, Source) and isinstance(classification, Classification)
    assert isinstance(stage, Stage) and isinstance(cycle, int)
    due = as_date(next_due)
    current_causes = [c for c in causes if c[0] == cycle]
    current_actions = [a for a in actions if a[0] == cycle]
    current_reviews = [r for r in reviews if r[0] == cycle]
    last_review = current_reviews[-1] if current_reviews else None
    result = last_review[6] if last_review else None
    if not containment and none_reason:
        containment = f"None needed: {none_reason}"
    targets = len(ISMS_FIELDS)
    return (
        str(ref),
        str(cb_ref),
        identified,
        source.label,
        audit,
        raised_by,
        title,
        statement,
        evidence,
        area,
        ", ".join(code for code, _ in requirements),
        "\n".join(f"{code} {title_}" for code, title_ in requirements),
        classification.label,
        stage.label,
        containment,
        contained_on,
        contained_by,
        _lines(c[1] for c in current_causes),
        _lines(c[2].label for c in current_causes if c[2] is not None),
        _lines(c[3] for c in current_causes),
        _lines(f"{a[1]} ({a[2].label})" for a in current_actions),
        _lines(a[3] or "" for a in current_actions),
        plan_due,
        plan_sent,
        closure_due,
        None if due is None else (due - today).days,
        "Yes" if overdue else "No",
        result.label if isinstance(result, ReviewResult) else None,
        last_review[4] if last_review else None,
        *(_isms(isms[i], isms[targets + i]) for i in range(targets)),
        _observation_decision(decision, decision_note),
        closed_on,
        void_reason,
    )


def _observation_decision(decision: ObservationDecision | None, note: str) -> str:
    if decision is None:
        return ""
    return f"{decision.label}: {note}" if note else decision.label


def _action_rows(conn: Connection, action_ids: list[int]) -> list[tuple[Value, ...]]:
    out: list[tuple[Value, ...]] = []
    for chunk in _chunks(action_ids):
        answers: dict[int, list[str]] = {}
        for aid, ref in conn.execute(
            select(FindingAction.action_id, Finding.ref)
            .join(Finding, Finding.id == FindingAction.finding_id)
            .where(FindingAction.action_id.in_(chunk))
            .order_by(FindingAction.id)
        ):
            answers.setdefault(aid, []).append(ref)
        attachments: dict[int, list[str]] = {}
        for aid, name in conn.execute(
            select(Evidence.action_id, Evidence.name)
            .where(Evidence.action_id.in_(chunk))
            .order_by(Evidence.id)
        ):
            attachments.setdefault(aid, []).append(name)
        for a in conn.execute(
            select(
                CorrectiveAction.id,
                CorrectiveAction.ref,
                CorrectiveAction.kind,
                CorrectiveAction.description,
                CorrectiveAction.outcome,
                Person.name,
                CorrectiveAction.target_on,
                CorrectiveAction.status,
                CorrectiveAction.completed_on,
                CorrectiveAction.completion_evidence,
                CorrectiveAction.cancelled_reason,
            )
            .outerjoin(Person, Person.id == CorrectiveAction.owner_id)
            .where(CorrectiveAction.id.in_(chunk))
        ):
            kind, status = a.kind, a.status
            assert isinstance(kind, ActionKind) and isinstance(status, ActionStatus)
            out.append(
                (
                    a.ref,
                    _lines(answers.get(a.id, [])),
                    kind.label,
                    a.description,
                    a.outcome,
                    a.name,
                    a.target_on,
                    status.label,
                    a.completed_on,
                    a.completion_evidence,
                    _lines(attachments.get(a.id, [])),
                    a.cancelled_reason,
                )
            )
    out.sort(key=lambda row: str(row[0]))
    return out


# --- Writing ----------------------------------------------------------------------------

_FONT = "Calibri"
_HEADER_FONT = Font(name=_FONT, size=11, bold=True)
_LINE_HEIGHT = 15  # points per line of 11-point Calibri
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_COVER_VALUE = Alignment(horizontal="left", vertical="top", wrap_text=True)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Sheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only sheet taking rows of ready cells (or None): openpyxl's own append
    tries each value as a plain value first and copies styled cells again, which is a
    third of the time of a large register."""

    def _values_to_row(self, values: Sequence[WriteOnlyCell | None], row_idx: int) -> Any:
        for column, cell in enumerate(values, 1):
            if cell is not None:
                cell.column = column
                cell.row = row_idx
                yield cell


class _SheetWriter:
    """Writes one data sheet: header, rows as cells whose style and type are fixed by the
    column, the table over them, and the print setup."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.ws = _Sheet(book, title)
        book._add_sheet(self.ws)
        self.columns = columns
        self.rows = 0
        ws = self.ws
        for i, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = True
        ws.oddFooter.center.text = "&A, page &P of &N"
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, column.name)
            cell.font = _HEADER_FONT
            cell.alignment = _WRAP
            header.append(cell)
        # Bold names wrap at about 85% of the width their column holds in plain digits.
        header_lines = max(len(c.name) // max(int(c.width * 0.85) - 1, 1) + 1 for c in columns)
        if header_lines > 1:
            ws.row_dimensions[1] = RowDimension(ws, index=1, ht=_LINE_HEIGHT * header_lines + 3)
        ws.append(header)
        self._wraps = [column.kind == "long" for column in columns]
        # Characters a line of a wrapped column holds, a little under its width in
        # digit widths so that a row is rather too tall than cut.
        self._wrap_widths = [
            max(int(column.width * 0.95) - 1, 1) if column.kind == "long" else 0
            for column in columns
        ]
        # Copying a template's style array costs far less than openpyxl's style lookup.
        self._styles = []
        for column in columns:
            template = WriteOnlyCell(ws)
            template.alignment = _WRAP if column.kind == "long" else _TOP
            if column.kind == "date":
                template.number_format = "yyyy-mm-dd"
            self._styles.append(template._style)

    def append(self, values: Sequence[Value]) -> None:
        """One row. Plain values go to openpyxl as they are (it reuses one cell for them,
        and gives a date its yyyy-mm-dd format itself); a cell object is made only for text
        that wraps or that openpyxl would read as a formula."""
        ws = self.ws
        row: list[object] = []
        for value, style in zip(values, self._styles, strict=True):
            if value is None or value == "":
                row.append(None)
                continue
            cell = WriteOnlyCell(ws)
            if isinstance(value, str):
                cell.value = cell_text(value)
                cell.data_type = "s"  # never a formula, whatever it starts with
            else:
                cell.value = value
            cell._style = style.__copy__()
            row.append(cell)
        self.rows += 1
        self._height(self.rows + 1, values)
        ws.append(row)
        self.ws.row_dimensions.pop(self.rows + 1, None)  # written: no need to keep it

    def _height(self, row_idx: int, values: Sequence[Value]) -> None:
        """Give a row the height its wrapped text needs. Neither LibreOffice nor Excel
        sizes rows to their text on opening a file, so without this a long statement
        overprints the rows below it."""
        lines = 1
        for value, width in zip(values, self._wrap_widths, strict=True):
            if width and isinstance(value, str) and value:
                needed = sum(len(line) // width + 1 for line in value.split("\n"))
                lines = max(lines, needed)
        if lines > 1:
            self.ws.row_dimensions[row_idx] = RowDimension(
                self.ws, index=row_idx, ht=min(_LINE_HEIGHT * lines + 3, 409)
            )

    def finish(self, name: str) -> None:
        last = get_column_letter(len(self.columns))
        table = Table(displayName=name, ref=f"A1:{last}{max(self.rows + 1, 2)}")
        # Write-only sheets cannot read the header back: the names are the header cells.
        table._initialise_columns()
        for table_column, column in zip(table.tableColumns, self.columns, strict=True):
            table_column.name = column.name
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        if self.rows == 0:
            # A table needs a data row: an empty one keeps the headers filterable.
            self.ws.append([None] * len(self.columns))
        with warnings.catch_warnings():
            # openpyxl warns that a write-only sheet needs its table columns added by
            # hand, which they are, above.
            warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
            self.ws.add_table(table)


def write_register_workbook(
    path: Path,
    header: ExportHeader,
    rows: RegisterRows,
    *,
    progress: Progress = no_progress,
    done: int = 0,
    total: int | None = None,
) -> None:
    """Write the cover and the three data sheets of ``rows`` to ``path`` (not atomically:
    callers write to a temporary path). ``progress`` hears (``done`` + rows written,
    ``total``) every few hundred rows and may raise Cancelled."""
    book = Workbook(write_only=True)
    try:
        _cover(book, header, rows)
        count = len(rows.findings) + len(rows.actions) + len(rows.reviews)
        total = done + count if total is None else total
        for title, name, columns, values in (
            ("Findings", "Findings", FINDING_COLUMNS, rows.findings),
            ("Actions", "Actions", ACTION_COLUMNS, rows.actions),
            ("Effectiveness reviews", "Reviews", REVIEW_COLUMNS, rows.reviews),
        ):
            sheet = _SheetWriter(book, title, columns)
            for row in values:
                sheet.append(row)
                done += 1
                if done % 250 == 0:
                    progress(done, total)
            sheet.finish(name)
        progress(done, total)
        book.save(path)
    except BaseException:
        _discard(book)
        raise


def _discard(book: Workbook) -> None:
    """Close the sheets of an abandoned write-only workbook and remove the temporary
    files openpyxl streams them to (a cancelled export leaves nothing behind)."""
    for ws in book.worksheets:
        if not isinstance(ws, WriteOnlyWorksheet) or ws._writer is None:
            continue
        # The export failed already (or was cancelled): tidying must not hide why.
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        with contextlib.suppress(OSError):
            ws._writer.cleanup()


def _cover(book: Workbook, header: ExportHeader, rows: RegisterRows) -> None:
    ws = book.create_sheet("Cover")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0

    written = [0]

    def line(label: str, value: Value = None, *, bold: bool = False) -> None:
        written[0] += 1
        if isinstance(value, str) and len(value) > 100:
            # Wrapped values need their height set: see _SheetWriter._height.
            ws.row_dimensions[written[0]] = RowDimension(
                ws, index=written[0], ht=_LINE_HEIGHT * (len(value) // 100 + 1) + 3
            )
        a = WriteOnlyCell(ws, cell_text(label))
        a.data_type = "s"
        a.font = Font(name=_FONT, bold=True, size=14) if bold else _HEADER_FONT
        a.alignment = _TOP
        cells = [a]
        if value is not None:
            b = WriteOnlyCell(ws)
            if isinstance(value, str):
                b.value = cell_text(value)
                b.data_type = "s"
            else:
                b.value = value
            b.alignment = _COVER_VALUE
            cells.append(b)
        ws.append(cells)

    line("Corrective action register", bold=True)
    line("Organisation", header.organisation)
    line("Exported", header.scope)
    line("Exported at", header.exported_at)
    line("Exported by", header.exported_by)
    line("As of", header.today)
    line("Register fingerprint", header.fingerprint_text)
    line("How to verify", f"carapp check --anchor {header.fingerprint_text}")
    line(
        "",
        "Run this on the register file: it confirms the register still holds, unchanged, "
        "the history this export was made from.",
    )
    line("Findings", len(rows.findings))
    line("Corrective actions", len(rows.actions))
    line("Effectiveness reviews", len(rows.reviews))
    line("")
    line("By classification")
    for classification in Classification:
        line(classification.label, rows.by_classification.get(classification, 0))
    line("")
    line("By stage")
    for stage in Stage:
        if rows.by_stage.get(stage):
            line(stage.label, rows.by_stage[stage])


def write_register_xlsx(
    register: Register,
    scope: ExportScope,
    destination: Path,
    *,
    progress: Progress = no_progress,
) -> Path:
    """The register's findings that ``scope`` selects, as an Excel workbook at
    ``destination``, written whole or not at all."""
    header = export_header(register, scope)
    ids = selected_ids(register, scope)

    def write(partial: Path) -> None:
        # Reading is about a third of the work, writing the rest: one bar for both.
        total = 3 * len(ids)
        rows = register_rows(register, ids, scope.today, progress=progress, total=total)
        count = len(rows.findings) + len(rows.actions) + len(rows.reviews)
        scale = max(count, 1)

        def writing(done: int, _total: int) -> None:
            progress(len(ids) + (done * 2 * len(ids)) // scale, total)

        write_register_workbook(partial, header, rows, progress=writing, total=count)

    return write_atomically(destination, write)
