"""The editor's Finding section: a finding recorded and edited through its inputs, the
audit and requirement pickers (with audits and requirements added on Save), templates, and
the refusals shown on the input they are about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
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
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp.models.enums import Classification, RequirementKind, Source
from carapp.models.templates import FINDING_TEMPLATES
from carapp.operations.findings import MAJOR_NEEDS_REQUIREMENT
from carapp.queries import find_requirements, finding_detail, list_audits, list_findings
from carapp.store import Register
from carapp.ui.editor import FindingEditor
from carapp.ui.editor.finding import FindingSection
from tests.conftest import TODAY, World
from tests.editor_helpers import (
    answer_box,
    choose,
    click,
    is_open,
    named,
    open_editor,
    press,
    save,
    type_into,
)

# The offscreen platform cannot raise a popup or let it grab the keyboard, and says so;
# the completer's and the combo box's lists still work.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"
)


def enter(widget: QWidget) -> None:
    """Return as the keyboard sends it: to the completer's list when it is showing."""
    QTest.keyClick(QApplication.activePopupWidget() or widget, Qt.Key.Key_Return)


def in_dialog(qtbot: QtBot, fill: Callable[[QDialog], None]) -> list[bool]:
    """Run ``fill`` on the dialog that is about to open, then press its OK."""
    done: list[bool] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet (a busy machine)
            QTimer.singleShot(50, run)
            return
        assert isinstance(dialog, QDialog)
        try:
            fill(dialog)
        finally:
            buttons = dialog.findChild(QDialogButtonBox)
            assert buttons is not None
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
            click(ok)
            done.append(True)

    QTimer.singleShot(50, run)
    return done


def new_editor(qtbot: QtBot, register: Register, **kwargs: object) -> FindingEditor:
    return open_editor(qtbot, FindingEditor(register, None, TODAY, **kwargs))  # type: ignore[arg-type]


def section(editor: FindingEditor) -> FindingSection:
    found = editor.section("finding")
    assert isinstance(found, FindingSection)
    return found


def write_finding(
    editor: FindingEditor, *, date: str = "2026-11-20", classification: str = "Minor"
) -> None:
    type_into(named(editor, "Title"), "Leavers keep their accounts")
    statement = named(editor, "Statement", QPlainTextEdit)
    type_into(statement, "Required: accounts disabled on the last day.")
    QTest.keyClick(statement, Qt.Key.Key_Return)
    QTest.keyClicks(statement, "Seen: three of twelve still active.")
    choose(named(editor, "Classification", QComboBox), classification)
    type_into(named(editor, "Date identified", QLineEdit), date)


