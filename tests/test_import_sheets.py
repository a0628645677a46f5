"""Spreadsheets other people made, built on disk in the layouts people use, read into
tables: header rows under titles, merged and two-row headers, several sheets, .xlsm,
hand-written workbook XML as Excel writes it, CSV in three encodings and three delimiters,
every refusal with the sentence that says why, and carapp's own export read back cell for
cell as openpyxl reads it."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.escape import unescape

from carapp.exports.scope import ExportScope
from carapp.exports.xlsx import write_register_xlsx
from carapp.imports import sheets
from carapp.imports.fields import Field
from carapp.imports.headings import auto_map
from carapp.imports.sheets import ImportFileError, Spreadsheet, Table, read_spreadsheet
from carapp.models.enums import Classification, Stage
from carapp.store import Register
from carapp.workbook_layout import ACTION_COLUMNS, FINDING_COLUMNS, REVIEW_COLUMNS
from tests.conftest import TODAY, World, demo_register

HEADINGS = ["NC No.", "Date raised", "Finding", "Details", "Grade", "Clause", "Owner", "Due date"]
ROWS: list[list[Any]] = [
    ["NC-01", dt.date(2025, 2, 3), "Leavers keep accounts", "3 of 12 active", "Minor", "A.5.18",
     "Tom", dt.date(2025, 3, 31)],
    ["NC-02", dt.date(2025, 2, 4), "No restore test", "Backups never restored", "Major", "A.8.13",
     "Priya", dt.date(2025, 4, 30)],
]  # fmt: skip


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def register_sheet(wb: Workbook, title: str = "Register") -> Any:
    ws = wb.active if wb.active is not None and wb.active.max_row == 1 else wb.create_sheet()
    ws.title = title
    return ws


def as_dates(row: list[Any]) -> tuple[Any, ...]:
    """A row as read: openpyxl writes dates as datetimes at midnight."""
    return tuple(dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in row)


# --- Workbooks ------------------------------------------------------------------------


def test_header_under_a_merged_title_and_blank_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws["A1"] = "Northwind Logistics: corrective action register"
    ws.merge_cells("A1:H1")
    ws["A2"] = "Owner: ISMS manager    Last reviewed: 2025-02-10"
    # Rows 3 and 4 are blank.
    for col, heading in enumerate(HEADINGS, start=1):
        ws.cell(row=5, column=col, value=heading)
    for r, row in enumerate(ROWS, start=6):
        for col, value in enumerate(row, start=1):
            ws.cell(row=r, column=col, value=value)
    ws.cell(row=9, column=1, value="NC-03")  # a blank row 8 above it, and ending early
    ws.cell(row=9, column=3, value="  Spare keys  ")
    path = save(wb, tmp_path / "register.xlsx")

    book = read_spreadsheet(path)

    assert book.kind == "xlsx" and book.path == path and book.sha256 == sha(path)
    assert book.encoding is None and book.delimiter is None
    (table,) = book.tables
    assert table.name == "Register" and book.proposed is table
    assert table.header_row == 5
    assert table.headings == tuple(HEADINGS)
    assert table.score == 8
    assert table.rows == (
        (6, as_dates(ROWS[0])),
        (7, as_dates(ROWS[1])),
        (9, ("NC-03", None, "  Spare keys  ", None, None, None, None, None)),
    )
    assert auto_map(table.headings) == (
        Field.REF, Field.IDENTIFIED_ON, Field.TITLE, Field.STATEMENT, Field.CLASSIFICATION,
        Field.REQUIREMENTS, Field.ACTION_OWNER, Field.ACTION_TARGET,
    )  # fmt: skip


def test_a_two_row_header_under_merged_groups(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws["A1"] = "Corrective Action Register"
    ws.merge_cells("A1:I1")
    ws.append(
        ["Ref", "Nonconformity", None, None, "Corrective action", None, None, "Status", "Notes"]
    )
    ws.append([None, "Title", "Date raised", "Clause", "Description", "Owner", "Due date", None,
               None])  # fmt: skip
    for merged in ("A2:A3", "B2:D2", "E2:G2", "H2:H3", "I2:I3"):
        ws.merge_cells(merged)
    ws.append(["NC-1", "Leavers", dt.date(2025, 2, 3), "A.5.18", "Add an IT step", "Tom",
               dt.date(2025, 3, 1), "Open", "-"])  # fmt: skip
    path = save(wb, tmp_path / "two-row.xlsx")

    table = read_spreadsheet(path).proposed

    assert table.header_row == 3
    assert table.headings == (
        "Ref",  # merged down over both header rows
        "Nonconformity Title",  # the two together name a field
        "Nonconformity Date raised",
        "Clause",  # the sub-heading alone names a field, the two together none
        "Corrective action Description",  # "Description" alone would be the statement
        "Corrective action Owner",
        "Corrective action Due date",
        "Status",
        "Notes",
    )
    assert auto_map(table.headings) == (
        Field.REF, Field.TITLE, Field.IDENTIFIED_ON, Field.REQUIREMENTS, Field.ACTION,
        Field.ACTION_OWNER,
        Field.ACTION_TARGET, Field.STATUS, None,
    )  # fmt: skip
    assert table.rows == (
        (4, ("NC-1", "Leavers", dt.datetime(2025, 2, 3), "A.5.18", "Add an IT step", "Tom",
             dt.datetime(2025, 3, 1), "Open", "-")),
    )  # fmt: skip


def test_a_group_whose_sub_headings_add_nothing_is_still_above_the_header(
    tmp_path: Path,
) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws.append(["Ref", "Finding", "Status", "Owner", "Dates", None])
    ws.append([None, None, None, None, "Raised", "Closed"])
    for merged in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"):
        ws.merge_cells(merged)
    ws.append(["NC-1", "Leavers", "Open", "Tom", dt.date(2025, 2, 3), None])
    table = read_spreadsheet(save(wb, tmp_path / "r.xlsx")).proposed
    assert table.header_row == 2
    assert table.headings == ("Ref", "Finding", "Status", "Owner", "Dates Raised", "Dates Closed")
    assert [n for n, _ in table.rows] == [3]


def test_horizontally_merged_heading_covers_its_columns(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws.append(["Ref", "Title", "Description", None, "Status"])
    ws.merge_cells("C1:D1")
    ws.append(["NC-1", "Leavers", "Three of twelve", "sampled in Q1", "Open"])
    table = read_spreadsheet(save(wb, tmp_path / "r.xlsx")).proposed
    assert table.headings == ("Ref", "Title", "Description", "Description", "Status")
    # The field goes to the first of the two columns.
    assert auto_map(table.headings)[2:4] == (Field.STATEMENT, None)


def test_several_sheets_the_register_not_first(tmp_path: Path) -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Corrective action register"])
    cover.append(["Owner", "ISMS manager"])
    cover.append(["Findings", 2])
    wb.create_sheet("Empty")
    lookups = wb.create_sheet("Lookups")
    lookups.append(["Classification", "Status"])
    lookups.append(["Major", "Open"])
    actions = wb.create_sheet("Actions")
    actions.append(["Action ID", "Owner", "Target date"])
    actions.append(["CA-1", "Tom", dt.date(2025, 3, 1)])
    ws = wb.create_sheet("NC Register")
    ws.append(HEADINGS)
    for row in ROWS:
        ws.append(row)
    wb.create_chartsheet("Chart")
    path = save(wb, tmp_path / "workbook.xlsx")

    book = read_spreadsheet(path)

    assert [t.name for t in book.tables] == ["Actions", "NC Register"]
    assert book.proposed.name == "NC Register"
    assert dict(book.skipped) == {
        "Cover": "none of its first 30 rows names three register fields",
        "Empty": "it is empty",
        "Lookups": "none of its first 30 rows names three register fields",
        "Chart": "it holds a chart, not rows",
    }
    assert book.table("nc register") is book.proposed
    assert book.table(" ACTIONS ").headings == ("Action ID", "Owner", "Target date")
    with pytest.raises(ImportFileError) as missing:
        book.table("Findings")
    assert str(missing.value) == (
        "workbook.xlsx has no sheet called “Findings”; the sheets with a register are "
        "“Actions”, “NC Register”."
    )
    with pytest.raises(ImportFileError) as cover_asked:
        book.table("cover")
    assert str(cover_asked.value) == (
        "The sheet “Cover” of workbook.xlsx has no register to import (none of its first 30 "
        "rows names three register fields); choose one of “Actions”, “NC Register”."
    )


def test_proposed_is_the_highest_score_then_the_most_rows_then_the_first() -> None:
    def table(name: str, score: int, rows: int) -> Table:
        return Table(name, 1, ("Ref",), tuple((i + 2, ("x",)) for i in range(rows)), score)

    def book(*tables: Table) -> Spreadsheet:
        return Spreadsheet(Path("x.xlsx"), "0" * 64, "xlsx", tables, ())

    assert book(table("a", 3, 9), table("b", 5, 1)).proposed.name == "b"
    assert book(table("a", 5, 1), table("b", 5, 4)).proposed.name == "b"
    assert book(table("a", 5, 4), table("b", 5, 4)).proposed.name == "a"


def test_an_xlsm_reads_and_its_macros_stay_unloaded(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws.append(HEADINGS)
    ws.append(ROWS[0])
    ws["I2"] = '=HYPERLINK("http://example.com")'  # no cached value: never computed here
    path = save(wb, tmp_path / "register.xlsm")
    with zipfile.ZipFile(path, "a") as archive:
        # What Excel stores a workbook's macros in; nothing reads it.
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 Attribute VB_Name = Auto_Open")
    before, mtime = sha(path), path.stat().st_mtime_ns

    book = read_spreadsheet(path)

    assert book.kind == "xlsx" and book.sha256 == before
    table = book.proposed
    assert table.rows == ((2, as_dates(ROWS[0])),)  # the formula column has no heading
    assert sha(path) == before and path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("chunk", [1 << 20, 16])
def test_cells_as_excel_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Hand-written package parts in the forms Excel and LibreOffice use and openpyxl
    never writes: shared strings with rich runs and phonetic guides, a namespace prefix,
    number formats for dates, cells and rows without references, booleans, errors,
    formulas with cached values, the 1904 date system and the _x000D_ escape; read a
    megabyte of rows at a time, or a row at a time."""
    monkeypatch.setattr(sheets, "_CHUNK", chunk)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<x:workbook xmlns:x="{main}" xmlns:r="{rel}">'
        '<x:workbookPr date1904="1"/><x:sheets>'
        '<x:sheet name="Log" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">'
        "<si><t>Ref</t></si>"
        '<si><r><rPr><b/></rPr><t>Date </t></r><r><t xml:space="preserve">raised</t></r></si>'
        '<si><t>Finding</t><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>'
        "<si><t>Status</t></si>"
        "<si><t>Line one_x000D_\nline two &amp; more</t></si>"
        "<si><t>Closed?</t></si>"
        "</sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{main}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
        '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/>'
        '<xf numFmtId="2"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<x:worksheet xmlns:x="{main}"><x:dimension ref="A1:E5"/>'
        "<x:sheetData>"
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c>'
        '<x:c r="E1" t="s"><x:v>5</x:v></x:c></x:row>'
        # No references: the row follows the last, the cells run from column A.
        '<x:row><x:c t="str"><x:f>"NC-"&amp;1</x:f><x:v>NC-1</x:v></x:c>'
        '<x:c s="1"><x:v>1</x:v></x:c><x:c t="s"><x:v>4</x:v></x:c>'
        '<x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="3" spans="1:5"/>'
        '<x:row r="5"><x:c r="B5" s="2"><x:v>44000</x:v></x:c>'
        '<x:c r="C5" s="3"><x:v>12.5</x:v></x:c><x:c r="D5"><x:f>1+1</x:f></x:c>'
        '<x:c r="E5" t="inlineStr"><x:is><x:t>0</x:t></x:is></x:c></x:row>'
        '</x:sheetData><x:mergeCells count="0"/></x:worksheet>',
    }
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)

    table = read_spreadsheet(path).proposed

    assert table.name == "Log" and table.header_row == 1
    assert table.headings == ("Ref", "Date raised", "Finding", "Status", "Closed?")
    assert table.rows == (
        (2, ("NC-1", dt.datetime(1904, 1, 2), "Line one\r\nline two & more", "#N/A", True)),
        (5, (None, dt.datetime(2024, 6, 19), 12.5, None, "0")),
    )


