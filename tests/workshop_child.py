"""A workshop typed into by keys in a process of its own, for tests/test_workshop_kill.py:
``python tests/workshop_child.py REGISTER REF``. Once everything typed has been written it
prints the draft as JSON on one line and waits to be killed."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from carapp.queries.workshops import start_workshop
from carapp.store import open_register
from carapp.ui.workshop import WorkshopWindow

TODAY = dt.date(2026, 11, 23)


def find(window: QWidget, name: str) -> QWidget:
    for widget in window.findChildren(QWidget):
        if widget.accessibleName() == name and widget.isVisible():
            return widget
    raise LookupError(name)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def main() -> int:
    app = QApplication([])
    register = open_register(sys.argv[1])
    window = WorkshopWindow(register, start_workshop(register, sys.argv[2], TODAY), TODAY)
    window.show()
    kept: list[str] = []
    window.keeper.saved.connect(kept.append)
    # QTest types ASCII only; the accents round trip is tests/test_workshop.py's.
    QTest.keyClicks(find(window, "New attendee name"), "Jose Nunez")
    QTest.keyClick(find(window, "New attendee name"), Qt.Key.Key_Return)
    window.go(1, check=False)
    app.processEvents()
    answers = [
        ("IT was not told that the three people had left.", "Q1 ticket queue: none"),
        ("The HR offboarding checklist has no step to notify IT.", "Checklist HR-07 v2"),
        ("It predates the IT system and was never updated.", ""),
    ]
    for number, (answer, evidence) in enumerate(answers, start=1):
        box = find(window, f"Why {number} answer")
        box.setFocus()
        QTest.keyClicks(box, answer)
        if evidence:
            QTest.keyClick(box, Qt.Key.Key_Tab)
            QTest.keyClicks(focused(), evidence)
            QTest.keyClick(focused(), Qt.Key.Key_Tab)
            QTest.keyClick(focused(), Qt.Key.Key_Space)
            find(window, f"Why {number} answer").setFocus()
        if number < len(answers):
            QTest.keyClick(find(window, f"Why {number} answer"), Qt.Key.Key_Return)
        app.processEvents()
    first = find(window, "Why 1 answer")
    first.setFocus()
    QTest.keyClick(first, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    app.processEvents()
    QTest.keyClicks(focused(), "The HR system sends no leaver notice.")
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(find(window, "Park an issue"), "Contractors are not in the HR system.")
    QTest.keyClick(find(window, "Park an issue"), Qt.Key.Key_Return)
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # pause
    # Everything typed is written once the keeper has caught up with the last change.
    expected = window.draft.to_json()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        app.processEvents()
        if window.keeper._written == expected:
            break
        time.sleep(0.01)
    print(expected, flush=True)
    while True:
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
