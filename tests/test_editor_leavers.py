"""The leavers finding of DOMAIN.md taken from new to closed in the window, through the
editor's widgets alone: keys and clicks make every step; the register is only read, to
check. After each step the stage and the step bar's missing items are checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from carapp.models.enums import ActionStatus, CauseCategory, ReviewResult, Stage
from carapp.queries import finding_detail
from carapp.store import Register
from carapp.ui.editor import FindingEditor
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import (
    choose,
    click,
    named,
    press,
    tab,
    type_into,
    typed,
    wait_saved,
)

WHYS = [
    ("Why did three leavers keep active accounts?", "IT was not told they had left.", "INC-7"),
    ("Why was IT not told?", "The HR offboarding checklist has no step to notify IT.", "HR-4"),
    ("Why has it no such step?", "It predates the IT system and was never updated.", "v1 2019"),
    ("Why was it never updated?", "Nobody reviews HR procedures when systems change.", ""),
    ("Why does nobody review them?", "Nobody clearly owns the offboarding procedure.", ""),
]


@pytest.fixture
def window(qtbot: QtBot, world: World, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for editor in QApplication.topLevelWidgets():
        if isinstance(editor, FindingEditor):
            editor.discard()


def section(qtbot: QtBot, editor: FindingEditor, number: int) -> None:
    """Ctrl+number: the section's page."""
    press(qtbot, editor, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)


def move_on(qtbot: QtBot, editor: FindingEditor) -> None:
    """The step bar's Save and move / Save and close, clicked."""
    click(editor.step_bar.move_button)
    wait_saved(qtbot, editor)


def answer_dialog(qtbot: QtBot, fill: object) -> None:
    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):  # not open yet (a busy machine)
            QTimer.singleShot(50, run)
            return
        fill(dialog)  # type: ignore[operator]
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        ok = next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole)
        click(ok)

    QTimer.singleShot(100, run)


def editor_open() -> FindingEditor | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, FindingEditor)), None)


def shown_refs(window: MainWindow) -> list[str]:
    rows = (window.model.row_at(r) for r in range(window.model.rowCount()))
    return [row.ref for row in rows if row is not None]


def state(register: Register, ref: str) -> tuple[Stage, str]:
    detail = finding_detail(register, ref, TODAY)
    return detail.stage, "; ".join(detail.missing)


