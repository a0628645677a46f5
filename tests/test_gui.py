"""The main window on real registers, driven with pytest-qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from carapp import register_table as rt
from carapp.demo import write_demo
from carapp.errors import NotARegisterError
from carapp.store import Register, open_register
from carapp.ui.app import open_for_gui
from carapp.ui.main_window import MainWindow
from carapp.ui.register_model import RegisterTableModel
from tests.conftest import TODAY, sha256


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path = tmp_path_factory.mktemp("gui") / "demo.sqlite"
    write_demo(path, findings=300, seed=5, today=TODAY)
    register = open_register(path)
    yield register
    register.close()


def loaded(qtbot: QtBot, demo: Register) -> MainWindow:
    window = MainWindow(demo, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the newest query has answered and the table shows it."""
    window.query.wait()
    qtbot.waitUntil(lambda: window.shown_generation == window.query.latest, timeout=5000)


def shown_ids(window: MainWindow) -> list[int]:
    model = window.model
    return [i for i in (model.finding_id(r) for r in range(model.rowCount())) if i is not None]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, demo: Register) -> None:
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
    assert "overdue" in window.statusBar().currentMessage()


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


def test_overdue_majors_in_two_steps_with_cues(qtbot: QtBot, demo: Register) -> None:
    window = loaded(qtbot, demo)
    window.quick.setCurrentIndex(window.quick.findData(rt.QuickFilter.OVERDUE.value))
    settle(qtbot, window)
    window.table.sortByColumn(
        window.model.columns.index(rt.Column.CLASSIFICATION), Qt.SortOrder.AscendingOrder
    )
    settle(qtbot, window)
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


def test_gui_refuses_a_bad_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    path.write_text("not a register")
    before = sha256(path)
    with pytest.raises(NotARegisterError):
        open_for_gui(str(path), explicit=True)
    assert sha256(path) == before


def test_default_register_is_created_on_first_run(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "register.sqlite"
    register = open_for_gui(str(path), explicit=False)
    try:
        assert path.exists()
    finally:
        register.close()
