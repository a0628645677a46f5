"""Importing registers kept in spreadsheets: real files built here in other people's layouts,
imported into a real register on disk, and every field checked after."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from carapp import operations as op
from carapp.errors import InvalidInputError
from carapp.exports.scope import ExportScope
from carapp.exports.xlsx import write_register_xlsx
from carapp.imports.fields import Field
from carapp.imports.mapping import auto_mapping, load_profile, save_profile
from carapp.imports.plan import ImportPlan, plan_import
from carapp.imports.sheets import read_spreadsheet
from carapp.imports.values import DateOrder
from carapp.models.entities import Finding, HistoryEntry, RegisterImport
from carapp.models.enums import (
    ActionStatus,
    CauseCategory,
    Classification,
    IsmsDecision,
    ReviewResult,
    Stage,
)
from carapp.operations.importing import ImportResult, run_import
from carapp.queries.findings import FindingDetail, finding_detail
from carapp.queries.people import list_people
from carapp.store import Register, open_register
from tests.conftest import TODAY, demo_register
from tests.test_cli import carapp

HEADINGS = (
    "NC No.",
    "Date raised",
    "Finding",
    "Details",
    "Grade",
    "Clause",
    "Containment",
    "Root cause",
    "Corrective action",
    "Action owner",
    "Due date",
    "Status",
    "Date closed",
)

ROWS: list[tuple[Any, ...]] = [
    (
        "NC-017",
        dt.datetime(2025, 2, 3),
        "Leavers keep VPN access",
        "Two leavers in January still had VPN accounts a week after leaving.",
        "Minor",
        "A.5.18",
        "",
        "The leavers checklist has no step for VPN accounts",
        "Add VPN removal to the leavers checklist",
        "Tom Okafor",
        "14/03/2025",
        "Open",
        None,
    ),
    (
        "NC-018",
        "2025-02-10",
        "No internal audit of supplier management",
        "The audit programme skipped supplier management in 2024.",
        "Major NC",
        "Clause 9.2",
        "",
        "",
        "",
        "",
        None,
        "Closed",  # claims closed with none of the evidence
        "28/02/2025",
    ),
    (
        "OBS-3",
        45700,  # an Excel serial number in a number cell: 2025-02-12
        "Clear desk posters faded",
        "",
        "Observation",
        "A.7.7",
        "",
        "",
        "",
        "",
        None,
        "Open",
        None,
    ),
]


def write_xlsx(
    path: Path,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title_rows: int = 2,
    other_sheet_first: bool = True,
) -> Path:
    """A register as people keep one: a notes sheet first, a merged title above the table."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["How to use this register"])
    notes.append(["Fill one row per nonconformity."])
    sheet = book.create_sheet("NC Register") if other_sheet_first else notes
    for i in range(title_rows):
        sheet.append(["Northwind Logistics: corrective action register" if i == 0 else None])
    if title_rows:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def history_count(register: Register) -> int:
    with register.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(HistoryEntry)) or 0)


def by_source(register: Register) -> dict[str, FindingDetail]:
    with register.sessions() as session:
        refs = list(session.execute(select(Finding.source_ref, Finding.ref)).tuples())
    return {source: finding_detail(register, ref, TODAY) for source, ref in refs}


def plan_of(register: Register, path: Path, **options: Any) -> ImportPlan:
    spreadsheet = read_spreadsheet(path)
    table = spreadsheet.proposed
    order = options.pop("date_order", None)
    return plan_import(
        register, spreadsheet, table, auto_mapping(table, order), today=TODAY, **options
    )


def imported(register: Register, path: Path, **options: Any) -> ImportResult:
    return run_import(register, plan_of(register, path, **options), today=TODAY)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "NC register 2025.xlsx", HEADINGS, ROWS)


