"""The Actions tab, driven by keys and clicks: it lists exactly what the register holds
(checked against SQL), its filters narrow the list as SQL does, and its writes (mark done
with text or a file, link to another finding, cancel) land in the register and its
history."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import ActionStatus, Deadline, ReviewResult, Stage
from carapp.models.words import day_text
from carapp.operations.changes import Changes
from carapp.queries import finding_detail
from carapp.queries.actions import ActionsFilter, action_rows
from carapp.store import Register
from carapp.ui.actions_tab import ActionsTab
from carapp.ui.editor.actions import CancelDialog, CompletionDialog
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World, demo_register, sha256
from tests.editor_helpers import click, named, type_into
from tests.test_editor_analysis import misnamed_inputs, unnamed_inputs


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=300, seed=11)


class Opened:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, ref: str, section: str | None) -> None:
        self.calls.append((ref, section))


def make_tab(qtbot: QtBot, register: Register) -> tuple[ActionsTab, Opened, list[Changes[Any]]]:
    """The tab as the main window builds it: every change it makes comes back to it."""
    opened, seen = Opened(), []
    tab: ActionsTab

    def handed(changes: Changes[Any]) -> None:
        seen.append(changes)
        tab.on_changes(changes)

    tab = ActionsTab(register, lambda: TODAY, opened, handed)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    settle(qtbot, tab)
    return tab, opened, seen


def settle(qtbot: QtBot, tab: ActionsTab) -> None:
    qtbot.waitUntil(tab.is_idle, timeout=10000)
    qtbot.wait(10)
    qtbot.waitUntil(tab.is_idle, timeout=10000)


def sql(register: Register, query: str, *args: object) -> list[Any]:
    assert register.path is not None
    conn = sqlite3.connect(f"file:{register.path}?mode=ro", uri=True)
    try:
        return [row[0] if len(row) == 1 else row for row in conn.execute(query, args)]
    finally:
        conn.close()


def listed(tab: ActionsTab) -> set[int]:
    return {r.id for r in tab.model.rows}


def shortcut(qtbot: QtBot, tab: ActionsTab, key: Qt.Key, mods: Qt.KeyboardModifier) -> None:
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=2000)
    tab.table.setFocus()
    QTest.keyClick(tab.table, key, mods)


def choose(combo: QComboBox, text: str) -> None:
    """Pick the item starting with ``text`` by arrow keys, as from the keyboard (typing
    its letters would run into the letters typed into the same box a moment before)."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(text):
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no item of {combo.accessibleName()} starts with {text!r}")


CTRL = Qt.KeyboardModifier.ControlModifier
LIVE_SQL = "status IN ('planned', 'in_progress')"


# --- The list and its filters ----------------------------------------------------------


def test_the_tab_lists_every_action(qtbot: QtBot, demo: Register) -> None:
    tab, _opened, _seen = make_tab(qtbot, demo)
    # Open by default: what someone still owes.
    assert listed(tab) == set(sql(demo, f"SELECT id FROM corrective_actions WHERE {LIVE_SQL}"))
    choose(named(tab, "Status", QComboBox), "Any")
    settle(qtbot, tab)
    every = set(sql(demo, "SELECT id FROM corrective_actions"))
    assert listed(tab) == every and len(every) > 100
    assert named(tab, "Actions shown", QLabel).text().startswith(f"{len(every):,} actions")
    # The findings each answers, as the links table has them.
    links = sql(
        demo,
        "SELECT a.ref, f.ref FROM finding_actions l JOIN corrective_actions a "
        "ON a.id = l.action_id JOIN findings f ON f.id = l.finding_id",
    )
    shown = {(r.ref, f.ref) for r in tab.model.rows for f in r.findings}
    assert shown == set(links)


