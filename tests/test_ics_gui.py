"""File > Export > Calendar and File > Send reminders as a person uses them: the dialogs
driven by clicks and keys, the files read back."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import icalendar
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import Stage
from carapp.queries.agenda import AgendaFilter, open_items
from carapp.ui.export_dialog import ExportKind
from carapp.ui.reminders_dialog import EMAIL_COLUMN, RemindersDialog
from tests.conftest import World
from tests.editor_helpers import choose, click, named, type_into
from tests.test_export_gui import main_window, the_dialog

TODAY = dt.date(2026, 4, 20)


def test_one_owners_calendar_from_the_export_menu(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    for _ in range(2):
        world.advance(world.nc(), Stage.ACTIONS_PLANNED)
    world.nc(title="Nobody owns this one yet")
    window = main_window(qtbot, world.register, tmp_path)
    window.today = lambda: TODAY
    window.export_actions[ExportKind.ICS].trigger()
    dialog = the_dialog(qtbot)
    choose(named(dialog, "Dates of", QComboBox), "Tom")
    target = tmp_path / "tom.ics"
    type_into(named(dialog, "Save to"), str(target))
    click(named(dialog, "Export", QPushButton))
    qtbot.waitUntil(lambda: "written to" in window.statusBar().currentMessage(), timeout=20000)
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    mine = open_items(world.register, TODAY, AgendaFilter(owner_id=world.owner))
    assert len(calendar.walk("VEVENT")) == len(mine) < len(open_items(world.register, TODAY))
    assert str(calendar["X-WR-CALNAME"]).endswith(": Tom Okafor")


def test_reminders_with_an_address_typed_in(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    world.advance(world.nc(), Stage.ACTIONS_PLANNED)
    op.update_person(world.register, world.owner, email="")
    window = main_window(qtbot, world.register, tmp_path)
    window.today = lambda: TODAY
    window.reminders_action.trigger()
    dialog = the_dialog(qtbot)
    assert isinstance(dialog, RemindersDialog)
    table = named(dialog, "Owners with dates due", QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10000)
    name = table.item(0, 0)
    assert name is not None and name.text() == "Tom Okafor"
    folder = tmp_path / "drafts"
    folder.mkdir()
    click(named(dialog, "Leave them in a folder"))
    type_into(named(dialog, "Folder"), str(folder))
    table.setFocus()
    table.setCurrentCell(0, EMAIL_COLUMN)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = table.focusWidget()
    assert editor is not None and editor is not table
    QTest.keyClicks(editor, "tom@example.org")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not table.findChildren(QLineEdit), timeout=5000)  # cell closed
    click(named(dialog, "Write the reminders", QPushButton))
    qtbot.waitUntil(lambda: "reminder" in window.statusBar().currentMessage(), timeout=20000)
    (draft,) = folder.glob("*.eml")
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "tom@example.org"
    assert message["X-Unsent"] == "1"
    assert "1 reminder written" in window.statusBar().currentMessage()
    # The address is the register's now, for the next reminders too.
    with world.register.session() as session:
        person = op.get_person(session, world.owner)
        assert person is not None and person.email == "tom@example.org"
