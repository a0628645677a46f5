"""The main window on real registers, driven with pytest-qt."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp import store
from carapp.check import check
from carapp.models.enums import Classification, Source, Stage
from carapp.queries import finding_detail, register_summary
from carapp.queries import register_table as rt
from carapp.store import Register, open_register
from carapp.ui import tasks, welcome
from carapp.ui.app import starting_register
from carapp.ui.finding_dialog import VoidDialog
from carapp.ui.main_window import MainWindow
from carapp.ui.register_model import BADGE_COLOURS, RegisterTableModel
from carapp.ui.welcome import WelcomeDialog
from tests.conftest import TODAY, World, demo_register, sha256
from tests.editor_helpers import when_modal
from tests.test_anchors import rewrite_carefully
from tests.test_damage import _make_read_only
from tests.test_register_table import QUICK_SQL, by_sql


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
    # The expectation is hand-written SQL, not the query the window itself runs.
    expected = by_sql(demo, QUICK_SQL[quick])
    window = loaded(qtbot, demo)
    window.quick.setCurrentIndex(window.quick.findData(quick.value))
    settle(qtbot, window)
    assert set(shown_ids(window)) == expected
    assert window.quick.currentText() == f"{quick.label} ({len(expected):,})"


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
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    assert not window.search.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
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


def test_window_renders_offscreen(
    qtbot: QtBot, demo: Register, tmp_path: Path, settings: QSettings
) -> None:
    window = loaded(qtbot, demo, settings)
    window.table.selectRow(0)
    shot = tmp_path / "main.png"
    assert window.grab().save(str(shot))
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 7) for y in range(0, 800, 7)}
    assert len(colours) > 50, "the screenshot is close to blank"
    # The table is in it: its classification badges and overdue tint are painted.
    painted = {QColor(c).name() for c in colours}
    majors = BADGE_COLOURS[Classification.MAJOR][0]
    rows = [window.model.row_at(r) for r in range(1, 20)]  # row 0 is selected
    assert Classification.MAJOR not in {r.classification for r in rows if r} or majors in painted
    assert any(QColor(fill).name() in painted for fill, _ink in BADGE_COLOURS.values())
    # And the table is there as it paints itself, where it sits in the window.
    table = window.table.grab().toImage()
    at = window.table.mapTo(window, QPoint(0, 0))
    points = [(x, y) for x in range(0, table.width(), 23) for y in range(0, table.height(), 17)]
    same = sum(table.pixel(x, y) == image.pixel(at.x() + x, at.y() + y) for x, y in points)
    assert same > 0.95 * len(points)


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
    assert (
        detail.stage is Stage.VOID
        and detail.void is not None
        and detail.void.reason == "Duplicate of NC-2026-004."
    )


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
        store.head_revision(),
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


# --- the background runner ---------------------------------------------------------------


def _watchdog(qtbot: QtBot, seconds: float) -> list[str]:
    """Closes any modal window left open after ``seconds``, and says so: a test that would
    otherwise hang forever fails instead."""
    hung: list[str] = []

    def close_modal() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            hung.append(modal.windowTitle())
            modal.close()
            if isinstance(modal, QDialog):
                modal.reject()

    QTimer.singleShot(int(seconds * 1000), close_modal)
    return hung


def test_a_demo_that_fails_closes_its_progress_and_says_why(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    taken = tmp_path / "demo.sqlite"
    taken.write_bytes(b"someone else's file")
    monkeypatch.setattr(welcome, "demo_path", lambda: taken)
    hung = _watchdog(qtbot, 10)
    assert welcome.make_demo(None, TODAY) is None
    assert hung == []
    assert said == [
        f"{taken} already exists; choose a new file name (a demo never overwrites a file)."
    ]
    assert taken.read_bytes() == b"someone else's file"
    assert QApplication.activeModalWidget() is None


def test_a_bug_while_writing_a_demo_closes_the_progress_and_names_a_crash_log(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import carapp.demo

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    path = tmp_path / "demos" / "demo.sqlite"
    monkeypatch.setattr(welcome, "demo_path", lambda: path)
    real = carapp.demo.write_demo

    def buggy(target: Path, **kwargs: object) -> object:
        real(target, **kwargs)  # type: ignore[arg-type]
        # A bug cannot be made from correct code: this stands for one, after the file exists.
        return {}["missing"]  # type: ignore[index]

    monkeypatch.setattr(carapp.demo, "write_demo", buggy)
    hung = _watchdog(qtbot, 20)
    assert welcome.make_demo(None, TODAY) is None
    assert hung == [], "the progress dialog stayed open"
    assert len(said) == 1 and said[0].startswith("carapp: internal error (KeyError")
    log = Path(said[0].split("details were written to ")[1].split(". Nothing")[0])
    assert "KeyError" in log.read_text(encoding="utf-8")
    assert list(path.parent.iterdir()) == []  # no half-made demo left behind


def test_long_work_is_cancelled_from_its_progress_dialog(qtbot: QtBot) -> None:
    steps: list[int] = []

    def long_work(cancel: tasks.Cancel) -> int:
        for step in range(10_000):
            cancel.check()
            steps.append(step)
            time.sleep(0.001)
        return len(steps)

    def press_cancel(modal: QProgressDialog) -> None:
        button = next(b for b in modal.findChildren(QPushButton) if b.text() == "Cancel")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    when_modal(QProgressDialog, press_cancel)
    hung = _watchdog(qtbot, 10)
    outcome = tasks.run_with_progress(None, "Work", "Working", long_work, failure_title="x")
    assert hung == [] and outcome.cancelled and outcome.result is None
    assert 0 < len(steps) < 10_000


def test_a_cancelled_demo_leaves_no_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"
    monkeypatch.setattr(welcome, "demo_path", lambda: path)

    when_modal(QProgressDialog, lambda modal: modal.cancel())
    hung = _watchdog(qtbot, 30)
    assert welcome.make_demo(None, TODAY) is None
    assert hung == []
    assert list(tmp_path.iterdir()) == []


# --- every change through one handler --------------------------------------------------


def _answer_modal(qtbot: QtBot, answer: Callable[[QDialog], None]) -> None:
    when_modal(QDialog, answer)


def test_voiding_from_the_window_updates_the_row_and_the_detail_pane(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    for title in ("Leavers keep access", "Backups untested"):
        op.record_finding(
            register, op.FindingDraft(title, Source.MONITORING, Classification.MINOR, TODAY)
        )
    window = loaded(qtbot, register, settings)
    window.quick.setCurrentIndex(window.quick.findData(rt.QuickFilter.ALL.value))
    settle(qtbot, window)
    window.table.selectRow(0)
    ref = window.model.row_at(0).ref  # type: ignore[union-attr]
    stage = window.model.columns.index(rt.Column.STAGE)
    assert window.model.index(0, stage).data() != "Void"
    assert "Void" not in window.detail.toPlainText()

    def void(dialog: QDialog) -> None:
        assert isinstance(dialog, VoidDialog)
        dialog.reason.setPlainText("Duplicate of the other one.")
        dialog.save()

    _answer_modal(qtbot, void)
    window.void_finding()
    settle(qtbot, window)
    row = next(r for r in range(window.model.rowCount()) if window.model.row_at(r).ref == ref)  # type: ignore[union-attr]
    assert window.model.index(row, stage).data() == "Void"
    assert "stage Void" in window.detail.toPlainText()
    assert window.statusBar().currentMessage() == f"{ref} voided"


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_recording_a_finding_from_the_window_updates_the_table_and_counts(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from tests.editor_helpers import named, open_editor, save, type_into

    window = loaded(qtbot, register, settings)
    assert window.model.rowCount() == 0 and window.matches.text() == "0 of 0 findings"
    editor = open_editor(qtbot, window.open_editor(None))
    type_into(named(editor, "Title"), "Leavers keep access")
    named(editor, "Classification", QComboBox).setFocus()
    QTest.keyClicks(named(editor, "Classification", QComboBox), "Minor")
    type_into(named(editor, "Requirements breached", QLineEdit), "A.5.18")
    QTest.keyClick(
        QApplication.activePopupWidget() or named(editor, "Requirements breached", QLineEdit),
        Qt.Key.Key_Return,
    )
    save(qtbot, editor)
    settle(qtbot, window)
    assert window.model.rowCount() == 1 and window.matches.text() == "1 of 1 findings"
    assert window.model.row_at(0).ref == "NC-2026-001"  # type: ignore[union-attr]
    assert "1 of 1 shown" in window.status.text()


# --- a read-only register -------------------------------------------------------------


def test_a_read_only_register_is_shown_read_only_and_offers_no_edit(
    qtbot: QtBot, tmp_path: Path, settings: QSettings, read_only_undo: list[Path]
) -> None:
    path = tmp_path / "register.sqlite"
    writable = op.create_register(path, "Org")
    op.record_finding(
        writable, op.FindingDraft("Leavers", Source.MONITORING, Classification.MINOR, TODAY)
    )
    writable.close()
    _make_read_only(path, read_only_undo)
    register = open_register(path)
    assert register.read_only
    window = loaded(qtbot, register, settings)
    assert "read-only" in window.windowTitle()
    assert window.read_only_banner.isVisible()
    banner = window.read_only_banner.text()
    assert banner.startswith("Read-only:") and "open a copy you can write to" in banner
    for action in (window.new_finding_action, window.void_action):
        assert not action.isEnabled()
        assert "read-only" in action.toolTip()
    # The keyboard shortcut of a disabled action does nothing either.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.activeModalWidget() is None
    assert window.model.rowCount() == 1


def test_a_writable_register_shows_no_read_only_banner(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    assert not window.read_only_banner.isVisible()
    assert "read-only" not in window.windowTitle()
    assert window.new_finding_action.isEnabled() and window.void_action.isEnabled()