def test_a_foreign_layout_comes_in_field_by_field(register: Register, foreign: Path) -> None:
    result = imported(register, foreign)
    assert len(result.created) == 3 and result.skipped == 0
    found = by_source(register)
    assert set(found) == {"NC-017", "NC-018", "OBS-3"}

    leavers = found["NC-017"]
    assert leavers.title == "Leavers keep VPN access"
    assert leavers.statement.startswith("Two leavers in January")
    assert leavers.identified == dt.date(2025, 2, 3)
    assert leavers.classification is Classification.MINOR
    assert [r.code for r in leavers.requirements] == ["A.5.18"]
    assert [c.statement for c in leavers.current_root_causes] == [
        "The leavers checklist has no step for VPN accounts"
    ]
    (action,) = leavers.current_actions
    assert action.description == "Add VPN removal to the leavers checklist"
    assert action.owner == "Tom Okafor"
    assert action.target_on == dt.date(2025, 3, 14)  # dd/mm, settled by 14 > 12
    assert action.status is ActionStatus.PLANNED
    # "Open" with no containment recorded: identified, and no more.
    assert leavers.stage is Stage.IDENTIFIED

    supplier = found["NC-018"]
    assert supplier.classification is Classification.MAJOR
    assert [r.code for r in supplier.requirements] == ["9.2"]
    # It says Closed, but nothing proves it: imported at the stage its content proves.
    assert supplier.stage is Stage.IDENTIFIED
    assert supplier.closed_on is None

    posters = found["OBS-3"]
    assert posters.identified == dt.date(2025, 2, 12)
    assert posters.classification is Classification.OBSERVATION
    assert posters.stage is Stage.OPEN
    assert "Tom Okafor" in result.people_added


def test_a_closed_claim_without_evidence_is_flagged_with_what_it_lacks(
    register: Register, foreign: Path
) -> None:
    plan = plan_of(register, foreign)
    assert plan.ok
    (flag,) = [p for p in plan.flags if p.row == 5 and "Closed" in p.sentence()]
    assert flag.value == "Closed"
    assert "for review" in flag.reason and "no root cause is recorded" in flag.reason


def test_a_closed_row_with_its_evidence_is_imported_closed(
    register: Register, tmp_path: Path
) -> None:
    headings = (
        "Ref",
        "Date identified",
        "Title",
        "Classification",
        "Source",
        "Containment",
        "Contained on",
        "Contained by",
        "Root cause",
        "Cause category",
        "Corrective action",
        "Action owner",
        "Target date",
        "Expected outcome",
        "Date completed",
        "Completion evidence",
        "Effectiveness check",
        "Verified by",
        "Verification date",
        "Effective?",
        "Risk assessment updated",
        "SoA updated",
        "Risk treatment plan updated",
        "Policies updated",
        "Status",
        "Date closed",
    )
    row = (
        "IA-2025-04",
        "03/02/2025",
        "Backups not restored in tests",
        "Minor",
        "Internal audit",
        "Ran a restore test the same day",
        "03/02/2025",
        "Tom Okafor",
        "The backup procedure has no restore test step",
        "Process design",
        "Add a quarterly restore test to the backup procedure",
        "Tom Okafor",
        "28/02/2025",
        "A restore test record each quarter",
        "20/02/2025",
        "Procedure BK-02 v3 and the restore log",
        "Sampled the Q1 restore log",
        "Priya Natarajan",
        "15/04/2025",
        "Effective",
        "Not needed: no new risk",
        "Not needed: no control change",
        "Not needed: treatment unchanged",
        "Updated: BK-02 v3",
        "Closed",
        "16/04/2025",
    )
    path = write_xlsx(tmp_path / "closed.xlsx", headings, [row], title_rows=0)
    plan = plan_of(register, path)
    assert plan.ok and not plan.flags, plan.report()
    run_import(register, plan, today=TODAY)
    f = by_source(register)["IA-2025-04"]
    assert f.stage is Stage.CLOSED
    assert f.closed_on == dt.date(2025, 4, 16)
    assert f.containment.by == "Tom Okafor" and f.containment.on == dt.date(2025, 2, 3)
    assert f.current_root_causes[0].category is CauseCategory.PROCESS_DESIGN
    (action,) = f.current_actions
    assert action.status is ActionStatus.DONE and action.completed_on == dt.date(2025, 2, 20)
    (review,) = f.current_reviews
    assert review.result is ReviewResult.EFFECTIVE and review.reviewer == "Priya Natarajan"
    assert f.isms_update[next(iter(f.isms_update))].decision is IsmsDecision.NOT_NEEDED


