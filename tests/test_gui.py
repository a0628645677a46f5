"""The main window on a real register, driven with pytest-qt."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.errors import NotARegisterError
from carapp.models.enums import Classification, Source
from carapp.store import Register
from carapp.ui.app import open_for_gui
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, sha256


def test_main_window_shows_the_register_and_its_menus(qtbot: QtBot, register: Register) -> None:
    op.record_finding(
        register,
        op.FindingDraft(
            "Backups never test-restored", Source.MONITORING, Classification.MINOR, TODAY
        ),
    )
    window = MainWindow(register)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "register.sqlite" in window.windowTitle()
    text = window.summary.text()
    assert "Northwind Logistics Ltd" in text and "1 findings, 1 open" in text
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Help"]


def test_about_box_names_the_version(
    qtbot: QtBot, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    window = MainWindow(register)
    qtbot.addWidget(window)
    about = next(a for a in window.findChildren(QAction) if a.text() == "&About carapp")
    about.trigger()
    assert shown and "carapp 0.1.0" in shown[0]


def test_window_renders_readably_offscreen(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    window = MainWindow(register)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    shot = tmp_path / "main.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 2000


def test_gui_refuses_a_bad_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    path.write_text("not a register")
    before = sha256(path)
    with pytest.raises(NotARegisterError):
        open_for_gui(str(path), explicit=True)
    assert sha256(path) == before


def test_default_register_is_created_on_first_run(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "register.sqlite"
    register = open_for_gui(str(path), explicit=False)
    try:
        assert path.exists()
    finally:
        register.close()