def test_a_new_finding_recorded_through_keys(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    assert not editor.is_dirty()  # nothing typed: nothing to save
    write_finding(editor)
    line = named(editor, "Requirements breached", QLineEdit)
    type_into(line, "5.18")
    enter(line)
    assert [line.text(), section(editor).requirements.codes()] == ["", ["A.5.18"]]
    assert editor.is_dirty()
    assert list(list_findings(register, today=TODAY)) == []  # nothing before Save
    save(qtbot, editor)
    assert editor.ref is not None
    assert editor.message.text() == f"{editor.ref} saved."
    saved = finding_detail(register, editor.ref, TODAY)
    assert saved.title == "Leavers keep their accounts"
    assert saved.statement.endswith("Seen: three of twelve still active.")
    assert saved.classification is Classification.MINOR
    assert saved.identified == dt.date(2026, 11, 20)
    assert [r.code for r in saved.requirements] == ["A.5.18"]
    assert editor.section("containment").isEnabled()
    assert not editor.is_dirty()


def test_editing_the_title_saves_an_update_kept_in_history(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    assert not editor.is_dirty()
    type_into(named(editor, "Title"), "Leavers keep access for weeks")
    assert finding_detail(world.register, ref, TODAY).title.startswith("Leavers retain")
    save(qtbot, editor)
    saved = finding_detail(world.register, ref, TODAY)
    assert saved.title == "Leavers keep access for weeks"
    assert [r.code for r in saved.requirements] == ["A.5.18"]
    assert any(
        h.field == "title" and h.new == "Leavers keep access for weeks" for h in saved.history
    )
    assert not editor.is_dirty()


def test_closing_without_saving_writes_nothing(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    type_into(named(editor, "Title"), "Never saved")

    answer_box("Discard")
    press(qtbot, editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not is_open(editor), timeout=2000)
    assert finding_detail(world.register, ref, TODAY).title.startswith("Leavers retain")


def test_a_future_date_is_refused_on_the_date(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    write_finding(editor, date="2030-01-15")
    save(qtbot, editor)
    date = named(editor, "Date identified", QLineEdit)
    assert editor.marked is date
    assert "after today" in editor.message.text()
    assert editor.message.text().startswith("Nothing was saved")
    assert list(list_findings(register, today=TODAY)) == []
    assert editor.ref is None
    assert date.text() == "2030-01-15"
    assert named(editor, "Title", QLineEdit).text() == "Leavers keep their accounts"


def test_an_old_date_is_questioned_as_it_is_typed(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    warning = section(editor).old_date
    type_into(named(editor, "Date identified", QLineEdit), "2014-03-01")
    assert warning.isVisibleTo(editor)
    assert warning.text() == "That is 12 years ago: check the year."
    type_into(named(editor, "Date identified", QLineEdit), "2025-03-01")
    assert not warning.isVisibleTo(editor)


def test_a_major_without_requirement_is_refused(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    write_finding(editor, classification="Major")
    save(qtbot, editor)
    assert MAJOR_NEEDS_REQUIREMENT in editor.message.text()
    assert editor.marked is named(editor, "Requirements breached", QLineEdit)
    assert list(list_findings(register, today=TODAY)) == []


def test_the_requirement_picker_finds_codes_and_words(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    picker = section(editor).requirements
    line = named(editor, "Requirements breached", QLineEdit)
    type_into(line, "5.18")
    assert picker.matches.texts()[0] == "A.5.18  Access rights"
    assert picker.hint.text() == "Enter adds A.5.18  Access rights"
    type_into(line, "access rights")
    assert "A.5.18  Access rights" in picker.matches.texts()
    enter(line)
    # A full code is that code, not the clause a bare number finds first.
    type_into(line, "A.6.3")
    enter(line)
    assert picker.codes() == ["A.5.18", "A.6.3"]
    # A click in the list of matches adds that one.
    type_into(line, "supplier")
    popup = picker.matches.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    row = next(i for i, t in enumerate(picker.matches.texts()) if t.startswith("A.5.22 "))
    spot = popup.visualRect(popup.model().index(row, 0)).center()
    QTest.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert picker.codes() == ["A.5.18", "A.6.3", "A.5.22"]
    assert line.text() == ""
    # Delete in the list removes the chosen one.
    chosen = named(editor, "Chosen requirements", QListWidget)
    chosen.setFocus()
    chosen.setCurrentRow(0)
    QTest.keyClick(chosen, Qt.Key.Key_Delete)
    assert picker.codes() == ["A.6.3", "A.5.22"]
    QTest.keyClick(chosen, Qt.Key.Key_End)
    click(named(editor, "Remove requirement", QAbstractButton))
    assert picker.codes() == ["A.6.3"]


def test_an_own_document_added_in_the_picker_is_created_on_save(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))

    def fill(dialog: QDialog) -> None:
        type_into(named(dialog, "Code", QLineEdit), "ISMS-PRO-014")
        type_into(named(dialog, "Title", QLineEdit), "Leavers procedure")

    done = in_dialog(qtbot, fill)
    click(named(editor, "Add a document or duty\u2026", QAbstractButton))
    assert done
    chosen = named(editor, "Chosen requirements", QListWidget)
    assert chosen.item(1).text() == "ISMS-PRO-014  Leavers procedure (unsaved)"
    assert find_requirements(world.register, "ISMS-PRO-014") == []  # not before Save
    # A refused save rolls the new requirement back with everything else, and keeps it
    # pending for the next Save.
    title = named(editor, "Title", QLineEdit)
    type_into(title, "")
    save(qtbot, editor)
    assert editor.marked is title and "title" in editor.message.text()
    assert find_requirements(world.register, "ISMS-PRO-014") == []
    assert chosen.item(1).text().endswith("(unsaved)")
    type_into(title, "Leavers keep access")
    save(qtbot, editor)
    assert editor.message.text() == f"{ref} saved."
    saved = finding_detail(world.register, ref, TODAY)
    assert [(r.code, r.kind) for r in saved.requirements] == [
        ("A.5.18", RequirementKind.ANNEX_A),
        ("ISMS-PRO-014", RequirementKind.INTERNAL_DOCUMENT),
    ]
    assert chosen.item(1).text() == "ISMS-PRO-014  Leavers procedure"


def test_a_new_audit_from_the_picker_is_created_on_save(qtbot: QtBot, world: World) -> None:
    ref = world.nc(identified=dt.date(2026, 11, 10), audit=None)
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    audit = named(editor, "Audit", QComboBox)

    def fill(dialog: QDialog) -> None:
        choose(named(dialog, "Kind", QComboBox), "Surveillance")
        type_into(named(dialog, "Certification body", QLineEdit), "BSI")
        type_into(named(dialog, "Starts on", QLineEdit), "2026-11-09")
        type_into(named(dialog, "Ends on", QLineEdit), "2026-11-10")

    done = in_dialog(qtbot, fill)
    audit.setFocus()
    QTest.keyClick(audit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    view = audit.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    QTest.keyClick(view, Qt.Key.Key_End)
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(done), timeout=3000)
    assert (
        audit.currentText()
        == "New audit \u00b7 Surveillance \u00b7 BSI \u00b7 9 Nov 2026 (unsaved)"
    )
    assert named(editor, "Source", QComboBox).currentText() == Source.CERTIFICATION_AUDIT.label
    assert len(list_audits(world.register)) == 1  # only the world's, before Save
    save(qtbot, editor)
    assert editor.message.text() == f"{ref} saved."
    saved = finding_detail(world.register, ref, TODAY)
    audits = {a.ref: a for a in list_audits(world.register)}
    assert saved.audit in audits and saved.audit != world.audit
    assert audits[saved.audit].certification_body == "BSI"
    assert saved.source is Source.CERTIFICATION_AUDIT
    assert audit.currentText() == audits[saved.audit].label


def test_a_template_prefills_the_finding(qtbot: QtBot, register: Register, tmp_path: Path) -> None:
    template = next(t for t in FINDING_TEMPLATES if t.requirement_codes == ("A.5.18",))
    editor = new_editor(qtbot, register, template=template)
    assert named(editor, "Title", QLineEdit).text() == template.title
    statement = named(editor, "Statement", QPlainTextEdit).toPlainText()
    assert statement.startswith("Required: ") and statement.endswith("\nSeen: \u2026")
    assert section(editor).requirements.codes() == ["A.5.18"]
    assert named(editor, "Classification", QComboBox).currentText() == "Minor NC"
    editor.grab().save(str(tmp_path / "finding.png"))
    save(qtbot, editor)
    assert editor.ref is not None
    saved = finding_detail(register, editor.ref, TODAY)
    assert (saved.title, saved.classification) == (template.title, Classification.MINOR)
    assert [r.code for r in saved.requirements] == ["A.5.18"]


def test_every_template_names_requirements_the_catalog_holds(register: Register) -> None:
    for template in FINDING_TEMPLATES:
        for code in template.requirement_codes:
            assert [r.code for r in find_requirements(register, code) if r.code == code] == [code]


def test_every_input_has_a_name(qtbot: QtBot, world: World) -> None:
    editor = open_editor(qtbot, FindingEditor(world.register, world.nc(), TODAY))
    page = section(editor)
    inputs = [
        w
        for kind in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QListWidget)
        for w in page.findChildren(kind)
        if w.isVisibleTo(editor)
    ]
    assert len(inputs) >= 15
    assert [type(w).__name__ for w in inputs if not w.accessibleName()] == []
    labels = [w for w in page.findChildren(QLabel) if w.buddy() is not None]
    for label in labels:
        buddy = label.buddy()
        assert buddy is not None
        assert buddy.accessibleName() == label.text().replace("&", "")


def test_finding_new_from_template_opens_the_editor_prefilled(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from carapp.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    template = FINDING_TEMPLATES[1]
    assert [a.text() for a in window.template_menu.actions()] == [t.name for t in FINDING_TEMPLATES]
    # Finding > New from template > the second one, by keys.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
    QTest.keyClick(QApplication.activePopupWidget() or window, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is window.template_menu, timeout=2000)
    QTest.keyClick(window.template_menu, Qt.Key.Key_Down)
    QTest.keyClick(window.template_menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(e.isVisible() for e in editors()), timeout=2000)
    (editor,) = editors()
    qtbot.addWidget(editor, before_close_func=lambda e: e.discard())
    assert named(editor, "Title", QLineEdit).text() == template.title
    assert section(editor).requirements.codes() == list(template.requirement_codes)
    save(qtbot, editor)
    assert [f.title for f in list_findings(register, today=TODAY)] == [template.title]


def editors() -> list[FindingEditor]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, FindingEditor)]


def test_an_audit_is_found_by_typing_part_of_its_label(qtbot: QtBot, world: World) -> None:
    ref = world.nc(audit=None)
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    audit = named(editor, "Audit", QComboBox)
    (label,) = [a.label for a in list_audits(world.register)]
    type_into(audit, "meridian")
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
    popup = QApplication.activePopupWidget()
    assert popup is not None
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert audit.currentText() == label
    # The source follows the audit's kind (the user has not chosen one).
    assert named(editor, "Source", QComboBox).currentText() == Source.CERTIFICATION_AUDIT.label
    assert editor.is_dirty()
    save(qtbot, editor)
    saved = finding_detail(world.register, ref, TODAY)
    assert (saved.audit, saved.source) == (world.audit, Source.CERTIFICATION_AUDIT)


def test_tab_walks_the_finding_form_top_to_bottom(qtbot: QtBot, register: Register) -> None:
    editor = new_editor(qtbot, register)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    order = ["Title", "Statement", "Evidence observed", "Area / process", "Classification"]
    order += ["Source", "Audit", "Certification body's reference", "Raised by"]
    order += ["Date identified", "Requirements breached"]
    named(editor, "Title", QLineEdit).setFocus()
    seen = []
    for _ in order:
        widget = QApplication.focusWidget()
        assert widget is not None
        # An editable combo's line edit has the focus for it.
        owner = widget.parentWidget() if not widget.accessibleName() else widget
        assert owner is not None
        seen.append(owner.accessibleName())
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert seen == order