def test_the_leavers_finding_from_new_to_closed(
    qtbot: QtBot, window: MainWindow, world: World
) -> None:
    register = world.register
    press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor_open() is not None)
    editor = editor_open()
    assert editor is not None
    qtbot.waitExposed(editor)

    # 1. The finding.
    type_into(named(editor, "Title"), "Leavers retain active accounts after their last day")
    type_into(
        named(editor, "Statement", QPlainTextEdit),
        "Required: accounts disabled on the last day (A.5.18). Seen: three of twelve "
        "leavers sampled still had active accounts six weeks later.",
    )
    type_into(named(editor, "Evidence observed"), "HR leavers list for Q1 against the directory.")
    choose(named(editor, "Classification", QComboBox), "Minor")
    type_into(named(editor, "Date identified", QLineEdit), "2026-03-03")
    requirement = named(editor, "Requirements breached", QLineEdit)
    type_into(requirement, "5.18")
    # Return as the keyboard sends it: to the completer's list of matches.
    QTest.keyClick(QApplication.activePopupWidget() or requirement, Qt.Key.Key_Return)
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, editor)
    ref = editor.ref
    assert ref is not None and ref.startswith("NC-2026-")
    stage, missing = state(register, ref)
    assert stage is Stage.IDENTIFIED and "no containment or correction" in missing
    assert "no containment or correction" in editor.step_bar.missing.text()
    # The register shows it at once.
    qtbot.waitUntil(lambda: ref in shown_refs(window))
    # ... and selects it, so the detail pane beside the table shows it too.
    qtbot.waitUntil(lambda: window.detail.ref == ref)
    assert window.table.selectionModel().selectedRows()
    selected = window.model.row_at(window.table.selectionModel().selectedRows()[0].row())
    assert selected is not None and selected.ref == ref

    # 2. Containment, then the step bar's move.
    section(qtbot, editor, 2)
    type_into(named(editor, "What was done"), "Disabled the three accounts the same day.")
    type_into(named(editor, "Date contained", QLineEdit), "2026-03-04")
    choose(named(editor, "Contained by", QComboBox), "Tom")
    move_on(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.CONTAINED and "no root cause is recorded" in missing
    assert "no root cause is recorded" in editor.step_bar.missing.text()

    # 3. Root cause: the five whys of the worked example.
    section(qtbot, editor, 3)
    choose(named(editor, "Category", QComboBox), "Owner")
    type_into(
        named(editor, "Statement", QPlainTextEdit),
        "Nobody owns the offboarding procedure, so it was never updated for the directory.",
    )
    for question, answer, evidence in WHYS:
        click(named(editor, "Add a why", QPushButton))
        typed(question)
        tab()
        typed(answer)
        tab()
        typed(evidence)
    move_on(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.CAUSE_FOUND and "no corrective action is planned" in missing
    cause = finding_detail(register, ref, TODAY).current_root_causes[0]
    assert cause.category is CauseCategory.OWNERSHIP and len(cause.whys) == 5

    # 4. The corrective action.
    section(qtbot, editor, 4)
    click(named(editor, "Plan an action", QPushButton))
    typed("Name an owner for offboarding and add an IT step to the checklist.")
    choose(named(editor, "Owner", QComboBox), "Tom")
    type_into(named(editor, "Target date", QLineEdit), "2026-04-30")
    type_into(named(editor, "Measurable outcome"), "Every leaver disabled within one day.")
    move_on(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.ACTIONS_PLANNED and "is not completed" in missing
    action = finding_detail(register, ref, TODAY).current_actions[0]
    assert f"{action.ref} is not completed" in editor.step_bar.missing.text()

    # The plan goes to the certification body.
    section(qtbot, editor, 6)
    type_into(named(editor, "Action plan sent on", QLineEdit), "2026-03-20")
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, editor)
    assert finding_detail(register, ref, TODAY).plan_sent_on is not None

    # Completed with evidence.
    section(qtbot, editor, 4)

    def complete(dialog: QDialog) -> None:
        type_into(named(dialog, "Completion date", QLineEdit), "2026-04-20")
        type_into(named(dialog, "Evidence"), "Checklist HR-PRO-004 v3 issued; owner named.")

    answer_dialog(qtbot, complete)
    click(named(editor, "Complete\u2026", QPushButton))
    qtbot.wait(300)
    move_on(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.ACTIONS_DONE and "no effectiveness review is recorded" in missing
    assert finding_detail(register, ref, TODAY).current_actions[0].status is ActionStatus.DONE

    # 5. The effectiveness review, scheduled and done.
    section(qtbot, editor, 5)
    type_into(named(editor, "Method"), "Sample every leaver of the next two months.")
    type_into(named(editor, "Pass criteria"), "No leaver active after their last day.")
    type_into(named(editor, "Review due", QLineEdit), "2026-07-01")
    choose(named(editor, "Reviewer", QComboBox), "Priya")
    type_into(named(editor, "Date done", QLineEdit), "2026-06-30")
    choose(named(editor, "Result", QComboBox), "Effective")
    move_on(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.EFFECTIVE and "no ISMS update decision" in missing
    assert finding_detail(register, ref, TODAY).current_reviews[0].result is ReviewResult.EFFECTIVE

    # 7. ISMS update, then Save and close.
    section(qtbot, editor, 7)
    choose(named(editor, "Risk assessment", QComboBox), "U")
    type_into(named(editor, "Risk assessment: reference or reason", QLineEdit), "RA-2026 v4")
    for part in ("Statement of Applicability", "Risk treatment plan", "Policies"):
        choose(named(editor, part, QComboBox), "N")
        type_into(named(editor, f"{part}: reference or reason", QLineEdit), "No change needed.")
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, editor)
    stage, missing = state(register, ref)
    assert stage is Stage.EFFECTIVE and missing == ""
    assert "Nothing is missing" in editor.step_bar.missing.text()
    assert "close" in editor.step_bar.move_button.text().replace("&", "").lower()
    move_on(qtbot, editor)
    stage, _missing = state(register, ref)
    assert stage is Stage.CLOSED
    assert finding_detail(register, ref, TODAY).closed_on == TODAY
    assert "closed" in editor.step_bar.missing.text()
    assert not editor.step_bar.move_button.isVisible()
    # The history says it all, in order.
    stages = [h.new for h in finding_detail(register, ref, TODAY).history if h.field == "stage"]
    assert stages[-6:] == [
        s.value
        for s in (
            Stage.CONTAINED,
            Stage.CAUSE_FOUND,
            Stage.ACTIONS_PLANNED,
            Stage.ACTIONS_DONE,
            Stage.EFFECTIVE,
            Stage.CLOSED,
        )
    ]


def test_every_input_in_the_editor_has_a_name(qtbot: QtBot, world: World) -> None:
    """Each section of a finding at each stage: no input a screen reader cannot name."""
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton)
    for stage in (Stage.IDENTIFIED, Stage.ACTIONS_PLANNED, Stage.EFFECTIVE, Stage.CLOSED):
        ref = world.nc()
        world.advance(ref, stage)
        editor = FindingEditor(world.register, ref, TODAY)
        qtbot.addWidget(editor)
        editor.show()
        for index, page in enumerate(editor.sections):
            editor.show_section(index)
            unnamed = [
                f"{page.key}: {type(w).__name__}"
                for kind in kinds
                for w in page.findChildren(kind)
                if w.isVisibleTo(editor)
                and not w.accessibleName().strip()
                and not isinstance(w.parent(), QComboBox)
                and type(w).__name__ != "QTableCornerButton"
            ]
            assert unnamed == [], f"{stage}: {unnamed}"
        editor.discard()