def test_a_dry_run_writes_nothing(register: Register, foreign: Path) -> None:
    before = history_count(register)
    plan = plan_of(register, foreign)
    assert (plan.created, plan.updated, plan.skipped) == (3, 0, 0)
    assert history_count(register) == before
    assert by_source(register) == {}


def test_a_failing_row_means_nothing_is_written(register: Register, tmp_path: Path) -> None:
    rows = [
        *ROWS,
        (
            "NC-019",
            "31/02/2025",
            "Impossible date",
            "",
            "Minor",
            "",
            "",
            "",
            "",
            "",
            None,
            "Open",
            None,
        ),
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADINGS, rows)
    before = history_count(register)
    plan = plan_of(register, path)
    assert not plan.ok and plan.failed_rows == [7]
    (error,) = plan.errors
    assert error.column == "Date raised" and error.value == "31/02/2025"
    with pytest.raises(InvalidInputError, match="Nothing was written"):
        run_import(register, plan, today=TODAY)
    assert history_count(register) == before and by_source(register) == {}

    skipping = plan_of(register, path, skip_errors=True)
    result = run_import(register, skipping, today=TODAY)
    assert len(result.created) == 3 and result.skipped == 1
    assert "NC-019" not in by_source(register)


def test_importing_the_same_file_again_updates_instead_of_duplicating(
    register: Register, foreign: Path, tmp_path: Path
) -> None:
    imported(register, foreign)
    first = by_source(register)
    before = history_count(register)
    again = imported(register, foreign)
    assert again.created == () and again.updated == () and again.unchanged == 3
    assert not again.wrote and again.backup is None and history_count(register) == before
    assert by_source(register) == first

    rows = [list(r) for r in ROWS]
    rows[0][2] = "Leavers keep VPN and e-mail access"
    changed = write_xlsx(tmp_path / "NC register 2025 v2.xlsx", HEADINGS, rows)
    result = imported(register, changed)
    assert result.updated == (first["NC-017"].ref,) and result.unchanged == 2
    now = by_source(register)
    assert now["NC-017"].title == "Leavers keep VPN and e-mail access"
    assert now["NC-017"].ref == first["NC-017"].ref
    titles = [h for h in now["NC-017"].history if h.field == "title"]
    assert titles and titles[-1].new == "Leavers keep VPN and e-mail access"


def test_history_records_the_import_and_a_backup_is_kept(register: Register, foreign: Path) -> None:
    assert register.path is not None
    result = imported(register, foreign)
    assert result.backup is not None and result.backup.exists()
    backup = open_register(result.backup)
    try:
        assert by_source(backup) == {}  # the register as it was before
    finally:
        backup.close()
    digest = hashlib.sha256(foreign.read_bytes()).hexdigest()
    with register.sessions() as session:
        record = session.get_one(RegisterImport, result.import_id)
        assert record.file_name == foreign.name and record.sha256 == digest
        assert record.sheet == "NC Register" and record.created == 3
        entries = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "imports")
        ).all()
    mapping = json.loads(record.mapping)
    assert ["Grade", Field.CLASSIFICATION.value] in mapping["columns"]
    logged = json.dumps([e.new for e in entries])
    assert digest in logged and foreign.name in logged


