"""File > Import as a person uses it: a spreadsheet built here on disk, chosen by typing its
path, its sheet and mapping checked, the preview read, and the import run, by keys and
clicks on the real widgets; the register table then lists what came in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWizard,
)
from pytestqt.qtbot import QtBot

from carapp.imports.mapping import auto_mapping
from carapp.imports.plan import plan_import
from carapp.imports.sheets import ImportFileError, read_spreadsheet
from carapp.operations.importing import run_import
from carapp.queries.findings import finding_detail, list_findings
from carapp.store import Register
from carapp.ui.import_dialog import ImportDialog
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import choose, click, named, type_into

ALT = Qt.KeyboardModifier.AltModifier
HEADINGS = (
    "Ref",
    "Date raised",
    "Finding",
    "Details",
    "Grade",
    "Action owner",
    "Due date",
    "Our notes",
    "Comments",
)


def row(
    ref: str,
    title: str,
    raised: Any = dt.date(2025, 2, 3),
    notes: str = "Warehouse",
    comment: str = "",
) -> tuple[Any, ...]:
    return (
        ref,
        raised,
        title,
        f"{title}: seen in the sample of February.",
        "Minor",
        "Tom Okafor",
        dt.date(2025, 3, 31),
        notes,
        comment,
    )


def workbook(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A register as people keep one: a title, a blank row, then the headings; and a sheet
    of notes beside it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "CAR log"
    sheet.append(["Northwind corrective action register"])
    sheet.append([])
    sheet.append(list(HEADINGS))
    for cells in rows:
        sheet.append(list(cells))
    book.create_sheet("Read me").append(["Keep this log up to date every month."])
    book.save(path)
    return path


def main_window(qtbot: QtBot, register: Register, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.waitUntil(window.up_to_date, timeout=10000)
    return window


def the_wizard(qtbot: QtBot) -> ImportDialog:
    """The import dialog, once it is the window keys go to."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ImportDialog))
    wizard = QApplication.activeModalWidget()
    assert isinstance(wizard, ImportDialog)
    qtbot.waitUntil(wizard.isActiveWindow, timeout=2000)
    return wizard


def open_import(qtbot: QtBot, window: MainWindow) -> ImportDialog:
    window.import_action.trigger()
    return the_wizard(qtbot)


def enter() -> None:
    """Return, pressed wherever the focus is (the wizard's default button takes it)."""
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.keyClick(widget, Qt.Key.Key_Return)


def alt(wizard: QWizard, key: Qt.Key) -> None:
    QTest.keyClick(QApplication.focusWidget() or wizard, key, ALT)


def to_sheet(qtbot: QtBot, wizard: ImportDialog, path: Path) -> None:
    type_into(named(wizard, "File to import"), str(path))
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.sheet_page, timeout=20000)


def to_preview(qtbot: QtBot, wizard: ImportDialog) -> None:
    """From the mapping step: Next, and wait for the dry run."""
    alt(wizard, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page)
    qtbot.waitUntil(lambda: not wizard.preview_page.working(), timeout=20000)


def import_button(wizard: QWizard) -> QPushButton:
    button = wizard.button(QWizard.WizardButton.CommitButton)
    assert isinstance(button, QPushButton) and button.isVisible()
    return button


def import_now(qtbot: QtBot, wizard: ImportDialog) -> None:
    click(import_button(wizard))
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=30000)


def titles(register: Register) -> list[str]:
    return sorted(f.title for f in list_findings(register, today=TODAY))


