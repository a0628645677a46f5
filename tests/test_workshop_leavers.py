"""The leavers workshop of ../shared/DOMAIN.md, run through every page of the wizard in
workshop mode by the keyboard alone, and what the register holds afterwards."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from carapp.models.enums import CauseCategory, Stage
from carapp.queries import finding_detail
from carapp.queries.workshops import start_workshop, unfinished_workshops
from carapp.ui.workshop.window import WORKSHOP_POINTS, WorkshopWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import named, type_into
from tests.workshop_data import BRANCH, LEAVERS_WHYS

CTRL = Qt.KeyboardModifier.ControlModifier
ACTIONS = (
    ("Name an owner for the offboarding procedure in HR.", "Priya", "2026-12-15",
     "Owner named in the procedure and the ISMS roles list."),
    ("Add a notify-IT step to checklist HR-07.", "Tom", "2027-01-31",
     "No leaver account active a day after leaving, in a monthly sample."),
)  # fmt: skip


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), key, modifier)


def test_the_leavers_workshop_by_keyboard_alone(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    window = WorkshopWindow(world.register, start_workshop(world.register, ref, TODAY), TODAY)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    key(Qt.Key.Key_F11)  # workshop mode, for the projector
    assert window.workshop_mode and window.font().pointSizeF() == WORKSHOP_POINTS
    qtbot.waitUntil(lambda: bool(window.context.extras), timeout=10000)

    # 1 Problem: who is in the room.
    type_into(named(window, "New attendee name"), "Jose Nunez")
    key(Qt.Key.Key_Return)
    picker = named(window, "Attendee from the register", QComboBox)
    picker.setFocus()
    QTest.keyClicks(picker, "Tom")
    QTest.keyClick(named(window, "Add attendee"), Qt.Key.Key_Space)
    key(Qt.Key.Key_Return, CTRL)

    # 2 Why chain: five whys with Enter, evidence and a tick on the first two, a branch.
    assert window.page.key == "chain"
    for number, (answer, evidence) in enumerate(LEAVERS_WHYS, start=1):
        assert focused() is named(window, f"Why {number} answer")
        QTest.keyClicks(focused(), answer)
        if evidence:
            key(Qt.Key.Key_Tab)
            QTest.keyClicks(focused(), evidence)
            key(Qt.Key.Key_Tab)
            key(Qt.Key.Key_Space)
            key(Qt.Key.Key_Backtab)
            key(Qt.Key.Key_Backtab)
        if number < len(LEAVERS_WHYS):
            key(Qt.Key.Key_Return)
    named(window, "Why 1 answer").setFocus()
    key(Qt.Key.Key_B, CTRL)
    QTest.keyClicks(focused(), BRANCH)
    key(Qt.Key.Key_Return, CTRL)

    # 3 Root cause: the deepest why of the chain is offered; the category and statement.
    assert window.page.key == "root"
    assert named(window, "Root cause why", QComboBox).currentText().startswith("Why 5")
    named(window, CauseCategory.OWNERSHIP.label).setFocus()
    key(Qt.Key.Key_Space)
    type_into(named(window, "Root cause statement"), "Ownership gap: nobody owns offboarding.")
    key(Qt.Key.Key_Return, CTRL)

    # 4 Fix check: the room proposes the two actions.
    assert window.page.key == "fixcheck"
    type_into(named(window, "Proposed action 1"), ACTIONS[0][0])
    key(Qt.Key.Key_Return)
    QTest.keyClicks(focused(), ACTIONS[1][0])
    key(Qt.Key.Key_Return, CTRL)

    # 5 Actions: owner, target date and measurable outcome for each.
    assert window.page.key == "actions"
    for number, (_description, owner, target, outcome) in enumerate(ACTIONS, start=1):
        picker = named(window, f"Action {number} owner", QComboBox)
        picker.setFocus()
        QTest.keyClicks(picker, owner)
        type_into(named(window, f"Action {number} target date"), target)
        type_into(named(window, f"Action {number} outcome"), outcome)
    key(Qt.Key.Key_Return, CTRL)

    # 6 Summary, then save with the same key.
    assert window.page.key == "summary"
    key(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.saved is not None, timeout=10000)

    detail = finding_detail(world.register, ref, TODAY)
    (cause,) = detail.current_root_causes
    assert [w.answer for w in cause.whys] == [a for a, _ in LEAVERS_WHYS] + [BRANCH]
    assert [w.evidence for w in cause.whys] == [e for _, e in LEAVERS_WHYS] + [""]
    assert [w.checked for w in cause.whys] == [True, True, False, False, False, False]
    assert [w.branch_of for w in cause.whys] == [None] * 5 + [1]
    assert [w.is_root for w in cause.whys] == [False] * 4 + [True, False]
    assert cause.category is CauseCategory.OWNERSHIP
    assert cause.statement == "Ownership gap: nobody owns offboarding."
    assert [(a.description, a.owner, a.target_on.isoformat() if a.target_on else "", a.outcome)
            for a in detail.current_actions] == [
        (d, "Priya Natarajan" if o == "Priya" else "Tom Okafor", t, out)
        for d, o, t, out in ACTIONS
    ]  # fmt: skip
    assert detail.stage is Stage.ACTIONS_PLANNED
    (workshop,) = detail.workshops
    assert workshop.attendees == ("Jose Nunez", "Tom Okafor")
    assert unfinished_workshops(world.register) == []  # the draft went with the save
    window.close()
