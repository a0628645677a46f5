"""The Excel register read back with openpyxl (and LibreOffice where installed) and compared
with the register as finding_detail reads it: every field, dates as dates, text that looks
like a formula kept as text, characters XML cannot hold replaced, filters, and a cancelled
export leaving the previous file as it was."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.worksheet.worksheet import Worksheet

from carapp import operations as op
from carapp.anchors import fingerprint
from carapp.exports.scope import Cancelled, ExportScope
from carapp.exports.xlsx import cell_text, write_register_xlsx
from carapp.models.enums import Classification, IsmsTarget, ReviewResult, Stage
from carapp.queries.findings import FindingDetail, finding_detail
from carapp.queries.register_table import RegisterFilter
from carapp.store import Register
from carapp.workbook_layout import ACTION_COLUMNS, FINDING_COLUMNS, REVIEW_COLUMNS
from tests.conftest import TODAY, World, demo_register

INJECTIONS = ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tX", "\rY")


def rows_of(ws: Worksheet) -> list[dict[str, Any]]:
    header = [c.value for c in ws[1]]
    return [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in ws.iter_rows(min_row=2)
        if any(c.value is not None for c in row)
    ]


def as_written(value: Any) -> Any:
    """A cell's value as the register holds it: dates are datetimes in a workbook, empty
    text is an empty cell, and a spreadsheet reads the _xHHHH_ escape as the character."""
    if isinstance(value, dt.datetime):
        assert value.time() == dt.time(0)
        return value.date()
    if isinstance(value, str):
        return unescape(value)
    return value


def lines(items: Any) -> str | None:
    return "\n".join(dict.fromkeys(i for i in items if i)) or None


def expected_finding(d: FindingDetail) -> dict[str, Any]:
    last = d.current_reviews[-1] if d.current_reviews else None
    containment = d.containment.what or (
        f"None needed: {d.containment.none_needed_reason}"
        if d.containment.none_needed_reason
        else ""
    )
    isms = {}
    for target in IsmsTarget:
        update = d.isms_update[target]
        isms[f"ISMS: {target.label}"] = (
            None
            if update.decision is None
            else f"{update.decision.label}: {update.note}"
            if update.note
            else update.decision.label
        )
    return {
        "Ref": d.ref,
        "CB ref": d.cb_ref or None,
        "Identified": d.identified,
        "Source": d.source.label,
        "Audit": d.audit,
        "Raised by": d.raised_by,
        "Title": d.title or None,
        "Statement": d.statement or None,
        "Evidence observed": d.evidence_observed or None,
        "Area": d.area or None,
        "Requirement codes": ", ".join(r.code for r in d.requirements) or None,
        "Requirements": "\n".join(f"{r.code} {r.title}" for r in d.requirements) or None,
        "Classification": d.classification.label,
        "Stage": d.stage.label,
        "Containment": containment or None,
        "Contained on": d.containment.on,
        "Contained by": d.containment.by,
        "Root cause": lines(c.statement for c in d.current_root_causes),
        "Cause category": lines(c.category.label for c in d.current_root_causes if c.category),
        "Cause justification": lines(c.symptom_justification for c in d.current_root_causes),
        "Actions": lines(f"{a.ref} ({a.status.label})" for a in d.current_actions),
        "Action owners": lines(a.owner for a in d.current_actions),
        "Plan due": d.plan_due,
        "Plan sent": d.plan_sent_on,
        "Closure due": d.closure_due,
        "Days left": d.days_left,
        "Overdue": "Yes" if d.overdue else "No",
        "Effectiveness result": last.result.label if last and last.result else None,
        "Effectiveness reviewer": last.reviewer if last else None,
        **isms,
        "Observation decision": (
            None
            if d.decision.decision is None
            else f"{d.decision.decision.label}: {d.decision.note}"
            if d.decision.note
            else d.decision.decision.label
        ),
        "Closed on": d.closed_on,
        "Void reason": d.void.reason if d.void and d.void.reason else None,
    }


@pytest.fixture
def stages(world: World) -> dict[Stage, str]:
    """One finding at each stage of the NC path, an observation, and one without audit."""
    refs = {}
    for stage in (Stage.IDENTIFIED, Stage.CONTAINED, Stage.ACTIONS_PLANNED, Stage.CLOSED):
        ref = world.nc(
            Classification.MAJOR if stage is Stage.CONTAINED else Classification.MINOR,
            title=f"Leavers keep access ({stage.label})",
        )
        if stage is not Stage.IDENTIFIED:
            world.advance(ref, stage)
        refs[stage] = ref
    refs[Stage.OPEN] = world.nc(Classification.OBSERVATION, audit=None, title="Spare keys")
    return refs


def export(world: World, tmp_path: Path, scope: ExportScope | None = None) -> Path:
    return write_register_xlsx(
        world.register, scope or ExportScope(TODAY), tmp_path / "register.xlsx"
    )


def test_every_field_of_every_finding_action_and_review(
    world: World, stages: dict[Stage, str], tmp_path: Path
) -> None:
    book = load_workbook(export(world, tmp_path))
    assert book.sheetnames == ["Cover", "Findings", "Actions", "Effectiveness reviews"]
    found = rows_of(book["Findings"])
    details = [finding_detail(world.register, row["Ref"], TODAY) for row in found]
    assert sorted(d.ref for d in details) == sorted(stages.values())
    assert [row["Ref"] for row in found] == sorted(stages.values())
    for row, detail in zip(found, details, strict=True):
        assert {k: as_written(v) for k, v in row.items()} == expected_finding(detail)
    closed = next(r for r in found if r["Ref"] == stages[Stage.CLOSED])
    assert closed["Stage"] == "Closed" and closed["Effectiveness result"] == "Effective"
    assert closed["Effectiveness reviewer"] == "Priya Natarajan"
    assert closed["Root cause"].startswith("Nobody owns the offboarding procedure")
    for name in ("Identified", "Contained on", "Closed on", "Closure due"):
        assert isinstance(closed[name], dt.datetime), name

    findings_ws = book["Findings"]
    for cell in findings_ws[2]:
        if isinstance(cell.value, dt.datetime):
            assert cell.number_format == "yyyy-mm-dd"

    actions = rows_of(book["Actions"])
    expected_actions = {
        a.ref: {
            "Ref": a.ref,
            "Findings": "\n".join(a.findings),
            "Kind": a.kind.label,
            "Description": a.description,
            "Expected outcome": a.outcome or None,
            "Owner": a.owner,
            "Target": a.target_on,
            "Status": a.status.label,
            "Completed on": a.completed_on,
            "Completion evidence": a.completion_evidence or None,
            "Attachments": "\n".join(a.attachments) or None,
            "Cancelled reason": a.cancelled_reason or None,
        }
        for d in details
        for a in d.actions
    }
    assert len(expected_actions) == 2
    assert [{k: as_written(v) for k, v in row.items()} for row in actions] == [
        expected_actions[ref] for ref in sorted(expected_actions)
    ]

    reviews = rows_of(book["Effectiveness reviews"])
    assert [{k: as_written(v) for k, v in row.items()} for row in reviews] == [
        {
            "Finding": d.ref,
            "Round": r.round,
            "Method": r.method or None,
            "Criteria": r.criteria or None,
            "Due": r.due_on,
            "Reviewer": r.reviewer,
            "Done on": r.done_on,
            "Result": r.result.label if r.result else None,
            "Notes": r.notes or None,
        }
        for d in details
        for r in d.reviews
    ]
    assert len(reviews) == 1


def test_cover_says_what_when_who_and_how_to_verify(
    world: World, stages: dict[Stage, str], tmp_path: Path
) -> None:
    scope = ExportScope(TODAY, RegisterFilter(classifications=frozenset({Classification.MINOR})))
    cover = load_workbook(export(world, tmp_path, scope))["Cover"]
    facts: dict[Any, Any] = {
        row[0].value: row[1].value if len(row) > 1 else None for row in cover.iter_rows()
    }
    full = fingerprint(world.register).full
    assert facts["Organisation"] == "Northwind Logistics Ltd"
    assert facts["Exported"] == "Findings with classification Minor NC"
    assert facts["Register fingerprint"] == full
    assert f"carapp check --anchor {full}" in facts["How to verify"]
    assert facts["Exported by"] and facts["Exported at"].endswith("UTC")
    assert facts["Findings"] == 3 and facts["Minor NC"] == 3 and facts["Major NC"] == 0
    assert facts["Closed"] == 1 and facts["Identified"] == 1 and facts["Actions planned"] == 1


def test_tables_freeze_and_print_setup(
    world: World, stages: dict[Stage, str], tmp_path: Path
) -> None:
    book = load_workbook(export(world, tmp_path))
    for title, columns, count in (
        ("Findings", FINDING_COLUMNS, 5),
        ("Actions", ACTION_COLUMNS, 2),
        ("Effectiveness reviews", REVIEW_COLUMNS, 1),
    ):
        ws = book[title]
        header = [c.value for c in ws[1]]
        assert header == [c.name for c in columns]
        assert len(set(header)) == len(header) and not any("\n" in h for h in header)
        (table,) = ws.tables.values()
        last = ws.cell(1, len(columns)).column_letter
        assert table.ref == f"A1:{last}{count + 1}"
        assert [c.name for c in table.tableColumns] == header
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert all(ws.column_dimensions[c.column_letter].width >= 7 for c in ws[1])
    title_cell = book["Findings"]["G2"]
    assert book["Findings"]["G1"].value == "Title" and title_cell.alignment.wrap_text


def _set(world: World, ref: str, **values: str) -> None:
    """Write text straight into the register file: carapp's own input refuses control
    characters, but a register edited by another tool may hold them."""
    path = world.register.engine.url.database
    assert path
    with sqlite3.connect(path) as conn:
        for column, value in values.items():
            conn.execute(f"UPDATE findings SET {column} = ? WHERE ref = ?", (value, ref))


def test_text_that_looks_like_a_formula_stays_text(world: World, tmp_path: Path) -> None:
    refs = {text: world.nc(title="Placeholder") for text in INJECTIONS}
    for text, ref in refs.items():
        _set(world, ref, title=text, area=text)
    path = export(world, tmp_path)
    ws = load_workbook(path)["Findings"]
    header = [c.value for c in ws[1]]
    title, area = header.index("Title"), header.index("Area")
    seen = {}
    for row in ws.iter_rows(min_row=2):
        for cell in (row[title], row[area]):
            assert cell.data_type == "s"
            assert isinstance(cell.value, str)
        seen[row[0].value] = (unescape(row[title].value), unescape(row[area].value))
    assert seen == {ref: (text, text) for text, ref in refs.items()}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_characters_xml_cannot_hold_are_replaced(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    _set(world, ref, statement="a\x00b\x07c\x1bd\ufffee\uffff f\tg\nh", area="_x0041_ as typed")
    ws = load_workbook(export(world, tmp_path))["Findings"]
    (row,) = rows_of(ws)
    assert row["Statement"] == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffd f\tg\nh"
    assert unescape(row["Area"]) == "_x0041_ as typed"
    assert cell_text("lone \ud800 surrogate\udfff") == "lone \ufffd surrogate\ufffd"


def test_filters_select_the_rows(world: World, stages: dict[Stage, str], tmp_path: Path) -> None:
    majors = ExportScope(TODAY, RegisterFilter(classifications=frozenset({Classification.MAJOR})))
    book = load_workbook(export(world, tmp_path, majors))
    assert [r["Ref"] for r in rows_of(book["Findings"])] == [stages[Stage.CONTAINED]]
    assert rows_of(book["Actions"]) == [] and rows_of(book["Effectiveness reviews"]) == []
    assert book["Actions"].tables["Actions"].ref == "A1:L2"

    audit = ExportScope(TODAY, RegisterFilter(audit_ref=world.audit))
    book = load_workbook(export(world, tmp_path, audit))
    refs = [r["Ref"] for r in rows_of(book["Findings"])]
    assert refs == sorted(r for s, r in stages.items() if s is not Stage.OPEN)
    assert {r["Audit"] for r in rows_of(book["Findings"])} == {world.audit}


@pytest.mark.parametrize("when", ["reading", "before saving"])
def test_cancel_leaves_the_previous_file_intact(
    world: World, stages: dict[Stage, str], tmp_path: Path, when: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    destination = write_register_xlsx(world.register, ExportScope(TODAY), folder / "r.xlsx")
    before = destination.read_bytes()
    op.record_containment(
        world.register, stages[Stage.IDENTIFIED], "Removed access.", TODAY, world.owner
    )

    def stop(done: int, total: int) -> None:
        if (when == "reading" and done > 0) or done == total:
            raise Cancelled

    with pytest.raises(Cancelled):
        write_register_xlsx(world.register, ExportScope(TODAY), destination, progress=stop)
    assert destination.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["r.xlsx"]
    assert [f for f in ALL_TEMP_FILES if Path(f).exists()] == []  # openpyxl's own

    heard: list[tuple[int, int]] = []
    write_register_xlsx(
        world.register, ExportScope(TODAY), destination, progress=lambda d, t: heard.append((d, t))
    )
    assert heard[0][0] == 0 and heard[-1][0] == heard[-1][1] > 0
    assert [d for d, _ in heard] == sorted(d for d, _ in heard)
    assert destination.read_bytes() != before
    rows = {r["Ref"]: r for r in rows_of(load_workbook(destination)["Findings"])}
    assert rows[stages[Stage.IDENTIFIED]]["Containment"] == "Removed access."


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_same_values(world: World, tmp_path: Path) -> None:
    ref = world.nc(title="Placeholder")
    world.advance(ref, Stage.CLOSED)
    odd = world.nc(title="Placeholder")
    _set(world, odd, title='=HYPERLINK("http://x")', area="\rY", statement="a\x07b «Łódź»")
    path = export(world, tmp_path)
    out = tmp_path / "csv"
    soffice = _soffice()
    assert soffice
    # Every sheet as its own UTF-8 CSV, values as shown (dates as yyyy-mm-dd).
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            *("--convert-to", options, "--outdir", str(out), str(path)),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (out / "register-Findings.csv").open(encoding="utf-8", newline="") as f:
        lo = list(csv.reader(f))
    ws = load_workbook(path)["Findings"]
    ours = [
        [
            ""
            if c.value is None
            else c.value.date().isoformat()
            if isinstance(c.value, dt.datetime)
            else unescape(str(c.value))
            for c in row
        ]
        for row in ws.iter_rows()
    ]
    assert lo == ours
    header = lo[0]
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in lo[1:]}
    assert by_ref[odd]["Title"] == '=HYPERLINK("http://x")'
    assert by_ref[odd]["Area"] == "\rY"
    assert by_ref[odd]["Statement"] == "a\ufffdb «Łódź»"
    assert by_ref[ref]["Closed on"] == "2026-07-10"


def test_a_failed_review_shows_the_new_round(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref, ReviewResult.NOT_EFFECTIVE)
    world.find_cause(ref)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.cycle == 2
    book = load_workbook(export(world, tmp_path))
    (row,) = rows_of(book["Findings"])
    assert {k: as_written(v) for k, v in row.items()} == expected_finding(detail)
    # This round has a cause and no action or review yet; the first round's stay listed.
    assert row["Actions"] is None and row["Effectiveness result"] is None
    assert [r["Ref"] for r in rows_of(book["Actions"])] == [action]
    (review,) = rows_of(book["Effectiveness reviews"])
    assert (review["Round"], review["Result"]) == (1, "Not effective")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=300, seed=5)


def test_a_demo_register_reads_as_finding_detail_does(demo: Register, tmp_path: Path) -> None:
    """Every kind of finding the demo makes (voids, disputes, observations, extensions,
    several actions, several rounds): the flat read equals finding_detail, cell by cell."""
    path = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "demo.xlsx")
    book = load_workbook(path)
    found = rows_of(book["Findings"])
    assert len(found) == 300
    details = [finding_detail(demo, row["Ref"], TODAY) for row in found]
    for row, detail in zip(found, details, strict=True):
        assert {k: as_written(v) for k, v in row.items()} == expected_finding(detail)
    assert {d.stage for d in details} >= set(Stage) - {Stage.DISPUTED}
    actions = {a.ref: a for d in details for a in d.actions}
    rows = rows_of(book["Actions"])
    assert [r["Ref"] for r in rows] == sorted(actions)
    for r in rows:
        a = actions[r["Ref"]]
        assert (r["Owner"], as_written(r["Target"]), r["Status"]) == (
            a.owner,
            a.target_on,
            a.status.label,
        )
        assert r["Findings"] == "\n".join(a.findings)
        assert r["Attachments"] == ("\n".join(a.attachments) or None)
    reviews = [(d.ref, r.round, r.due_on, r.reviewer) for d in details for r in d.reviews]
    assert [
        (r["Finding"], r["Round"], as_written(r["Due"]), r["Reviewer"])
        for r in rows_of(book["Effectiveness reviews"])
    ] == reviews