def test_every_cell_of_carapps_export_reads_as_openpyxl_reads_it(
    demo: Register, tmp_path: Path
) -> None:
    path = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "demo.xlsx")
    book = read_spreadsheet(path)
    reference = load_workbook(path, data_only=True)
    for table in book.tables:
        ws = reference[table.name]
        expected = [
            (row[0].row, tuple(unescape(c.value) if isinstance(c.value, str) else c.value
                               for c in row))
            for row in ws.iter_rows(min_row=2)
            if any(c.value is not None for c in row)
        ]  # fmt: skip
        assert list(table.rows) == expected, table.name
        assert table.headings == tuple(c.value for c in ws[1])
    assert len(book.table("Findings").rows) == 60


def test_reading_a_row_at_a_time_reads_the_same(
    demo: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_register_xlsx(demo, ExportScope(TODAY), tmp_path / "demo.xlsx")
    whole = read_spreadsheet(path)
    monkeypatch.setattr(sheets, "_CHUNK", 1)
    assert read_spreadsheet(path) == whole


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=60, seed=12)


def test_carapps_own_export_proposes_findings(world: World, tmp_path: Path) -> None:
    refs = []
    for stage in (Stage.IDENTIFIED, Stage.ACTIONS_PLANNED, Stage.CLOSED):
        ref = world.nc(Classification.MINOR, title=f"Leavers keep access ({stage.label})")
        if stage is not Stage.IDENTIFIED:
            world.advance(ref, stage)
        refs.append(ref)
    path = write_register_xlsx(world.register, ExportScope(TODAY), tmp_path / "export.xlsx")

    book = read_spreadsheet(path)

    assert [t.name for t in book.tables] == ["Findings", "Actions", "Effectiveness reviews"]
    assert book.skipped == (("Cover", "none of its first 30 rows names three register fields"),)
    findings = book.proposed
    assert findings.name == "Findings"
    assert findings.header_row == 1  # nothing above it
    assert findings.headings == tuple(c.name for c in FINDING_COLUMNS)
    assert [row[1][0] for row in findings.rows] == refs
    assert [n for n, _ in findings.rows] == [2, 3, 4]
    identified = findings.headings.index("Identified")
    assert findings.rows[0][1][identified] == dt.datetime(2026, 3, 3)
    assert book.table("Actions").headings == tuple(c.name for c in ACTION_COLUMNS)
    assert len(book.table("Actions").rows) == 2
    reviews = book.table("Effectiveness reviews")
    assert reviews.headings == tuple(c.name for c in REVIEW_COLUMNS)
    assert len(reviews.rows) == 1


