"""File > Export as a person uses it: the dialog offers the table's findings or all of them,
the export runs behind a progress bar, Cancel leaves the earlier file as it was, and an
email draft is written for the audit's lead auditor."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from carapp.store import Register
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World, demo_register
from tests.editor_helpers import click, named, type_into

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def main_window(qtbot: QtBot, register: Register, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.waitUntil(window.up_to_date, timeout=10000)
    return window


def the_dialog(qtbot: QtBot) -> QWidget:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QDialog), timeout=5000)
    dialog = QApplication.activeModalWidget()
    assert dialog is not None
    return dialog


def test_the_excel_register_of_every_finding_by_keyboard(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    refs = [world.nc(), world.nc(title="Supplier reviews overdue")]
    window = main_window(qtbot, world.register, tmp_path)
    QTest.keyClick(window.table, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = the_dialog(qtbot)
    target = tmp_path / "register.xlsx"
    click(named(dialog, "Every finding in the register"))
    type_into(named(dialog, "Save to"), str(target))
    click(named(dialog, "Export", QPushButton))
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.waitUntil(lambda: "written to" in window.statusBar().currentMessage(), timeout=20000)
    book = openpyxl.load_workbook(target, read_only=True)
    findings = book["Findings"]
    listed = [row[0] for row in findings.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(listed) == sorted(refs)


def test_a_cancelled_export_leaves_the_earlier_file(
    qtbot: QtBot, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    big = next(demo_register(tmp_path_factory, findings=3000, seed=5))
    window = main_window(qtbot, big, tmp_path)
    target = tmp_path / "register.pdf"
    target.write_bytes(b"%PDF- the earlier export")
    window.export_actions[next(k for k in window.export_actions if k.name == "PDF")].trigger()
    dialog = the_dialog(qtbot)
    click(named(dialog, "Every finding in the register"))
    click(named(dialog, "Detailed"))
    type_into(named(dialog, "Save to"), str(target))
    click(named(dialog, "Export", QPushButton))
    qtbot.waitUntil(
        lambda: any(isinstance(w, QProgressDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()),
        timeout=10000,
    )  # fmt: skip
    bar = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog))
    click(next(b for b in bar.findChildren(QPushButton) if b.text() == "Cancel"))
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=60000)
    assert target.read_bytes() == b"%PDF- the earlier export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    big.close()


def test_email_to_auditor_writes_a_draft_to_the_lead_auditor(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.nc()
    window = main_window(qtbot, world.register, tmp_path)
    opened: list[Path] = []
    import carapp.ui.main_window as mw

    # The system's mail program is not on a test machine: note what would be opened.
    def note(path: Path) -> bool:
        opened.append(path)
        return True

    monkeypatch.setattr(mw, "open_with_system", note)
    window.export_actions[next(k for k in window.export_actions if k.name == "EMAIL")].trigger()
    dialog = the_dialog(qtbot)
    target = tmp_path / "to auditor.eml"
    type_into(named(dialog, "Save to"), str(target))
    click(named(dialog, "Export", QPushButton))
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    assert opened == [target]
    message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
    assert message["X-Unsent"] == "1"
    assert world.audit in str(message["Subject"])
    names = [str(part.get_filename()) for part in message.iter_attachments()]
    assert names and names[0].endswith(".zip")
