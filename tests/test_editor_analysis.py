"""The analysis sections of the editor (clause 10.2 b-d), driven by keys and clicks: a root
cause with its why chain, actions planned, completed, cancelled and linked, and an
effectiveness review whose failure starts a new round with the old one still readable."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import ActionKind, ActionStatus, CauseCategory, ReviewResult, Stage
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from carapp.ui.editor.actions import ActionsSection
from carapp.ui.editor.cause import CauseSection
from carapp.ui.editor.effectiveness import EffectivenessSection
from carapp.ui.editor.rounds import Chooser
from carapp.ui.widgets import plain
from tests.conftest import TODAY, World
from tests.editor_helpers import (
    choose,
    click,
    named,
    open_editor,
    press,
    save,
    tab,
    type_into,
    typed,
    when_modal,
)

STATEMENT = "The offboarding checklist has no step that tells IT, and nobody owns it."


def alt(qtbot: QtBot, editor: FindingEditor, key: Qt.Key) -> None:
    """A mnemonic pressed; a button's is an animated click, over after 100 ms."""
    press(qtbot, editor, key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(150)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def at(world: World, stage: Stage) -> str:
    ref = world.nc()
    world.advance(ref, stage)
    return ref


def editor_on(qtbot: QtBot, world: World, ref: str, key: str) -> FindingEditor:
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    editor.show_key(key)
    return editor


def dialog_ok(dialog: QDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole)
    click(button)


def unnamed_inputs(root: QWidget) -> list[str]:
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QTableWidget, QListWidget)
    return [
        f"{type(w).__name__} {w.objectName()}"
        for kind in kinds
        for w in root.findChildren(kind)
        if w.isVisibleTo(root)
        and not w.accessibleName().strip()
        # an editable combo's own line edit is named through the combo
        and not isinstance(w.parent(), QComboBox)
    ]


def misnamed_inputs(root: QWidget) -> list[str]:
    """Inputs whose name is not their label's words (a why step's "Answer" in the group
    "Why 2" is named "Why 2 answer")."""
    out = []
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None or not label.isVisibleTo(root):
            continue
        words, name = plain(label.text()), buddy.accessibleName()
        in_step = re.fullmatch(rf"Why \d+ {words.lower()}", name) is not None
        if name != words and not in_step:
            out.append(f"{words!r} labels {name!r}")
    return out


# --- Root cause ----------------------------------------------------------------------


def test_a_root_cause_with_three_whys_typed_is_saved(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CONTAINED)
    editor = editor_on(qtbot, world, ref, "cause")
    choose(named(editor, "Category", QComboBox), "Owner")
    explanation = named(editor, "What the category means", QLabel)
    assert explanation.text() == CauseCategory.OWNERSHIP.explanation
    type_into(named(editor, "Statement"), STATEMENT)
    steps = [
        ("Why were the accounts active?", "IT was not told.", "Tickets INC-1, INC-2"),
        ("Why was IT not told?", "The checklist has no IT step.", "HR-PRO-004 v2"),
        ("Why has the checklist no IT step?", "Nobody owns it since 2024.", ""),
    ]
    for question, answer, evidence in steps:
        click(named(editor, "Add a why", QPushButton))
        typed(question)
        tab()
        typed(answer)
        tab()
        typed(evidence)
    section = editor.section("cause")
    assert isinstance(section, CauseSection)
    named(editor, "Why 2 checked", QAbstractButton).setFocus()
    QTest.keyClick(named(editor, "Why 2 checked"), Qt.Key.Key_Space)
    assert finding_detail(world.register, ref, TODAY).current_root_causes == ()  # not yet
    save(qtbot, editor)
    assert editor.message.text() == f"{ref} saved."
    cause = finding_detail(world.register, ref, TODAY).current_root_causes[0]
    assert cause.statement == STATEMENT
    assert cause.category is CauseCategory.OWNERSHIP
    assert [(w.question, w.answer, w.evidence) for w in cause.whys] == steps
    assert [w.checked for w in cause.whys] == [False, True, False]
    assert "no root cause is recorded" not in editor.step_bar.missing.text()
    # Saved, the section shows what was saved, and nothing is left to save.
    last = named(editor, "Why 3 answer", QPlainTextEdit)
    assert last.toPlainText() == "Nobody owns it since 2024."
    assert not editor.is_dirty()