def test_csv_in_cp1252_with_semicolons_and_month_first_dates(
    register: Register, tmp_path: Path
) -> None:
    path = tmp_path / "export from tracker.csv"
    with path.open("w", encoding="cp1252", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(
            ["Reference", "Date", "Description", "Category", "Assigned to", "Due date", "Status"]
        )
        writer.writerow(
            [
                "R1",
                "02/03/2025",
                "Café badge reader fails open",
                "Minor",
                "José Müller",
                "04/01/2025",
                "In progress",
            ]
        )
        writer.writerow(["R2", "02/04/2025", "Supplier list “draft” only", "OFI", "", "", "Open"])
    plan = plan_of(register, path, date_order=DateOrder.MDY)
    assert plan.ok, plan.report()
    run_import(register, plan, today=TODAY)
    found = by_source(register)
    assert found["R1"].title == "Café badge reader fails open"
    assert found["R1"].identified == dt.date(2025, 2, 3)
    assert found["R1"].current_actions[0].owner == "José Müller"
    assert found["R1"].current_actions[0].target_on == dt.date(2025, 4, 1)
    assert found["R2"].title == "Supplier list “draft” only"
    assert found["R2"].classification is Classification.OFI


def test_ambiguous_dates_without_a_date_order_are_reported(
    register: Register, tmp_path: Path
) -> None:
    rows = [("A1", "02/03/2025", "Badge reader", "Minor", "Open")]
    path = write_xlsx(
        tmp_path / "ambiguous.xlsx",
        ("Ref", "Date raised", "Finding", "Grade", "Status"),
        rows,
        title_rows=0,
    )
    plan = plan_of(register, path)
    assert not plan.ok
    assert "date order" in plan.errors[0].reason
    assert plan_of(register, path, date_order=DateOrder.DMY).ok


def test_a_mapping_profile_maps_a_column_the_headings_do_not(
    register: Register, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "odd.xlsx",
        ("Ref", "Date raised", "Finding", "Grade", "Whodunnit"),
        [("Q1", "2025-02-03", "Door left open", "Minor", "Tom Okafor")],
        title_rows=0,
    )
    table = read_spreadsheet(path).proposed
    mapping = auto_mapping(table)
    assert mapping.fields[4] is None
    mapping = mapping.assign(4, Field.RAISED_BY)
    save_profile("Site tracker", table, mapping)
    profile = load_profile("site tracker")
    assert profile.apply(table).fields[4] is Field.RAISED_BY
    code = carapp(
        "--register",
        str(register.path),
        "import",
        str(path),
        "--mapping",
        "Site tracker",
        "--today",
        TODAY.isoformat(),
    )
    assert code.returncode == 0, code.stderr
    assert by_source(register)["Q1"].raised_by == "Tom Okafor"


def test_the_command_line_exits_1_with_the_report_and_writes_nothing(
    register: Register, tmp_path: Path
) -> None:
    rows = [
        *ROWS,
        ("NC-020", "", "No date at all", "", "Minor", "", "", "", "", "", None, "Open", None),
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADINGS, rows)
    before = history_count(register)
    args = ("--register", str(register.path), "import", str(path), "--today", TODAY.isoformat())
    dry = carapp(*args, "--dry-run")
    assert dry.returncode == 1
    assert "Row 7" in dry.stdout and "no date identified" in dry.stdout
    assert "3 findings would be created" in dry.stdout
    failed = carapp(*args)
    assert failed.returncode == 1 and "Nothing was written" in failed.stderr
    assert history_count(register) == before
    done = carapp(*args, "--skip-errors")
    assert done.returncode == 0, done.stderr
    assert "3 findings created" in done.stdout and "1 row skipped" in done.stdout
    shown = carapp("--register", str(register.path), "show", by_source(register)["NC-017"].ref)
    assert "Imported as:" in shown.stdout and "NC-017" in shown.stdout


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.xlsx", b"", "empty"),
        ("notes.xlsx", b"just some text, not a workbook", "not"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
    ],
)
def test_refused_files_leave_the_register_unchanged(
    register: Register, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = history_count(register)
    result = carapp("--register", str(register.path), "import", str(path))
    assert result.returncode == 1
    assert expected in result.stderr.lower()
    assert result.stderr.count("\n") == 1  # one sentence, no traceback
    assert history_count(register) == before


# --- The round trip -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    # 300 findings of seed 12 hold every stage, reopened rounds, shared actions, void and
    # observation findings.
    yield from demo_register(tmp_path_factory, findings=300, seed=12)


# Worked out from the deadline rules, the audits' report dates and today, which the
# workbook does not carry: the rest must come back the same.
DERIVED = {"Plan due", "Closure due", "Days left", "Overdue"}


def sheet_cells(path: Path) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(path, read_only=True)
    out = {}
    for name in ("Findings", "Actions", "Effectiveness reviews"):
        rows = list(book[name].iter_rows(values_only=True))
        headings = rows[0]
        out[name] = sorted(
            (
                {
                    h: v
                    for h, v in zip(headings, r + (None,) * len(headings), strict=False)
                    if h not in DERIVED
                }
                for r in rows[1:]
            ),
            key=lambda d: str(d.get("Ref") or d.get("Finding")) + str(d.get("Method")),
        )
    book.close()
    return out


def test_carapps_own_export_imports_back_into_an_equal_register(
    demo: Register, tmp_path: Path
) -> None:
    exported = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "register.xlsx")
    fresh = op.create_register(tmp_path / "copy.sqlite", "Northwind Logistics Ltd")
    try:
        plan = plan_of(fresh, exported)
        assert plan.errors == [], plan.report()
        result = run_import(fresh, plan, today=TODAY)
        assert result.skipped == 0
        again = write_register_xlsx(fresh, ExportScope(TODAY), tmp_path / "again.xlsx")
    finally:
        fresh.close()
    before, after = sheet_cells(exported), sheet_cells(again)
    for name in before:
        assert len(after[name]) == len(before[name]), name
        for old, new in zip(before[name], after[name], strict=True):
            assert new == old, (name, old.get("Ref") or old.get("Finding"))


