"""File > Import: a register kept in a spreadsheet, brought in step by step.

The file (.xlsx, .xlsm or .csv); the sheet that holds the register, with the date order and
a saved mapping profile; the mapping, column by column; the preview, a dry run that says
what would be created, updated and skipped and lists every problem; then the import itself
and what it did. Nothing is written before the Import button: cancelling at any step leaves
the register as it was.

Reading the file, the preview and the import each run off the GUI thread (carapp.ui.tasks)
with a progress bar on their page, so a register of 10,000 rows leaves the window
responsive. The import itself cannot be cancelled once it has started: it is one
transaction, and a dialog closed while it commits could not tell the views what changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from carapp.errors import CarappError
from carapp.imports import mapping as mappings
from carapp.imports.fields import CellValue, Field
from carapp.imports.mapping import Mapping
from carapp.imports.plan import ImportPlan, plan_import
from carapp.imports.rows import Problem
from carapp.imports.sheets import Spreadsheet, Table, read_spreadsheet
from carapp.imports.values import DateOrder, text_of
from carapp.operations.changes import Changes
from carapp.operations.importing import ImportResult, run_import
from carapp.store import Register
from carapp.ui import tasks

T = TypeVar("T")

FILE_FILTER = "Spreadsheets (*.xlsx *.xlsm *.csv);;All files (*)"
NOT_IMPORTED = "Not imported"
SAMPLES = 3
SAMPLE_SCAN = 200  # rows looked at for sample values: enough, and instant on a big sheet
SAMPLE_WIDTH = 40
PROBLEM_COLUMNS = ("Row", "Column", "Value", "Problem", "Effect")
DATE_ORDERS: tuple[tuple[str, DateOrder | None], ...] = (
    ("Detect from the file", None),
    ("Day first (dd/mm)", DateOrder.DMY),
    ("Month first (mm/dd)", DateOrder.MDY),
)
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with a BOM)", "cp1252": "Windows-1252"}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
PROBLEM_STYLE = "color: #a00000;"


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _wrapped(parent: QWidget, name: str, style: str = "") -> QLabel:
    label = QLabel(parent)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def column_name(table: Table, column: int) -> str:
    """How a column is named to the user: its heading, or its letter when it has none."""
    heading = table.headings[column]
    return f"\u201c{heading}\u201d" if heading else f"column {get_column_letter(column + 1)}"


def samples(table: Table, column: int) -> list[str]:
    """A few different values of ``column``, as the user will recognise them."""
    found: list[str] = []
    for _number, cells in table.rows[:SAMPLE_SCAN]:
        cell: CellValue = cells[column] if column < len(cells) else None
        text = " ".join(text_of(cell).split())
        if text and text not in found:
            found.append(text if len(text) <= SAMPLE_WIDTH else text[: SAMPLE_WIDTH - 1] + "\u2026")
            if len(found) == SAMPLES:
                break
    return found


class _Progress(QObject):
    """Carries a worker's progress to the GUI thread (it lives there: emits are queued)."""

    moved = Signal(int, int)


