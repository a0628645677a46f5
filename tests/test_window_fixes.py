"""The register window as a new user found it: each fix driven by real keys and clicks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import AuditKind, Classification, Source, Stage
from carapp.queries import finding_detail, list_audits
from carapp.queries import register_table as rt
from carapp.store import Register, backup, backup_target, open_register
from carapp.ui.app import starting_register
from carapp.ui.finding_dialog import VoidDialog
from carapp.ui.main_window import EMPTY_REGISTER, SEARCH_DELAY_MS, MainWindow
from carapp.ui.register_model import BADGE_COLOURS, OVERDUE_INK
from tests.conftest import TODAY, World, demo_register, sha256


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


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def popup_of(completer: QCompleter | None) -> QAbstractItemView:
    assert completer is not None
    popup = completer.popup()
    assert popup is not None
    return popup


def line_of(combo: QComboBox) -> QLineEdit:
    line = combo.lineEdit()
    assert line is not None
    return line


def offered(popup: QAbstractItemView) -> list[str]:
    model = popup.model()
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def click(qtbot: QtBot, widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


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


# --- 2. remembered registers are absolute paths ------------------------------------------


# A menu or completer popped up offscreen cannot raise itself or grab the keyboard; it
# still works.
POPUP = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")


@POPUP
def test_a_register_opened_by_a_relative_path_is_remembered_absolute(
    qtbot: QtBot, tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    other = op.create_register(tmp_path / "other.sqlite", "Other Org")
    other.close()
    monkeypatch.chdir(tmp_path / "here")
    op.create_register(Path("demo.sqlite"), "Northwind").close()
    # What an older carapp left: a relative entry, meaningless from another folder.
    settings.setValue("registers/recent", [str(tmp_path / "other.sqlite"), "stale.sqlite"])
    window = opened(qtbot, open_register("demo.sqlite"), settings)
    here = str(tmp_path / "here" / "demo.sqlite")
    assert settings.value("registers/last") == here
    listed = [a.text() for a in window.recent_menu.actions()]
    assert listed == [here, str(tmp_path / "other.sqlite")]
    # Started again from another folder, the window opens the register, not the welcome.
    monkeypatch.chdir(tmp_path)
    again = starting_register("nowhere.sqlite", explicit=False, settings=settings)
    assert again is not None and again.path == Path(here)
    again.close()
    # Open recent, by keyboard: the second entry is the other register.
    window.recent_menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitExposed(window.recent_menu)
    QTest.keyClick(window.recent_menu, Qt.Key.Key_Down)
    QTest.keyClick(window.recent_menu, Qt.Key.Key_Down)
    QTest.keyClick(window.recent_menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.register.path == tmp_path / "other.sqlite")


def test_a_relative_last_register_from_an_older_carapp_is_not_guessed(
    tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    op.create_register(Path("demo.sqlite"), "Northwind").close()
    settings.setValue("registers/last", "demo.sqlite")
    assert starting_register("nowhere.sqlite", explicit=False, settings=settings) is None


# --- 4. Tab leaves a multi-line box; Enter in a line accepts --------------------------


# --- 3. voiding names the finding; a closed one needs its own confirmation ----------


def click_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    rect = window.table.visualRect(window.model.index(row, 0))
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_voiding_a_closed_finding_names_it_and_needs_confirming(
    qtbot: QtBot, world: World, settings: QSettings
) -> None:
    ref = world.nc(title="Leavers retain active accounts")
    world.advance(ref, Stage.CLOSED)
    window = opened(qtbot, world.register, settings)
    click_row(qtbot, window, 0)
    seen: list[str] = []

    def void(modal: QWidget) -> None:
        assert isinstance(modal, VoidDialog)
        seen.append(modal.question.text())
        seen.append(modal.closed_note.text())
        modal.reason.setFocus()
        QTest.keyClicks(modal.reason, "Raised against the wrong organisation.")
        click(qtbot, modal.void_button)
        seen.append(modal.error.text())  # refused: the closed box is not ticked
        assert modal.isVisible()
        box = modal.confirm_closed
        QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert box.isChecked()
        click(qtbot, modal.void_button)

    answer_modal(qtbot, void)
    click(qtbot, toolbar_button(window, "Void finding\u2026"))
    question, note, refusal = seen
    assert ref in question and "Leavers retain active accounts" in question
    assert f"{ref} is closed" in note
    assert "is closed: tick" in refusal
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.VOID
    assert (
        detail.void is not None and detail.void.reason == "Raised against the wrong organisation."
    )


def test_voiding_an_open_finding_needs_no_closed_confirmation(
    qtbot: QtBot, world: World, settings: QSettings
) -> None:
    ref = world.nc()
    dialog = VoidDialog(world.register, ref, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.confirm_closed.isVisible() and not dialog.closed_note.isVisible()
    dialog.reason.setFocus()
    QTest.keyClicks(dialog.reason, "Duplicate.")
    click(qtbot, dialog.void_button)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.VOID


# --- 5. the keyboard path through the window ------------------------------------------


def test_tab_walks_the_window_past_the_table_never_to_the_status_label(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    window.search.setFocus()
    visited: list[QWidget | None] = []
    for _ in range(20):
        QTest.keyClick(focused(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert window.status not in visited
    assert window.table in visited and window.requirement in visited
    # Tab in the table leaves it, for the widget after it; the Ref column stays in view.
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    QTest.keyClick(window.table, Qt.Key.Key_Tab)
    assert not window.table.hasFocus()
    assert window.table.horizontalScrollBar().value() == 0


@POPUP
def test_esc_clears_the_search_and_ctrl_shift_l_clears_every_filter(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    total = window.model.rowCount()
    window.search.setFocus()
    QTest.keyClicks(window.search, "backup")
    QTest.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    QTest.keyClicks(window.search, "access")
    window.requirement.setFocus()
    QTest.keyClicks(window.requirement, "A.5")
    window.stage.setFocus()
    QTest.keyClick(window.stage, Qt.Key.Key_Down)
    window.quick.setFocus()
    QTest.keyClick(window.quick, Qt.Key.Key_Down)
    window.refresh()
    settle(qtbot, window)
    assert window.model.rowCount() < total
    QTest.keyClick(
        window.table,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot, window)
    assert window.search.text() == "" and window.requirement.text() == ""
    assert window.stage.currentIndex() == 0 and window.quick.currentIndex() == 0
    assert window.model.rowCount() == total
    assert window.current_filter() == rt.RegisterFilter()


@POPUP
def test_every_menu_has_unique_mnemonics(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    window = opened(qtbot, register, settings)

    def mnemonics(texts: list[str]) -> list[str]:
        return [t[t.index("&") + 1].lower() for t in texts if "&" in t]

    bar = [a.text() for a in window.menuBar().actions()]
    assert len(set(mnemonics(bar))) == len(bar)
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        texts = [a.text() for a in menu.actions() if not a.isSeparator()]
        keys = mnemonics(texts)
        assert len(keys) == len(texts) and len(set(keys)) == len(keys), texts
    # Alt+V, then A: Clear all filters, by its mnemonic.
    window.search.setFocus()
    QTest.keyClicks(window.search, "nothing like this")
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert isinstance(view, QMenu)
    view.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitExposed(view)
    QTest.keyClick(view, Qt.Key.Key_A)
    assert window.search.text() == ""


# --- 8. empty values sort last, both ways, by an index -----------------------------------


def click_header(qtbot: QtBot, window: MainWindow, column: rt.Column) -> None:
    header = window.table.horizontalHeader()
    logical = window.model.columns.index(column)
    header.setSectionHidden(logical, False)
    window.table.scrollTo(window.model.index(0, logical))
    x = header.sectionViewportPosition(logical) + header.sectionSize(logical) // 2
    QTest.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def shown_texts(window: MainWindow, column: rt.Column) -> list[str]:
    logical = window.model.columns.index(column)
    return [window.model.index(r, logical).data() for r in range(window.model.rowCount())]


@pytest.mark.parametrize("column", [rt.Column.CB_REF, rt.Column.OWNERS, rt.Column.AUDIT])
def test_blank_cells_sort_last_whichever_way_a_header_is_clicked(
    qtbot: QtBot, big: Register, settings: QSettings, column: rt.Column
) -> None:
    window = opened(qtbot, big, settings)
    orders = []
    for _ in range(2):
        click_header(qtbot, window, column)
        settle(qtbot, window)
        texts = shown_texts(window, column)
        present = [t for t in texts if t]
        assert 0 < len(present) < len(texts)
        assert texts == present + [""] * (len(texts) - len(present))
        orders.append(window.sort_descending)
        firsts = [t.split(", ")[0] for t in present]  # several owners sort by the first
        assert firsts == sorted(firsts, reverse=window.sort_descending)
    assert orders[0] != orders[1]


@pytest.mark.parametrize("column", list(rt.Column))
def test_every_sort_with_empties_last_walks_an_index(big: Register, column: rt.Column) -> None:
    for descending in (False, True):
        for query in rt.ids_queries(rt.RegisterFilter(), TODAY, column, descending, True):
            sql = str(query.compile(big.engine, compile_kwargs={"literal_binds": True}))
            with big.engine.connect() as conn:
                plan = " ".join(
                    str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
                )
            assert "TEMP B-TREE" not in plan, plan


# --- 7. the requirement filter matches as a person types ---------------------------------


def with_requirement(register: Register, where: str) -> set[int]:
    with sqlite3.connect(str(register.path)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT fr.finding_id FROM finding_requirements fr "
            f"JOIN requirements r ON r.id = fr.requirement_id WHERE {where}"
        ).fetchall()
    return {i for (i,) in rows}


def type_requirement(qtbot: QtBot, window: MainWindow, text: str) -> set[int]:
    window.requirement.setFocus()
    window.requirement.selectAll()
    QTest.keyClick(window.requirement, Qt.Key.Key_Delete)
    QTest.keyClicks(window.requirement, text)
    qtbot.wait(SEARCH_DELAY_MS + 50)
    settle(qtbot, window)
    model = window.model
    return {i for i in (model.finding_id(r) for r in range(model.rowCount())) if i is not None}


@POPUP
def test_the_requirement_filter_ignores_case_and_the_annex_prefix(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    a515 = with_requirement(big, "r.code = 'A.5.15'")
    annex5 = with_requirement(big, "r.code LIKE 'A.5.%'")
    assert a515 and len(annex5) > len(a515)
    assert type_requirement(qtbot, window, "a.5.15") == a515
    assert type_requirement(qtbot, window, "5.15") == a515
    assert type_requirement(qtbot, window, "A.5") == annex5


@POPUP
def test_the_requirement_filter_offers_the_catalog_as_you_type(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    window.requirement.setFocus()
    QTest.keyClicks(window.requirement, "access control")
    popup = popup_of(window.requirement_completer)
    qtbot.waitUntil(popup.isVisible)
    listed = offered(popup)
    assert "A.5.15  Access control" in listed
    row = listed.index("A.5.15  Access control")
    for _ in range(row + 1):
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert window.requirement.text() == "A.5.15"
    qtbot.wait(SEARCH_DELAY_MS + 50)
    settle(qtbot, window)
    assert set(shown_id_list(window)) == with_requirement(big, "r.code = 'A.5.15'")


def shown_id_list(window: MainWindow) -> list[int]:
    model = window.model
    return [i for i in (model.finding_id(r) for r in range(model.rowCount())) if i is not None]


# --- 11. audits are found by typing, newest first, named by kind, body and date ---------


def test_audit_view_label_names_kind_body_and_date(big: Register) -> None:
    newest = list_audits(big, newest_first=True)
    oldest = list_audits(big)
    assert len(newest) == len(oldest) > 200
    assert [a.starts_on for a in newest] == sorted((a.starts_on for a in oldest), reverse=True)
    audit = next(a for a in newest if a.certification_body)
    start = audit.starts_on
    assert audit.label == (
        f"{audit.ref} \u00b7 {audit.kind.label} \u00b7 {audit.certification_body} \u00b7 "
        f"{start.day} {start:%b %Y}"
    )


@POPUP
def test_the_audit_filter_finds_an_audit_by_typing_part_of_its_label(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    audits = list_audits(big, newest_first=True)
    labels = [window.audit.itemText(i) for i in range(1, window.audit.count())]
    assert labels == [a.label for a in audits]  # newest first, by label
    wanted = next(a for a in audits if a.kind is AuditKind.RECERTIFICATION and a.findings)
    window.audit.setFocus()
    line_of(window.audit).selectAll()
    QTest.keyClicks(line_of(window.audit), "recert")
    popup = popup_of(window.audit.completer())
    qtbot.waitUntil(popup.isVisible)
    listed = offered(popup)
    assert listed and all("Recertification" in o for o in listed)
    row = listed.index(wanted.label)
    for _ in range(row + 1):
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.audit.currentData() == wanted.ref
    assert window.current_filter().audit_ref == wanted.ref
    assert window.model.rowCount() == wanted.findings


# --- 6. a backup copy never lands on the wrong file unasked ------------------------------


def backup_onto(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    target: Path,
    press: str | None,
) -> tuple[str, list[str]]:
    """Save a backup copy onto ``target`` from the toolbar; answer carapp's question by
    clicking the button ``press`` (None: the only button). Returns the question and its
    buttons."""
    asked: list[object] = []

    def choose(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append(kwargs.get("options"))
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    seen: list[tuple[str, list[str]]] = []

    def answer(modal: QWidget) -> None:
        assert isinstance(modal, QMessageBox)
        buttons = {b.text(): b for b in modal.buttons()}
        seen.append((modal.text(), list(buttons)))
        click(qtbot, buttons[press] if press else modal.buttons()[0])

    answer_modal(qtbot, answer)
    click(qtbot, toolbar_button(window, "Save a backup copy\u2026"))
    assert asked == [QFileDialog.Option.DontConfirmOverwrite]
    assert seen, "carapp asked nothing"
    return seen[0]


def test_a_backup_onto_the_open_register_is_refused_by_name(
    qtbot: QtBot,
    register: Register,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = opened(qtbot, register, settings)
    assert register.path is not None
    before = sha256(register.path)
    text, _buttons = backup_onto(qtbot, window, monkeypatch, register.path, None)
    assert text == "That is the register you have open; choose another file name."
    assert sha256(register.path) == before


def test_a_backup_onto_a_text_file_says_it_is_no_register_and_asks(
    qtbot: QtBot,
    register: Register,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = opened(qtbot, register, settings)
    notes = tmp_path / "notes.sqlite"
    notes.write_text("Ref,Title\n")
    text, buttons = backup_onto(qtbot, window, monkeypatch, notes, "Cancel")
    assert f"{notes} is not a carapp register (it is a text file, not a register)" in text
    assert "would replace it" in text and "damaged" not in text
    assert sorted(buttons) == ["Cancel", "Replace it"]
    assert notes.read_text() == "Ref,Title\n"
    backup_onto(qtbot, window, monkeypatch, notes, "Replace it")
    copy = open_register(notes)
    copy.close()
    assert f"Backup copy saved to {notes}" == window.statusBar().currentMessage()


def test_a_backup_onto_another_organisations_register_names_both_to_replace(
    qtbot: QtBot,
    register: Register,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other_path = tmp_path / "contoso.sqlite"
    op.create_register(other_path, "Contoso Pharma").close()
    window = opened(qtbot, register, settings)
    text, buttons = backup_onto(qtbot, window, monkeypatch, other_path, "Cancel")
    ours = "Northwind Logistics Ltd"
    assert "Contoso Pharma" in text and ours in text
    assert str(other_path) in text and str(register.path) in text
    replace = f"Replace Contoso Pharma's register with {ours}'s"
    assert sorted(buttons) == sorted([replace, "Cancel"])
    assert backup_target(Path(str(register.path)), other_path).organisation == "Contoso Pharma"
    backup_onto(qtbot, window, monkeypatch, other_path, replace)
    assert backup_target(Path(str(register.path)), other_path).organisation == ours


# --- 9. the first layout fits 1280x800 ---------------------------------------------------


@POPUP
def test_the_first_layout_fits_and_hidden_columns_are_a_right_click_away(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    assert (window.width(), window.height()) == (1280, 800)
    header = window.table.horizontalHeader()
    shown = [c for i, c in enumerate(window.model.columns) if not header.isSectionHidden(i)]
    assert shown == [
        rt.Column.REF,
        rt.Column.TITLE,
        rt.Column.CLASSIFICATION,
        rt.Column.STAGE,
        rt.Column.DAYS_LEFT,
        rt.Column.OWNERS,
    ]
    # Every shown header whole, no sideways scrolling, titles of ~45 characters, and the
    # detail pane wide enough to read.
    assert not window.table.horizontalScrollBar().isVisible()
    last = max(header.sectionViewportPosition(i) + header.sectionSize(i) for i in range(14)
               if not header.isSectionHidden(i))  # fmt: skip
    assert last <= header.viewport().width()
    title = window.model.columns.index(rt.Column.TITLE)
    assert header.sectionSize(title) >= 300
    assert window.detail.width() >= 360
    # A hidden column comes back from the header's menu.
    closure = window.model.columns.index(rt.Column.CLOSURE_DUE)
    assert header.isSectionHidden(closure)

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        action = next(a for a in menu.actions() if a.text() == "Closure due")
        menu.setActiveAction(action)
        QTest.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    pos = QPoint(header.sectionViewportPosition(title) + 20, header.height() // 2)
    # A right click as the platform reports it: QTest's mouse press sends no context event.
    QApplication.sendEvent(
        header.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, header.viewport().mapToGlobal(pos)),
    )
    qtbot.waitUntil(lambda: not header.isSectionHidden(closure))


# --- 10. overdue, empty and void, as a reader sees them ----------------------------------


def choose(qtbot: QtBot, combo: QComboBox, index: int) -> None:
    """Pick item ``index`` of a combo with the arrow keys, as a keyboard user does."""
    combo.setFocus()
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        QTest.keyClick(combo, key)


def test_overdue_is_sorted_most_late_first_with_a_quiet_marker(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    choose(qtbot, window.quick, window.quick.findData(rt.QuickFilter.OVERDUE.value))
    settle(qtbot, window)
    assert (window.sort_column, window.sort_descending) == (rt.Column.DAYS_LEFT, False)
    header = window.table.horizontalHeader()
    days = window.model.columns.index(rt.Column.DAYS_LEFT)
    assert header.sortIndicatorSection() == days
    only = rt.RegisterFilter(quick=rt.QuickFilter.OVERDUE)
    assert shown_id_list(window) == rt.finding_ids(big, only, TODAY, rt.Column.DAYS_LEFT)
    lateness = [window.model.row_at(r).days_left for r in range(20)]  # type: ignore[union-attr]
    assert lateness == sorted(lateness, key=lambda d: d if d is not None else 10**6)
    # Only the Days left cell is marked (red, bold, a faint tint); the row is not pink.
    title = window.model.columns.index(rt.Column.TITLE)
    for row in range(5):
        assert window.model.index(row, title).data(Qt.ItemDataRole.BackgroundRole) is None
        cell = window.model.index(row, days)
        assert cell.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_INK
        assert cell.data(Qt.ItemDataRole.FontRole).bold()
    # A Minor NC badge keeps an outline of its ink where it meets the row.
    shot = window.table.viewport().grab().toImage()
    klass = window.model.columns.index(rt.Column.CLASSIFICATION)
    minor = next(
        r for r in range(1, 20)
        if window.model.row_at(r).classification is Classification.MINOR  # type: ignore[union-attr]
    )  # fmt: skip
    rect = window.table.visualRect(window.model.index(minor, klass))
    ratio = shot.devicePixelRatio()
    y = int(rect.center().y() * ratio)
    fill = QColor(BADGE_COLOURS[Classification.MINOR][0])
    edge = [QColor(shot.pixel(int((rect.left() + x) * ratio), y)) for x in range(2, 10)]
    assert any(c.lightness() < fill.lightness() - 40 for c in edge), [c.name() for c in edge]


def test_the_detail_pane_keeps_its_finding_through_filter_changes(
    qtbot: QtBot, big: Register, settings: QSettings
) -> None:
    window = opened(qtbot, big, settings)
    # Opened, the first finding is shown, not an empty pane.
    first = window.model.row_at(0)
    assert first is not None and first.ref in window.detail.toPlainText()
    click_row(qtbot, window, 4)
    picked = window.model.row_at(4)
    assert picked is not None
    choose(
        qtbot, window.classification, window.classification.findData(picked.classification.value)
    )
    settle(qtbot, window)
    assert window.selected_finding_id() == picked.id
    assert picked.ref in window.detail.toPlainText()
    # A filter that leaves it out: the first row of the answer is shown instead.
    other = next(c for c in Classification if c is not picked.classification)
    choose(qtbot, window.classification, window.classification.findData(other.value))
    settle(qtbot, window)
    top = window.model.row_at(0)
    assert top is not None and window.selected_finding_id() == top.id
    assert top.ref in window.detail.toPlainText()


def test_an_empty_register_and_an_empty_answer_say_what_to_press(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    window = opened(qtbot, register, settings)
    assert window.table.placeholder == EMPTY_REGISTER
    assert EMPTY_REGISTER == "No findings yet: press Ctrl+N to add your first finding"
    painted = window.table.viewport().grab().toImage()
    window.table.placeholder = ""
    blank = window.table.viewport().grab().toImage()
    assert painted != blank  # the sentence is painted over the table
    window.on_changes(
        op.record_finding(
            register,
            op.FindingDraft("Leavers keep access", Source.MONITORING, Classification.MINOR, TODAY),
        )
    )
    settle(qtbot, window)
    assert window.table.placeholder == ""
    window.search.setFocus()
    QTest.keyClicks(window.search, "zzqqxx")
    qtbot.wait(SEARCH_DELAY_MS + 50)
    settle(qtbot, window)
    assert window.model.rowCount() == 0
    assert window.table.placeholder == (
        "No finding matches: press Ctrl+Shift+L to clear the filters"
    )
    QTest.keyClick(
        window.search,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot, window)
    assert window.model.rowCount() == 1 and window.table.placeholder == ""


def test_void_rows_are_grey_italic_with_the_ref_struck_and_the_title_names_the_org(
    qtbot: QtBot, register: Register, settings: QSettings
) -> None:
    for text in ("Leavers keep access", "Backups untested"):
        op.record_finding(
            register, op.FindingDraft(text, Source.MONITORING, Classification.MINOR, TODAY)
        )
    op.void(register, "NC-2026-001", "Duplicate.", TODAY)
    window = opened(qtbot, register, settings)
    assert window.windowTitle() == "Northwind Logistics Ltd \u2014 register.sqlite \u2014 carapp"
    rows = {window.model.row_at(r).ref: r for r in range(2)}  # type: ignore[union-attr]
    ref = window.model.columns.index(rt.Column.REF)
    title = window.model.columns.index(rt.Column.TITLE)
    void, live = rows["NC-2026-001"], rows["NC-2026-002"]
    ref_font = window.model.index(void, ref).data(Qt.ItemDataRole.FontRole)
    assert ref_font.strikeOut() and ref_font.italic()
    assert window.model.index(void, title).data(Qt.ItemDataRole.FontRole).italic()
    assert window.model.index(void, title).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert window.model.index(live, ref).data(Qt.ItemDataRole.FontRole) is None
    assert window.model.index(live, title).data(Qt.ItemDataRole.ForegroundRole) is None


def test_a_second_backup_onto_the_same_copy_asks_to_replace_the_older_copy(
    qtbot: QtBot,
    register: Register,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = opened(qtbot, register, settings)
    target = tmp_path / "backup.sqlite"
    op.record_finding(
        register,
        op.FindingDraft("Backups untested", Source.MONITORING, Classification.MINOR, TODAY),
    )
    backup(Path(str(register.path)), target)
    text, buttons = backup_onto(qtbot, window, monkeypatch, target, "Replace the older copy")
    assert "already a register of Northwind Logistics Ltd" in text
    assert sorted(buttons) == ["Cancel", "Replace the older copy"]
    assert window.statusBar().currentMessage() == f"Backup copy saved to {target}"