def test_exported_and_imported_back_into_the_same_register_adds_nothing(
    demo: Register, tmp_path: Path
) -> None:
    exported = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "register.xlsx")
    before = history_count(demo)
    plan = plan_of(demo, exported)
    assert (plan.created, plan.updated) == (0, 0) and plan.unchanged == 300
    assert history_count(demo) == before


def test_a_second_import_never_undoes_work_done_in_carapp(
    register: Register, foreign: Path, tmp_path: Path
) -> None:
    imported(register, foreign)
    ref = by_source(register)["NC-017"].ref
    tom = next(pid for pid, name in list_people(register) if name == "Tom Okafor")
    op.record_containment(register, ref, "Disabled both VPN accounts", dt.date(2025, 2, 4), tom)
    op.move(register, ref, Stage.CONTAINED)
    assert by_source(register)["NC-017"].stage is Stage.CONTAINED
    again = imported(register, foreign)  # the old file, which says nothing of it
    assert again.updated == ()
    kept = by_source(register)["NC-017"]
    assert kept.stage is Stage.CONTAINED and kept.containment.what == "Disabled both VPN accounts"

    # A newer copy of the spreadsheet that records a category moves the finding on.
    headings = (*HEADINGS, "Cause category")
    rows = [(*r, "Process design" if r[0] == "NC-017" else "") for r in ROWS]
    rows = [tuple("Planned" if c == "Open" and r[0] == "NC-017" else c for c in r) for r in rows]
    newer = write_xlsx(tmp_path / "NC register 2025 v3.xlsx", headings, rows)
    result = imported(register, newer)
    assert result.updated == (ref,)
    moved = by_source(register)["NC-017"]
    assert moved.current_root_causes[0].category is CauseCategory.PROCESS_DESIGN
    assert moved.stage is Stage.CAUSE_FOUND  # planned claimed; the action has no outcome


def test_the_result_names_every_record_the_import_wrote(register: Register, foreign: Path) -> None:
    result = imported(register, foreign)
    with register.sessions() as session:
        ids = set(session.scalars(select(Finding.id)))
    assert result.changes.findings == ids
    assert len(result.changes.actions) == 1 and len(result.changes.people) == 1


