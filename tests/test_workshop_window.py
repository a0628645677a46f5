"""The workshop window as the room meets it: the parking lot takes one issue after another,
closing asks only when something was typed, and a draft discarded on closing is gone from
the register window's banner too."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import Stage
from carapp.queries.workshops import start_workshop, unfinished_workshops
from carapp.ui.main_window import MainWindow
from carapp.ui.workshop.opening import _open
from carapp.ui.workshop.window import WorkshopWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import answer_box, click, named, type_into
from tests.workshop_data import leavers_draft

CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def shown(qtbot: QtBot, window: QWidget) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def test_the_parking_lot_takes_issue_after_issue_then_goes_back(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    window = WorkshopWindow(world.register, leavers_draft(world, ref), TODAY)
    shown(qtbot, window)
    window.go(len(window.pages) - 1, check=False)  # the summary, where Enter would save
    start = focused()
    QTest.keyClick(start, Qt.Key.Key_K, CTRL)
    for issue in ("VPN group membership is managed separately.", "Badges are not returned."):
        assert focused() is named(window, "Park an issue", QLineEdit)
        QTest.keyClicks(focused(), issue)
        QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert [p.text for p in window.draft.parking][-2:] == [
        "VPN group membership is managed separately.",
        "Badges are not returned.",
    ]
    assert window.saved is None and window.saving is None  # nothing was saved by Enter
    QTest.keyClick(focused(), Qt.Key.Key_Return)  # on the empty line: back where it was
    assert focused() is start
    window.keeper.discard()
    window.close_keeping_draft()


def test_closing_a_workshop_nothing_was_typed_in_asks_nothing(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    window = WorkshopWindow(world.register, start_workshop(world.register, ref, TODAY), TODAY)
    shown(qtbot, window)
    QTest.keyClick(focused(), Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert unfinished_workshops(world.register) == []


def test_a_draft_discarded_on_closing_leaves_the_banner(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    ref = world.nc()
    op.save_draft(world.register, ref, leavers_draft(world, ref).to_json(), "priya")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: bool(main.unfinished.drafts), timeout=5000)
    click(named(main, f"Restore the workshop on {ref}", QPushButton))
    window = _open[(id(world.register), ref)]
    shown(qtbot, window)
    window.go(1, check=False)
    type_into(named(window, "Why 1 answer"), "IT was never told.")
    asked = answer_box("Discard the draft")
    QTest.keyClick(focused(), Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    qtbot.waitUntil(lambda: unfinished_workshops(world.register) == [], timeout=5000)
    qtbot.waitUntil(lambda: not main.unfinished.isVisible(), timeout=5000)
    assert main.unfinished.drafts == []


def test_enter_adds_the_attendee_picked_from_the_register(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    window = WorkshopWindow(world.register, start_workshop(world.register, ref, TODAY), TODAY)
    shown(qtbot, window)
    picker: QWidget = named(window, "Attendee from the register")
    picker.setFocus()
    QTest.keyClicks(picker, "Tom")
    QTest.keyClick(picker, Qt.Key.Key_Return)
    assert [a.name for a in window.draft.attendees] == ["Tom Okafor"]
    assert window.page.key == "problem"  # Enter added; it did not move on
    window.close_keeping_draft()


def test_a_closed_finding_is_refused_before_anyone_types(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(main)
    main.open_workshop(ref)
    qtbot.waitUntil(lambda: "is closed" in main.statusBar().currentMessage(), timeout=5000)
    assert "reopen it, with a reason" in main.statusBar().currentMessage()
    assert (id(world.register), ref) not in _open