def test_why_steps_move_and_go(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CONTAINED)
    world.find_cause(ref)
    editor = editor_on(qtbot, world, ref, "cause")
    second = named(editor, "Why 2 question", QLineEdit)
    second.setFocus()
    click(named(editor, "Move up", QPushButton))
    assert named(editor, "Why 1 question", QLineEdit).text() == "Why was IT not told?"
    assert named(editor, "Why 2 question", QLineEdit).text() == "Why were the accounts active?"
    # Remove acts on the step last typed in: now the first one.
    click(named(editor, "Remove", QPushButton))
    assert [s.question.text() for s in editor.section("cause").steps] == [  # type: ignore[attr-defined]
        "Why were the accounts active?"
    ]
    save(qtbot, editor)
    whys = finding_detail(world.register, ref, TODAY).current_root_causes[0].whys
    assert [w.question for w in whys] == ["Why were the accounts active?"]


def test_a_symptom_is_flagged_until_justified(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CONTAINED)
    editor = editor_on(qtbot, world, ref, "cause")
    section = editor.section("cause")
    assert isinstance(section, CauseSection)
    warning = section.symptom
    assert not warning.isVisibleTo(editor)
    choose(named(editor, "Category", QComboBox), "Training")
    type_into(named(editor, "Statement"), "Human error: the technician forgot.")
    assert warning.isVisibleTo(editor)
    assert warning.text() == (
        "This reads as a symptom (forgot, human error): ask why again, or justify it here."
    )
    save(qtbot, editor)
    assert "reads as a symptom" in editor.step_bar.missing.text()
    type_into(
        named(editor, "Symptom justification"),
        "A one-person team; the ticket system change that removes the step is action 1.",
    )
    save(qtbot, editor)
    assert "reads as a symptom" not in editor.step_bar.missing.text()
    cause = finding_detail(world.register, ref, TODAY).current_root_causes[0]
    assert cause.symptom_justification.startswith("A one-person team")


def test_another_findings_cause_is_linked_on_save(qtbot: QtBot, world: World) -> None:
    other = world.nc(title="Contractor accounts never expire")
    cause_id = world.find_cause(other)
    ref = at(world, Stage.CONTAINED)
    editor = editor_on(qtbot, world, ref, "cause")
    section = editor.section("cause")
    assert isinstance(section, CauseSection)
    click(named(editor, "Link to another finding\u2019s root cause\u2026", QPushButton))
    chooser = section.chooser
    assert isinstance(chooser, Chooser)
    qtbot.waitUntil(chooser.isVisible)
    QTest.keyClicks(chooser.search, "offboarding")
    assert chooser.list.count() == 1
    QTest.keyClick(chooser.search, Qt.Key.Key_Return)
    assert "(unsaved)" in named(editor, "Link to save", QLabel).text()
    assert finding_detail(world.register, ref, TODAY).current_root_causes == ()
    save(qtbot, editor)
    causes = finding_detail(world.register, ref, TODAY).current_root_causes
    assert [c.id for c in causes] == [cause_id]
    assert named(editor, "Shared", QLabel).text().startswith(f"Shared with {other}:")
    assert named(editor, "Statement", QPlainTextEdit).toPlainText().startswith("Nobody owns")


# --- Actions -------------------------------------------------------------------------