def test_a_date_merged_down_over_several_findings_is_the_date_of_each(
    register: Register, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Date raised", "Finding", "Grade", "Details"])
    sheet.append(["S-1", dt.datetime(2025, 3, 4), "Visitor book incomplete", "Minor", "Across"])
    sheet.append(["S-2", None, "Server room door propped open", "Minor", None])
    sheet.append(["S-3", None, "No clear desk checks", "Observation", None])
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("E2:F2")  # merged across: the first column only
    path = tmp_path / "surveillance.xlsx"
    book.save(path)
    plan = plan_of(register, path, date_order=DateOrder.DMY)
    assert plan.ok, plan.report()
    run_import(register, plan, today=TODAY)
    found = by_source(register)
    assert {ref: f.identified for ref, f in found.items()} == dict.fromkeys(
        ("S-1", "S-2", "S-3"), dt.date(2025, 3, 4)
    )
    assert found["S-2"].statement == ""


def test_a_register_that_numbers_afresh_each_year_never_overwrites_last_years(
    register: Register, tmp_path: Path
) -> None:
    headings = ("NC No.", "Date raised", "Finding", "Grade")
    last_year = write_xlsx(
        tmp_path / "2024.xlsx", headings, [("NC-1", "2024-03-02", "No DPIA for HR system", "Major")]
    )
    this_year = write_xlsx(
        tmp_path / "2025.xlsx", headings, [("NC-1", "2025-02-10", "Visitor log gaps", "Minor")]
    )
    imported(register, last_year)
    plan = plan_of(register, this_year)
    assert (plan.created, plan.updated) == (1, 0)
    (note,) = [p for p in plan.flags if p.value == "NC-1"]
    assert "imported before for another finding" in note.reason
    run_import(register, plan, today=TODAY)
    with register.sessions() as session:
        titles = set(session.scalars(select(Finding.title).where(Finding.source_ref == "NC-1")))
    assert titles == {"No DPIA for HR system", "Visitor log gaps"}
    # Each file, imported again, finds its own finding.
    assert imported(register, last_year).unchanged == 1
    assert imported(register, this_year).unchanged == 1


def test_notes_totals_and_repeated_headings_are_left_out_and_unreadable_extras_flagged(
    register: Register, tmp_path: Path
) -> None:
    headings = ("Ref", "Date raised", "Finding", "Grade", "Due date", "Status")
    rows: list[tuple[Any, ...]] = [
        ("Q-1", "2025-02-03", "Door propped open", "Minor", "TBC", "Awaiting evidence"),
        ("Stage 2 audit, March",),
        headings,
        ("Q-2", "2025-03-10", "Visitor book gaps", "Minor", "2025-04-30", "Ongoing-ish"),
        ("Total", 2),
        ("Notes: review this register monthly",),
    ]
    path = write_xlsx(tmp_path / "sections.xlsx", headings, rows)
    plan = plan_of(register, path)
    assert plan.ok, plan.report()
    assert plan.created == 2 and plan.skipped == 4
    left_out = {p.row for p in plan.flags if "left out" in p.reason}
    assert left_out == {5, 6, 8, 9}
    tbc = next(p for p in plan.flags if p.value == "TBC")
    assert tbc.column == "Due date" and tbc.reason.endswith("left blank")
    assert any(p.value == "Ongoing-ish" and not p.blocking for p in plan.flags)
    run_import(register, plan, today=TODAY)
    found = by_source(register)
    assert found["Q-1"].current_actions == ()  # its only action cell, "TBC", was blank
    assert set(found) == {"Q-1", "Q-2"}


def test_headings_without_rows_are_refused_in_a_sentence(
    register: Register, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "blank template.xlsx", HEADINGS, [])
    with pytest.raises(InvalidInputError, match="no rows under them"):
        plan_of(register, path)


def test_an_imported_finding_keeps_where_it_came_from_and_its_flags_in_history(
    register: Register, foreign: Path
) -> None:
    result = imported(register, foreign)
    supplier = by_source(register)["NC-018"]
    created = next(h for h in supplier.history if h.note.startswith("Imported from"))
    assert f"{foreign.name}, row 5 (NC-018)" in created.note
    assert "Flagged for review" in created.note and "“Closed”" in created.note
    assert "closed on 2025-02-28" in created.note
    with register.sessions() as session:
        report = json.loads(session.get_one(RegisterImport, result.import_id).report)
    assert any("Row 5, Status “Closed”" in line for line in report)


def test_the_command_line_names_the_other_sheets_that_look_like_registers(
    register: Register, tmp_path: Path
) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Open"
    first.append(["Ref", "Date raised", "Finding", "Grade"])
    first.append(["O-1", "2025-02-03", "Door propped open", "Minor"])
    closed = book.create_sheet("Closed")
    closed.append(["Ref", "Date raised", "Finding", "Grade"])
    for n in range(3):
        closed.append([f"C-{n}", "2024-05-06", f"Old finding {n}", "Minor"])
    path = tmp_path / "tabs.xlsx"
    book.save(path)
    args = ("--register", str(register.path), "import", str(path), "--dry-run")
    result = carapp(*args)
    assert result.returncode == 0, result.stderr
    assert "other sheets that look like a register: Open (1 row)" in result.stderr
    assert "--sheet" in result.stderr
    chosen = carapp(*args, "--sheet", "open")
    assert "1 finding would be created" in chosen.stdout and "other sheets" not in chosen.stderr
