"""The History section: every change to the finding and the records hanging off it, newest
first, in the words of the screens; sortable, filtered by any column, read-only."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import ActionKind
from carapp.ui.editor import FindingEditor
from carapp.ui.editor.history import HistorySection
from tests.conftest import TODAY, World
from tests.editor_helpers import named, open_editor, type_into

OUT = Path(os.environ.get("CARAPP_SHOTS", "/tmp/carapp-shots"))


def history(qtbot: QtBot, world: World, ref: str) -> tuple[FindingEditor, HistorySection]:
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key("history")
    section = editor.section("history")
    assert isinstance(section, HistorySection)
    return editor, section


def column(table: QTableView, index: int) -> list[str]:
    model = table.model()
    return [str(model.index(r, index).data()) for r in range(model.rowCount())]


def test_history_is_newest_first_in_user_words(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    action = world.plan(ref)
    op.update_action(
        world.register,
        action,
        ActionKind.CORRECTIVE,
        "Name an owner for offboarding and add an IT step to the checklist.",
        world.owner,
        dt.date(2026, 5, 15),
        "100% of leavers disabled within one working day, checked monthly.",
    )
    editor, section = history(qtbot, world, ref)
    table = named(editor, "History of changes", QTableView)
    what = column(table, 2)
    assert what[0] == f"Action {action} \u00b7 Target date"
    assert column(table, 3)[0] == "30 Apr 2026"
    assert column(table, 4)[0] == "15 May 2026"
    assert what[-1].startswith("Finding ")  # recorded first, shown last
    assert "Finding \u00b7 Containment" in what
    assert column(table, 1)[0]  # who
    words = " ".join(what)
    for table_word in ("corrective_actions", "owner_id", "findings#", "target_on"):
        assert table_word not in words
    assert section.edits() == []
    OUT.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)
    editor.grab().save(str(OUT / "history.png"))


def test_the_filter_matches_any_column_and_the_columns_sort(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    world.plan(ref)
    editor, section = history(qtbot, world, ref)
    table = named(editor, "History of changes", QTableView)
    total = table.model().rowCount()
    type_into(named(editor, "Filter history", QLineEdit), "disabled the three")
    assert table.model().rowCount() == 1
    assert column(table, 4) == ["Disabled the three accounts."]
    assert section.count.text() == f"1 of {total} changes match the filter"
    type_into(named(editor, "Filter history", QLineEdit), "4 mar 2026")  # a displayed date
    assert "Finding \u00b7 Contained on" in column(table, 2)
    type_into(named(editor, "Filter history", QLineEdit), "")
    assert table.model().rowCount() == total
    # A click on the What header sorts by it; a second one reverses.
    header = table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(2) + 10, header.height() // 2)
    for _click in range(2):
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
        assert header.sortIndicatorSection() == 2
        what = [w.casefold() for w in column(table, 2)]
        descending = header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder
        assert what == sorted(what, reverse=descending)
        assert what != sorted(what, reverse=not descending)


def test_nothing_in_history_is_editable(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor, section = history(qtbot, world, ref)
    table = named(editor, "History of changes", QTableView)
    index = table.model().index(0, 2)
    table.setFocus()
    table.setCurrentIndex(index)
    QTest.keyClick(table, Qt.Key.Key_F2)
    QTest.keyClicks(table, "changed")
    assert table.model().index(0, 2).data() == index.data()
    assert not table.indexWidget(index)
    inputs = [w for w in section.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert inputs
    for widget in inputs:
        assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
