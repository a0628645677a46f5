"""The Settings dialog: the organisation's name, reference prefixes and deadline rules,
saved together in one transaction on OK; a refusal is shown in the dialog with everything
typed kept, and nothing is saved."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from carapp.models.enums import Classification
from carapp.operations.changes import Changes
from carapp.queries import finding_detail, list_deadline_rules, register_settings
from carapp.store import Register
from carapp.ui.main_window import MainWindow
from carapp.ui.settings_dialog import SettingsDialog
from tests.conftest import TODAY, World, sha256
from tests.editor_helpers import click, named, type_into, when_modal

OUT = Path(os.environ.get("CARAPP_SHOTS", "/tmp/carapp-shots"))


def dialog(qtbot: QtBot, register: Register) -> tuple[SettingsDialog, list[Changes[Any]]]:
    handed: list[Changes[Any]] = []
    d = SettingsDialog(register, on_changes=handed.append)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow, timeout=2000)
    return d, handed


def ok(qtbot: QtBot, d: SettingsDialog) -> None:
    click(named(d, "OK", QPushButton))
    qtbot.waitUntil(lambda: d.saving is None or d.saving.ended, timeout=10000)
    qtbot.wait(10)


def rule_row(table: QTableWidget, body: str, classification: Classification) -> int:
    for row in range(table.rowCount()):
        a, b = table.item(row, 0), table.item(row, 1)
        if a and b and (a.text(), b.text()) == (body, classification.label):
            return row
    raise AssertionError(f"no rule for {body} and {classification.label}")


def type_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    """Type into one cell as a person does: go there, type, press Return."""
    table.setFocus()
    table.setCurrentCell(row, column)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_into(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the view commits the cell on its next turn
    assert not isinstance(QApplication.focusWidget(), QLineEdit)


def test_a_rule_change_moves_an_open_findings_closure_due(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    assert before.closure_due is not None
    d, handed = dialog(qtbot, world.register)
    table = named(d, "Deadline rules", QTableWidget)
    row = rule_row(table, "Any certification body", Classification.MINOR)
    days = table.item(row, 3)
    assert days is not None
    old_days = int(days.text())
    type_cell(table, row, 3, str(old_days - 30))
    OUT.mkdir(parents=True, exist_ok=True)
    d.grab().save(str(OUT / "settings.png"))
    ok(qtbot, d)
    assert d.result() == SettingsDialog.DialogCode.Accepted
    after = finding_detail(world.register, ref, TODAY)
    assert after.closure_due == before.closure_due - dt.timedelta(days=30)
    assert handed and handed[0].findings  # the window is told which findings moved


def test_a_new_rule_for_one_body_is_added(qtbot: QtBot, world: World) -> None:
    d, _handed = dialog(qtbot, world.register)
    click(named(d, "Add a rule", QPushButton))
    body = named(d, "Certification body", QComboBox)
    type_into(body, "Meridian Certification")
    kind = named(d, "Classification", QComboBox)
    kind.setFocus()
    QTest.keyClicks(kind, "Major")
    table = named(d, "Deadline rules", QTableWidget)
    type_cell(table, table.rowCount() - 1, 2, "14")
    type_cell(table, table.rowCount() - 1, 3, "60")
    d.grab().save(str(OUT / "settings-new-rule.png"))
    ok(qtbot, d)
    assert d.message.text() == ""
    rules = {(r.scope, r.classification): r for r in list_deadline_rules(world.register)}
    added = rules[("Meridian Certification", Classification.MAJOR)]
    assert (added.plan_days, added.closure_days) == (14, 60)


def test_a_refusal_keeps_what_was_typed_and_saves_nothing(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    assert world.register.path is not None
    before = sha256(world.register.path)
    due = finding_detail(world.register, ref, TODAY).closure_due
    d, handed = dialog(qtbot, world.register)
    type_into(named(d, "Organisation", QLineEdit), "Northwind Group")
    table = named(d, "Deadline rules", QTableWidget)
    type_cell(table, rule_row(table, "Any certification body", Classification.MINOR), 3, "45")
    type_into(named(d, "Corrective actions", QLineEdit), "C-A")
    ok(qtbot, d)
    assert d.isVisible()
    d.grab().save(str(OUT / "settings-refused.png"))
    assert d.message.text().startswith("Nothing was saved: The prefix for action references")
    assert named(d, "Organisation", QLineEdit).text() == "Northwind Group"
    assert named(d, "Corrective actions", QLineEdit).text() == "C-A"
    assert named(d, "Corrective actions", QLineEdit).hasFocus()  # where the refusal is
    assert table.item(
        rule_row(table, "Any certification body", Classification.MINOR), 3
    ).text() == (  # type: ignore[union-attr]
        "45"
    )
    assert register_settings(world.register)["organisation"] == "Northwind Logistics Ltd"
    assert finding_detail(world.register, ref, TODAY).closure_due == due
    assert sha256(world.register.path) == before
    assert handed == []
    # Put right, the same dialog saves all of it.
    type_into(named(d, "Corrective actions", QLineEdit), "CAR")
    ok(qtbot, d)
    assert register_settings(world.register)["prefix.action"] == "CAR"
    assert register_settings(world.register)["organisation"] == "Northwind Group"


def test_days_that_are_not_a_number_are_said(qtbot: QtBot, world: World) -> None:
    d, _handed = dialog(qtbot, world.register)
    table = named(d, "Deadline rules", QTableWidget)
    type_cell(table, 0, 2, "ninety")
    ok(qtbot, d)
    assert "must be a whole number of days" in d.message.text()
    assert d.isVisible()


def test_every_input_has_a_name(qtbot: QtBot, world: World) -> None:
    d, _handed = dialog(qtbot, world.register)
    click(named(d, "Add a rule", QPushButton))
    inputs = [w for w in d.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(inputs) > 8
    for widget in inputs:
        if widget.isVisibleTo(d):
            assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_the_organisation_name_changes_the_window_title(
    qtbot: QtBot, world: World, qsettings: QSettings
) -> None:
    window = MainWindow(world.register, today=lambda: TODAY, settings=qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.query.wait()
    qtbot.waitUntil(window.up_to_date, timeout=10000)
    assert window.windowTitle().startswith("Northwind Logistics Ltd \u2014")
    seen: list[str] = []

    def fill_in(d: SettingsDialog) -> None:
        seen.append(d.windowTitle())
        type_into(named(d, "Organisation", QLineEdit), "Northwind Group plc")
        click(named(d, "OK", QPushButton))

    when_modal(SettingsDialog, fill_in)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["Settings"]
    window.query.wait()
    qtbot.waitUntil(
        lambda: window.windowTitle().startswith("Northwind Group plc \u2014"), timeout=10000
    )


def test_cancel_writes_nothing(qtbot: QtBot, world: World) -> None:
    assert world.register.path is not None
    before = sha256(world.register.path)
    d, handed = dialog(qtbot, world.register)
    type_into(named(d, "Organisation", QLineEdit), "Someone Else Ltd")
    table = named(d, "Deadline rules", QTableWidget)
    type_cell(table, 0, 2, "10")
    click(named(d, "Cancel", QPushButton))
    assert d.result() == SettingsDialog.DialogCode.Rejected
    assert sha256(world.register.path) == before
    assert handed == []