def test_the_filters_narrow_the_list_as_sql_does(qtbot: QtBot, demo: Register) -> None:
    tab, _opened, _seen = make_tab(qtbot, demo)
    choose(named(tab, "Status", QComboBox), "Any")
    settle(qtbot, tab)
    owner_id, owner = sql(
        demo,
        "SELECT p.id, p.name FROM people p JOIN corrective_actions a ON a.owner_id = p.id "
        "GROUP BY p.id ORDER BY count(*) DESC LIMIT 1",
    )[0]
    choose(named(tab, "Owner", QComboBox), owner)
    settle(qtbot, tab)
    theirs = set(sql(demo, "SELECT id FROM corrective_actions WHERE owner_id = ?", owner_id))
    assert listed(tab) == theirs and theirs
    assert {r.owner for r in tab.model.rows} == {owner}

    choose(named(tab, "Status", QComboBox), "Done")
    settle(qtbot, tab)
    done = sql(
        demo, "SELECT id FROM corrective_actions WHERE owner_id = ? AND status = 'done'", owner_id
    )
    assert listed(tab) == set(done)

    choose(named(tab, "Owner", QComboBox), "Everyone")
    choose(named(tab, "Status", QComboBox), "Any")
    choose(named(tab, "Due", QComboBox), "Overdue")
    settle(qtbot, tab)
    late = sql(
        demo,
        f"SELECT id FROM corrective_actions WHERE {LIVE_SQL} AND target_on < ?",
        TODAY.isoformat(),
    )
    assert listed(tab) == set(late) and late
    assert all(r.overdue for r in tab.model.rows)
    # Overdue rows say so in words, not only in colour.
    due = tab.model.index(0, 6).data()
    assert due.startswith("Overdue by ")

    choose(named(tab, "Due", QComboBox), "Next 30")
    settle(qtbot, tab)
    soon = sql(
        demo,
        f"SELECT id FROM corrective_actions WHERE {LIVE_SQL} AND target_on BETWEEN ? AND ?",
        TODAY.isoformat(),
        (TODAY + dt.timedelta(30)).isoformat(),
    )
    assert listed(tab) == set(soon)
    assert listed(tab) == {r.id for r in action_rows(demo, tab.current_filter(), TODAY)}


def test_an_empty_list_says_what_to_do(qtbot: QtBot, demo: Register) -> None:
    tab, _opened, _seen = make_tab(qtbot, demo)
    type_into(named(tab, "Search", QLineEdit), "zzzz no such words")
    settle(qtbot, tab)
    assert tab.model.rows == []
    empty = named(tab, "No actions", QLabel)
    assert "No action matches these filters" in empty.text()
    assert not tab.table.isVisibleTo(tab)


def test_every_input_is_named_after_its_label(qtbot: QtBot, demo: Register) -> None:
    tab, _opened, _seen = make_tab(qtbot, demo)
    assert unnamed_inputs(tab) == []
    assert misnamed_inputs(tab) == []
    assert tab.table.accessibleName() == "Corrective actions"


# --- Writing ---------------------------------------------------------------------------


@pytest.fixture
def planned(world: World) -> tuple[str, str]:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    return ref, action


def cell(tab: ActionsTab, row: int, column: int) -> str:
    item = tab.history.item(row, column)
    assert item is not None
    return item.text()


def press_ok(dialog: QWidget) -> None:
    """Tab to OK and press Space, as a keyboard user does."""
    ok = named(dialog, "OK", QPushButton)
    ok.setFocus()
    QTest.keyClick(ok, Qt.Key.Key_Space)


