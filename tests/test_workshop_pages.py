"""The root cause, fix check, actions and summary pages of the five-whys wizard, driven by
keys and clicks over a real register; and the finding editor's symptom-fix warning."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from carapp.models.enums import ActionKind, CauseCategory, Stage
from carapp.models.symptoms import symptom_fix_warning
from carapp.models.workshop import DraftAction, WorkshopDraft
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from carapp.ui.workshop.actions import ActionsPage
from carapp.ui.workshop.fixcheck import FixCheckPage
from carapp.ui.workshop.page import WorkshopPage
from carapp.ui.workshop.root import RootCausePage
from carapp.ui.workshop.summary import SummaryPage
from carapp.ui.workshop.window import WorkshopWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import (
    answer_box,
    choose,
    click,
    named,
    open_editor,
    tab,
    type_into,
    typed,
)
from tests.workshop_data import LEAVERS_WHYS, leavers_draft


def _leave(window: QWidget) -> None:
    """An unsaved window asks whether to keep its draft: the test discards it."""
    if isValid(window) and isinstance(window, WorkshopWindow) and window.isVisible():
        if window.saved is None:
            answer_box("Discard the draft")
        window.close()


def open_window(
    qtbot: QtBot, world: World, draft: WorkshopDraft, page: type[WorkshopPage]
) -> WorkshopWindow:
    window = WorkshopWindow(world.register, draft, TODAY, pages=[page])
    qtbot.addWidget(window, before_close_func=_leave)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    # The other findings' causes are read off the GUI thread as the window opens.
    qtbot.waitUntil(lambda: "causes" in window.context.extras, timeout=5000)
    return window


def pick(button: QRadioButton) -> None:
    """Click a radio button on its round indicator (its label may be narrower than it)."""
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))


def enter() -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.keyClick(widget, Qt.Key.Key_Return)


def linked_cause(draft: WorkshopDraft) -> int | None:
    return draft.link_cause_id


def bare_root(world: World, ref: str) -> WorkshopDraft:
    """The leavers chain with no root cause named yet."""
    draft = leavers_draft(world, ref)
    draft.root_key, draft.category, draft.statement = None, None, ""
    return draft


def unnamed_inputs(root: QWidget) -> list[str]:
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QListWidget)
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
        for kind in kinds
        for w in root.findChildren(kind)
        if w.isVisibleTo(root)
        and not w.accessibleName().strip()
        and not isinstance(w.parent(), QComboBox)
    ]


def answer_new_person(name: str, within: float = 10.0) -> None:
    """Type ``name`` into the "New person" dialog once it shows, and press OK."""
    deadline = time.monotonic() + within

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog) or dialog.windowTitle() != "New person":
            if time.monotonic() < deadline:
                QTimer.singleShot(20, poll)
            return
        line = next(w for w in dialog.findChildren(QLineEdit) if w.accessibleName() == "Name")
        QTest.keyClicks(line, name)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        ok = box.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        click(ok)
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(0, poll)


# --- Root cause ----------------------------------------------------------------------


def test_the_root_cause_is_picked_categorised_and_written(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    draft = bare_root(world, ref)
    window = open_window(qtbot, world, draft, RootCausePage)
    page = window.page
    why = named(page, "Root cause why", QComboBox)
    statement = named(page, "Root cause statement", QPlainTextEdit)
    # The deepest why of the first chain is offered, its answer carried into the statement.
    fifth = LEAVERS_WHYS[4][0]
    assert why.currentText() == f"Why 5: {fifth}"
    assert draft.root_key == draft.ordered()[4].key
    assert statement.toPlainText() == fifth == draft.statement
    assert why.count() == 6  # five down the chain and the branch

    why.setFocus()
    QTest.keyClick(why, Qt.Key.Key_Up)  # a space would open the list: arrows pick
    assert draft.root_key == draft.ordered()[3].key
    assert draft.statement == LEAVERS_WHYS[3][0]  # still the pick's answer, so it follows

    pick(named(page, "Process design", QRadioButton))
    assert draft.category is CauseCategory.PROCESS_DESIGN
    explanation = CauseCategory.PROCESS_DESIGN.explanation
    assert any(
        label.text() == explanation and label.isVisible() for label in page.findChildren(QLabel)
    )

    type_into(statement, "HR procedures are never reviewed when systems change.")
    assert draft.statement == "HR procedures are never reviewed when systems change."
    why.setFocus()
    QTest.keyClick(why, Qt.Key.Key_Down)  # the room's own statement stays
    assert draft.root_key == draft.ordered()[4].key
    assert draft.statement == "HR procedures are never reviewed when systems change."
    assert not named(page, "Root cause statement", QPlainTextEdit).isHidden()
    assert all(
        not w.isVisible()
        for w in page.findChildren(QPlainTextEdit)
        if w.accessibleName() == "Why it is the cause all the same"
    )
    assert page.problems(draft) == []
    assert unnamed_inputs(page) == []


def test_a_symptom_statement_asks_why_it_is_the_cause(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    draft = bare_root(world, ref)
    window = open_window(qtbot, world, draft, RootCausePage)
    page = window.page
    pick(named(page, "Ownership", QRadioButton))
    type_into(named(page, "Root cause statement", QPlainTextEdit), "Human error by HR staff.")
    warning = named(page, "Root cause symptom warning", QLabel)
    assert "\u201chuman error\u201d" in warning.text()
    assert page.problems(draft) and "reads like a symptom" in page.problems(draft)[0]
    justification = named(page, "Why it is the cause all the same", QPlainTextEdit)
    type_into(justification, "HR has no system to record leavers; the error is the process.")
    assert draft.justification.startswith("HR has no system")
    assert page.problems(draft) == []
    type_into(named(page, "Root cause statement", QPlainTextEdit), "Nobody owns offboarding.")
    assert not justification.isVisible() and not warning.isVisible()


def test_an_existing_cause_is_linked_instead(qtbot: QtBot, world: World) -> None:
    other = world.nc(title="Contractor accounts never expire")
    cause_id = world.find_cause(other)
    ref = world.nc()
    draft = bare_root(world, ref)
    window = open_window(qtbot, world, draft, RootCausePage)
    page = window.page
    pick(named(page, "Link an existing root cause", QRadioButton))
    statement = named(page, "Root cause statement", QPlainTextEdit)
    assert not statement.isEnabled()
    assert not named(page, "Root cause why", QComboBox).isEnabled()
    assert page.problems(draft) == ["Pick the existing root cause to link, or write our own."]
    type_into(named(page, "Search existing root causes", QLineEdit), "offboarding")
    causes = named(page, "Existing root causes", QListWidget)
    assert causes.count() == 1
    item = causes.item(0)
    assert other in item.text()
    QTest.mouseClick(
        causes.viewport(), Qt.MouseButton.LeftButton, pos=causes.visualItemRect(item).center()
    )
    assert draft.link_cause_id == cause_id
    linked = named(page, "Linked root cause", QLabel).text()
    assert "Nobody owns the offboarding procedure" in linked and other in linked
    assert page.problems(draft) == []
    type_into(named(page, "Search existing root causes", QLineEdit), "no such words")
    assert causes.item(0).text() == "No other finding has a root cause with these words."
    assert draft.link_cause_id == cause_id  # narrowing the list unlinks nothing

    pick(named(page, "Write our own root cause", QRadioButton))
    assert linked_cause(draft) is None
    assert statement.isEnabled()
    assert page.problems(draft)  # our own cause is still to be written


# --- Fix check -----------------------------------------------------------------------


def test_symptom_fixes_are_flagged_and_a_structural_one_is_added(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.actions = []
    window = open_window(qtbot, world, draft, FixCheckPage)
    page = window.page
    typed("Remind all staff by email")  # the cursor waits in the first line
    first_check = named(page, "Proposed action 1 check", QLabel)
    assert first_check.text() == symptom_fix_warning("Remind all staff by email")
    assert "a reminder" in first_check.text()
    enter()
    assert QApplication.focusWidget() is named(page, "Proposed action 2", QLineEdit)
    typed("Add a notify-IT step to checklist HR-07")
    assert not any(
        w.isVisible()
        for w in page.findChildren(QLabel)
        if w.accessibleName() == "Proposed action 2 check"
    )
    enter()  # an empty line 3 waits
    click(named(page, "Add: An automatic control", QPushButton))
    third = named(page, "Proposed action 3", QLineEdit)
    assert QApplication.focusWidget() is third
    typed("disable the account on the HR leaver date.")
    assert [a.description for a in draft.actions] == [
        "Remind all staff by email",
        "Add a notify-IT step to checklist HR-07",
        "Make the system disable the account on the HR leaver date.",
    ]
    assert list(draft.symptom_fix_actions()) == [0]
    click(named(page, "Add proposed action", QPushButton))
    assert QApplication.focusWidget() is named(page, "Proposed action 4", QLineEdit)
    assert page.problems(draft) == []  # flagged, not refused
    assert unnamed_inputs(page) == []


# --- Actions -------------------------------------------------------------------------


def test_actions_get_owners_dates_and_outcomes(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.actions = [
        DraftAction(description="Name one owner for the offboarding procedure."),
        DraftAction(),  # the empty line the fix check leaves: not an action
    ]
    window = open_window(qtbot, world, draft, ActionsPage)
    page = window.page
    assert len(draft.actions) == 1
    assert page.problems(draft) == [
        "Action 1 needs an owner.",
        "Action 1 needs a target date.",
        "Action 1 needs a measurable outcome.",
    ]
    choose(named(page, "Action 1 owner", QComboBox), "Tom")
    assert (draft.actions[0].owner_id, draft.actions[0].owner_name) == (world.owner, "")
    date = named(page, "Action 1 target date", QLineEdit)
    type_into(date, "31/12/2026")
    tab()
    problem = named(page, "Action 1 target date problem", QLabel)
    assert "\u201c31/12/2026\u201d is not a date" in problem.text()
    assert draft.actions[0].target == ""
    assert page.problems(draft)[0] == problem.text()
    type_into(date, "2026-12-31")
    assert draft.actions[0].target == "2026-12-31"
    assert not problem.isVisible()
    type_into(named(page, "Action 1 outcome", QPlainTextEdit), "Owner named in HR-07 v3.")
    assert draft.actions[0].outcome == "Owner named in HR-07 v3."
    assert page.problems(draft) == []

    click(named(page, "Add action", QPushButton))
    typed("Disable accounts from the HR leaver date.")  # the new description has the cursor
    assert draft.actions[1].description == "Disable accounts from the HR leaver date."
    answer_new_person("Amara Obi")
    choose(named(page, "Action 2 owner", QComboBox), "N")  # New person…
    assert (draft.actions[1].owner_id, draft.actions[1].owner_name) == (None, "Amara Obi")
    type_into(named(page, "Action 2 target date", QLineEdit), "31 Jan 2027")
    assert draft.actions[1].target == "2027-01-31"
    choose(named(page, "Action 2 kind", QComboBox), "Prev")
    assert draft.actions[1].kind is ActionKind.PREVENTIVE
    type_into(
        named(page, "Action 2 description", QPlainTextEdit), "Remind HR to tell IT by e-mail."
    )
    assert named(page, "Action 2 check", QLabel).text() == symptom_fix_warning(
        "Remind HR to tell IT by e-mail."
    )
    assert page.problems(draft) == ["Action 2 needs a measurable outcome."]

    click(named(page, "Action 1 remove", QPushButton))
    assert [a.owner_name for a in draft.actions] == ["Amara Obi"]
    assert named(page, "Action 1 description", QPlainTextEdit).toPlainText().startswith("Remind")
    assert named(page, "Action 1 owner", QComboBox).currentText() == "Amara Obi (new)"
    assert unnamed_inputs(page) == []


# --- Summary -------------------------------------------------------------------------


def test_the_summary_saves_the_analysis(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    draft = leavers_draft(world, ref)
    draft.actions[0].description = "Remind all staff by email to tell IT about leavers."
    window = open_window(qtbot, world, draft, SummaryPage)
    page = window.page
    text = named(page, "Summary of the analysis", QLabel).text()
    for expected in (
        "Leavers retain active accounts",
        "José Núñez",
        "Why 5:</b> Nobody clearly owns the offboarding procedure.",
        "Checklist HR-07 v2.",
        "Ownership gap: nobody owns the offboarding procedure.",
        "Category: Ownership",
        "owner Priya Natarajan, target 2026-12-15",
        "Symptom fix</b> (a reminder",
        "Contractors are not in the HR system at all.",
    ):
        assert expected in text, expected
    assert not named(page, "Save the analysis", QPushButton).isHidden()
    assert all(
        not w.isVisible()
        for w in page.findChildren(QLabel)
        if w.accessibleName() == "Still missing before saving"
    )

    click(named(page, "Save the analysis", QPushButton))
    qtbot.waitUntil(lambda: window.saved is not None, timeout=10000)
    detail = finding_detail(world.register, ref, TODAY)
    assert [c.statement for c in detail.current_root_causes] == [draft.statement]
    assert [a.description for a in detail.current_actions] == [a.description for a in draft.actions]
    assert detail.stage is Stage.ACTIONS_PLANNED
    recorded = named(page, "Recorded", QLabel).text()
    assert window.saved is not None
    assert "Recorded." in recorded and window.saved.stage.label in recorded
    assert window.saved.actions and all(a in recorded for a in window.saved.actions)
    assert not named(page, "Save the analysis", QPushButton).isEnabled()
    assert named(page, "Write the minutes", QPushButton).isEnabled()
    assert QApplication.focusWidget() is named(page, "Write the minutes", QPushButton)


def test_the_summary_lists_what_is_missing_and_saves_nothing(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.actions[1].target = ""
    draft.category = None
    window = open_window(qtbot, world, draft, SummaryPage)
    page = window.page
    missing = named(page, "Still missing before saving", QLabel).text()
    assert "Choose the root cause&#x27;s category." in missing  # as escaped for the label
    assert "Action 2 needs a target date." in missing
    click(named(page, "Save the analysis", QPushButton))
    qtbot.wait(50)
    assert window.saved is None and window.saving is None
    assert "Action 2 needs a target date." in window.problems_label.text()
    assert finding_detail(world.register, ref, TODAY).current_root_causes == ()


# --- The finding editor --------------------------------------------------------------


def test_the_editor_warns_of_a_symptom_fix_as_it_is_typed(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CAUSE_FOUND)
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    editor.show_key("actions")
    click(named(editor, "Plan an action", QPushButton))
    typed("Remind HR by e-mail.")
    warning = named(editor, "Symptom fix warning", QLabel)
    assert warning.text() == symptom_fix_warning("Remind HR by e-mail.")
    type_into(named(editor, "Description", QPlainTextEdit), "Disable accounts on the leaver date.")
    assert not warning.isVisible()


def test_the_minutes_are_written_once_saved(qtbot: QtBot, world: World) -> None:
    pytest.importorskip("carapp.exports.minutes")
    ref = world.nc()
    world.contain(ref)
    window = open_window(qtbot, world, leavers_draft(world, ref), SummaryPage)
    page = window.page
    click(named(page, "Save the analysis", QPushButton))
    qtbot.waitUntil(lambda: window.saved is not None, timeout=10000)
    click(named(page, "Write the minutes", QPushButton))
    minutes = named(page, "Minutes", QLabel)
    qtbot.waitUntil(lambda: minutes.text() != "Writing the minutes\u2026", timeout=30000)
    assert minutes.text().startswith("Minutes attached: "), minutes.text()
    assert "(SHA-256 " in minutes.text()
    assert len(minutes.accessibleDescription()) == len("SHA-256 ") + 64
