"""A failed effectiveness review sends its finding back to root-cause analysis, and every
view says so: the register table's stage, the detail pane, the PDF register, the agenda."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from carapp.exports.register_pdf import write_register_pdf
from carapp.exports.scope import ExportScope
from carapp.models.enums import ReviewResult, Stage
from carapp.queries import agenda as ag
from carapp.queries import register_table as rt
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World


@pytest.fixture
def reopened(world: World) -> str:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref, ReviewResult.NOT_EFFECTIVE)
    return ref


def test_the_register_window_shows_round_two(
    qtbot: QtBot, world: World, reopened: str, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.up_to_date, timeout=10000)
    stage = window.model.columns.index(rt.Column.STAGE)
    assert window.model.index(0, stage).data() == "Contained (round 2)"
    # Selected by a click, the detail pane says why and what came before.
    rect = window.table.visualRect(window.model.index(0, 0))
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: "Reopened: round 2." in window.detail.toPlainText(), timeout=5000)
    text = window.detail.toPlainText()
    assert "stage Contained (round 2)" in text
    assert "review of round 1 found the actions not effective on 2026-07-01" in text


def test_the_pdf_register_shows_round_two(world: World, reopened: str, tmp_path: Path) -> None:
    pdf = tmp_path / "register.pdf"
    write_register_pdf(world.register, ExportScope(TODAY), pdf)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "(round 2)" in " ".join(text.split())


def test_round_two_owes_a_new_analysis_not_the_old_review(world: World, reopened: str) -> None:
    items = ag.open_items(world.register, dt.date(2026, 7, 2))
    # Its deadlines stand; round 1's done actions and its settled review are owed no more.
    assert [i.kind.value for i in items if reopened in i.finding_refs] == ["plan", "closure"]