def open_completion(qtbot: QtBot, tab: ActionsTab) -> CompletionDialog:
    shortcut(qtbot, tab, Qt.Key.Key_D, CTRL)
    dialog = tab.dialog
    assert isinstance(dialog, CompletionDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_marking_done_with_text_evidence_by_keys(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    ref, action = planned
    before = finding_detail(world.register, ref, TODAY).next_step
    tab, _opened, seen = make_tab(qtbot, world.register)
    assert [r.ref for r in tab.model.rows] == [action]
    dialog = open_completion(qtbot, tab)
    assert unnamed_inputs(dialog) == []
    type_into(named(dialog, "Evidence", QPlainTextEdit), "Checklist HR-PRO-004 v3 issued.")
    date = named(dialog, "Completion date", QLineEdit)
    type_into(date, "2026-11-20")
    QTest.keyClick(date, Qt.Key.Key_Return)  # OK is the default button
    settle(qtbot, tab)
    assert seen and seen[-1].actions
    assert sql(
        world.register,
        "SELECT status, completed_on, completion_evidence FROM corrective_actions WHERE ref = ?",
        action,
    ) == [("done", "2026-11-20", "Checklist HR-PRO-004 v3 issued.")]
    assert named(tab, "Message", QLabel).text() == f"{action} marked done."
    # The finding's next step moved on, and the tab (open by default) lists it no more.
    after = finding_detail(world.register, ref, TODAY).next_step
    assert before != after and after == "Ready to move to \u2018Actions done\u2019."
    assert tab.model.rows == []
    choose(named(tab, "Status", QComboBox), "Done")
    settle(qtbot, tab)
    assert [r.status for r in tab.model.rows] == [ActionStatus.DONE]
    # The history shows the completion, newest first.
    qtbot.waitUntil(lambda: tab.history.rowCount() > 1, timeout=5000)
    whats = [cell(tab, r, 2) for r in range(tab.history.rowCount())]
    news = [cell(tab, r, 4) for r in range(tab.history.rowCount())]
    assert f"Action {action} \u00b7 Status" in whats
    assert "Done" in news and "20 Nov 2026" in news
    assert whats[-1] == f"Action {action} planned"
    assert "Checklist HR-PRO-004 v3 issued." in named(tab, "Selected action", QLabel).text()


# The file dialog is replaced: a native one cannot be driven offscreen.
def test_marking_done_with_a_file_stores_its_bytes(
    qtbot: QtBot,
    world: World,
    planned: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ref, action = planned
    evidence = tmp_path / "checklist-v3.pdf"
    evidence.write_bytes(b"%PDF-1.4 the new checklist \x00\xff")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(evidence), ""))
    )
    tab, _opened, _seen = make_tab(qtbot, world.register)
    dialog = open_completion(qtbot, tab)
    attach = named(dialog, "Attach a file\u2026", QPushButton)
    attach.setFocus()
    QTest.keyClick(attach, Qt.Key.Key_Space)
    assert "checklist-v3.pdf is attached when you press OK" in named(dialog, "File", QLabel).text()
    press_ok(dialog)
    settle(qtbot, tab)
    (stored,) = sql(
        world.register,
        "SELECT e.name, e.sha256, e.data FROM evidence e JOIN "
        "corrective_actions a ON a.id = e.action_id WHERE a.ref = ?",
        action,
    )
    assert stored[0] == "checklist-v3.pdf"
    assert stored[1] == sha256(evidence) == hashlib.sha256(stored[2]).hexdigest()
    assert sql(world.register, "SELECT status FROM corrective_actions WHERE ref = ?", action) == [
        "done"
    ]


