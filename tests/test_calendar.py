"""The Calendar tab and the opening banner, driven by clicks and keys on real registers and
checked against dates read with plain SQL."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.due import DueKind, spoken_date
from carapp.models.enums import Deadline, Stage
from carapp.queries.findings import finding_detail
from carapp.store import Register
from carapp.ui.calendar import CalendarTab, DueBanner
from carapp.ui.calendar.items import DueList
from carapp.ui.calendar.month import DateRole, InMonthRole, MarksRole, grid_range
from carapp.ui.editor import FindingEditor
from carapp.ui.main_window import MainWindow
from tests.conftest import TODAY, World, demo_register
from tests.test_agenda import _sql_dates

WEEK_END = TODAY + dt.timedelta(days=7)
EPOCH = dt.date(1970, 1, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=600, seed=11)


def calendar(qtbot: QtBot, register: Register) -> tuple[CalendarTab, list[tuple[str, str | None]]]:
    opened: list[tuple[str, str | None]] = []
    tab = CalendarTab(register, lambda: TODAY, lambda ref, key: opened.append((ref, key)))
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(tab.idle, timeout=10000)
    return tab, opened


def shown(tab: CalendarTab) -> Counter[tuple[str, str]]:
    """(kind, day) -> count, as the month's cells hold them."""
    model = tab.month_model
    found: Counter[tuple[str, str]] = Counter()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            marks = index.data(MarksRole)
            day = index.data(DateRole)
            for kind, n in marks.counts.items() if marks else ():
                found[(kind.value, day.isoformat())] = n
    return found


def listed(view: DueList) -> Counter[tuple[str, str]]:
    return Counter((i.kind.value, i.on.isoformat()) for i in view.list_model.items)


