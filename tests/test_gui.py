"""The main window on real registers, driven with pytest-qt."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp import register_table as rt
from carapp import store
from carapp.check import check
from carapp.models.enums import Classification, Source
from carapp.queries import finding_detail, register_summary
from carapp.store import Register, head_revision, open_register
from carapp.ui import welcome
from carapp.ui.app import starting_register
from carapp.ui.finding_dialog import NewFindingDialog, VoidDialog
from carapp.ui.main_window import MainWindow
from carapp.ui.register_model import BADGE_COLOURS, RegisterTableModel
from carapp.ui.welcome import WelcomeDialog
from tests.conftest import TODAY, World, demo_register, sha256
from tests.test_anchors import rewrite_carefully


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=300, seed=5)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def loaded(qtbot: QtBot, demo: Register, settings: QSettings | None = None) -> MainWindow:
    window = MainWindow(
        demo,
        today=lambda: TODAY,
        settings=settings
        or QSettings(str(Path(str(demo.path)).with_suffix(".ini")), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the newest query has answered and the table shows it."""
    window.query.wait()
    qtbot.waitUntil(window.up_to_date, timeout=5000)


def shown_ids(window: MainWindow) -> list[int]:
    model = window.model
    return [i for i in (model.finding_id(r) for r in range(model.rowCount())) if i is not None]


def test_model_passes_qt_model_tester(
    qapp: QApplication, qtmodeltester: ModelTester, demo: Register
) -> None:
    model = RegisterTableModel(demo, lambda: TODAY)
    model.set_ids(rt.finding_ids(demo, rt.RegisterFilter(), TODAY))
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]


