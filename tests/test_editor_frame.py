"""The editor's frame: Save is one transaction, nothing is written before it, a stale save
is refused naming the other change, and closing with unsaved changes asks first."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp import store
from carapp.models.enums import Classification, Source, Stage
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from tests.conftest import TODAY, World
from tests.editor_helpers import (
    answer_box,
    click,
    is_open,
    named,
    open_editor,
    press,
    save,
    type_into,
    wait_saved,
)
from tests.test_damage import _make_read_only


def test_containment_typed_and_saved_moves_the_step_bar(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key("containment")
    assert "no containment or correction is recorded" in editor.step_bar.missing.text()
    type_into(named(editor, "What was done"), "Disabled the three accounts.")
    type_into(named(editor, "Date contained"), "2026-03-04")
    assert finding_detail(world.register, ref, TODAY).containment.what == ""  # not yet saved
    picker = named(editor, "Contained by", QComboBox)
    picker.setFocus()
    QTest.keyClicks(picker, "Tom")  # a combo box selects by typing the name
    save(qtbot, editor)
    saved = finding_detail(world.register, ref, TODAY)
    assert editor.message.text() == f"{ref} saved."
    assert saved.containment.what == "Disabled the three accounts."
    assert saved.containment.on == dt.date(2026, 3, 4)
    assert "no containment or correction is recorded" not in editor.step_bar.missing.text()
    # The step bar offers the move; pressing it moves the finding.
    click(editor.step_bar.move_button)
    wait_saved(qtbot, editor)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.CONTAINED


def test_a_refused_move_is_shown_in_the_step_bar(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.step_bar.next_stage = Stage.CAUSE_FOUND  # as if the user had raced ahead
    click(editor.step_bar.move_button)
    wait_saved(qtbot, editor)
    assert "no root cause is recorded" in editor.step_bar.missing.text()
    assert finding_detail(world.register, ref, TODAY).stage is Stage.IDENTIFIED


def test_a_second_editor_cannot_overwrite_the_first(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    first = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    second = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    first.show_key("containment")
    second.show_key("containment")
    type_into(named(first, "What was done"), "First editor's words.")
    type_into(named(first, "Date contained"), "2026-03-04")
    named(first, "Contained by", QComboBox).setCurrentIndex(1)
    save(qtbot, first)
    type_into(named(second, "What was done"), "Second editor's words.")
    type_into(named(second, "Date contained"), "2026-03-05")
    named(second, "Contained by", QComboBox).setCurrentIndex(1)

    asked = answer_box("Keep editing")
    save(qtbot, second)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert "since you opened it" in asked[0]
    assert "containment" in asked[0]
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.containment.what == "First editor's words."
    assert [h.new for h in detail.history if h.field == "containment"] == ["First editor's words."]
    # What the second user typed is still there to copy.
    assert named(second, "What was done", QPlainTextEdit).toPlainText() == "Second editor's words."


@pytest.mark.parametrize("answer", ["Discard", "Cancel"])
def test_closing_with_unsaved_changes_asks(qtbot: QtBot, world: World, answer: str) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key("containment")
    type_into(named(editor, "What was done"), "Typed, never saved.")
    asked = answer_box(answer)
    press(qtbot, editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked and ref in asked[0]
    assert is_open(editor) is (answer == "Cancel")
    assert finding_detail(world.register, ref, TODAY).containment.what == ""


def test_a_refused_save_keeps_every_typed_value(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key("containment")
    type_into(named(editor, "What was done"), "Disabled the accounts.")
    type_into(named(editor, "Date contained"), "4 March")
    named(editor, "Contained by", QComboBox).setCurrentIndex(1)
    save(qtbot, editor)
    assert "is not a date" in editor.message.text()
    assert named(editor, "Date contained", QLineEdit).text() == "4 March"
    assert named(editor, "What was done", QPlainTextEdit).toPlainText() == "Disabled the accounts."
    assert finding_detail(world.register, ref, TODAY).containment.what == ""


def test_a_locked_register_is_told_and_nothing_typed_is_lost(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setenv("CARAPP_BUSY_TIMEOUT_MS", "200")
    ref = world.nc()
    assert world.register.path is not None
    # A register opened now waits 200 ms for a lock, not ten seconds.
    register = store.open_register(world.register.path)
    editor = open_editor(qtbot, FindingEditor(register, ref, TODAY))
    editor.show_key("containment")
    type_into(named(editor, "What was done"), "Disabled the accounts.")
    type_into(named(editor, "Date contained", QLineEdit), "2026-03-04")
    named(editor, "Contained by", QComboBox).setCurrentIndex(1)
    other = sqlite3.connect(world.register.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        save(qtbot, editor)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "locked" in editor.message.text()
    assert named(editor, "What was done", QPlainTextEdit).toPlainText() == "Disabled the accounts."
    assert finding_detail(world.register, ref, TODAY).containment.what == ""
    save(qtbot, editor)  # once the other program has finished, the same Save goes through
    assert finding_detail(world.register, ref, TODAY).containment.what == "Disabled the accounts."


def test_tab_leaves_a_multi_line_box(qtbot: QtBot, world: World) -> None:
    editor = open_editor(qtbot, FindingEditor(world.register, world.nc(), TODAY))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.show_key("finding")
    statement = named(editor, "Statement", QPlainTextEdit)
    statement.setFocus()
    QTest.keyClick(statement, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(statement, Qt.Key.Key_Tab)
    assert "\t" not in statement.toPlainText()
    assert not statement.hasFocus()
    assert named(editor, "Evidence observed", QPlainTextEdit).hasFocus()


def test_a_closed_finding_is_shown_settled_until_reopened(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    assert "reopen it" in editor.lock_note.text() and editor.lock_note.isVisible()
    enabled = {s.key for s in editor.sections if s.isEnabled()}
    assert enabled == {"closure", "attachments", "history"}
    assert not editor.step_bar.move_button.isVisible()


def test_a_read_only_register_is_read_not_saved(
    qtbot: QtBot, tmp_path: Path, read_only_undo: list[Path]
) -> None:
    path = tmp_path / "register.sqlite"
    writable = op.create_register(path, "Org")
    ref = op.record_finding(
        writable, op.FindingDraft("Leavers", Source.MONITORING, Classification.MINOR, TODAY)
    ).result
    writable.close()
    _make_read_only(path, read_only_undo)
    register = store.open_register(path)
    assert register.read_only
    before = path.read_bytes()
    editor = open_editor(qtbot, FindingEditor(register, ref, TODAY))
    assert "read-only" in editor.lock_note.text()
    assert not editor.save_button.isEnabled() and not editor.step_bar.move_button.isVisible()
    type_into(named(editor, "Title"), "Changed, never saved")
    save(qtbot, editor)
    assert "read-only" in editor.message.text()
    assert path.read_bytes() == before
    editor.discard()
    register.close()


def test_a_new_editor_starts_typing_in_the_title(qtbot: QtBot, world: World) -> None:
    editor = open_editor(qtbot, FindingEditor(world.register, None, TODAY))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    assert QApplication.focusWidget() is named(editor, "Title", QLineEdit)
    press(qtbot, editor, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert "Save the finding first" in editor.message.text()  # no reference yet