def click_day(qtbot: QtBot, tab: CalendarTab, day: dt.date) -> None:
    index = tab.month_model.index_of(day)
    rect = tab.month.visualRect(index)
    QTest.mouseClick(tab.month.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(tab.idle, timeout=10000)


def busiest_day(tab: CalendarTab) -> dt.date:
    """The day of the month shown with the most kinds of date, then the most dates."""
    model = tab.month_model
    days = [model.index(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())]
    in_month = [i for i in days if i.data(InMonthRole) and i.data(MarksRole)]
    best = max(in_month, key=lambda i: (len(i.data(MarksRole).counts), i.data(MarksRole).total))
    day: dt.date = best.data(DateRole)
    return day


def test_markers_fall_on_the_right_days_of_each_month(qtbot: QtBot, demo: Register) -> None:
    tab, _ = calendar(qtbot, demo)
    assert tab.title.text() == "November 2026"
    for step in range(3):
        start, end = grid_range(tab.month_model.month)
        assert shown(tab) == _sql_dates(demo, start, end), tab.title.text()
        if step < 2:
            QTest.mouseClick(tab.next, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(tab.idle, timeout=10000)
    assert tab.title.text() == "January 2027"
    assert sum(shown(tab).values()) > 0


def test_each_day_says_what_falls_due_on_it(qtbot: QtBot, demo: Register) -> None:
    tab, _ = calendar(qtbot, demo)
    day = busiest_day(tab)
    index = tab.month_model.index_of(day)
    text = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert text.startswith(f"{spoken_date(day)}: ")
    assert index.data(Qt.ItemDataRole.ToolTipRole) == text
    marks = index.data(MarksRole)
    assert f"{marks.counts[DueKind.CLOSURE]} closure" in text
    past = tab.month_model.index_of(TODAY - dt.timedelta(days=1)).data(MarksRole)
    if past is not None:  # every date still owed before today is overdue
        assert past.overdue == past.counts
        late = tab.month_model.index_of(TODAY - dt.timedelta(days=1))
        assert "overdue" in late.data(Qt.ItemDataRole.AccessibleTextRole)


def test_clicking_a_day_lists_exactly_its_items(qtbot: QtBot, demo: Register) -> None:
    tab, _ = calendar(qtbot, demo)
    day = busiest_day(tab)
    click_day(qtbot, tab, day)
    assert tab.day == day
    assert listed(tab.day_list) == _sql_dates(demo, day, day)
    assert len({k for k, _ in listed(tab.day_list)}) >= 2
    assert tab.day_title.text().startswith(f"Due on {spoken_date(day)}: ")
    model = tab.day_list.list_model
    for row, item in enumerate(model.items):
        assert model.index(row, 1).data(Qt.ItemDataRole.AccessibleTextRole) == item.describe()
    empty = next(
        d
        for d in (TODAY + dt.timedelta(days=n) for n in range(1, 40))
        if not _sql_dates(demo, d, d)
    )
    if empty.month == day.month:
        click_day(qtbot, tab, empty)
        assert tab.day_list.list_model.rowCount() == 0
        assert tab.day_title.text().endswith(": nothing")


def test_arrows_move_the_day_across_months_and_enter_opens_its_list(
    qtbot: QtBot, demo: Register
) -> None:
    tab, opened = calendar(qtbot, demo)
    click_day(qtbot, tab, dt.date(2026, 11, 28))
    tab.month.setFocus()
    QTest.keyClick(tab.month, Qt.Key.Key_Right)  # Sunday 29
    QTest.keyClick(tab.month, Qt.Key.Key_Down)  # a week on: into December
    qtbot.waitUntil(tab.idle, timeout=10000)
    assert tab.day == dt.date(2026, 12, 6)
    assert tab.title.text() == "December 2026"
    assert tab.month.currentIndex().data(DateRole) == dt.date(2026, 12, 6)
    start, end = grid_range(dt.date(2026, 12, 1))
    assert shown(tab) == _sql_dates(demo, start, end)
    QTest.keyClick(tab.month, Qt.Key.Key_PageUp)
    QTest.keyClick(tab.month, Qt.Key.Key_Left)
    qtbot.waitUntil(tab.idle, timeout=10000)
    assert tab.day == dt.date(2026, 11, 5)
    day = busiest_day(tab)
    click_day(qtbot, tab, day)
    tab.month.setFocus()
    QTest.keyClick(tab.month, Qt.Key.Key_Return)
    assert tab.day_list.hasFocus()
    assert listed(tab.day_list) == _sql_dates(demo, day, day)
    QTest.keyClick(tab.day_list, Qt.Key.Key_Return)
    first = tab.day_list.list_model.items[0]
    assert opened == [(first.finding_refs[0], _section(first.kind))]


def _section(kind: DueKind) -> str:
    return {
        DueKind.ACTION: "actions",
        DueKind.REVIEW: "effectiveness",
        DueKind.PLAN: "deadlines",
        DueKind.CLOSURE: "deadlines",
    }[kind]


def test_filters_narrow_the_month_the_day_and_the_agenda(qtbot: QtBot, demo: Register) -> None:
    tab, _ = calendar(qtbot, demo)
    everything = sum(shown(tab).values())
    agenda_everything = tab.agenda_list.list_model.rowCount()
    tab.kind.setFocus()
    tab.kind.setCurrentIndex(tab.kind.findData(DueKind.ACTION.value))
    qtbot.waitUntil(tab.idle, timeout=10000)
    start, end = grid_range(tab.month_model.month)
    actions = Counter({k: n for k, n in _sql_dates(demo, start, end).items() if k[0] == "action"})
    assert shown(tab) == actions and 0 < sum(actions.values()) < everything
    assert {i.kind for i in tab.agenda_list.list_model.items} == {DueKind.ACTION}
    assert {i.kind for i in tab.day_list.list_model.items} <= {DueKind.ACTION}
    tab.kind.setCurrentIndex(0)
    qtbot.waitUntil(tab.idle, timeout=10000)
    owner_of = Counter(
        (pid, name)
        for i in tab.agenda_list.list_model.items
        for pid, name in zip(i.owner_ids, i.owners, strict=True)
    ).most_common(1)[0][0]
    qtbot.waitUntil(lambda: tab.owner.count() > 1, timeout=10000)
    tab.owner.setCurrentIndex(tab.owner.findData(owner_of[0]))
    qtbot.waitUntil(tab.idle, timeout=10000)
    mine = tab.agenda_list.list_model.items
    assert mine and len(mine) < agenda_everything
    assert all(owner_of[0] in i.owner_ids for i in mine)
    assert sum(shown(tab).values()) < everything


def test_every_input_has_its_label_as_accessible_name(qtbot: QtBot, demo: Register) -> None:
    tab, _ = calendar(qtbot, demo)
    inputs = tab.findChildren(QComboBox) + tab.findChildren(QPushButton)
    assert len(inputs) == 6
    for widget in inputs:
        assert widget.accessibleName(), widget
    labels = {
        lab.text().replace("&", "").rstrip(":"): lab.buddy()
        for lab in tab.findChildren(QLabel)
        if lab.buddy()
    }
    assert {name: w.accessibleName() for name, w in labels.items() if w} == {
        "Owner": "Owner",
        "Kind": "Kind",
        "Agenda": "Agenda",
    }
    for button in tab.findChildren(QPushButton):
        assert button.accessibleName() in button.text()
    for view in (tab.month, tab.day_list, tab.agenda_list, tab.legend):
        assert view.accessibleName()
    assert tab.focusProxy() is tab.month


def main_window(qtbot: QtBot, register: Register, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.up_to_date, timeout=10000)
    qtbot.waitUntil(lambda: window.calendar.idle() and window.due_banner.idle(), timeout=10000)
    return window


def test_double_clicking_an_agenda_entry_opens_its_editor_on_the_section(
    qtbot: QtBot, demo: Register, tmp_path: Path
) -> None:
    window = main_window(qtbot, demo, tmp_path)
    window.show_tab(window.tabs.indexOf(window.calendar))
    assert window.calendar.month.hasFocus()
    # Return opens the day's list here, not the finding selected in the Findings tab.
    QTest.keyClick(window.calendar.month, Qt.Key.Key_Return)
    assert window.calendar.day_list.hasFocus() and not window.editors
    agenda = window.calendar.agenda_list
    model = agenda.list_model
    assert [i.overdue for i in model.items] == sorted(
        (i.overdue for i in model.items), reverse=True
    )
    for kind in (DueKind.ACTION, DueKind.CLOSURE):
        row = next(r for r, i in enumerate(model.items) if i.kind is kind)
        item = model.items[row]
        agenda.scrollTo(model.index(row, 1))
        rect = agenda.visualRect(model.index(row, 1))
        QTest.mouseClick(agenda.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(agenda.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        ref = item.finding_refs[0]
        qtbot.waitUntil(functools.partial(window.editors.__contains__, ref), timeout=10000)
        editor = window.editors[ref]
        qtbot.waitUntil(editor.isVisible, timeout=10000)
        assert on_section(editor, _section(kind))
        editor.discard()


def on_section(editor: FindingEditor, key: str) -> bool:
    return editor.nav.currentRow() == editor.sections.index(editor.section(key))


def week_sql(register: Register) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    return (
        _sql_dates(register, EPOCH, TODAY - dt.timedelta(days=1)),
        _sql_dates(register, TODAY, WEEK_END),
    )


def banner_items(banner: DueBanner) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    assert banner.agenda is not None
    return (
        Counter((i.kind.value, i.on.isoformat()) for i in banner.agenda.overdue),
        Counter((i.kind.value, i.on.isoformat()) for i in banner.agenda.coming),
    )


def test_the_opening_banner_lists_the_overdue_and_the_coming_week(
    qtbot: QtBot, world: World, tmp_path: Path
) -> None:
    late = world.nc()
    soon = world.nc(identified=dt.date(2026, 11, 20), title="Visitor log not kept at reception")
    action = world.advance(late, Stage.ACTIONS_DONE)
    assert action is not None
    op.record_review(
        world.register,
        late,
        op.ReviewDraft(
            method="Record check", due_on=dt.date(2026, 11, 1), reviewer_id=world.manager
        ),
    )
    window = main_window(qtbot, world.register, tmp_path)
    banner = window.due_banner
    assert banner.isVisible()
    overdue, coming = week_sql(world.register)
    assert banner_items(banner) == (overdue, coming)
    assert ("review", "2026-11-01") in overdue
    assert "Review " + late in banner.overdue.text() + banner.overdue_more.text()
    assert banner.heading.text().count("overdue") >= 1
    assert banner.agenda is not None
    assert any(i.finding_refs == (soon,) for i in banner.agenda.items)
    # Its link opens the review's section.
    review_href = next(
        f"item:{n}" for n, i in enumerate(banner.agenda.items) if i.kind is DueKind.REVIEW
    )
    banner.overdue.linkActivated.emit(review_href)
    qtbot.waitUntil(lambda: late in window.editors, timeout=10000)
    editor = window.editors[late]
    assert on_section(editor, "effectiveness")
    editor.discard()
    close = banner.findChild(QToolButton)
    assert close is not None and close.accessibleName() == "Dismiss due dates"
    QTest.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()


def test_with_many_dates_the_banner_counts_and_leads_to_the_agenda(
    qtbot: QtBot, demo: Register, tmp_path: Path
) -> None:
    window = main_window(qtbot, demo, tmp_path)
    banner = window.due_banner
    overdue, coming = week_sql(demo)
    assert banner_items(banner) == (overdue, coming)
    assert f"{sum(overdue.values()):,} dates overdue" in banner.heading.text()
    shown_links = banner.overdue.text().count("href=") + banner.overdue_more.text().count("href=")
    assert shown_links == min(8, sum(overdue.values()))
    banner.heading.linkActivated.emit("agenda")
    assert window.tabs.currentWidget() is window.calendar
    assert window.calendar.agenda_list.hasFocus()


def test_an_extended_deadline_shows_both_dates(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    assert before is not None and before.closure_due is not None
    asked = before.closure_due - dt.timedelta(days=5)
    granted = before.closure_due + dt.timedelta(days=30)
    request = op.request_extension(
        world.register, ref, Deadline.CLOSURE, asked, granted, "The migration finishes late."
    ).result
    op.decide_extension(world.register, request, True, asked)
    tab, _ = calendar(qtbot, world.register)
    tab.select_day(granted)
    qtbot.waitUntil(tab.idle, timeout=10000)
    model = tab.day_list.list_model
    (row,) = [r for r, i in enumerate(model.items) if i.kind is DueKind.CLOSURE]
    date_column = 3
    text = model.index(row, date_column).data()
    assert text.startswith(f"{granted.day} {granted:%b %Y}")
    assert f"extended from {before.closure_due.day} {before.closure_due:%b %Y}" in text
    spoken = model.index(row, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert f"extended from {spoken_date(before.closure_due)}" in spoken
    assert isinstance(tab, QWidget)