def test_progress_hears_rows_read_up_to_the_total(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    ws.append(HEADINGS)
    for i in range(1200):
        ws.append([f"NC-{i}", dt.date(2025, 1, 1), "Title"])
    path = save(wb, tmp_path / "big.xlsx")
    heard: list[tuple[int, int]] = []
    table = read_spreadsheet(path, progress=lambda d, t: heard.append((d, t))).proposed
    assert len(table.rows) == 1200
    assert heard[0] == (0, 1201)
    assert heard[-1] == (1201, 1201)
    assert all(d <= t for d, t in heard) and [d for d, _ in heard] == sorted(d for d, _ in heard)


def test_progress_counts_the_rows_of_a_sheet_without_a_dimension(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)  # writes no <dimension>
    ws = wb.create_sheet("Register")
    ws.append(HEADINGS)
    for i in range(700):
        ws.append([f"NC-{i}", dt.date(2025, 1, 1), "Title"])
    path = tmp_path / "streamed.xlsx"
    wb.save(path)
    heard: list[tuple[int, int]] = []
    read_spreadsheet(path, progress=lambda d, t: heard.append((d, t)))
    assert heard == [(0, 701), (500, 701), (701, 701)]


# --- CSV ------------------------------------------------------------------------------

CSV_TEXT = (
    "Corrective action register — Café Zürich\n"
    "\n"
    "Ref,Date raised,Finding,Details,Status,Cost\n"
    'NC-01,03/02/2025,Leavers keep accounts,"Three of twelve: “still active”\nsee HR list",'
    "Open,£120\n"
    "  NC-02 ,04/02/2025,Café keys, Über-admin shares one password ,Closed,\n"
    ",,,,,\n"
    "NC-03,05/02/2025\n"
)
CSV_ROWS = (
    (4, ("NC-01", "03/02/2025", "Leavers keep accounts",
         "Three of twelve: “still active”\nsee HR list", "Open", "£120")),
    (5, ("NC-02", "04/02/2025", "Café keys", "Über-admin shares one password", "Closed", None)),
    (7, ("NC-03", "05/02/2025", None, None, None, None)),
)  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_each_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = CSV_TEXT.replace(",", delimiter)
    path = tmp_path / "register.csv"
    # Excel ends records with CRLF; a quoted line break stays as typed.
    path.write_bytes(text.replace("\n", "\r\n").replace("“still active”\r\n", "“still active”\n")
                     .encode(encoding))  # fmt: skip

    book = read_spreadsheet(path)

    assert book.kind == "csv" and book.encoding == encoding and book.delimiter == delimiter
    assert book.sha256 == sha(path) and book.skipped == ()
    (table,) = book.tables
    assert table.name == "register.csv"
    assert table.header_row == 3
    assert table.headings == ("Ref", "Date raised", "Finding", "Details", "Status", "Cost")
    # Rows are records, numbered as a spreadsheet numbers them: the line break inside
    # the quotes does not start a row.
    assert table.rows == CSV_ROWS
    assert table.score == 5


def test_csv_semicolons_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Ref;Title;Status;Cost\nNC-1;Leavers, and more;Open;1,5\nNC-2;Keys;Open;2,0\n")
    book = read_spreadsheet(path)
    assert book.delimiter == ";"
    assert book.proposed.rows[0] == (2, ("NC-1", "Leavers, and more", "Open", "1,5"))


def test_csv_with_excels_sep_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("sep=;\nRef;Title;Status\nNC-1;Leavers, and more;Open\n")
    book = read_spreadsheet(path)
    assert book.delimiter == ";"
    # Excel hides the sep line: the rows are numbered as it shows them.
    assert book.proposed.header_row == 1
    assert book.proposed.rows == ((2, ("NC-1", "Leavers, and more", "Open")),)


def test_csv_progress_and_record_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    body = "".join(f'NC-{i},"Line\nbreak",Open\n' for i in range(1000))
    path.write_text("Ref,Title,Status\n" + body)
    heard: list[tuple[int, int]] = []
    table = read_spreadsheet(path, progress=lambda d, t: heard.append((d, t))).proposed
    # Records, not lines: the row a spreadsheet shows.
    assert table.rows[-1] == (1001, ("NC-999", "Line\nbreak", "Open"))
    assert heard[0][0] == 0 and heard[-1] == (1001, 1001)


# --- Refusals -------------------------------------------------------------------------


def refused(path: Path) -> str:
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(ImportFileError) as error:
        read_spreadsheet(path)
    if before is not None:
        assert path.read_bytes() == before  # never touched
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message
    return message


def a_register(path: Path) -> Path:
    wb = Workbook()
    ws = register_sheet(wb)
    ws.append(HEADINGS)
    for _ in range(40):
        for row in ROWS:
            ws.append(row)
    return save(wb, path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    message = refused(tmp_path / "nowhere.xlsx")
    assert "There is no file at" in message and "check the name and the folder" in message
    assert "is a folder, not a spreadsheet" in refused(tmp_path)


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.xlsm"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert f"{name} is empty (0 bytes)" in refused(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_text("Ref,Title\nNC-1,Leavers\n")
    message = refused(path)
    assert "register.xlsx is not an Excel workbook, although its name ends in .xlsx" in message
    assert "save it as .xlsx or .csv" in message


def test_truncated_workbook(tmp_path: Path) -> None:
    whole = a_register(tmp_path / "whole.xlsx").read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    message = refused(path)
    assert "half.xlsx is damaged or incomplete" in message
    assert "copied or downloaded, do that again" in message


def test_corrupt_part_in_a_sound_zip(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.xlsx"
    with (
        zipfile.ZipFile(a_register(tmp_path / "good.xlsx")) as good,
        zipfile.ZipFile(path, "w") as bad,
    ):
        for item in good.infolist():
            data = good.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # XML cut off mid-element
            bad.writestr(item, data)
    assert "corrupt.xlsx is damaged or incomplete" in refused(path)


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "document.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "document.xlsx is damaged or incomplete" in refused(path)


def test_password_protected(tmp_path: Path) -> None:
    # An encrypted workbook is an OLE compound file holding EncryptionInfo and
    # EncryptedPackage streams, whatever its name.
    path = tmp_path / "locked.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
    )
    message = refused(path)
    assert "locked.xlsx is password-protected (encrypted)" in message
    assert "remove the password" in message
    bare = tmp_path / "ole.xlsx"
    bare.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    assert "ole.xlsx is password-protected" in refused(bare)


def test_legacy_xls(tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"))
    message = refused(xls)
    assert "old.xls is an Excel 97-2003 workbook (.xls)" in message
    assert "save it as .xlsx or .csv" in message
    renamed = tmp_path / "old.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert "old.xlsx is an Excel 97-2003 workbook (.xls) with an .xlsx name" in refused(renamed)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("register.txt", "register.txt is a .txt file"),
        ("register.PDF", "register.PDF is a .pdf file"),
        ("register", "register is a file without an extension"),
    ],
)
def test_unknown_extension(tmp_path: Path, name: str, what: str) -> None:
    path = tmp_path / name
    path.write_text("Ref,Title,Status\nNC-1,Leavers,Open\n")
    message = refused(path)
    assert message.startswith(what)
    assert "carapp imports only Excel workbooks (.xlsx, .xlsm) and CSV files (.csv)" in message


def test_empty_workbook(tmp_path: Path) -> None:
    wb = Workbook()
    wb.create_sheet("Second")
    message = refused(save(wb, tmp_path / "blank.xlsx"))
    assert "blank.xlsx has no data: every sheet in it is empty" in message


def test_workbook_without_register_headings(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb, "Budget")
    ws.append(["Quarter", "Spend", "Forecast"])
    ws.append(["Q1", 1200, 1500])
    message = refused(save(wb, tmp_path / "budget.xlsx"))
    assert "budget.xlsx has no sheet that looks like a register (“Budget”)" in message
    assert "a title or description, a date raised" in message and "a status" in message


def test_a_header_below_the_rows_searched_is_not_found(tmp_path: Path) -> None:
    wb = Workbook()
    ws = register_sheet(wb)
    for i in range(30):
        ws.append([f"Note {i}"])
    ws.append(HEADINGS)
    ws.append(ROWS[0])
    assert "has no sheet that looks like a register" in refused(save(wb, tmp_path / "deep.xlsx"))


def test_csv_refusals(tmp_path: Path) -> None:
    blank = tmp_path / "blank.csv"
    blank.write_text("\n \n,,\n")
    assert "blank.csv has no data" in refused(blank)
    budget = tmp_path / "budget.csv"
    budget.write_text("Quarter,Spend\nQ1,1200\n")
    message = refused(budget)
    assert "budget.csv does not look like a register" in message and "a status" in message
    utf16 = tmp_path / "unicode.csv"
    utf16.write_text("Ref\tTitle\tStatus\nNC-1\tLeavers\tOpen\n", encoding="utf-16")
    assert "unicode.csv is not a CSV file carapp can read (it is UTF-16" in refused(utf16)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert "not text at all" in refused(binary)
    undefined = tmp_path / "odd.csv"
    undefined.write_bytes(b"Ref,Title,Status\nNC-1,\x81\x8d,Open\n")  # not cp1252 either
    assert "odd.csv is neither UTF-8 nor Windows-1252 text" in refused(undefined)


def test_files_too_large_for_a_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The limit is a gigabyte; a small one stands in for it (a zip bomb takes long to make).
    workbook = a_register(tmp_path / "huge.xlsx")
    table = tmp_path / "huge.csv"
    table.write_text("Ref,Title,Status\n" + "NC-1,Leavers,Open\n" * 200)
    # Packed, the workbook is within the limit; unpacked, beyond it.
    monkeypatch.setattr(sheets, "_MAX_BYTES", workbook.stat().st_size)
    assert "huge.xlsx unpacks to more than 1 GB" in refused(workbook)
    monkeypatch.setattr(sheets, "_MAX_BYTES", table.stat().st_size - 1)
    assert "huge.csv is larger than 1 GB" in refused(table)