def test_actions_planned_edited_completed_and_cancelled(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CAUSE_FOUND)
    editor = editor_on(qtbot, world, ref, "actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    click(named(editor, "Plan an action", QPushButton))
    typed("Add an IT step to the offboarding checklist.")  # the focus is on the description
    choose(named(editor, "Kind", QComboBox), "Prev")
    choose(named(editor, "Owner", QComboBox), "Tom")
    type_into(named(editor, "Target date"), "2026-12-15")
    type_into(named(editor, "Measurable outcome"), "All leavers disabled on the day.")
    assert cell(section.table, 0, 6) == "Planned (unsaved)"
    click(named(editor, "Plan an action", QPushButton))
    typed("Remind HR by e-mail.")
    save(qtbot, editor)
    actions = finding_detail(world.register, ref, TODAY).current_actions
    assert [a.description for a in actions] == [
        "Add an IT step to the offboarding checklist.",
        "Remind HR by e-mail.",
    ]
    first = actions[0]
    assert (first.kind, first.owner_id, first.target_on) == (
        ActionKind.PREVENTIVE,
        world.owner,
        dt.date(2026, 12, 15),
    )
    assert first.outcome == "All leavers disabled on the day."

    # Edit the first one's target date: the table selects the first row after a save.
    assert section.table.currentRow() == 0
    type_into(named(editor, "Target date"), "15 Dec 2026")  # the same day, written otherwise
    assert not editor.is_dirty()
    type_into(named(editor, "Target date"), "2027-13-01")
    save(qtbot, editor)
    assert "\u201c2027-13-01\u201d is not a date" in editor.message.text()
    type_into(named(editor, "Target date"), "15 Jan 2027")
    save(qtbot, editor)
    assert finding_detail(world.register, ref, TODAY).current_actions[0].target_on == dt.date(
        2027, 1, 15
    )

    # Complete the first with evidence text, cancel the second with a reason.
    click(named(editor, "Complete\u2026", QPushButton))
    dialog = section.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    type_into(named(dialog, "Evidence"), "Checklist HR-PRO-004 v3 issued.")
    dialog_ok(dialog)
    assert cell(section.table, 0, 6) == "Done (unsaved)"
    section.table.setFocus()
    QTest.keyClick(section.table, Qt.Key.Key_Down)
    click(named(editor, "Cancel action\u2026", QPushButton))
    dialog = section.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    click(named(dialog, "Cancel the action", QPushButton))
    assert dialog.isVisible()  # a reason is required
    assert "reason is required" in named(dialog, "Problem", QLabel).text()
    type_into(named(dialog, "Reason"), "Replaced by the checklist step.")
    click(named(dialog, "Cancel the action", QPushButton))
    assert not dialog.isVisible()
    assert cell(section.table, 1, 6) == "Cancelled (unsaved)"
    assert finding_detail(world.register, ref, TODAY).current_actions[1].status is (
        ActionStatus.PLANNED
    )
    save(qtbot, editor)
    done, cancelled = finding_detail(world.register, ref, TODAY).current_actions
    assert (done.status, done.completed_on, done.completion_evidence) == (
        ActionStatus.DONE,
        TODAY,
        "Checklist HR-PRO-004 v3 issued.",
    )
    assert (cancelled.status, cancelled.cancelled_reason) == (
        ActionStatus.CANCELLED,
        "Replaced by the checklist step.",
    )
    # Done and cancelled actions are shown, not edited.
    assert not section.form_box.isVisibleTo(editor)
    assert "Checklist HR-PRO-004 v3 issued." in named(editor, "Action as saved", QLabel).text()


def test_an_existing_action_is_linked(qtbot: QtBot, world: World) -> None:
    other = world.nc(title="Contractor accounts never expire")
    world.find_cause(other)
    action = world.plan(other)
    ref = at(world, Stage.CAUSE_FOUND)
    editor = editor_on(qtbot, world, ref, "actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    click(named(editor, "Link an existing action\u2026", QPushButton))
    chooser = section.chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    QTest.keyClicks(chooser.search, other)
    QTest.keyClick(chooser.search, Qt.Key.Key_Return)
    assert cell(section.table, 0, 0) == action
    assert "(unsaved)" in cell(section.table, 0, 6)
    save(qtbot, editor)
    linked = finding_detail(world.register, ref, TODAY).current_actions
    assert [a.ref for a in linked] == [action]
    assert cell(section.table, 0, 7) == other  # whom else it answers


def test_a_refused_completion_keeps_everything_typed(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_PLANNED)
    action = finding_detail(world.register, ref, TODAY).current_actions[0].ref
    before = finding_detail(world.register, ref, TODAY)
    editor = editor_on(qtbot, world, ref, "actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    type_into(named(editor, "Description"), "A better description.")
    click(named(editor, "Complete\u2026", QPushButton))
    dialog = section.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog_ok(dialog)  # no evidence: the domain refuses it on Save
    save(qtbot, editor)
    assert editor.message.text().startswith("Nothing was saved:")
    assert f"{action} needs evidence of completion" in editor.message.text()
    after = finding_detail(world.register, ref, TODAY)
    assert after.current_actions == before.current_actions
    assert named(editor, "Description", QPlainTextEdit).toPlainText() == "A better description."
    assert cell(section.table, 0, 6) == "Done (unsaved)"
    assert editor.is_dirty()


def test_closing_without_saving_writes_nothing(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CAUSE_FOUND)
    before = finding_detail(world.register, ref, TODAY)
    editor = editor_on(qtbot, world, ref, "actions")
    click(named(editor, "Plan an action", QPushButton))
    typed("Never saved.")
    editor.show_key("cause")
    type_into(named(editor, "Statement"), "Rewritten, never saved.")
    editor.show_key("effectiveness")
    type_into(named(editor, "Method"), "Never saved either.")
    assert editor.is_dirty()
    editor.discard()
    after = finding_detail(world.register, ref, TODAY)
    assert (after.root_causes, after.actions, after.reviews) == (
        before.root_causes,
        before.actions,
        before.reviews,
    )


# --- Effectiveness -------------------------------------------------------------------


def test_a_failed_review_starts_round_two(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_DONE)
    round_one = finding_detail(world.register, ref, TODAY)
    editor = editor_on(qtbot, world, ref, "effectiveness")
    type_into(named(editor, "Method"), "Sample all leavers of December.")
    type_into(named(editor, "Pass criteria"), "No active account after the last day.")
    type_into(named(editor, "Review due"), "2027-01-10")
    choose(named(editor, "Reviewer", QComboBox), "Priya")
    save(qtbot, editor)
    (scheduled,) = finding_detail(world.register, ref, TODAY).current_reviews
    assert (scheduled.method, scheduled.due_on, scheduled.reviewer_id, scheduled.result) == (
        "Sample all leavers of December.",
        dt.date(2027, 1, 10),
        world.manager,
        None,
    )
    # Later: the result, on the same review.
    type_into(named(editor, "Date done"), "2026-11-20")
    choose(named(editor, "Result", QComboBox), "Not")
    type_into(named(editor, "Notes"), "Two of nine leavers still active.")
    assert "starts round 2" in named(editor, "What Save will do", QLabel).text()
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.cycle == 2
    assert [(r.id, r.result) for r in detail.reviews] == [
        (scheduled.id, ReviewResult.NOT_EFFECTIVE)
    ]
    title = "Round 1 \u2014 the effectiveness review found the actions not effective"
    # Every analysis section is empty for round 2 and shows round 1 read-only.
    editor.show_key("effectiveness")
    assert named(editor, "Method", QPlainTextEdit).toPlainText() == ""
    assert "Two of nine leavers" in named(editor, title, QLabel).text()
    editor.show_key("cause")
    assert named(editor, "Statement", QPlainTextEdit).toPlainText() == ""
    assert editor.section("cause").steps == []  # type: ignore[attr-defined]
    assert round_one.root_causes[0].statement in named(editor, title, QLabel).text()
    editor.show_key("actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    assert section.table.rowCount() == 0
    assert round_one.actions[0].ref in named(editor, title, QLabel).text()
    # A new cause for round 2 is recorded beside round 1's, which stays as it was.
    editor.show_key("cause")
    type_into(named(editor, "Statement"), STATEMENT)
    save(qtbot, editor)
    detail = finding_detail(world.register, ref, TODAY)
    assert [(c.round, c.statement) for c in detail.root_causes] == [
        (1, round_one.root_causes[0].statement),
        (2, STATEMENT),
    ]


def test_a_kind_of_check_suggests_when_the_review_can_tell(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_DONE)  # its action was done on 2026-04-20
    # A week after the action was done: every kind's moment is still ahead.
    editor = open_editor(qtbot, FindingEditor(world.register, ref, dt.date(2026, 4, 27)))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    editor.show_key("effectiveness")
    suggestion = named(editor, "Suggested review date", QLabel)
    assert "Pick a kind of check" in suggestion.text()
    choose(named(editor, "Kind of check", QComboBox), "Access")
    assert named(editor, "Method", QPlainTextEdit).toPlainText() == "Access review: "
    # The quarter after the one the action was done in ends on 30 September.
    assert named(editor, "Review due", QLineEdit).text() == "2026-09-30"
    assert "Wednesday 30 September 2026, at the end of the next calendar quarter" in (
        suggestion.text()
    )
    # Another kind moves a date it suggested, and keeps the particulars typed after the name.
    type_into(named(editor, "Method"), "Access review: directory against the HR list")
    pause = QApplication.keyboardInputInterval() + 50  # a list's type-ahead starts afresh
    qtbot.wait(pause)
    choose(named(editor, "Kind of check", QComboBox), "Record")
    assert named(editor, "Method", QPlainTextEdit).toPlainText() == (
        "Record check: directory against the HR list"
    )
    assert named(editor, "Review due", QLineEdit).text() == "2026-05-20"
    # A date the user typed is theirs: a new kind no longer moves it.
    type_into(named(editor, "Review due"), "2026-06-15")
    qtbot.wait(pause)
    choose(named(editor, "Kind of check", QComboBox), "Staff")
    assert named(editor, "Review due", QLineEdit).text() == "2026-06-15"
    choose(named(editor, "Reviewer", QComboBox), "Priya")
    save(qtbot, editor)
    (review,) = finding_detail(world.register, ref, TODAY).current_reviews
    assert (review.method, review.due_on) == (
        "Staff check: directory against the HR list",
        dt.date(2026, 6, 15),
    )
    # Reopened, the editor shows the kind the method text names.
    editor.reload()
    assert named(editor, "Kind of check", QComboBox).currentText() == "Staff check"


def test_a_suggested_review_date_is_never_in_the_past(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_DONE)  # done on 2026-04-20; TODAY is 2026-11-23
    editor = editor_on(qtbot, world, ref, "effectiveness")
    choose(named(editor, "Kind of check", QComboBox), "Record")
    assert named(editor, "Review due", QLineEdit).text() == TODAY.isoformat()
    assert "that moment has passed" in named(editor, "Suggested review date", QLabel).text()


# --- Names ---------------------------------------------------------------------------


def test_every_input_is_named(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_PLANNED)
    op.record_review(world.register, ref, op.ReviewDraft(method="Sample"))
    editor = editor_on(qtbot, world, ref, "cause")
    click(named(editor, "Add a why", QPushButton))
    for key in ("cause", "actions", "effectiveness"):
        editor.show_key(key)
        section = editor.section(key)
        assert isinstance(section, CauseSection | ActionsSection | EffectivenessSection)
        assert unnamed_inputs(section) == [], key
        assert misnamed_inputs(section) == [], key
    actions = editor.section("actions")
    assert isinstance(actions, ActionsSection)
    editor.show_key("actions")
    for button in ("Complete\u2026", "Cancel action\u2026"):
        click(named(editor, button, QPushButton))
        assert actions.dialog is not None
        qtbot.waitUntil(actions.dialog.isVisible)
        assert unnamed_inputs(actions.dialog) == [], button
        actions.dialog.reject()
    click(named(editor, "Link an existing action\u2026", QPushButton))
    assert actions.chooser is not None
    assert unnamed_inputs(actions.chooser) == []
    actions.chooser.reject()


# The file dialog's name completer is a popup, which the offscreen platform only notes.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_an_action_completed_with_a_file(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    evidence = tmp_path / "checklist-v3.pdf"
    evidence.write_bytes(b"%PDF-1.4 the new checklist")
    ref = at(world, Stage.ACTIONS_PLANNED)
    editor = editor_on(qtbot, world, ref, "actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    click(named(editor, "Complete\u2026", QPushButton))
    dialog = section.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)

    def pick(chooser: QFileDialog) -> None:
        line = chooser.findChild(QLineEdit, "fileNameEdit")
        assert line is not None
        type_into(line, str(evidence))
        QTest.keyClick(line, Qt.Key.Key_Return)

    when_modal(QFileDialog, pick)
    click(named(dialog, "Attach a file\u2026", QPushButton))
    assert "checklist-v3.pdf is attached on Save" in named(dialog, "File", QLabel).text()
    dialog_ok(dialog)
    save(qtbot, editor)
    done = finding_detail(world.register, ref, TODAY).current_actions[0]
    assert (done.status, done.attachments) == (ActionStatus.DONE, ("checklist-v3.pdf",))


def test_writing_a_cause_and_linking_one_is_refused_before_save(qtbot: QtBot, world: World) -> None:
    other = world.nc(title="Contractor accounts never expire")
    world.find_cause(other)
    ref = at(world, Stage.CONTAINED)
    editor = editor_on(qtbot, world, ref, "cause")
    section = editor.section("cause")
    assert isinstance(section, CauseSection)
    type_into(named(editor, "Statement"), STATEMENT)
    click(named(editor, "Link to another finding\u2019s root cause\u2026", QPushButton))
    assert section.chooser is not None
    qtbot.waitUntil(section.chooser.isVisible)
    QTest.keyClick(section.chooser.search, Qt.Key.Key_Return)
    save(qtbot, editor)
    assert "either the root cause written here or the linked one" in editor.message.text()
    assert finding_detail(world.register, ref, TODAY).current_root_causes == ()
    assert named(editor, "Statement", QPlainTextEdit).toPlainText() == STATEMENT
    click(named(editor, "Drop the link", QPushButton))
    save(qtbot, editor)
    (cause,) = finding_detail(world.register, ref, TODAY).current_root_causes
    assert cause.statement == STATEMENT


def test_a_result_without_its_date_is_refused(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_DONE)
    editor = editor_on(qtbot, world, ref, "effectiveness")
    type_into(named(editor, "Method"), "Sample all leavers of December.")
    choose(named(editor, "Result", QComboBox), "Eff")
    save(qtbot, editor)
    assert editor.message.text() == (
        "Nothing was saved: A review with a result needs the date it was done."
    )
    assert editor.marked is named(editor, "Date done", QLineEdit)
    assert finding_detail(world.register, ref, TODAY).reviews == ()
    assert named(editor, "Method", QPlainTextEdit).toPlainText() == (
        "Sample all leavers of December."
    )
    type_into(named(editor, "Date done"), "2026-11-20")
    save(qtbot, editor)
    (review,) = finding_detail(world.register, ref, TODAY).reviews
    assert (review.result, review.done_on) == (ReviewResult.EFFECTIVE, dt.date(2026, 11, 20))


def test_an_action_planned_and_completed_from_the_keyboard(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CAUSE_FOUND)
    editor = editor_on(qtbot, world, ref, "actions")
    section = editor.section("actions")
    assert isinstance(section, ActionsSection)
    alt(qtbot, editor, Qt.Key.Key_P)
    typed("Add an IT step to the offboarding checklist.")
    alt(qtbot, editor, Qt.Key.Key_U)  # the outcome's label
    typed("All leavers disabled on the day.")
    save(qtbot, editor)
    alt(qtbot, editor, Qt.Key.Key_E)  # Complete…
    dialog = section.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    tab()  # from the date to the evidence
    typed("Checklist v3 issued.")
    QTest.keyClick(
        QApplication.focusWidget() or dialog, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier
    )
    QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    save(qtbot, editor)
    (done,) = finding_detail(world.register, ref, TODAY).current_actions
    assert (done.outcome, done.status, done.completion_evidence) == (
        "All leavers disabled on the day.",
        ActionStatus.DONE,
        "Checklist v3 issued.",
    )


def test_why_steps_added_from_the_keyboard(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.CONTAINED)
    editor = editor_on(qtbot, world, ref, "cause")
    alt(qtbot, editor, Qt.Key.Key_E)  # the statement's label
    typed(STATEMENT)
    for question in ("Why first?", "Why second?"):
        alt(qtbot, editor, Qt.Key.Key_A)
        typed(question)
    alt(qtbot, editor, Qt.Key.Key_U)  # Move up: the second goes first
    save(qtbot, editor)
    whys = finding_detail(world.register, ref, TODAY).current_root_causes[0].whys
    assert [w.question for w in whys] == ["Why second?", "Why first?"]