def test_a_completion_without_evidence_is_refused_and_kept(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    _ref, action = planned
    tab, _opened, _seen = make_tab(qtbot, world.register)
    dialog = open_completion(qtbot, tab)
    date = named(dialog, "Completion date", QLineEdit)
    type_into(date, "2026-11-19")
    press_ok(dialog)
    settle(qtbot, tab)
    # Asked again, with the date typed and the sentence saying what is missing.
    again = tab.dialog
    assert isinstance(again, CompletionDialog) and again is not dialog
    qtbot.waitUntil(again.isVisible)
    assert "needs evidence of completion" in again.problem.text()
    assert named(again, "Completion date", QLineEdit).text() == "2026-11-19"
    assert sql(world.register, "SELECT status FROM corrective_actions WHERE ref = ?", action) == [
        "planned"
    ]
    again.reject()


def test_linking_an_action_to_a_second_finding(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    ref, action = planned
    second = world.nc(title="Contractor accounts never expire")
    world.contain(second)
    tab, _opened, _seen = make_tab(qtbot, world.register)
    shortcut(qtbot, tab, Qt.Key.Key_L, CTRL)
    chooser = tab.chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    assert unnamed_inputs(chooser) == []
    QTest.keyClicks(chooser.search, "contractor")
    assert [f.ref for f in chooser.items] == [second]
    QTest.keyClick(chooser.search, Qt.Key.Key_Return)
    settle(qtbot, tab)
    answered = sql(
        world.register,
        "SELECT f.ref FROM finding_actions l JOIN findings f ON "
        "f.id = l.finding_id JOIN corrective_actions a ON a.id = l.action_id "
        "WHERE a.ref = ? ORDER BY f.ref",
        action,
    )
    assert answered == sorted([ref, second]), named(tab, "Message", QLabel).text()
    (row,) = tab.model.rows
    assert {f.ref for f in row.findings} == {ref, second}
    assert finding_detail(world.register, second, TODAY).current_actions[0].ref == action


def test_cancelling_needs_a_reason(qtbot: QtBot, world: World, planned: tuple[str, str]) -> None:
    _ref, action = planned
    tab, _opened, _seen = make_tab(qtbot, world.register)
    shortcut(qtbot, tab, Qt.Key.Key_D, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = tab.dialog
    assert isinstance(dialog, CancelDialog)
    qtbot.waitUntil(dialog.isVisible)
    click(named(dialog, "Cancel the action", QPushButton))
    assert "the reason is required" in dialog.problem.text()
    assert dialog.isVisible()
    type_into(named(dialog, "Reason", QPlainTextEdit), "Replaced by the new leavers process.")
    click(named(dialog, "Cancel the action", QPushButton))
    settle(qtbot, tab)
    assert sql(
        world.register,
        "SELECT status, cancelled_reason FROM corrective_actions WHERE ref = ?",
        action,
    ) == [("cancelled", "Replaced by the new leavers process.")]


def test_enter_opens_the_finding_on_its_actions(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    ref, _action = planned
    tab, opened, _seen = make_tab(qtbot, world.register)
    shortcut(qtbot, tab, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    assert opened.calls == [(ref, "actions")]


def test_a_failed_review_shows_on_the_action(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref, ReviewResult.NOT_EFFECTIVE)
    tab, _opened, _seen = make_tab(qtbot, world.register)
    choose(named(tab, "Status", QComboBox), "Any")
    settle(qtbot, tab)
    (row,) = tab.model.rows
    assert row.ref == action
    assert tab.model.index(0, 5).data() == f"{ref} (round 1, review failed)"


def test_a_read_only_register_offers_no_writes(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    tab, _opened, _seen = make_tab(qtbot, world.register)
    tab.set_read_only(True)
    for name in ("Mark done\u2026", "Link to finding\u2026", "Cancel action\u2026"):
        button = named(tab, name, QPushButton)
        assert not button.isEnabled()
        assert "read-only" in button.toolTip()
    shortcut(qtbot, tab, Qt.Key.Key_D, CTRL)
    assert tab.dialog is None
    assert named(tab, "Open finding", QPushButton).isEnabled()


def test_the_main_window_has_the_tab(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(world.register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    index = window.tabs.indexOf(window.actions_tab)
    assert window.tabs.tabText(index) == "Actions"
    assert window.actions_tab in window.view_tabs
    QTest.keyClick(window, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentWidget() is window.actions_tab


def test_the_query_filters_by_owner(world: World, planned: tuple[str, str]) -> None:
    _ref, action = planned
    (mine,) = action_rows(world.register, ActionsFilter(owner_id=world.owner), TODAY)
    assert mine.ref == action
    assert action_rows(world.register, ActionsFilter(owner_id=world.manager), TODAY) == []


def test_an_extended_closure_shows_beside_the_action(
    qtbot: QtBot, world: World, planned: tuple[str, str]
) -> None:
    ref, _action = planned
    closure = finding_detail(world.register, ref, TODAY).closure_due
    assert closure is not None
    granted = closure + dt.timedelta(days=30)
    request = op.request_extension(
        world.register, ref, Deadline.CLOSURE, closure - dt.timedelta(days=5), granted,
        "The directory migration finishes late.",
    ).result  # fmt: skip
    op.decide_extension(world.register, request, True, closure - dt.timedelta(days=4))
    tab, _opened, _seen = make_tab(qtbot, world.register)
    settle(qtbot, tab)
    rect = tab.table.visualRect(tab.model.index(0, 0))
    QTest.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: "closure due" in tab.details.text(), timeout=5000)
    assert (
        f"closure due {day_text(granted)} (extended from <s>{day_text(closure)}</s>)"
        in tab.details.text()
    )