def test_window_shows_every_finding_newest_first(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    assert window.model.rowCount() == 300
    assert window.matches.text() == "300 of 300 findings"
    assert shown_ids(window) == rt.finding_ids(
        demo, rt.RegisterFilter(), TODAY, rt.Column.IDENTIFIED, descending=True
    )
    overdue = rt.count(demo, rt.RegisterFilter(quick=rt.QuickFilter.OVERDUE), TODAY)
    assert window.status.text().endswith(
        f'300 of 300 shown   \u2022   <a href="overdue">{overdue} overdue</a>'
    )
    # Each quick filter names how many findings it shows.
    for index, quick in enumerate(rt.QuickFilter):
        count = rt.count(demo, rt.RegisterFilter(quick=quick), TODAY)
        assert window.quick.itemText(index) == f"{quick.label} ({count:,})"


def test_search_narrows_the_table_after_typing(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    QTest.keyClicks(window.search, "backup")
    qtbot.waitUntil(lambda: window.model.rowCount() < 300, timeout=5000)
    settle(qtbot, window)
    expected = rt.count(demo, rt.RegisterFilter(search="backup"), TODAY)
    assert 0 < window.model.rowCount() == expected
    assert window.matches.text() == f"{expected} of 300 findings"
    window.search.setFocus()
    QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""


@pytest.mark.parametrize("quick", list(rt.QuickFilter))
def test_each_quick_filter_shows_what_sql_counts(
    qtbot: QtBot, demo: Register, quick: rt.QuickFilter
) -> None:
    window = loaded(qtbot, demo)
    window.quick.setCurrentIndex(window.quick.findData(quick.value))
    settle(qtbot, window)
    assert window.model.rowCount() == rt.count(demo, rt.RegisterFilter(quick=quick), TODAY)


def test_overdue_majors_in_two_clicks_with_cues(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    # Click one: the overdue count in the status bar.
    window.status.linkActivated.emit("overdue")
    settle(qtbot, window)
    assert window.current_filter().quick is rt.QuickFilter.OVERDUE
    # Click two: the Class header (majors first).
    header = window.table.horizontalHeader()
    column = window.model.columns.index(rt.Column.CLASSIFICATION)
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 10, header.height() // 2),
    )
    settle(qtbot, window)
    assert window.sort_column is rt.Column.CLASSIFICATION and not window.sort_descending
    assert shown_ids(window) == rt.finding_ids(
        demo, rt.RegisterFilter(quick=rt.QuickFilter.OVERDUE), TODAY, rt.Column.CLASSIFICATION
    )
    first = window.model.row_at(0)
    assert first is not None and first.classification.value == "major" and first.overdue
    index = window.model.index(0, window.model.columns.index(rt.Column.DAYS_LEFT))
    assert window.model.data(index).endswith("overdue")
    assert window.model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert window.model.data(index, Qt.ItemDataRole.FontRole).bold()
    assert window.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None


def test_sorting_by_a_header_is_a_new_query(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    column = window.model.columns.index(rt.Column.DAYS_LEFT)
    window.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    settle(qtbot, window)
    assert shown_ids(window) == rt.finding_ids(
        demo, rt.RegisterFilter(), TODAY, rt.Column.DAYS_LEFT
    )


def test_selecting_a_row_shows_the_finding_in_the_detail_pane(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    window.table.setFocus()
    window.table.selectRow(3)
    row = window.model.row_at(3)
    assert row is not None
    text = window.detail.toPlainText()
    assert row.ref in text and "Next step:" in text and "Recent history" in text


def test_keyboard_reaches_the_search(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    window.table.setFocus()
    find = next(a for a in window.findChildren(QAction) if a.text() == "&Find\u2026")
    find.trigger()
    assert window.search.hasFocus()


def test_about_box_names_the_version(
    qtbot: QtBot, demo: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    window = loaded(qtbot, demo)
    about = next(a for a in window.findChildren(QAction) if a.text() == "&About carapp")
    about.trigger()
    assert shown and "carapp 0.1.0" in shown[0]


def test_window_renders_offscreen(qtbot: QtBot, demo: Register, tmp_path: Path) -> None:
    window = loaded(qtbot, demo)
    window.table.selectRow(0)
    shot = tmp_path / "main.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 20_000


def test_a_bad_register_is_explained_and_left_alone(
    tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    path = tmp_path / "register.sqlite"
    path.write_text("Ref,Title\n")
    before = sha256(path)
    assert starting_register(str(path), explicit=True, settings=settings) is None
    assert said == [f"{path} cannot be opened: it is a text file, not a register."]
    assert sha256(path) == before


def test_first_run_offers_the_welcome_screen_which_creates_a_register(
    qtbot: QtBot, tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "data" / "register.sqlite"
    assert starting_register(str(default), explicit=False, settings=settings) is None
    chosen = tmp_path / "isms" / "register.sqlite"
    chosen.parent.mkdir()
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Northwind Logistics", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(chosen), ""))
    dialog = WelcomeDialog(TODAY)
    qtbot.addWidget(dialog)
    QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.register is not None and chosen.exists()
    assert register_summary(dialog.register, TODAY).organisation == "Northwind Logistics"
    dialog.register.close()


def test_welcome_screen_opens_a_demo_register(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welcome, "demo_path", lambda: tmp_path / "demo.sqlite")
    dialog = WelcomeDialog(TODAY)
    qtbot.addWidget(dialog)
    QTest.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.register is not None
    assert register_summary(dialog.register, TODAY).findings == welcome.DEMO_FINDINGS
    dialog.register.close()


def test_last_register_columns_and_geometry_are_remembered(
    qtbot: QtBot, demo: Register, settings: QSettings
) -> None:
    window = loaded(qtbot, demo, settings)
    stage = window.model.columns.index(rt.Column.STAGE)
    window.table.horizontalHeader().setSectionHidden(stage, True)
    window.table.horizontalHeader().moveSection(window.model.columns.index(rt.Column.OWNERS), 1)
    window.resize(790, 520)  # within the offscreen screen (800 x 600), above the minimum
    window.save_layout()
    again = loaded(qtbot, demo, QSettings(settings.fileName(), QSettings.Format.IniFormat))
    header = again.table.horizontalHeader()
    assert header.isSectionHidden(stage)
    assert header.visualIndex(again.model.columns.index(rt.Column.OWNERS)) == 1
    assert (again.size().width(), again.size().height()) == (790, 520)
    assert settings.value("registers/last") == str(demo.path)
    reopened = starting_register("unused", explicit=False, settings=settings)
    assert reopened is not None and reopened.path == demo.path
    reopened.close()


def test_sort_order_is_remembered_and_the_first_screen_uses_it(
    qtbot: QtBot, demo: Register, settings: QSettings
) -> None:
    window = loaded(qtbot, demo, settings)
    owners = window.model.columns.index(rt.Column.OWNERS)
    window.table.sortByColumn(owners, Qt.SortOrder.DescendingOrder)
    settle(qtbot, window)
    window.close()  # saves the layout
    again = MainWindow(
        demo, today=lambda: TODAY, settings=QSettings(settings.fileName(), settings.format())
    )
    qtbot.addWidget(again)
    expected = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.OWNERS, True)
    # Before any query has answered: the first screenful, already in the remembered order.
    assert 0 < again.model.rowCount() < len(expected)
    assert shown_ids(again) == expected[: again.model.rowCount()]
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == owners
    assert header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder
    again.show()
    settle(qtbot, again)
    assert shown_ids(again) == expected


def test_filters_combine_with_quick_filters(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    window.quick.setCurrentIndex(window.quick.findData(rt.QuickFilter.ALL_OPEN.value))
    window.classification.setCurrentIndex(window.classification.findData("minor"))
    window.source.setCurrentIndex(window.source.findData("certification_audit"))
    settle(qtbot, window)
    expected = rt.RegisterFilter(
        quick=rt.QuickFilter.ALL_OPEN,
        classifications=frozenset({Classification.MINOR}),
        sources=frozenset({Source.CERTIFICATION_AUDIT}),
    )
    assert window.current_filter() == expected
    assert 0 < window.model.rowCount() == rt.count(demo, expected, TODAY)
    owner_index = 1
    window.owner.setCurrentIndex(owner_index)
    settle(qtbot, window)
    assert window.model.rowCount() == rt.count(
        demo, replace(expected, owner_id=window.owner.itemData(owner_index)), TODAY
    )


def test_new_finding_keeps_the_typing_when_refused_then_saves(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    dialog = NewFindingDialog(register, TODAY, window)
    qtbot.addWidget(dialog)
    dialog.requirements.setText("A.5.18, Z.99")
    dialog.statement.setPlainText("Three leavers still had accounts.")
    dialog.save()
    assert "title is empty" in dialog.error.text()
    dialog.title.setText("Leavers keep access")
    dialog.save()
    assert "There is no requirement Z.99" in dialog.error.text()
    assert dialog.statement.toPlainText() == "Three leavers still had accounts."
    dialog.requirements.setText("A.5.18")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.ref == "NC-2026-001"
    window.refresh()
    settle(qtbot, window)
    assert window.model.rowCount() == 1


def test_void_keeps_the_finding_with_its_reason(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    ref = op.record_finding(
        register, op.FindingDraft("Duplicate", Source.MONITORING, Classification.MINOR, TODAY)
    ).result
    dialog = VoidDialog(register, ref, TODAY)
    qtbot.addWidget(dialog)
    dialog.save()
    assert "reason for voiding is empty" in dialog.error.text()
    dialog.reason.setPlainText("Duplicate of NC-2026-004.")
    dialog.save()
    detail = finding_detail(register, ref, TODAY)
    assert detail["stage"] == "void" and detail["void"]["reason"] == "Duplicate of NC-2026-004."


def test_a_locked_register_says_so_in_the_dialog(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.sqlite"
    register = op.create_register(path, "Org")
    dialog = NewFindingDialog(register, TODAY)
    qtbot.addWidget(dialog)
    dialog.title.setText("Scope statement out of date")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        dialog.save()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "locked by another program" in dialog.error.text()
    assert dialog.title.text() == "Scope statement out of date"
    register.close()


def test_backup_copy_from_the_file_menu(
    qtbot: QtBot, register: Register, settings: QSettings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    target = tmp_path / "copies" / "backup.sqlite"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.backup_action.trigger()
    copy = open_register(target)
    try:
        assert check(copy).sound
    finally:
        copy.close()
    assert str(target) in window.statusBar().currentMessage()


def test_classification_is_painted_as_a_badge(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    window.quick.setCurrentIndex(window.quick.findData(rt.QuickFilter.MAJORS.value))
    settle(qtbot, window)
    column = window.model.columns.index(rt.Column.CLASSIFICATION)
    cell = window.table.visualRect(window.model.index(0, column))
    image = window.table.viewport().grab(cell).toImage()
    fill = QColor(BADGE_COLOURS[Classification.MAJOR][0])
    colours = {image.pixelColor(x, image.height() // 2).name() for x in range(image.width())}
    assert fill.name() in colours


# A menu popping up on the offscreen platform: its notices, not warnings about our widgets.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_about_this_register_shows_its_fingerprint_from_the_help_menu(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    from carapp.anchors import fingerprint

    window = loaded(qtbot, register, settings)
    bar = window.menuBar()
    help_menu = next(a for a in bar.actions() if a.text() == "&Help").menu()
    assert isinstance(help_menu, QMenu)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(bar, left, none, bar.actionGeometry(help_menu.menuAction()).center())
    qtbot.waitExposed(help_menu)
    item = next(a for a in help_menu.actions() if a.text() == "About this &register")
    QTest.mouseClick(help_menu, left, none, help_menu.actionGeometry(item).center())
    box = window.findChild(QMessageBox)
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    print_ = fingerprint(register)
    assert print_.entries > 100
    shown = box.text()
    for expected in (
        "Northwind Logistics Ltd",
        str(register.path),
        head_revision(),
        f"<td>{print_.short}</td>",
        print_.full,
        "<td>Findings</td><td>0</td>",
    ):
        assert expected in shown
    box.accept()


def test_opening_a_rewritten_register_in_the_window_says_so(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: said.append((title, text)))
    path = world.register.path
    assert path is not None
    world.register.close()
    first = welcome.open_chosen(None, path)
    assert first is not None and said == []
    first.close()
    rewrite_carefully(path, lambda _conn, rows: rows[:-2])
    second = welcome.open_chosen(None, path)
    assert second is not None
    second.close()
    ((title, text),) = said
    assert title == "This register's history has changed"
    assert text.startswith("This register's history was cut short: carapp last saw it intact on")
