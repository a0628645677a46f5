"""The Deadlines and the ISMS update and closure sections, driven by keys and clicks."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import (
    Classification,
    DisputeOutcome,
    ExtensionStatus,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    Stage,
)
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from carapp.ui.editor.closure import ClosureSection
from carapp.ui.editor.deadlines import DeadlinesSection
from carapp.ui.editor.small_dialog import SmallDialog
from tests.conftest import TODAY, World
from tests.editor_helpers import click, named, open_editor, save, type_into


def editor_at(qtbot: QtBot, world: World, ref: str, key: str) -> FindingEditor:
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key(key)
    return editor


def dialog_of(section: DeadlinesSection | ClosureSection) -> SmallDialog:
    dialog = section.dialog
    assert isinstance(dialog, SmallDialog) and dialog.isVisible()
    return dialog


def button(parent: QWidget, name: str) -> QAbstractButton:
    return named(parent, name, QAbstractButton)


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item else ""


def choose(combo: QComboBox, text: str) -> None:
    """Pick an item by typing its first letters, as a keyboard user does."""
    combo.setFocus()
    QTest.keyClicks(combo, text)
    assert combo.currentText().startswith(text), combo.currentText()


# --- Deadlines -------------------------------------------------------------------------


def test_plan_sent_is_refused_on_its_input_until_a_cause_and_an_action_exist(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    editor = editor_at(qtbot, world, ref, "deadlines")
    sent = named(editor, "Action plan sent on", QLineEdit)
    type_into(sent, "2026-04-01")
    save(qtbot, editor)
    assert editor.marked is sent
    assert "no root cause is recorded" in editor.message.text()
    assert "no corrective action is planned" in sent.toolTip()
    assert sent.text() == "2026-04-01"  # kept to correct or save later
    assert finding_detail(world.register, ref, TODAY).plan_sent_on is None
    editor.discard()

    world.find_cause(ref)
    world.plan(ref)
    editor = editor_at(qtbot, world, ref, "deadlines")
    section = editor.section("deadlines")
    assert isinstance(section, DeadlinesSection)
    assert "overdue by" in section.plan_line.text()
    type_into(named(editor, "Action plan sent on", QLineEdit), "2026-04-01")
    save(qtbot, editor)
    assert editor.message.text() == f"{ref} saved."
    assert finding_detail(world.register, ref, TODAY).plan_sent_on == dt.date(2026, 4, 1)
    assert "the action plan was sent on 2026-04-01" in section.plan_line.text()
    assert "overdue" not in section.plan_line.text()


def test_an_extension_requested_then_granted_moves_closure_and_shows_both_dates(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    before = finding_detail(world.register, ref, TODAY).closure_due
    assert before == dt.date(2026, 6, 10)
    editor = editor_at(qtbot, world, ref, "deadlines")
    section = editor.section("deadlines")
    assert isinstance(section, DeadlinesSection)
    assert section.closure_line.styleSheet()  # overdue on 2026-11-23: shown in red

    click(button(editor, "Request an extension\u2026"))
    dialog = dialog_of(section)
    deadline = named(dialog, "Deadline", QComboBox)
    deadline.setFocus()
    QTest.keyClick(deadline, Qt.Key.Key_Down)
    assert deadline.currentText() == "Closure"
    type_into(named(dialog, "Asked on", QLineEdit), "2026-05-01")
    type_into(named(dialog, "Reason", QPlainTextEdit), "The directory migration slipped.")
    click(button(dialog, "Add the request"))
    assert dialog.isVisible() and "new date" in dialog.problem.text()  # refused in place
    assert named(dialog, "Reason", QPlainTextEdit).toPlainText() == (
        "The directory migration slipped."
    )
    type_into(named(dialog, "New date asked", QLineEdit), "2026-07-15")
    click(button(dialog, "Add the request"))
    assert not dialog.isVisible()
    table = named(editor, "Extension requests", QTableWidget)
    assert cell_text(table, 0, 5) == "Requested (unsaved)"
    assert finding_detail(world.register, ref, TODAY).extensions == ()  # not before Save
    save(qtbot, editor)
    saved = finding_detail(world.register, ref, TODAY).extensions
    assert [(e.status, e.requested_due) for e in saved] == [
        (ExtensionStatus.REQUESTED, dt.date(2026, 7, 15))
    ]

    answer = button(editor, "Record the body's answer\u2026")
    assert not answer.isEnabled()  # nothing selected yet
    cell = table.item(0, 0)
    assert cell is not None
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(cell).center()
    )
    assert answer.isEnabled()
    click(answer)
    dialog = dialog_of(section)
    assert named(dialog, "Granted date", QLineEdit).text() == "2026-07-15"
    type_into(named(dialog, "Decided on", QLineEdit), "2026-05-04")
    click(button(dialog, "Record the answer"))
    assert cell_text(table, 0, 5) == "Granted (unsaved)"
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.closure_due == dt.date(2026, 7, 15)
    assert detail.extensions[0].status is ExtensionStatus.GRANTED
    assert detail.extensions[0].decided_on == dt.date(2026, 5, 4)
    assert section.closure_line.text().startswith(
        "Closure due 2026-07-15 (extended from 2026-06-10)"
    )
    assert cell_text(table, 0, 6) == "2026-07-15"


def test_a_refused_extension_writes_nothing_and_keeps_the_request(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    editor = editor_at(qtbot, world, ref, "deadlines")
    section = editor.section("deadlines")
    assert isinstance(section, DeadlinesSection)
    click(button(editor, "Request an extension\u2026"))
    dialog = dialog_of(section)
    # Asked in November for the plan due in April: too late, the domain says so on Save.
    type_into(named(dialog, "New date asked", QLineEdit), "2026-12-31")
    type_into(named(dialog, "Reason", QPlainTextEdit), "Late.")
    click(button(dialog, "Add the request"))
    save(qtbot, editor)
    table = named(editor, "Extension requests", QTableWidget)
    assert editor.marked is table
    assert "must be asked for before the deadline" in editor.message.text()
    assert cell_text(table, 0, 5) == "Requested (unsaved)"
    assert finding_detail(world.register, ref, TODAY).extensions == ()


# --- ISMS update and closure ----------------------------------------------------------


def test_isms_decisions_for_all_four_parts_clear_the_step_bar(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.EFFECTIVE)
    editor = editor_at(qtbot, world, ref, "closure")
    assert "no ISMS update decision" in editor.step_bar.missing.text()
    names = [t.label for t in IsmsTarget]
    choose(named(editor, names[0], QComboBox), "U")
    for name in names[1:]:
        choose(named(editor, name, QComboBox), "N")
        type_into(named(editor, f"{name}: reference or reason", QLineEdit), "No change of risk.")
    # The update has no reference yet: refused on its input, and nothing else is saved.
    save(qtbot, editor)
    first_note = named(editor, f"{names[0]}: reference or reason", QLineEdit)
    assert editor.marked is first_note
    assert "reference of the update is empty" in editor.message.text()
    unsaved = finding_detail(world.register, ref, TODAY)
    assert all(u.decision is None for u in unsaved.isms_update.values())
    assert named(editor, names[1], QComboBox).currentText() == "Not needed"  # kept

    type_into(first_note, "RA-2026 v4, leaver risk re-rated")
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.isms_update[IsmsTarget.RISK_ASSESSMENT].decision is IsmsDecision.UPDATED
    assert detail.isms_update[IsmsTarget.RISK_ASSESSMENT].note.startswith("RA-2026 v4")
    assert {
        u.decision for t, u in detail.isms_update.items() if t is not IsmsTarget.RISK_ASSESSMENT
    } == {IsmsDecision.NOT_NEEDED}
    assert "no ISMS update decision" not in editor.step_bar.missing.text()
    assert "Save and close" in named(editor, "Closing").text()
    assert not editor.is_dirty()


def test_a_dispute_raised_then_upheld(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    editor = editor_at(qtbot, world, ref, "closure")
    click(button(editor, "Raise a dispute"))
    assert named(editor, "Date disputed", QLineEdit).text() == TODAY.isoformat()
    type_into(named(editor, "Date disputed", QLineEdit), "2026-03-15")
    type_into(named(editor, "Grounds of the dispute", QPlainTextEdit), "The sample was partial.")
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.DISPUTED
    assert detail.dispute.raised_on == dt.date(2026, 3, 15)
    assert "The sample was partial." in named(editor, "Dispute").text()

    choose(named(editor, "Outcome", QComboBox), "Up")
    assert not named(editor, "New classification", QComboBox).isEnabled()
    type_into(named(editor, "Note on the outcome", QPlainTextEdit), "The auditor kept it.")
    save(qtbot, editor)
    assert "Say when" in editor.message.text()  # no date yet: nothing saved, text kept
    assert finding_detail(world.register, ref, TODAY).dispute.outcome is None
    type_into(named(editor, "Date of the outcome", QLineEdit), "2026-03-20")
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.dispute.outcome is DisputeOutcome.UPHELD
    assert detail.stage is Stage.CONTAINED
    assert "upheld" in named(editor, "Dispute").text()


def test_void_asks_a_reason_and_a_confirmation_naming_the_finding(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    editor = editor_at(qtbot, world, ref, "closure")
    section = editor.section("closure")
    assert isinstance(section, ClosureSection)
    click(button(editor, "Void this finding\u2026"))
    dialog = dialog_of(section)
    click(button(dialog, "Next\u2026"))
    assert dialog.isVisible() and "reason for voiding" in dialog.problem.text()
    type_into(named(dialog, "Reason for voiding", QPlainTextEdit), "Duplicate of NC-2026-002.")
    click(button(dialog, "Next\u2026"))
    box = section.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert ref in box.text() and "It is closed" in box.text()
    click(next(b for b in box.findChildren(QPushButton) if b.text() == f"&Void {ref}"))
    assert "Voided when you Save (unsaved)" in named(editor, "Waiting for Save").text()
    assert finding_detail(world.register, ref, TODAY).void is None
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.VOID
    assert detail.void is not None and detail.void.reason == "Duplicate of NC-2026-002."
    assert named(editor, "Closing").text().startswith(f"Void since {TODAY.isoformat()}")


def test_void_answered_keep_it_changes_nothing(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = editor_at(qtbot, world, ref, "closure")
    section = editor.section("closure")
    assert isinstance(section, ClosureSection)
    click(button(editor, "Void this finding\u2026"))
    type_into(named(dialog_of(section), "Reason for voiding", QPlainTextEdit), "Raised in error.")
    click(button(dialog_of(section), "Next\u2026"))
    box = section.dialog
    assert isinstance(box, QMessageBox)
    assert "It is closed" not in box.text()
    click(next(b for b in box.findChildren(QPushButton) if b.text() == "&Keep it"))
    assert not editor.is_dirty()


def test_reopen_needs_a_reason_and_returns_to_the_proven_stage(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    editor = editor_at(qtbot, world, ref, "closure")
    section = editor.section("closure")
    assert isinstance(section, ClosureSection)
    assert "Closed on 2026-07-10" in named(editor, "Closing").text()
    click(button(editor, "Reopen\u2026"))
    dialog = dialog_of(section)
    click(button(dialog, "Reopen when I save"))
    assert dialog.isVisible() and "reason for reopening" in dialog.problem.text()
    type_into(named(dialog, "Reason for reopening", QPlainTextEdit), "Two leavers active again.")
    click(button(dialog, "Reopen when I save"))
    assert not dialog.isVisible()
    assert finding_detail(world.register, ref, TODAY).stage is Stage.CLOSED  # not before Save
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.EFFECTIVE
    assert any("Reopened: Two leavers active again." in h.note for h in detail.history)
    assert not button(editor, "Void this finding\u2026").isHidden()
    reopen = next(b for b in editor.findChildren(QPushButton) if b.text() == "&Reopen\u2026")
    assert reopen.isHidden()


def test_closing_the_editor_writes_nothing_typed_here(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.EFFECTIVE)
    editor = editor_at(qtbot, world, ref, "closure")
    choose(named(editor, "Policies", QComboBox), "N")
    type_into(named(editor, "Policies: reference or reason", QLineEdit), "Not affected.")
    assert editor.is_dirty()
    editor.discard()
    assert (
        finding_detail(world.register, ref, TODAY).isms_update[IsmsTarget.POLICIES].decision is None
    )


def test_every_input_has_an_accessible_name(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    for key in ("deadlines", "closure"):
        section = editor.section(key)
        kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QTableWidget)
        inputs = [w for kind in kinds for w in section.findChildren(kind)]
        assert len(inputs) > 5
        unnamed = [w.metaObject().className() for w in inputs if not w.accessibleName().strip()]
        # The table's select-all corner is part of the table, not an input of its own.
        assert [n for n in unnamed if n != "QTableCornerButton"] == [], key


def test_an_observation_shows_the_decision_to_act_instead_of_the_isms(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc(Classification.OFI, requirements=())
    editor = editor_at(qtbot, world, ref, "closure")
    assert not [
        w
        for w in editor.findChildren(QComboBox)
        if w.accessibleName() == "Policies" and w.isVisibleTo(editor)
    ]
    assert "no decision to act or not" in editor.step_bar.missing.text()
    choose(named(editor, "Decision", QComboBox), "A")
    save(qtbot, editor)
    assert "note on the decision is empty" in editor.message.text()
    assert finding_detail(world.register, ref, TODAY).decision.decision is None
    type_into(named(editor, "Note on the decision", QPlainTextEdit), "Cheap to fix; do it.")
    save(qtbot, editor)
    decision = finding_detail(world.register, ref, TODAY).decision
    assert (decision.decision, decision.note) == (ObservationDecision.ACT, "Cheap to fix; do it.")
    assert "no decision to act or not" not in editor.step_bar.missing.text()


def test_a_dispute_reclassified_needs_the_new_classification(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    op.raise_dispute(world.register, ref, dt.date(2026, 3, 15), "An isolated case.")
    editor = editor_at(qtbot, world, ref, "closure")
    choose(named(editor, "Outcome", QComboBox), "R")
    type_into(named(editor, "Date of the outcome", QLineEdit), "2026-03-20")
    save(qtbot, editor)
    new_class = named(editor, "New classification", QComboBox)
    assert editor.marked is new_class
    assert finding_detail(world.register, ref, TODAY).stage is Stage.DISPUTED
    choose(new_class, "Ob")
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert (detail.classification, detail.stage) == (Classification.OBSERVATION, Stage.OPEN)
    # Now an observation: the section shows the decision to act, not the ISMS update.
    assert named(editor, "Decision", QComboBox).isVisibleTo(editor)
