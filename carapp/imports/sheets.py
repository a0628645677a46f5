"""A spreadsheet someone else made, read into tables: each sheet of an .xlsx or .xlsm
workbook, or a .csv file, with its header row found under any title rows, and its rows.

Workbooks are read straight from their XML (the zip's parts, parsed with ElementTree's C
parser a megabyte of whole rows at a time), not through openpyxl's read-only worksheet
reader: that one has no merged ranges, and costs about six seconds for 10,000 rows of 35
columns of inline strings (as openpyxl writes them) where this costs about two; on
shared strings (as Excel writes them) the two are as fast. Only cached values are read:
a formula is never evaluated, a macro never loaded, let alone run, and nothing is
written. The whole file is read into memory once, so the SHA-256 recorded is of
the very bytes that were read. Text reads as a spreadsheet shows it: the _xHHHH_ escapes
Excel writes for control characters (a carriage return is _x000D_) are undone.

Merged cells come from the sheet's ``mergeCells``: a heading merged down over a two-row
header, or across, is the heading of each column it covers. A group heading merged across
the columns of a second header row is put before a sub-heading when the two together name
a field or the sub-heading alone names none: "Corrective action" over "Description" reads
"Corrective action Description" (the action, not the finding's description), while
"Clause" under "Nonconformity" stays "Clause". A cell merged down in the data gives its
value to each row it covers that has content of its own (one audit's date over its three
findings); a cell merged across gives it to its first column only.

CSV rows are numbered by record, as a spreadsheet shows them (a line break inside quotes
starts no row); empty fields are None, the others keep their inner text exactly, with the
spaces at their ends stripped.

Every way a file can fail to be read is an :class:`ImportFileError` whose message is one
sentence saying what is wrong and what to do; nothing is changed either way.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from carapp.errors import InvalidInputError
from carapp.imports.fields import CellValue
from carapp.imports.headings import field_for, header_score
from carapp.models.bulk import oldest_collections_paused
from carapp.progress import Progress, no_progress

HEADER_SEARCH_ROWS = 30  # non-blank rows searched for the header row
MIN_HEADER_SCORE = 3  # fields a header row must name
_PROGRESS_EVERY = 500  # rows
# Far beyond any register (10,000 findings are a few megabytes): a file, or a workbook's
# unpacked parts, larger than this is refused before it fills the memory.
_MAX_BYTES = 1 << 30

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_WANTED = "an .xlsx, .xlsm or .csv file"
_NO_HEADER = f"none of its first {HEADER_SEARCH_ROWS} rows names three register fields"
_LOOKED_FOR = (
    "carapp looks for a row of headings naming at least three register fields, such as a "
    "reference, a title or description, a date raised, a classification, a status, an "
    "owner or a due date"
)


class ImportFileError(InvalidInputError):
    """A file that cannot be imported; ``str(error)`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet's register: its header row and the rows under it."""

    name: str  # sheet name; for CSV the file name
    header_row: int  # 1-based row number of the header row in the sheet/file
    headings: tuple[str, ...]  # one per column (stripped text; "" if blank)
    # (1-based row number, cells padded/trimmed to len(headings)); wholly blank rows dropped
    rows: tuple[tuple[int, tuple[CellValue, ...]], ...]
    score: int  # header_score of the header row


@dataclass(frozen=True, slots=True)
class Spreadsheet:
    path: Path
    sha256: str  # of the file's bytes
    kind: Literal["xlsx", "csv"]
    tables: tuple[Table, ...]  # every sheet with a recognisable header, workbook order
    skipped: tuple[tuple[str, str], ...]  # (sheet name, why no register there)
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig", "cp1252"
    delimiter: str | None = None  # CSV only

    @property
    def proposed(self) -> Table:
        """The likely register: the highest score, then the most rows, then the first."""
        return max(self.tables, key=lambda t: (t.score, len(t.rows), -self.tables.index(t)))

    def table(self, name: str) -> Table:
        """The table of the sheet called ``name`` (in any case)."""
        wanted = name.strip().casefold()
        for table in self.tables:
            if table.name.casefold() == wanted:
                return table
        there = ", ".join(f"\u201c{t.name}\u201d" for t in self.tables)
        for sheet, why in self.skipped:
            if sheet.casefold() == wanted:
                raise ImportFileError(
                    f"The sheet \u201c{sheet}\u201d of {self.path.name} has no register to "
                    f"import ({why}); choose one of {there}."
                )
        raise ImportFileError(
            f"{self.path.name} has no sheet called \u201c{name}\u201d; the sheets with a "
            f"register are {there}."
        )


def read_spreadsheet(path: Path, *, progress: Progress = no_progress) -> Spreadsheet:
    """The tables of the workbook or CSV file at ``path``. ``progress`` hears (rows read,
    rows expected), the second an estimate. Raises ImportFileError, saying why, for a file
    that is missing, empty, damaged, password-protected, of another kind, or without a
    row of register headings."""
    with oldest_collections_paused():  # a big sheet is many objects at once
        return _read_spreadsheet(path, progress)


def _read_spreadsheet(path: Path, progress: Progress) -> Spreadsheet:
    data = _read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in _XLSX_SUFFIXES:
        tables, skipped = _read_workbook(path.name, data, progress)
        return Spreadsheet(path, sha, "xlsx", tables, skipped)
    text, encoding = _decode(path.name, data)
    table, delimiter = _read_csv(path.name, text, progress)
    return Spreadsheet(path, sha, "csv", (table,), (), encoding, delimiter)


def _read_bytes(path: Path) -> bytes:
    name = path.name or str(path)
    if path.is_dir():
        raise ImportFileError(f"{path} is a folder, not a spreadsheet: choose {_WANTED}.")
    if not path.exists():
        raise ImportFileError(
            f"There is no file at {path}: check the name and the folder, and choose {_WANTED}."
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(
            f"{name} is an Excel 97-2003 workbook (.xls), which carapp does not read: open "
            "it in Excel or LibreOffice, save it as .xlsx or .csv, and import that."
        )
    if suffix not in (*_XLSX_SUFFIXES, ".csv"):
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise ImportFileError(
            f"{name} is {kind}, and carapp imports only Excel workbooks (.xlsx, .xlsm) and "
            "CSV files (.csv): save the register as one of those and import that."
        )
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ImportFileError(
                f"{name} is larger than 1 GB, far larger than a register: check that it is "
                "the right file, or split the register and import it in parts."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            f"{name} could not be read ({exc.strerror or exc}): check that it is not open "
            "elsewhere and that you may read it, then try again."
        ) from exc
    if not data:
        raise ImportFileError(
            f"{name} is empty (0 bytes): was it saved, copied or downloaded completely? "
            "Choose the file that holds the register."
        )
    return data


# --- Workbooks ------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_ATTRS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_ROOT_START = re.compile(rb"<((?:[\w.-]+:)?worksheet)\b[^>]*>")
_DATA_START = re.compile(rb"<((?:[\w.-]+:)?sheetData)\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref=\"([^\"]+)\"")
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref=\"([^\"]*)\"")
_CHUNK = 1 << 20  # bytes of rows parsed at once
# Built-in number formats that show dates in some locale and that openpyxl has no code for.
_LOCALE_DATE_FORMATS = frozenset(range(27, 37)) | frozenset(range(50, 59))


class _Damaged(Exception):
    """The workbook's parts are not what an Excel workbook holds."""


@dataclass(frozen=True, slots=True)
class _Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass(slots=True)
class _Sheet:
    """A sheet's cells as read: rows by number, each a list of values from column 1."""

    name: str
    rows: list[tuple[int, list[CellValue]]]
    merges: list[_Merge]


class _Book:
    """The parts of an .xlsx package a reader needs: sheet names and parts, shared
    strings, which cell styles are dates, and the date system."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        workbook = self._office_document()
        root = self._parse(workbook)
        self.ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if self.ns not in (_MAIN, _STRICT_MAIN):
            raise _Damaged
        q = self.q
        pr = root.find(q("workbookPr"))
        date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        rels = self._relationships(workbook)
        # (name, part or None, why not readable)
        self.sheets: list[tuple[str, str | None, str]] = []
        sheets = root.find(q("sheets"))
        for sheet in () if sheets is None else sheets:
            name = sheet.get("name", "")
            rid = next((sheet.get(a) for a in _REL_ATTRS if sheet.get(a)), None)
            target, kind = rels.get(rid or "", ("", ""))
            if kind == "chartsheet":
                self.sheets.append((name, None, "it holds a chart, not rows"))
            elif kind not in ("worksheet", ""):
                self.sheets.append((name, None, f"it is not a worksheet but a {kind}"))
            elif target in self.names:
                self.sheets.append((name, target, ""))
            else:
                self.sheets.append((name, None, "its cells are missing from the file"))
        self.strings = self._shared_strings(rels)
        # The s attributes of cells that hold dates (durations stay numbers), as written.
        self.date_style_names = frozenset(str(i) for i in self._date_styles(rels))
        # Dates read, by serial as written: a register repeats its dates.
        self.moments: dict[str, CellValue] = {}

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def _parse(self, part: str) -> ET.Element:
        if part not in self.names:
            raise _Damaged
        with self.archive.open(part) as src:
            return ET.parse(src).getroot()

    def _office_document(self) -> str:
        if "_rels/.rels" in self.names:
            for rel in self._parse("_rels/.rels").iter(f"{{{_PKG_RELS}}}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    return rel.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (target part, kind such as 'worksheet')."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels_part not in self.names:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for rel in self._parse(rels_part).iter(f"{{{_PKG_RELS}}}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            found[rel.get("Id", "")] = (target, kind)
        return found

    def _part_of(self, rels: dict[str, tuple[str, str]], kind: str) -> str | None:
        return next((t for t, k in rels.values() if k == kind and t in self.names), None)

    def _shared_strings(self, rels: dict[str, tuple[str, str]]) -> list[str]:
        part = self._part_of(rels, "sharedStrings")
        if part is None:
            return []
        t = self.q("t")
        strings: list[str] = []
        for si in ET.fromstring(self.archive.read(part)):
            if len(si) == 1 and si[0].tag == t:  # plain text: most strings are
                strings.append(_unescape(si[0].text or ""))
            else:
                strings.append(self.text_of(si))
        return strings

    def text_of(self, element: ET.Element) -> str:
        """The text of a shared or inline string: its runs, without phonetic guides."""
        t, r = self.q("t"), self.q("r")
        parts: list[str] = []
        for child in element:
            if child.tag == t:
                parts.append(child.text or "")
            elif child.tag == r:
                parts.extend(run.text or "" for run in child.iter(t))
        return _unescape("".join(parts))

    def _date_styles(self, rels: dict[str, tuple[str, str]]) -> set[int]:
        part = self._part_of(rels, "styles")
        if part is None:
            return set()
        root = self._parse(part)
        q = self.q
        codes: dict[int, str] = dict(BUILTIN_FORMATS)
        formats = root.find(q("numFmts"))
        for fmt in () if formats is None else formats:
            with contextlib.suppress(ValueError):
                codes[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        dates: set[int] = set()
        xfs = root.find(q("cellXfs"))
        for index, xf in enumerate(() if xfs is None else xfs):
            try:
                fmt_id = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            code = codes.get(fmt_id)
            if code is None:
                if fmt_id in _LOCALE_DATE_FORMATS:
                    dates.add(index)
            elif is_date_format(code) and not is_timedelta_format(code):
                dates.add(index)
        return dates

    def read_sheet(self, name: str, data: bytes, read: Callable[[], None]) -> _Sheet:
        """The non-empty rows and merged ranges of the sheet whose XML is ``data``;
        ``read`` is called per row."""
        rows: list[tuple[int, list[CellValue]]] = []
        row_number = 0
        sheet_data = self.q("sheetData")
        chunks, rows_end = _row_chunks(data)
        for chunk in chunks:
            for element in ET.fromstring(chunk).iterfind(sheet_data + "/*"):
                row_number = self._read_row(element, row_number, rows)
                read()
        # mergeCells follow sheetData.
        refs = _MERGE.findall(data, rows_end)
        merges = [m for m in (_merge_of(r.decode("ascii", "replace")) for r in refs) if m]
        return _Sheet(name, rows, merges)

    def _read_row(
        self, element: ET.Element, row_number: int, rows: list[tuple[int, list[CellValue]]]
    ) -> int:
        """Append the row ``element`` to ``rows`` if it has a value; its number."""
        q = self.q
        if element.tag != q("row"):
            return row_number
        cell_tag, v_tag, is_tag, t_tag = q("c"), q("v"), q("is"), q("t")
        strings, dates, epoch = self.strings, self.date_style_names, self.epoch
        moments = self.moments
        number = element.get("r")
        row_number = int(number) if number else row_number + 1
        digits = len(number) if number else 0
        columns = _COLUMNS
        values: list[CellValue] = []
        column = 0
        for cell in element:
            if cell.tag != cell_tag:
                continue
            ref = cell.get("r")
            if ref is None:
                column += 1
            else:
                # The letters before the row's own number, looked up: most refs are so.
                letters = ref[:-digits] if digits and ref.endswith(number or "") else None
                found = columns.get(letters) if letters else None
                column = found if found is not None else _column_of(ref)
            kind = cell.get("t")
            value: CellValue
            if kind is None or kind == "n":
                raw = cell.findtext(v_tag)
                if not raw:
                    continue
                if cell.get("s") in dates:
                    value = moments.get(raw)
                    if value is None:
                        value = moments[raw] = _number(raw, True, epoch)
                else:
                    value = _number(raw, False, epoch)
            elif kind == "s":
                raw = cell.findtext(v_tag)
                if not raw:
                    continue
                value = strings[int(raw)]
            elif kind == "inlineStr":
                inline = cell.find(is_tag)
                if inline is None:
                    continue
                if len(inline) == 1 and inline[0].tag == t_tag:
                    value = _unescape(inline[0].text or "")
                else:
                    value = self.text_of(inline)
            else:
                raw = cell.findtext(v_tag)
                if not raw:
                    continue
                if kind == "b":
                    value = raw.strip() in ("1", "true")
                elif kind == "d":
                    value = _iso_date(raw)
                else:  # "str" (a formula's text) and "e" (an error such as #N/A)
                    value = _unescape(raw)
            if value == "":
                continue
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
        if values:
            rows.append((row_number, values))
        return row_number


def _expected_rows(data: bytes) -> int:
    """The rows a sheet's XML says it has (its dimension), else the rows it holds."""
    found = _DIMENSION.search(data, 0, 4096)
    if found:
        merge = _merge_of(found.group(1).decode("ascii", "replace"))
        if merge is not None:
            return merge.max_row
    # No dimension (openpyxl's write-only sheets have none): count the rows' ends (or,
    # where the tags have a prefix, about as many).
    return data.count(b"</row>") or data.count(b":row>")


def _row_chunks(data: bytes) -> tuple[Iterator[bytes], int]:
    """The sheet's rows as small XML documents of about _CHUNK bytes each, every one the
    sheet's root and sheetData around whole rows (ElementTree builds each in C, where
    parsing the sheet event by event costs a Python step per element); and where the
    rows end."""
    root = _ROOT_START.search(data)
    if root is None:
        raise _Damaged
    sheet_data = _DATA_START.search(data, root.end())
    if sheet_data is None or sheet_data.group(2):
        return iter(()), root.end()  # no rows
    close = b"</" + sheet_data.group(1) + b">"
    end = data.find(close, sheet_data.end())
    if end < 0:
        raise _Damaged
    row_close = b"</" + sheet_data.group(1).replace(b"sheetData", b"row") + b">"
    head = data[: sheet_data.end()]
    tail = close + b"</" + root.group(1) + b">"

    def chunks() -> Iterator[bytes]:
        at = sheet_data.end()
        while at < end:
            cut = data.find(row_close, min(at + _CHUNK, end), end)
            stop = end if cut < 0 else cut + len(row_close)
            yield head + data[at:stop] + tail
            at = stop

    return chunks(), end


def _unescape(text: str) -> str:
    """Text as a spreadsheet shows it: the _xHHHH_ escapes Excel writes for control
    characters (a carriage return is _x000D_) read as the characters."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _column_of(ref: str) -> int:
    """The column of a cell reference such as "AB12"."""
    column = 0
    for ch in ref.rstrip("0123456789$").lstrip("$").upper():
        column = column * 26 + ord(ch) - 64
    return column


# The first 702 columns (A to ZZ) by their letters.
_COLUMNS: dict[str, int] = {get_column_letter(i): i for i in range(1, 703)}


def _merge_of(ref: str) -> _Merge | None:
    parts = ref.split(":")
    cells = [_CELL_REF.fullmatch(p.replace("$", "")) for p in parts]
    if not cells or any(c is None for c in cells) or len(cells) > 2:
        return None
    first, last = cells[0], cells[-1]
    assert first is not None and last is not None
    r1, c1 = int(first.group(2)), _column_of(first.group(1))
    r2, c2 = int(last.group(2)), _column_of(last.group(1))
    return _Merge(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def _number(raw: str, is_date: bool, epoch: dt.datetime) -> CellValue:
    number: int | float
    try:
        number = int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            return raw
    if is_date:
        try:
            moment = from_excel(number, epoch)
        except (OverflowError, ValueError):
            return number  # a serial outside the calendar: the number as written
        if isinstance(moment, dt.datetime | dt.time):
            return moment
    return number


def _iso_date(raw: str) -> CellValue:
    try:
        return dt.datetime.fromisoformat(raw.rstrip("Z"))
    except ValueError:
        return raw


def _read_workbook(
    name: str, data: bytes, progress: Progress
) -> tuple[tuple[Table, ...], tuple[tuple[str, str], ...]]:
    if data.startswith(_OLE_MAGIC[:4]):
        if "EncryptionInfo".encode("utf-16-le") not in data and (
            "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data
        ):
            raise ImportFileError(
                f"{name} is an Excel 97-2003 workbook (.xls) with an .xlsx name: open it in "
                "Excel or LibreOffice, save it as .xlsx or .csv, and import that."
            )
        raise ImportFileError(
            f"{name} is password-protected (encrypted), so carapp cannot read it: open it "
            "in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
            "Password, and clear it), save it, and import it again."
        )
    damaged = (
        f"{name} is damaged or incomplete, so it cannot be read as an Excel workbook: if it "
        "was copied or downloaded, do that again; otherwise open it in Excel and save it "
        "again as .xlsx, or save it as .csv."
    )
    if not data.startswith(_ZIP_MAGIC):
        raise ImportFileError(
            f"{name} is not an Excel workbook, although its name ends in "
            f"{Path(name).suffix}: open it in the program that made it and save it as .xlsx "
            "or .csv."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist()) > _MAX_BYTES:
                raise ImportFileError(
                    f"{name} unpacks to more than 1 GB, far more than a register holds: "
                    "check that it is the right file, or save the register on its own."
                )
            book = _Book(archive)
            readable = [(n, archive.read(p)) for n, p, _ in book.sheets if p is not None]
            total = sum(_expected_rows(xml) for _, xml in readable) or 1
            done = 0

            def read() -> None:
                nonlocal done
                done += 1
                if done % _PROGRESS_EVERY == 0:
                    progress(done, max(total, done))

            progress(0, total)
            sheets: dict[str, _Sheet] = {}
            for sheet_name, xml in readable:
                sheets[sheet_name] = book.read_sheet(sheet_name, xml, read)
            progress(done, done)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, _Damaged, ET.ParseError, EOFError) as exc:
        raise ImportFileError(damaged) from exc
    except (KeyError, ValueError, IndexError, OSError, NotImplementedError) as exc:
        # A part that is missing, a number or string index that is not one, a compression
        # method zipfile cannot undo: all mean the file is not a sound workbook.
        raise ImportFileError(damaged) from exc

    tables: list[Table] = []
    skipped: list[tuple[str, str]] = []
    for sheet_name, sheet_part, why in book.sheets:
        if sheet_part is None:
            skipped.append((sheet_name, why))
            continue
        sheet = sheets[sheet_name]
        if not sheet.rows:
            skipped.append((sheet_name, "it is empty"))
            continue
        table = _table(sheet_name, sheet.rows, sheet.merges)
        if table is None:
            skipped.append((sheet_name, _NO_HEADER))
        else:
            tables.append(table)
    if not tables:
        if not any(sheet.rows for sheet in sheets.values()):
            raise ImportFileError(
                f"{name} has no data: every sheet in it is empty. Choose the workbook that "
                "holds the register."
            )
        names = ", ".join(f"\u201c{n}\u201d" for n, _ in skipped)
        raise ImportFileError(
            f"{name} has no sheet that looks like a register ({names}): {_LOOKED_FOR}; add "
            "such a row above the data, or choose the file that holds the register."
        )
    return tuple(tables), tuple(skipped)


# --- Header rows and tables -----------------------------------------------------------


def _heading_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split()) if "\n" in value or "\r" in value else value.strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class _Cells:
    """Cell values by (row, column), and the merged range each cell is in."""

    def __init__(self, rows: Sequence[tuple[int, list[CellValue]]], merges: list[_Merge]):
        self.rows = {number: values for number, values in rows}
        self.merges = merges

    def value(self, row: int, column: int) -> CellValue:
        values = self.rows.get(row)
        if values is None or column > len(values):
            return None
        return values[column - 1]

    def merge_at(self, row: int, column: int) -> _Merge | None:
        for m in self.merges:
            if m.min_row <= row <= m.max_row and m.min_col <= column <= m.max_col:
                return m
        return None

    def headings(self, row: int) -> list[str]:
        """The headings row ``row`` gives its columns, merged cells and groups read."""
        width = len(self.rows.get(row, ()))
        for m in self.merges:
            if m.min_row <= row <= m.max_row:
                width = max(width, m.max_col)
        subs: list[str] = []
        for column in range(1, width + 1):
            merge = self.merge_at(row, column) if self.merges else None
            if merge is not None:
                subs.append(_heading_text(self.value(merge.min_row, merge.min_col)))
            else:
                subs.append(_heading_text(self.value(row, column)))
        if not self.merges or row == 1:
            return subs
        # A group heading: a range merged across two columns or more in the row above,
        # ending there, over cells of this row's own (not merged down from above), and
        # not over every heading of the row (that is a title).
        headed = [i for i, s in enumerate(subs, start=1) if s]
        result = list(subs)
        for group in self.merges:
            if group.max_row != row - 1 or group.max_col == group.min_col:
                continue
            if all(group.min_col <= i <= group.max_col for i in headed):
                continue
            title = _heading_text(self.value(group.min_row, group.min_col))
            if not title:
                continue
            for column in range(group.min_col, min(group.max_col, width) + 1):
                sub = subs[column - 1]
                own = self.merge_at(row, column)
                if own is not None and own.min_row < row:
                    continue  # merged down from the group row itself: not a sub-heading
                result[column - 1] = _with_group(title, sub)
        return result


def _with_group(group: str, sub: str) -> str:
    """A sub-heading under a group heading: the two together when that names a field or
    the sub-heading alone names none; else the sub-heading ("Owner" under "Actions")."""
    if not sub:
        return group
    both = f"{group} {sub}"
    if field_for(both) is not None or field_for(sub) is None:
        return both
    return sub


def _is_blank(values: Iterable[CellValue]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _table(
    name: str, rows: Sequence[tuple[int, list[CellValue]]], merges: list[_Merge]
) -> Table | None:
    """The table under the best header row in the first non-blank rows, if one names at
    least MIN_HEADER_SCORE fields."""
    searched = [i for i, (_n, values) in enumerate(rows) if not _is_blank(values)]
    searched = searched[:HEADER_SEARCH_ROWS]
    if not searched:
        return None
    # Only the rows searched and the merges among them: a sheet may merge thousands of
    # data cells below.
    last = rows[searched[-1]][0]
    every_merge, merges = merges, [m for m in merges if m.min_row <= last]
    cells = _Cells(rows[: searched[-1] + 1], merges)
    candidates: list[tuple[int, int, list[str]]] = []  # (index in rows, score, headings)
    for index in searched:
        headings = cells.headings(rows[index][0])
        candidates.append((index, header_score(headings), headings))
    best = max(range(len(candidates)), key=lambda i: (candidates[i][1], -i))
    index, score, headings = candidates[best]
    if score < MIN_HEADER_SCORE:
        return None
    # A group row over a second header row scores as much as the row under it when the
    # sub-headings add no field: the header is still the lower row.
    if best + 1 < len(candidates):
        next_index, next_score, next_headings = candidates[best + 1]
        number = rows[index][0]
        if (
            next_score >= score
            and rows[next_index][0] == number + 1
            and any(m.min_row <= number == m.max_row and m.max_col > m.min_col for m in merges)
        ):
            index, score, headings = next_index, next_score, next_headings
    while headings and not headings[-1]:
        headings.pop()
    width = len(headings)
    header_row = rows[index][0]
    below = _merged_down(rows[index + 1 :], every_merge, header_row, width)
    body: list[tuple[int, tuple[CellValue, ...]]] = []
    for number, values in rows[index + 1 :]:
        cut = values[:width]
        if _is_blank(cut):
            continue
        if len(cut) < width:
            cut = cut + [None] * (width - len(cut))
        for column, value in below.get(number, {}).items():
            cut[column] = value
        body.append((number, tuple(cut)))
    return Table(name, header_row, tuple(headings), tuple(body), score)


def _merged_down(
    rows: Sequence[tuple[int, list[CellValue]]], merges: list[_Merge], header_row: int, width: int
) -> dict[int, dict[int, CellValue]]:
    """The values that cells merged down in the data give the rows under their first: one
    audit's date merged over its three findings is the date of each. By row number, then
    column index. Only the first column of a range is filled (a description merged across
    two columns is one value, not two), and only rows with content of their own take it."""
    down = [m for m in merges if m.min_row > header_row and m.max_row > m.min_row]
    if not down:
        return {}
    values_at = dict(rows)
    out: dict[int, dict[int, CellValue]] = {}
    for m in down:
        column = m.min_col - 1
        top = values_at.get(m.min_row)
        if column >= width or top is None or column >= len(top) or top[column] is None:
            continue
        for number in range(m.min_row + 1, m.max_row + 1):
            out.setdefault(number, {})[column] = top[column]
    return out


# --- CSV ------------------------------------------------------------------------------


def _decode(name: str, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportFileError(
            f"{name} is not a CSV file carapp can read (it is UTF-16 text or not text at "
            "all): save the register from Excel as \u201cCSV UTF-8\u201d, or as .xlsx, and "
            "import that."
        )
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
        else:
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{name} is neither UTF-8 nor Windows-1252 text: save the register from Excel "
            "as \u201cCSV UTF-8\u201d and import that."
        ) from exc
    return text, encoding


_DELIMITERS = (",", ";", "\t")
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*(?:\r\n|\n|\r)", re.IGNORECASE)


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _delimiter(text: str) -> str:
    """The delimiter that splits the first records most consistently into the most
    fields: Excel writes "," or, where the decimal separator is a comma, ";"."""
    sample = text[:65536]
    whole = len(sample) == len(text)
    best: tuple[int, int, int] | None = None
    chosen = ","
    for order, delimiter in enumerate(_DELIMITERS):
        counts: list[int] = []
        try:
            for record in _records(sample, delimiter):
                if record and any(f.strip() for f in record):
                    counts.append(len(record))
                if len(counts) > 50:
                    break
        except csv.Error:
            continue
        if not whole and len(counts) > 1:
            counts.pop()  # the sample may end inside the last record
        if not counts:
            continue
        fields = max(set(counts), key=lambda c: (counts.count(c), c))
        if fields < 2:
            continue
        rank = (counts.count(fields), fields, -order)
        if best is None or rank > best:
            best, chosen = rank, delimiter
    return chosen


def _read_csv(name: str, text: str, progress: Progress) -> tuple[Table, str]:
    if not text.strip():
        raise ImportFileError(
            f"{name} has no data: it holds no rows. Choose the file that holds the register."
        )
    # Excel writes, and obeys, a first line "sep=;" naming the delimiter; it does not show
    # that line, so rows are numbered from the next.
    hint = _SEP_HINT.match(text)
    if hint:
        text = text[hint.end() :]
    delimiter = hint.group(1) if hint else _delimiter(text)
    total = text.count("\n") + 1
    rows: list[tuple[int, list[CellValue]]] = []
    progress(0, total)
    number = 0
    try:
        for number, record in enumerate(_records(text, delimiter), start=1):
            values: list[CellValue] = [field.strip() or None for field in record]
            while values and values[-1] is None:
                values.pop()
            if values:
                rows.append((number, values))
            if number % _PROGRESS_EVERY == 0:
                progress(number, max(total, number))
    except csv.Error as exc:
        raise ImportFileError(
            f"{name} could not be read as CSV ({exc}): open it in Excel or LibreOffice, "
            "save it again as \u201cCSV UTF-8\u201d, and import that."
        ) from exc
    progress(number, number)
    if not rows:
        raise ImportFileError(
            f"{name} has no data: it holds no rows. Choose the file that holds the register."
        )
    table = _table(name, rows, [])
    if table is None:
        raise ImportFileError(
            f"{name} does not look like a register: {_LOOKED_FOR}; add such a row above "
            "the data, or choose the file that holds the register."
        )
    return table, delimiter
