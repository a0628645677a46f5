"""Driving the finding editor as a person does: keys and clicks on its real widgets.

QTest sends the same events as qtbot.keyClick and is typed, which strict mypy wants."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from carapp.ui.editor import FindingEditor

W = TypeVar("W", bound=QWidget)


def named(editor: QWidget, name: str, kind: type[W] = QWidget) -> W:  # type: ignore[assignment]
    """The one visible input of ``kind`` whose accessible name is ``name``."""
    found = [
        w for w in editor.findChildren(kind) if w.accessibleName() == name and w.isVisibleTo(editor)
    ]
    assert len(found) == 1, f"{len(found)} inputs named {name!r}"
    return found[0]


def type_into(widget: QWidget, text: str) -> None:
    """Replace what the input holds by ``text``, typed."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def typed(text: str) -> None:
    """Type into whatever has the focus, as a person carrying on typing does."""
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.keyClicks(widget, text)


def tab() -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.keyClick(widget, Qt.Key.Key_Tab)


def choose(combo: QWidget, text: str) -> None:
    """Pick an item of a closed list by typing its first letters, as from the keyboard."""
    combo.setFocus()
    QTest.keyClicks(combo, text)


def click(widget: QAbstractButton) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def press(
    qtbot: QtBot,
    editor: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A shortcut pressed in the editor's window, which must be the active one."""
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    QTest.keyClick(QApplication.focusWidget() or editor, key, modifier)


def wait_saved(qtbot: QtBot, editor: FindingEditor) -> None:
    qtbot.waitUntil(lambda: editor.saving is None or editor.saving.ended, timeout=10000)
    qtbot.wait(10)


def save(qtbot: QtBot, editor: FindingEditor) -> None:
    """Press Ctrl+S and wait for the save to end (it runs off the GUI thread)."""
    press(qtbot, editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, editor)


def _discard(editor: QWidget) -> None:
    if isValid(editor) and isinstance(editor, FindingEditor):
        editor.discard()


def is_open(editor: QWidget) -> bool:
    """Whether the window is still there (a closed editor deletes itself)."""
    return isValid(editor) and editor.isVisible()


def open_editor(qtbot: QtBot, editor: FindingEditor) -> FindingEditor:
    # A failed test must not leave an 'unsaved changes?' question waiting forever.
    qtbot.addWidget(editor, before_close_func=_discard)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def answer_box(button: str, within: float = 10.0) -> list[str]:
    """Click `button` on the next message box once it shows, and return the list its text
    lands in. It polls, because the box may come only when a save ends on its own thread;
    whatever the box says, it is closed, so a wrong box fails the test instead of hanging it."""
    seen: list[str] = []
    deadline = time.monotonic() + within

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            if time.monotonic() < deadline:
                QTimer.singleShot(20, poll)
            return
        seen.append(box.text())
        chosen = [b for b in box.buttons() if button in b.text().replace("&", "")]
        if chosen:
            click(chosen[0])
        if box.isVisible():
            box.reject()

    QTimer.singleShot(0, poll)
    return seen


def when_modal(kind: type[W], act: Callable[[W], None], within: float = 15.0) -> list[bool]:
    """Run ``act`` on the next modal ``kind`` once it has shown and settled (a file dialog
    fills its list and completer first), and return the list that says it ran. It polls, as
    the dialog may open only once a busy machine gets round to it, instead of guessing a
    delay; a dialog left open is closed by conftest's watchdog."""
    ran: list[bool] = []
    deadline = time.monotonic() + within
    seen: list[float] = []

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, kind) and modal.isVisible():
            if not seen:
                seen.append(time.monotonic())
            if time.monotonic() - seen[0] >= 0.15:
                ran.append(True)
                act(modal)
                return
        if time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return ran