def test_the_whole_import_by_keys_creates_the_findings_and_the_views_show_them(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = workbook(
        tmp_path / "car log.xlsx",
        [
            row("NC-01", "Leavers keep their accounts"),
            row("NC-02", "Backups never restored in a test"),
            row("NC-03", "Visitors not signed in"),
        ],
    )
    window = main_window(qtbot, world.register, tmp_path)
    # File > Import from the keyboard: Alt+F opens the File menu, I its Import item.
    QTest.keyClick(window, Qt.Key.Key_F, ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    menu = QApplication.activePopupWidget()
    assert menu is not None
    QTest.keyClick(menu, Qt.Key.Key_I)
    wizard = the_wizard(qtbot)

    to_sheet(qtbot, wizard, source)
    sheet = named(wizard, "Sheet", QComboBox)
    assert sheet.currentText() == "CAR log (3 rows)"
    assert "Headings on row 3" in named(wizard, "Sheet details", QLabel).text()
    assert "\u201cRead me\u201d" in named(wizard, "Sheets not offered", QLabel).text()
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    owner = named(wizard, "Field for column \u201cAction owner\u201d", QComboBox)
    assert owner.currentText() == "Action owner"
    assert named(wizard, "Field for column \u201cComments\u201d", QComboBox).currentText() == (
        "Not imported"
    )
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page)
    qtbot.waitUntil(lambda: not wizard.preview_page.working(), timeout=20000)
    summary = named(wizard, "Import summary", QLabel).text()
    assert summary.startswith("3 findings would be created")
    assert titles(world.register) == []  # the preview wrote nothing
    assert import_button(wizard).isEnabled()
    alt(wizard, Qt.Key.Key_I)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.result_page, timeout=30000)
    result = named(wizard, "Import result", QLabel).text()
    assert result.startswith("3 findings created")
    assert ".before-import-" in named(wizard, "Backup copy", QLabel).text()
    enter()  # Close
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)

    assert titles(world.register) == [
        "Backups never restored in a test",
        "Leavers keep their accounts",
        "Visitors not signed in",
    ]
    # The views were told: the table lists them, the Actions tab shows their actions.
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)
    qtbot.waitUntil(lambda: len(window.actions_tab.model.rows) == 3, timeout=10000)
    assert "Import done: 3 findings created" in window.statusBar().currentMessage()


def test_remapping_a_column_changes_what_is_imported(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = workbook(
        tmp_path / "car log.xlsx",
        [row("NC-01", "Leavers keep accounts", notes="Warehouse", comment="Accounts of leavers")],
    )
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, source)
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    notes = named(wizard, "Field for column \u201cOur notes\u201d", QComboBox)
    assert notes.currentText() == "Not imported"
    choose(notes, "Area")
    assert notes.currentText() == "Area / process"
    # The title taken by another column: the column that filled it no longer does.
    comments = named(wizard, "Field for column \u201cComments\u201d", QComboBox)
    choose(comments, "Title")
    finding = named(wizard, "Field for column \u201cFinding\u201d", QComboBox)
    assert finding.currentText() == "Not imported"
    note = named(wizard, "Mapping note", QLabel).text()
    assert "\u201cFinding\u201d is no longer imported: \u201cComments\u201d fills Title." in note
    to_preview(qtbot, wizard)
    import_now(qtbot, wizard)
    [ref] = [f.ref for f in list_findings(world.register, today=TODAY)]
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.title == "Accounts of leavers"
    assert detail.area == "Warehouse"


def test_a_failing_row_blocks_the_import_until_it_is_left_out(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = workbook(
        tmp_path / "car log.xlsx",
        [
            row("NC-01", "Leavers keep accounts"),
            row("NC-02", "A date nobody can read", raised="the other day"),
            row("NC-03", "Visitors not signed in"),
        ],
    )
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, source)
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    to_preview(qtbot, wizard)
    assert not import_button(wizard).isEnabled()
    why = named(wizard, "Why Import is off", QLabel)
    assert why.text().startswith("Import is off: 1 row cannot be imported")
    problems = named(wizard, "Problems", QTableView)
    first = problems.model().index(0, 0)
    cells = [problems.model().index(0, c).data() for c in range(5)]
    assert first.isValid() and cells[:3] == ["5", "Date raised", "the other day"]
    assert cells[4] == "Cannot be imported"
    assert "Row 5, Date raised" in named(wizard, "Problem detail", QLabel).text()

    skip = named(wizard, "Leave out rows that cannot be imported", QCheckBox)
    alt(wizard, Qt.Key.Key_L)  # its mnemonic (a shortcut clicks a moment later)
    qtbot.waitUntil(skip.isChecked)
    assert import_button(wizard).isEnabled()
    assert not why.isVisible()
    assert "1 row skipped" in named(wizard, "Import summary", QLabel).text()
    import_now(qtbot, wizard)
    assert "1 row skipped" in named(wizard, "Import result", QLabel).text()
    assert titles(world.register) == ["Leavers keep accounts", "Visitors not signed in"]