class Busy(QWidget):
    """A page's progress while its work runs off the GUI thread."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        self.relay = _Progress(self)
        self.relay.moved.connect(self._moved)
        self.hide()

    def reporter(self) -> Callable[[int, int], None]:
        """A progress callback for the worker: it tells the bar at most once a percent, so
        a reader that counts every row does not flood the GUI thread with signals."""
        emit = self.relay.moved.emit
        last = [-1]

        def moved(done: int, total: int) -> None:
            step = max(total // 100, 1)
            if done >= total or done - last[0] >= step or done < last[0]:
                last[0] = done
                emit(done, total)

        return moved

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.show()

    def _moved(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def stop(self) -> None:
        self.hide()


class ProblemsModel(QAbstractTableModel):
    """A plan's problems, errors first; a model, so 10,000 of them cost nothing to show."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.problems: tuple[Problem, ...] = ()

    def set_problems(self, problems: tuple[Problem, ...]) -> None:
        self.beginResetModel()
        self.problems = problems
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PROBLEM_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PROBLEM_COLUMNS[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        problem = self.problems[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem.sentence()
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return str(problem.row) if problem.row else "File"
        if column == 1:
            return problem.column
        if column == 2:
            return " ".join(problem.value.split())
        if column == 3:
            return " ".join(problem.reason.split())
        return "Cannot be imported" if problem.blocking else "Flagged for review"


class _Page(QWizardPage):
    def importer(self) -> ImportDialog:
        wizard = self.wizard()
        assert isinstance(wizard, ImportDialog)
        return wizard


class FilePage(_Page):
    """Which file: typed, pasted or browsed to; read when the user goes on."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.setTitle("Import a register: the file")
        self.setSubTitle(
            "An Excel workbook (.xlsx, .xlsm) or a CSV file holding your register. "
            "Nothing is written to carapp until you press Import at the end."
        )
        self.path = QLineEdit(self)
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("The spreadsheet's path, or Browse\u2026")
        self.path.textChanged.connect(self._typed)
        self.browse = QPushButton("&Browse\u2026", self)
        self.browse.setAccessibleName("Browse")
        self.browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(_label("&File:", self.path, self), where)
        self.busy = Busy("Reading progress", self)
        self.problem = _wrapped(self, "File problem", PROBLEM_STYLE)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.reading: tasks.Task[Spreadsheet] | None = None
        self.read_path: Path | None = None  # the file the spreadsheet was read from

    def chosen(self) -> Path:
        # A path copied from a file manager often comes quoted.
        return Path(self.path.text().strip().strip("\"'")).expanduser()

    def _typed(self, _text: str) -> None:
        self.problem.hide()
        self.completeChanged.emit()

    def _browse(self) -> None:
        start = str(self.chosen()) if self.path.text().strip() else str(self.folder)
        name, _ = QFileDialog.getOpenFileName(self, "Import a register", start, FILE_FILTER)
        if name:
            self.path.setText(name)

    def working(self) -> bool:
        return self.reading is not None and not self.reading.ended

    def isComplete(self) -> bool:
        return bool(self.path.text().strip()) and not self.working()

    def validatePage(self) -> bool:
        wizard = self.importer()
        path = self.chosen()
        if wizard.spreadsheet is not None and self.read_path == path:
            return True
        if not self.working():
            self._read(path)
        return False  # the read goes on to the next page when it has the file

    def _read(self, path: Path) -> None:
        self.problem.hide()
        self.read_path = None
        self.busy.start(f"Reading {path.name}\u2026")
        moved = self.busy.reporter()

        def work(cancel: tasks.Cancel) -> Spreadsheet:
            def progress(done: int, total: int) -> None:
                cancel.check()
                moved(done, total)

            return read_spreadsheet(path, progress=progress)

        self.reading = self.importer().start(work, self._read_done, self._read_failed)
        self.path.setEnabled(False)
        self.browse.setEnabled(False)
        self.completeChanged.emit()

    def _ended(self) -> None:
        self.busy.stop()
        self.path.setEnabled(True)
        self.browse.setEnabled(True)
        self.completeChanged.emit()

    def _read_done(self, spreadsheet: Spreadsheet) -> None:
        self._ended()
        wizard = self.importer()
        self.read_path = self.chosen()
        wizard.set_spreadsheet(spreadsheet)
        wizard.next()

    def _read_failed(self, sentence: str) -> None:
        self._ended()
        self.problem.setText(f"{sentence}")
        self.problem.show()
        self.path.setFocus()
        self.path.selectAll()


class SheetPage(_Page):
    """Which table of the file, how its dates are written, and a saved mapping to apply."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("The sheet")
        self.setSubTitle("The sheet holding the register, and how to read it.")
        self.sheet = QComboBox(self)
        self.sheet.setAccessibleName("Sheet")
        self.sheet.currentIndexChanged.connect(lambda _i: self._show_sheet())
        self.details = _wrapped(self, "Sheet details")
        self.skipped = _wrapped(self, "Sheets not offered")
        self.date_order = QComboBox(self)
        self.date_order.setAccessibleName("Date order")
        for text, order in DATE_ORDERS:
            self.date_order.addItem(text, order)
        order_note = QLabel(
            "A date such as 03/02/2025 is 3 February day first, 2 March month first. "
            "Detected, the order is settled by the file's dates that can only be read one way.",
            self,
        )
        order_note.setWordWrap(True)
        self.profile = QComboBox(self)
        self.profile.setAccessibleName("Mapping profile")
        self.profile.currentIndexChanged.connect(lambda _i: self._profile_chosen())
        self.problem = _wrapped(self, "Sheet problem", PROBLEM_STYLE)
        self.problem.hide()
        # A grid, not a form: a form gives wrapped notes under a field far too much room.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        form.setVerticalSpacing(10)
        rows: list[tuple[QLabel | None, QWidget]] = [
            (_label("&Sheet:", self.sheet, self), self.sheet),
            (None, self.details),
            (None, self.skipped),
            (_label("Date &order:", self.date_order, self), self.date_order),
            (None, order_note),
            (_label("Mapping &profile:", self.profile, self), self.profile),
        ]
        for number, (label, field) in enumerate(rows):
            if label is not None:
                form.addWidget(label, number, 0)
            form.addWidget(field, number, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.profile_problem = ""

    def fill(self, spreadsheet: Spreadsheet) -> None:
        """A newly read file's tables, the likely register chosen."""
        self.sheet.blockSignals(True)
        self.sheet.clear()
        proposed = spreadsheet.proposed
        for index, table in enumerate(spreadsheet.tables):
            self.sheet.addItem(f"{table.name} ({_plural(len(table.rows), 'row')})", index)
            if table is proposed:
                self.sheet.setCurrentIndex(index)
        self.sheet.blockSignals(False)
        if spreadsheet.skipped:
            listed = "; ".join(f"\u201c{name}\u201d: {why}" for name, why in spreadsheet.skipped)
            self.skipped.setText(f"Not offered, as no register was found there: {listed}.")
        self.skipped.setVisible(bool(spreadsheet.skipped))
        self._show_sheet()
        self.fill_profiles()

    def fill_profiles(self, chosen: str | None = None) -> None:
        current = chosen if chosen is not None else self.profile.currentData()
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem("None: match the headings", None)
        try:
            names = mappings.profile_names()
            self.profile_problem = ""
        except CarappError as exc:
            names = []
            self.profile_problem = str(exc)
        for name in names:
            self.profile.addItem(name, name)
        found = self.profile.findData(current) if current else 0
        self.profile.setCurrentIndex(max(found, 0))
        self.profile.blockSignals(False)
        self._say(self.profile_problem)

    def table(self) -> Table:
        spreadsheet = self.importer().spreadsheet
        assert spreadsheet is not None
        return spreadsheet.tables[int(self.sheet.currentData() or 0)]

    def order(self) -> DateOrder | None:
        order = self.date_order.currentData()
        return DateOrder(order) if order else None

    def _show_sheet(self) -> None:
        spreadsheet = self.importer().spreadsheet
        if spreadsheet is None or self.sheet.count() == 0:
            return
        table = self.table()
        text = (
            f"Headings on row {table.header_row}; "
            f"{_plural(len(table.rows), 'row')} of findings below them."
        )
        if spreadsheet.kind == "csv" and spreadsheet.encoding:
            separated = DELIMITERS.get(spreadsheet.delimiter or ",", "commas")
            encoding = ENCODINGS.get(spreadsheet.encoding, spreadsheet.encoding)
            text += f" Read as {encoding} text, separated by {separated}."
        self.details.setText(text)

    def _profile_chosen(self) -> None:
        # A profile saved with a date order brings it along; the combo shows it, to change.
        name = self.profile.currentData()
        if not name:
            self._say(self.profile_problem)
            return
        try:
            profile = mappings.load_profile(name)
        except CarappError as exc:
            self._say(str(exc))
            return
        self._say("")
        if profile.date_order is not None:
            self.date_order.setCurrentIndex(self.date_order.findData(profile.date_order))

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def validatePage(self) -> bool:
        name = self.profile.currentData()
        profile = None
        if name:
            try:
                profile = mappings.load_profile(name)
            except CarappError as exc:
                self._say(str(exc))
                return False
        self.importer().choose(self.table(), profile, self.order())
        return True


class MappingPage(_Page):
    """One row per column: its heading, a few of its values, and the field it fills."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("The columns")
        self.combos: list[QComboBox] = []
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroller.setWidget(self.grid_host)
        self.note = _wrapped(self, "Mapping note")
        self.save = QPushButton("Save as &profile\u2026", self)
        self.save.setAccessibleName("Save as profile")
        self.save.clicked.connect(self._save_profile)
        self.saved = _wrapped(self, "Profile note")
        under = QHBoxLayout()
        under.addWidget(self.saved, 1)
        under.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.note)
        layout.addLayout(under)

    def initializePage(self) -> None:
        wizard = self.importer()
        if wizard.table is None or wizard.mapping is None:
            return
        if not wizard.showing(wizard.table, wizard.profile_name):
            self._build(wizard.table, wizard.mapping)
            wizard.mapping_shown = (wizard.table, wizard.profile_name)
            self.saved.setText("")
        self.setSubTitle(
            f"Each column of {wizard.table.name} and the field of the register it fills. "
            "A column no field is chosen for is not imported."
        )
        if self.combos:
            self.combos[0].setFocus()

    def _build(self, table: Table, mapping: Mapping) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.combos = []
        bold = "font-weight: 600;"
        heads = [QLabel("Column", self.grid_host), QLabel("Sample values", self.grid_host)]
        imported_as = QLabel("Imported &as", self.grid_host)
        for column, label in enumerate([*heads, imported_as]):
            label.setStyleSheet(bold)
            self.grid.addWidget(label, 0, column)
        for column, heading in enumerate(table.headings):
            name = QLabel(heading or f"(column {get_column_letter(column + 1)}, no heading)")
            name.setWordWrap(True)
            shown = samples(table, column)
            sample = QLabel("; ".join(shown) if shown else "(blank in every row)")
            sample.setWordWrap(True)
            if not shown:
                sample.setEnabled(False)
            combo = QComboBox(self.grid_host)
            combo.setAccessibleName(
                f"Field for column \u201c{heading}\u201d"
                if heading
                else f"Field for column {get_column_letter(column + 1)}"
            )
            combo.addItem(NOT_IMPORTED, None)
            for field in Field:
                combo.addItem(field.label, field.value)
            combo.currentIndexChanged.connect(lambda _i, c=column: self._chosen(c))
            self.grid.addWidget(name, column + 1, 0)
            self.grid.addWidget(sample, column + 1, 1)
            self.grid.addWidget(combo, column + 1, 2)
            self.combos.append(combo)
        if self.combos:
            imported_as.setBuddy(self.combos[0])
        self.grid.setRowStretch(len(table.headings) + 1, 1)
        self._show(mapping)

    def _show(self, mapping: Mapping, freed: list[str] | None = None) -> None:
        for combo, field in zip(self.combos, mapping.fields, strict=True):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(field.value if field is not None else None))
            combo.blockSignals(False)
        used = sum(1 for f in mapping.fields if f is not None)
        text = f"{used} of {_plural(len(mapping.fields), 'column')} imported."
        if freed:
            text += " " + " ".join(freed)
        self.note.setText(text)

    def _chosen(self, column: int) -> None:
        wizard = self.importer()
        if wizard.mapping is None or wizard.table is None:
            return
        value = self.combos[column].currentData()
        field = Field(value) if value else None
        before = wizard.mapping
        wizard.mapping = before.assign(column, field)
        freed = [
            f"{column_name(wizard.table, other)} is no longer imported: "
            f"{column_name(wizard.table, column)} fills {field.label}."
            for other, (was, now) in enumerate(
                zip(before.fields, wizard.mapping.fields, strict=True)
            )
            if field is not None and other != column and was is field and now is None
        ]
        self._show(wizard.mapping, freed)

    def _save_profile(self) -> None:
        wizard = self.importer()
        if wizard.table is None or wizard.mapping is None:
            return
        suggested = wizard.profile_name or (
            wizard.spreadsheet.path.stem if wizard.spreadsheet else ""
        )
        # Opened, not exec'd: the wizard's event loop goes on (and a test can answer it).
        ask = QInputDialog(self)
        ask.setWindowTitle("Save as profile")
        ask.setLabelText("Profile &name (next time, choose it on the Sheet step):")
        ask.setTextValue(suggested)
        ask.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        ask.textValueSelected.connect(self._save_as)
        ask.open()

    def _save_as(self, name: str) -> None:
        wizard = self.importer()
        if wizard.table is None or wizard.mapping is None:
            return
        try:
            existed = name.strip().casefold() in {n.casefold() for n in mappings.profile_names()}
            profile = mappings.save_profile(name, wizard.table, wizard.mapping)
        except CarappError as exc:
            self.saved.setStyleSheet(PROBLEM_STYLE)
            self.saved.setText(str(exc))
            return
        self.saved.setStyleSheet("")
        self.saved.setText(
            f"Saved as the profile \u201c{profile.name}\u201d"
            + (" (replacing the one of that name)." if existed else ".")
        )
        wizard.profile_name = profile.name
        wizard.mapping_shown = (wizard.table, profile.name)
        wizard.sheet_page.fill_profiles(profile.name)


class PreviewPage(_Page):
    """The dry run: what would be created, updated and skipped, and every problem."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Preview")
        self.setSubTitle("What the import would do. Nothing has been written yet.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.busy = Busy("Preview progress", self)
        self.summary = _wrapped(self, "Import summary")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.details = _wrapped(self, "Preview details")
        self.model = ProblemsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Problems")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Interactive,
            )
        ):
            header.setSectionResizeMode(column, mode)
        for column, width in ((0, 56), (1, 130), (2, 130), (4, 140)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_problem(current.row())
        )
        self.problems_label = _label("&Problems, those that stop a row first:", self.table, self)
        self.problem_detail = _wrapped(self, "Problem detail")
        self.skip = QCheckBox("&Leave out rows that cannot be imported", self)
        self.skip.setAccessibleName("Leave out rows that cannot be imported")
        self.skip.toggled.connect(self._skip_toggled)
        self.why = _wrapped(self, "Why Import is off", PROBLEM_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_detail)
        layout.addWidget(self.skip)
        layout.addWidget(self.why)
        # Takes the room the problems table leaves when there is none to list.
        layout.addStretch(0)
        self.layout_ = layout
        self.planning: tasks.Task[ImportPlan] | None = None
        self.importing: tasks.Task[ImportResult] | None = None
        self._clear()

    def _clear(self) -> None:
        self.summary.setText("")
        self.details.setText("")
        self.model.set_problems(())
        self.problem_detail.setText("")
        for widget in (self.problems_label, self.table, self.problem_detail, self.skip, self.why):
            widget.hide()

    def working(self) -> bool:
        return any(t is not None and not t.ended for t in (self.planning, self.importing))

    def initializePage(self) -> None:
        wizard = self.importer()
        wizard.plan = None
        self._clear()
        self.skip.blockSignals(True)
        self.skip.setChecked(False)
        self.skip.blockSignals(False)
        spreadsheet, table, mapping = wizard.spreadsheet, wizard.table, wizard.mapping
        assert spreadsheet is not None and table is not None and mapping is not None
        register, today = wizard.register, wizard.today
        moved = self.busy.reporter()
        self.busy.start(f"Checking {_plural(len(table.rows), 'row')}\u2026")

        def work(cancel: tasks.Cancel) -> ImportPlan:
            return plan_import(
                register,
                spreadsheet,
                table,
                mapping,
                today=today,
                progress=moved,
                cancel=cancel.check,
            )

        self.planning = wizard.start(work, self._planned, self._plan_failed)
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        # Back to the mapping: the preview under way is of a mapping about to change.
        if self.planning is not None and not self.planning.ended:
            self.planning.request_cancel()
        self.busy.stop()
        self.importer().plan = None
        self._clear()

    def _planned(self, plan: ImportPlan) -> None:
        self.busy.stop()
        wizard = self.importer()
        wizard.plan = plan
        lines = []
        if plan.date_order is not None:
            how = (
                "as you chose" if plan.mapping.date_order is not None else "as the file settles it"
            )
            order = (
                "day first (dd/mm)" if plan.date_order is DateOrder.DMY else "month first (mm/dd)"
            )
            lines.append(f"Dates are read {order}, {how}.")
        if plan.people_added:
            shown = ", ".join(plan.people_added[:8])
            more = len(plan.people_added) - 8
            lines.append(
                f"{_plural(len(plan.people_added), 'person', 'people')} would be added to the "
                f"register: {shown}" + (f" and {more:,} more." if more > 0 else ".")
            )
        if not plan.problems:
            lines.append("Every row can be imported as it is; nothing is flagged for review.")
        if any("date order" in p.reason for p in plan.errors):
            lines.append(
                "Some dates could be read day first or month first: go Back to the Sheet step "
                "and choose the date order."
            )
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self.model.set_problems(plan.problems)
        listed = bool(plan.problems)
        for widget in (self.problems_label, self.table, self.problem_detail):
            widget.setVisible(listed)
        self.layout_.setStretch(self.layout_.count() - 1, 0 if listed else 1)
        if listed:
            self.problems_label.setText(
                f"&Problems ({len(plan.errors):,} that stop a row, "
                f"{len(plan.flags):,} flagged for review), those that stop a row first:"
            )
            self.table.selectRow(0)
        self.skip.setVisible(not plan.ok)
        self._show_plan()

    def _show_plan(self) -> None:
        plan = self.importer().plan
        if plan is None:
            return
        self.summary.setText(plan.summary()[:1].upper() + plan.summary()[1:] + ".")
        if plan.can_commit and not plan.changes_anything:
            self.why.setText(
                "Nothing to import: every row is in the register as the file has it "
                "(matched by its reference). Close, or go back and map the columns differently."
            )
            self.why.show()
        elif plan.can_commit:
            self.why.hide()
        else:
            failed = len(plan.failed_rows)
            rows = "1 row cannot" if failed == 1 else f"{failed:,} rows cannot"
            self.why.setText(
                f"Import is off: {rows} be imported (listed first above). Correct the file "
                "and read it again, or tick \u201cLeave out rows that cannot be imported\u201d "
                "to import the others."
            )
            self.why.show()
        self.completeChanged.emit()

    def _show_problem(self, row: int) -> None:
        problems = self.model.problems
        self.problem_detail.setText(problems[row].sentence() if 0 <= row < len(problems) else "")

    def _plan_failed(self, sentence: str) -> None:
        self.busy.stop()
        self.summary.setText("The import cannot be previewed.")
        self.why.setText(sentence)
        self.why.show()
        self.completeChanged.emit()

    def _skip_toggled(self, ticked: bool) -> None:
        wizard = self.importer()
        if wizard.plan is not None:
            # Leaving rows out changes only whether the plan may be written, not the rows.
            wizard.plan = dataclasses.replace(wizard.plan, skip_errors=ticked)
        self._show_plan()

    def isComplete(self) -> bool:
        plan = self.importer().plan
        return plan is not None and plan.can_commit and plan.changes_anything and not self.working()

    def validatePage(self) -> bool:
        wizard = self.importer()
        if wizard.imported is not None:
            return True
        plan = wizard.plan
        if plan is None or self.working():
            return False
        register, today = wizard.register, wizard.today
        moved = self.busy.reporter()
        self.busy.start("Importing\u2026")
        self.skip.setEnabled(False)

        def work(_cancel: tasks.Cancel) -> ImportResult:
            return run_import(register, plan, today=today, progress=moved)

        self.importing = wizard.start(work, self._imported, self._import_failed, importing=True)
        self.completeChanged.emit()  # Import off while it runs
        # After that: a change of the page's completeness has the wizard enable Back again.
        wizard.hold_buttons(True)
        return False

    def _imported(self, result: ImportResult) -> None:
        self.busy.stop()
        wizard = self.importer()
        wizard.imported = result
        wizard.done_importing()
        wizard.next()

    def _import_failed(self, sentence: str) -> None:
        self.busy.stop()
        self.skip.setEnabled(True)
        self.importer().done_importing()
        self.why.setText(f"Nothing was imported: {sentence}")
        self.why.show()
        self.completeChanged.emit()


class ResultPage(_Page):
    """What the import did, and where the copy of the register from before it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Imported")
        self.setFinalPage(True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Close")
        self.summary = _wrapped(self, "Import result")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.refs = _wrapped(self, "Findings imported")
        self.backup = _wrapped(self, "Backup copy")
        self.flags = _wrapped(self, "Flagged for review")
        self.people = _wrapped(self, "People added")
        self.copy = QPushButton("Co&py the report", self)
        self.copy.setAccessibleName("Copy the report")
        self.copy.clicked.connect(self._copy)
        row = QHBoxLayout()
        row.addWidget(self.copy)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.refs, self.backup, self.flags, self.people):
            layout.addWidget(widget)
        layout.addLayout(row)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.importer()
        result = wizard.imported
        assert result is not None
        self.setSubTitle(f"From {wizard.plan.spreadsheet.path.name}." if wizard.plan else "")
        self.summary.setText(result.summary()[:1].upper() + result.summary()[1:] + ".")
        refs = [*result.created, *result.updated]
        if refs:
            shown = ", ".join(refs[:12])
            more = len(refs) - 12
            self.refs.setText(
                f"Findings: {shown}"
                + (f" and {more:,} more." if more > 0 else ".")
                + " The register, the Actions tab and the Calendar show them."
            )
        self.refs.setVisible(bool(refs))
        if not result.wrote:
            self.backup.setText("Nothing was written, so no backup copy was needed.")
        elif result.backup is not None:
            self.backup.setText(
                f"The register as it was before the import is saved as {result.backup}."
            )
        else:
            self.backup.setText("The database server keeps its own backups of the register.")
        if result.flagged:
            self.flags.setText(
                f"{_plural(result.flagged, 'problem')} flagged for review: the rows came in, "
                "at the stage their content proves. Copy the report to keep the list."
            )
        else:
            self.flags.setText("Nothing was flagged for review.")
        self.people.setText(
            f"Added to the register's people, named in the file: {', '.join(result.people_added)}."
            if result.people_added
            else ""
        )
        self.people.setVisible(bool(result.people_added))

    def report(self) -> str:
        wizard = self.importer()
        lines = []
        if wizard.imported is not None:
            lines.append(f"Imported: {wizard.imported.summary()}.")
            if wizard.imported.backup is not None:
                lines.append(f"Backup: {wizard.imported.backup}")
        if wizard.plan is not None:
            lines += wizard.plan.report()
        return "\n".join(lines)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report())
        self.copy.setText("Co&py the report (copied)")


class ImportDialog(QWizard):
    """File > Import; ``on_changes`` gets what the import wrote, for the views to refresh."""

    def __init__(
        self,
        register: Register,
        today: dt.date,
        *,
        on_changes: Callable[[Changes[Any]], None],
        say: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.today = today
        self.on_changes = on_changes
        self.say = say
        self.spreadsheet: Spreadsheet | None = None
        self.table: Table | None = None
        self.mapping: Mapping | None = None
        self.profile_name: str | None = None
        self.mapping_shown: tuple[Table, str | None] | None = None
        self.plan: ImportPlan | None = None
        self.imported: ImportResult | None = None
        self.importing = False
        self.tasks: list[tasks.Task[Any]] = []
        self.setWindowTitle("Import a register")
        self.setOptions(
            self.options()
            | QWizard.WizardOption.NoBackButtonOnStartPage
            | QWizard.WizardOption.NoCancelButtonOnLastPage
        )
        folder = register.path.resolve().parent if register.path else Path.home()
        self.file_page = FilePage(folder, self)
        self.sheet_page = SheetPage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        for page in (
            self.file_page,
            self.sheet_page,
            self.mapping_page,
            self.preview_page,
            self.result_page,
        ):
            self.addPage(page)
        self.currentIdChanged.connect(lambda _id: self._focus_close())
        self.resize(900, 640)

    def _focus_close(self) -> None:
        # On the result, Enter closes: the focus is on Close, not on the page's first button
        # (the buttons are shown for the page only once it is current).
        if self.currentPage() is self.result_page:
            self.button(QWizard.WizardButton.FinishButton).setFocus(Qt.FocusReason.OtherFocusReason)

    def start(
        self,
        work: Callable[[tasks.Cancel], T],
        succeeded: Callable[[T], None],
        failed: Callable[[str], None],
        *,
        importing: bool = False,
    ) -> tasks.Task[T]:
        """``work`` off the GUI thread; its answer is dropped once the dialog was closed."""
        if importing:
            self.importing = True

        def alive(callback: Callable[..., None]) -> Callable[..., None]:
            def call(*args: Any) -> None:
                if self.isVisible() or importing:
                    callback(*args)

            return call

        task = tasks.run(work, alive(succeeded), alive(failed), owner=self)
        self.tasks.append(task)
        return task

    def hold_buttons(self, held: bool) -> None:
        """Back and Cancel off while the import runs: it is one transaction, and cannot
        be left half way."""
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(not held)

    def done_importing(self) -> None:
        self.importing = False
        self.hold_buttons(False)
        if self.imported is not None:
            self.on_changes(self.imported.changes)
            self.say(f"Import done: {self.imported.summary()}.")

    def showing(self, table: Table, profile: str | None) -> bool:
        """Whether the mapping step shows ``table`` mapped from ``profile`` (by identity:
        comparing two tables of 10,000 rows would compare every cell)."""
        shown = self.mapping_shown
        return shown is not None and shown[0] is table and shown[1] == profile

    def set_spreadsheet(self, spreadsheet: Spreadsheet) -> None:
        self.spreadsheet = spreadsheet
        self.mapping_shown = None
        self.sheet_page.fill(spreadsheet)

    def choose(
        self, table: Table, profile: mappings.Profile | None, order: DateOrder | None
    ) -> None:
        """The sheet step's answer: the table, and the mapping to start from."""
        name = profile.name if profile is not None else None
        if self.showing(table, name) and self.mapping is not None:
            self.mapping = self.mapping.with_date_order(order)  # the user's changes kept
            return
        self.table = table
        self.profile_name = name
        start = profile.apply(table) if profile is not None else mappings.auto_mapping(table)
        self.mapping = start.with_date_order(order)

    def reject(self) -> None:
        if self.importing:
            return  # one transaction under way: it ends, then the result is shown
        for task in self.tasks:
            if not task.ended:
                task.request_cancel()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.importing:
            event.ignore()
            return
        super().closeEvent(event)
