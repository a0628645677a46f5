"""After a workshop, its parked issues wait in the finding's Root cause section, each one
a click away from becoming a finding of its own; the record then says which it became."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import Classification
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import click, named, save
from tests.workshop_data import leavers_draft

PARKED = "Contractors are not in the HR system at all."


def texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_a_parked_issue_becomes_a_finding_and_is_marked_raised(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    ref = world.nc()
    world.contain(ref)
    op.record_team_analysis(world.register, leavers_draft(world, ref))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    editor = window.open_editor(ref)
    qtbot.addWidget(editor)
    editor.show_key("cause")
    workshops: QWidget = named(editor, "Workshops")
    assert "47 min, with José Núñez, Priya Natarajan, Tom Okafor" in texts(workshops)
    click(named(editor, f"Raise as a finding: {PARKED[:60]}", QPushButton))
    new = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, FindingEditor) and w.isVisible() and w.ref is None
    )
    qtbot.addWidget(new)
    assert named(new, "Title", QLineEdit).text() == PARKED
    save(qtbot, new)
    assert new.ref is not None
    raised = finding_detail(world.register, new.ref, TODAY)
    assert raised.classification is Classification.OBSERVATION
    assert ref in raised.statement
    (workshop,) = finding_detail(world.register, ref, TODAY).workshops
    assert [(p.text, p.raised_as) for p in workshop.parked] == [(PARKED, new.ref)]
    # The finding's own editor, with nothing typed in it, shows the change at once.
    assert f"raised as {new.ref}" in texts(named(editor, "Workshops"))
