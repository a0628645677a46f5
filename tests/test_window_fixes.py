"""The register window as a new user found it: each fix driven by real keys and clicks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp.store import Register
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, demo_register


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=2000, seed=5)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def settle(qtbot: QtBot, window: MainWindow) -> None:
    window.query.wait()
    qtbot.waitUntil(window.up_to_date, timeout=10000)


def opened(qtbot: QtBot, register: Register, settings: QSettings) -> MainWindow:
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def toolbar_button(window: MainWindow, text: str) -> QToolButton:
    return next(
        b
        for b in window.findChildren(QToolButton)
        if b.defaultAction() is not None and b.defaultAction().text().replace("&", "") == text
    )


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def answer_modal(qtbot: QtBot, answer: Callable[[QWidget], None]) -> None:
    """Answer the next modal dialog once it is up (it blocks the test while it runs)."""

    def act() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, act)
            return
        answer(modal)

    QTimer.singleShot(0, act)


# --- 1. status-bar messages ------------------------------------------------------------


def test_a_transient_message_has_room_and_the_status_label_is_no_tab_stop(
    qtbot: QtBot,
    register: Register,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "copy.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    window = opened(qtbot, register, settings)
    click(qtbot, toolbar_button(window, "Save a backup copy\u2026"))
    message = window.statusBar().currentMessage()
    assert message == f"Backup copy saved to {target}"
    # The bar paints the message left of the permanent label: the label leaves it room.
    room = window.status.geometry().left()
    assert room > window.statusBar().fontMetrics().horizontalAdvance(message)
    assert window.status.focusPolicy() == Qt.FocusPolicy.NoFocus