def test_a_refused_file_is_explained_and_another_can_be_chosen(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    broken = tmp_path / "register.xlsx"
    broken.write_bytes(b"this was never a workbook")
    with pytest.raises(ImportFileError) as refused:
        read_spreadsheet(broken)
    good = workbook(tmp_path / "good.xlsx", [row("NC-01", "Leavers keep accounts")])
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    type_into(named(wizard, "File to import"), str(broken))
    enter()
    qtbot.waitUntil(wizard.file_page.problem.isVisible, timeout=20000)
    problem = named(wizard, "File problem", QLabel)
    assert problem.text() == str(refused.value)
    assert wizard.currentPage() is wizard.file_page
    # The dialog stays usable: the right file goes on.
    to_sheet(qtbot, wizard, good)
    assert named(wizard, "Sheet", QComboBox).currentText() == "CAR log (1 row)"
    click(wizard.button(QWizard.WizardButton.CancelButton))
    assert titles(world.register) == []


def test_a_saved_profile_maps_the_next_import_the_same_way(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    window = main_window(qtbot, world.register, tmp_path)
    january = workbook(tmp_path / "january.xlsx", [row("NC-01", "Leavers keep accounts")])
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, january)
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    choose(named(wizard, "Field for column \u201cOur notes\u201d", QComboBox), "Area")
    alt(wizard, Qt.Key.Key_P)  # Save as profile...
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QInputDialog))
    asked = QApplication.activeModalWidget()
    assert isinstance(asked, QInputDialog)
    qtbot.waitUntil(asked.isActiveWindow, timeout=2000)
    field = QApplication.focusWidget()
    assert isinstance(field, QLineEdit) and field.window() is asked
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "Monthly CAR log")
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is wizard)
    assert "Saved as the profile \u201cMonthly CAR log\u201d" in (
        named(wizard, "Profile note", QLabel).text()
    )
    QTest.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_Escape)  # cancel this one
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert titles(world.register) == []

    february = workbook(
        tmp_path / "february.xlsx", [row("NC-07", "Visitors not signed in", notes="Reception")]
    )
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, february)
    profile = named(wizard, "Mapping profile", QComboBox)
    choose(profile, "Monthly")
    assert profile.currentText() == "Monthly CAR log"
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    notes = named(wizard, "Field for column \u201cOur notes\u201d", QComboBox)
    assert notes.currentText() == "Area / process"
    to_preview(qtbot, wizard)
    import_now(qtbot, wizard)
    [ref] = [f.ref for f in list_findings(world.register, today=TODAY)]
    assert finding_detail(world.register, ref, TODAY).area == "Reception"


def test_cancelling_at_the_preview_leaves_the_register_unchanged(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = workbook(tmp_path / "car log.xlsx", [row("NC-01", "Leavers keep accounts")])
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, source)
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    to_preview(qtbot, wizard)
    assert import_button(wizard).isEnabled()
    QTest.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert titles(world.register) == []
    assert world.register.path is not None
    folder = world.register.path.parent
    assert [p.name for p in folder.iterdir() if "before-import" in p.name] == []


def test_dates_either_way_round_are_read_in_the_order_chosen_on_the_sheet_step(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = tmp_path / "register.csv"
    source.write_bytes(
        "Ref;Date raised;Finding;Details;Grade\r\n"
        "NC-1;03/02/2025;Caf\u00e9 badges not returned;Two of five badges;Minor\r\n".encode(
            "cp1252"
        )
    )
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, source)
    details = named(wizard, "Sheet details", QLabel).text()
    assert "Read as Windows-1252 text, separated by semicolons." in details
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    to_preview(qtbot, wizard)
    # 03/02/2025 is 3 February or 2 March: the preview says so, and where to settle it.
    assert not import_button(wizard).isEnabled()
    assert "choose the date order" in named(wizard, "Preview details", QLabel).text()
    alt(wizard, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    alt(wizard, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.sheet_page)
    order = named(wizard, "Date order", QComboBox)
    choose(order, "Day")
    assert order.currentText() == "Day first (dd/mm)"
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    to_preview(qtbot, wizard)
    assert "Dates are read day first (dd/mm), as you chose." in (
        named(wizard, "Preview details", QLabel).text()
    )
    import_now(qtbot, wizard)
    [found] = list(list_findings(world.register, today=TODAY))
    assert found.title == "Caf\u00e9 badges not returned"
    assert found.identified == dt.date(2025, 2, 3)


def test_importing_the_same_file_again_says_there_is_nothing_to_import(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    source = workbook(tmp_path / "car log.xlsx", [row("NC-01", "Leavers keep accounts")])
    spreadsheet = read_spreadsheet(source)
    table = spreadsheet.proposed
    plan = plan_import(world.register, spreadsheet, table, auto_mapping(table), today=TODAY)
    run_import(world.register, plan, today=TODAY)
    window = main_window(qtbot, world.register, tmp_path)
    wizard = open_import(qtbot, window)
    to_sheet(qtbot, wizard, source)
    enter()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page)
    to_preview(qtbot, wizard)
    assert not import_button(wizard).isEnabled()
    why: QLabel = named(wizard, "Why Import is off", QLabel)
    assert why.isVisible() and "Nothing to import" in why.text()
    QTest.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert titles(world.register) == ["Leavers keep accounts"]
